// switchboard-test against the REAL `switchboard start` process: the probe role's routes,
// probe sessions on the platform's port allocator, TURN through a managed coturn (test
// profile, loopback peers allowed), and the CLI's exit codes, JSON and JUnit outputs.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Report, ReportSchema } from '@switchboard/tester';
import { z } from 'zod';
import { ROOT, type ServerProcess, startServerProcess } from '../helpers/serverProcess.js';
import { checkJUnit, mintTesterToken, runNode, TESTER_CLI } from '../helpers/testerRun.js';
import { TEST_PORTS } from '../helpers/testPorts.js';

const COTURN = '/usr/bin/turnserver';
const PUBLISHED_SCHEMA = z.fromJSONSchema(
  JSON.parse(readFileSync(path.join(ROOT, 'packages/tester/report.schema.json'), 'utf8')),
);

interface RunningServer {
  process: ServerProcess;
  configFile: string;
  ca: string;
  ports: { http: number; https: number; websocket: number; api: number };
  url: string;
}

const API_KEY = { key: 'tester-it', secret: 'tester-integration-secret-0123456789' };

async function startServer(config: Record<string, unknown>): Promise<RunningServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sb-tester-srv-'));
  const configFile = path.join(dataDir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      profile: 'test',
      publicHost: '127.0.0.1',
      ports: { http: 0, https: 0, websocket: 0, api: 0 },
      auth: { apiKeys: [API_KEY] },
      shutdown: { drainTimeoutMs: 1000 },
      ...config,
    }),
  );
  const proc = startServerProcess(['-c', configFile], { dataDir });
  const m = await proc.waitForOutput(
    /"ports":(\{[^}]*\}),"publicHost":"127\.0\.0\.1","msg":"listening"/,
    20_000,
  );
  const ports = JSON.parse(m[1]!) as RunningServer['ports'];
  return {
    process: proc,
    configFile,
    ca: path.join(dataDir, 'tls', 'self-signed.crt'),
    ports,
    url: `https://127.0.0.1:${ports.https}`,
  };
}

async function stopServer(s: RunningServer | undefined): Promise<void> {
  if (!s) return;
  s.process.child.kill('SIGTERM');
  const timer = setTimeout(() => s.process.child.kill('SIGKILL'), 5000);
  await s.process.exited;
  clearTimeout(timer);
  rmSync(s.process.dataDir, { recursive: true, force: true });
}

function https(
  s: RunningServer,
  method: string,
  urlPath: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${s.url}${urlPath}`, { method, headers, ca: readFileSync(s.ca, 'utf8') }, (res) => {
      let text = '';
      res.on('data', (d) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function check(report: Report, id: string) {
  const c = report.checks.find((x) => x.id === id);
  assert.ok(c, `no check ${id}`);
  return c;
}

describe('switchboard-test against a real `switchboard start` with managed TURN', {
  skip: !existsSync(COTURN) && `${COTURN} not installed`,
}, () => {
  let server: RunningServer;
  let dir: string;
  const W = TEST_PORTS.testerServer;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sb-tester-out-'));
    server = await startServer({
      media: { listenAddress: '127.0.0.1', rtcPorts: W.rtc, acdPorts: W.acd },
      turn: {
        mode: 'managed',
        host: '127.0.0.1',
        managed: {
          listeningIps: ['127.0.0.1'],
          relayIps: ['127.0.0.1'],
          port: W.turnPort,
          tlsPort: W.turnTlsPort,
          minPort: W.relay.min,
          maxPort: W.relay.max,
          allowLoopbackPeers: true,
        },
      },
    });
  });
  after(async () => {
    await stopServer(server);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('publishes a profile with the bound ports, the real WebSocket paths, the media ranges and the TURN URLs', async () => {
    const res = await https(server, 'GET', '/v1/probe/profile');
    assert.equal(res.status, 200);
    const p = JSON.parse(res.body);
    const tcp = p.tcp.map((r: { service: string; port: number; purpose: string; path: string }) =>
      [r.service, r.port, r.purpose, r.path].join(' '),
    );
    const { http, https: h, websocket, api } = server.ports;
    assert.deepEqual(tcp, [
      `rtc ${http} http-redirect /`,
      `rtc ${h} https /`,
      `rtc ${websocket} wss /v1/signalling`,
      `rtc ${api} https-api /healthz`,
      `acd ${http} http-redirect /`,
      `acd ${h} https /`,
      `acd ${api} wss /v1/voip`,
    ]);
    assert.deepEqual(
      p.udp.map((r: { min: number; max: number }) => [r.min, r.max]),
      [
        [W.rtc.min, W.rtc.max],
        [W.acd.min, W.acd.max],
      ],
    );
    assert.deepEqual(p.turn.urls, [
      `stun:127.0.0.1:${W.turnPort}`,
      `turn:127.0.0.1:${W.turnPort}?transport=udp`,
      `turn:127.0.0.1:${W.turnPort}?transport=tcp`,
      `turns:127.0.0.1:${W.turnTlsPort}?transport=tcp`,
    ]);
    assert.equal(p.thresholds.rttMs, 300);
  });

  it('POST /v1/probe/tokens mints a token whose only grant is tester; sessions refuse tokens without it', async () => {
    const basic = `Basic ${Buffer.from(`${API_KEY.key}:${API_KEY.secret}`).toString('base64')}`;
    const minted = await https(
      server,
      'POST',
      '/v1/probe/tokens',
      { authorization: basic, 'content-type': 'application/json' },
      JSON.stringify({ identity: 'kiosk-1' }),
    );
    assert.equal(minted.status, 201, minted.body);
    const { token } = JSON.parse(minted.body) as { token: string };
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
    assert.deepEqual(claims.grants, { tester: true });
    assert.equal(claims.sub, 'kiosk-1');
    const wrongKey = await https(
      server,
      'POST',
      '/v1/probe/tokens',
      {
        authorization: `Basic ${Buffer.from(`${API_KEY.key}:nope-nope-nope-nope`).toString('base64')}`,
        'content-type': 'application/json',
      },
      '{}',
    );
    assert.equal(wrongKey.status, 401);

    // The tester token opens a session (ports from the allocator's ranges, TURN credentials)…
    const opened = await https(
      server,
      'POST',
      '/v1/probe/sessions',
      {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      },
      '{}',
    );
    assert.equal(opened.status, 201, opened.body);
    const session = JSON.parse(opened.body);
    const rtc = session.ranges.find((r: { service: string }) => r.service === 'rtc');
    assert.ok(rtc.ports.includes(W.rtc.min) && rtc.ports.includes(W.rtc.max));
    assert.ok(rtc.ports.every((p: number) => p >= W.rtc.min && p <= W.rtc.max));
    assert.equal(session.mediaAddress, '127.0.0.1');
    assert.match(session.ice.iceServers[1].username, /^\d+:kiosk-1$/);
    const closed = await https(server, 'DELETE', `/v1/probe/sessions/${session.id}`, {
      authorization: `Bearer ${token}`,
    });
    assert.equal(closed.status, 204);
    const again = await https(server, 'DELETE', `/v1/probe/sessions/${session.id}`, {
      authorization: `Bearer ${token}`,
    });
    assert.equal(again.status, 404);

    // …a token without the tester grant does not.
    const other = await mintTesterToken(server.process.dataDir, server.configFile, 'sup', {
      extraFlags: ['--supervise'],
    });
    const refused = await https(
      server,
      'POST',
      '/v1/probe/sessions',
      {
        authorization: `Bearer ${other}`,
        'content-type': 'application/json',
      },
      '{}',
    );
    assert.equal(refused.status, 403);
    assert.match(refused.body, /SB_ERR_FORBIDDEN/);
  });

  it('--quick --json --junit: every check passes (exit 0), JSON valid against report.schema.json, JUnit well-formed', async (t) => {
    const token = await mintTesterToken(server.process.dataDir, server.configFile, 'quick-run');
    const junit = path.join(dir, 'quick.xml');
    const r = await runNode(TESTER_CLI, [
      '--server',
      server.url,
      '--token',
      token,
      '--ca',
      server.ca,
      '--quick',
      '--json',
      '--junit',
      junit,
    ]);
    const json = JSON.parse(r.stdout);
    const published = PUBLISHED_SCHEMA.safeParse(json);
    assert.ok(published.success, `report does not match report.schema.json: ${published.error?.message}`);
    const report = ReportSchema.parse(json);
    const notPassing = report.checks.filter((c) => c.verdict !== 'pass').map((c) => `${c.id}: ${c.summary}`);
    assert.deepEqual(notPassing, [], 'every check passes');
    assert.equal(r.code, 0, r.stderr);
    for (const id of [
      'stun.binding',
      'turn.udp',
      'turn.tcp',
      'turn.tls',
      'udp.rtc',
      'udp.acd',
      'rate.uplink.80',
    ])
      check(report, id);
    assert.match(check(report, 'stun.binding').summary, /Public address 127\.0\.0\.1:\d+.*no NAT/);
    for (const id of ['turn.udp', 'turn.tcp', 'turn.tls']) {
      const c = check(report, id);
      assert.ok(c.value !== null && c.value > 0, `${id} measured an RTT through the relay`);
      assert.equal(c.metrics.find((m) => m.name === 'relayEchoes')?.value, 3);
    }
    const cases = checkJUnit(readFileSync(junit, 'utf8'));
    assert.equal(cases.length, report.checks.length);
    assert.ok(
      cases.every((c) => c.children.length === 0),
      'no failure or skipped case',
    );
    t.diagnostic(`quick: report ${report.durationMs} ms, process ${Math.round(r.wallMs)} ms`);
  });

  it('a full run passes every check (exit 0) and prints the table with the TURN rows', async (t) => {
    const token = await mintTesterToken(server.process.dataDir, server.configFile, 'full-run');
    const r = await runNode(TESTER_CLI, ['--server', server.url, '--ca', server.ca, '--no-progress'], {
      env: { SWITCHBOARD_TOKEN: token },
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /PASS {2}TURN over UDP[\s\S]*PASS {2}TURN over TCP[\s\S]*PASS {2}TURN over TLS/);
    assert.match(r.stdout, /Overall: PASS {2}\(full test, (\d+\.\d) s\)/);
    t.diagnostic(`full: ${r.stdout.match(/full test, ([\d.]+ s)/)?.[1]}, process ${Math.round(r.wallMs)} ms`);
  });

  it('bad URL, unreachable host and refused token each exit 3 with one line and no stack trace', async () => {
    const cases: [string[], RegExp][] = [
      [['--server', 'ftp://127.0.0.1'], /must be an http\(s\) URL/],
      [['--server', 'not a url'], /is not a URL/],
      [['--server', 'https://127.0.0.1:1', '--token', 'x'], /Cannot reach 127\.0\.0\.1:1 \(ECONNREFUSED\)/],
      [
        ['--server', server.url, '--ca', server.ca, '--token', 'not-a-token'],
        /refused the access token \(SB_ERR_TOKEN_INVALID\)/,
      ],
      [['--server', server.url, '--ca', server.ca], /No access token/],
    ];
    for (const [args, pattern] of cases) {
      const r = await runNode(TESTER_CLI, [...args, '--quick', '--no-progress'], {
        env: { SWITCHBOARD_TOKEN: '' },
      });
      assert.equal(r.code, 3, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, pattern);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      assert.equal(r.stdout, '');
    }
  });
});

describe('switchboard-test against a real `switchboard start` without TURN (the default)', () => {
  let server: RunningServer;
  const W = TEST_PORTS.testerServerNoTurn;
  before(async () => {
    // Media on another address than the host name clients use for signalling (127.0.0.1), as
    // `media.listenAddress: auto` does on any machine with a LAN interface: the UDP probes
    // must go where the media server listens, not to the signalling host.
    server = await startServer({ media: { listenAddress: '127.0.0.2', rtcPorts: W.rtc, acdPorts: W.acd } });
  });
  after(() => stopServer(server));

  it('probes UDP at the media address, skips the TURN checks with the reason, still learns the public address from the probe responders, exit 0', async () => {
    const token = await mintTesterToken(server.process.dataDir, server.configFile, 'no-turn');
    const r = await runNode(TESTER_CLI, [
      '--server',
      server.url,
      '--token',
      token,
      '--ca',
      server.ca,
      '--quick',
      '--json',
    ]);
    const report = ReportSchema.parse(JSON.parse(r.stdout));
    assert.equal(r.code, 0, r.stderr);
    for (const id of ['turn.udp', 'turn.tcp', 'turn.tls']) {
      const c = check(report, id);
      assert.equal(c.verdict, 'skipped');
      assert.match(c.summary, /without TURN \(turn\.mode: off\)/);
    }
    for (const id of ['udp.rtc', 'udp.acd']) {
      const c = check(report, id);
      // Only the media address answers: a probe sent to the signalling host gets nothing.
      assert.equal(c.verdict, 'pass', `${id}: ${c.summary}`);
    }
    assert.equal(check(report, 'quality.rtt').verdict, 'pass');
    const stun = check(report, 'stun.binding');
    assert.equal(stun.verdict, 'pass');
    assert.equal(
      stun.metrics.find((m) => m.name === 'answered')?.value,
      2,
      'two responder ports answered Binding',
    );
    assert.deepEqual(JSON.parse((await https(server, 'GET', '/v1/probe/profile')).body).turn.urls, []);
  });
});
