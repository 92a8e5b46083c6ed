import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { nodePlatform } from '@switchboard/sdk/node';
import { RawSocket } from '../helpers/rawSocket.js';
import { ROOT, type ServerProcess, startServerProcess } from '../helpers/serverProcess.js';

const EPHEMERAL = [
  '--set',
  'ports.http=0',
  '--set',
  'ports.https=0',
  '--set',
  'ports.websocket=0',
  '--set',
  'ports.api=0',
];

function portOf(output: string, pattern: RegExp): number {
  const m = output.match(pattern);
  assert.ok(m, `no ${pattern} in\n${output}`);
  return Number(m[1]);
}

describe('`switchboard start` as a real process', () => {
  let server: ServerProcess;
  let ports: { http: number; https: number; websocket: number; api: number };
  let ca: string;

  before(async () => {
    server = startServerProcess([
      ...EPHEMERAL,
      '--set',
      'publicHost=127.0.0.1',
      '--set',
      'shutdown.drainTimeoutMs=3000',
    ]);
    await server.waitForOutput(/^Ready\. /m);
    const out = server.output();
    ports = {
      http: portOf(out, /http:\/\/127\.0\.0\.1:(\d+)/),
      https: portOf(out, /HTTPS web \+ REST API\s+https:\/\/127\.0\.0\.1:(\d+)/),
      websocket: portOf(out, /wss:\/\/127\.0\.0\.1:(\d+)\/v1\/signalling/),
      api: portOf(out, /long-poll API\s+https:\/\/127\.0\.0\.1:(\d+)/),
    };
    ca = readFileSync(path.join(server.dataDir, 'tls', 'self-signed.crt'), 'utf8');
  });
  after(() => {
    server.child.kill('SIGKILL');
  });

  it('prints every URL and port it serves, and the development key', () => {
    const out = server.output();
    for (const key of ['[ports.http]', '[ports.https]', '[ports.websocket]', '[ports.api]'])
      assert.ok(out.includes(key), key);
    assert.match(out, /Development API key: dev_[0-9a-f]+/);
    assert.match(out, /self-signed certificate/);
  });

  it('answers /healthz 200 and /readyz 200 over HTTPS', async () => {
    const { fetch } = nodePlatform({ ca });
    assert.equal((await fetch(`https://127.0.0.1:${ports.https}/healthz`)).status, 200);
    const ready = await fetch(`https://127.0.0.1:${ports.https}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { status: string }).status, 'ready');
    assert.equal(
      (await fetch(`https://127.0.0.1:${ports.api}/healthz`)).status,
      200,
      'the HTTPS API port answers',
    );
  });

  it('redirects every HTTP request to the same path on HTTPS with 301', async () => {
    const res = await new Promise<{ status: number; location: string }>((resolve, reject) => {
      request({ host: '127.0.0.1', port: ports.http, path: '/agent/console?x=1', method: 'POST' }, (r) => {
        resolve({ status: r.statusCode ?? 0, location: String(r.headers.location) });
        r.resume();
      })
        .on('error', reject)
        .end();
    });
    assert.equal(res.status, 301);
    assert.equal(res.location, `https://127.0.0.1:${ports.https}/agent/console?x=1`);
  });

  it('serves Prometheus text on /metrics with conventional names', async () => {
    const { fetch } = nodePlatform({ ca });
    const res = await fetch(`https://127.0.0.1:${ports.https}/metrics`);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    for (const name of [
      'switchboard_signalling_connections',
      'switchboard_signalling_sessions',
      'switchboard_signalling_messages_received_total',
      'switchboard_errors_total',
      'switchboard_nodejs_eventloop_lag_seconds',
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    }
    for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      assert.ok(name!.startsWith('switchboard_'), `${name} has the prefix`);
      assert.equal(name!.endsWith('_total'), type === 'counter', `${name}: _total exactly on counters`);
    }
    assert.doesNotMatch(text, /sessionId=|session_id=|call_id=/, 'no per-session or per-call labels');
  });

  it('serves its OpenAPI 3.1 document, generated from the route schemas', async () => {
    const { fetch } = nodePlatform({ ca });
    const doc = (await (await fetch(`https://127.0.0.1:${ports.https}/v1/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: { properties?: object } }> } }>
      >;
    };
    assert.equal(doc.openapi, '3.1.0');
    const tokenSchema = doc.paths['/v1/tokens']?.post?.requestBody?.content['application/json']?.schema;
    assert.ok(tokenSchema?.properties && 'grants' in tokenSchema.properties);
    assert.ok(doc.paths['/v1/lp/sessions/{id}/poll']?.get);
  });

  it('drains on SIGTERM: clients are told, then closed with 1001, and the process exits 0', async () => {
    const { execFileSync } = await import('node:child_process');
    const { CLI } = await import('../helpers/serverProcess.js');
    const token = execFileSync(
      process.execPath,
      [CLI, 'token', '--identity', 'u1', '--tester', '--data-dir', server.dataDir],
      {
        encoding: 'utf8',
      },
    ).trim();
    const socket = await RawSocket.open(`wss://127.0.0.1:${ports.websocket}/v1/signalling`, ca);
    await socket.auth(token);
    server.child.kill('SIGTERM');
    const draining = await socket.next((f) => f.event === 'server.draining');
    assert.equal(typeof (draining.data as { reconnectAfterMs: number }).reconnectAfterMs, 'number');
    // While draining, new sessions are refused and readiness is off.
    const { fetch } = nodePlatform({ ca });
    const ready = await fetch(`https://127.0.0.1:${ports.https}/readyz`).catch(() => null);
    if (ready) assert.equal(ready.status, 503);
    socket.close();
    assert.equal(await server.exited, 0);
  });
});

describe('start-up refuses what it cannot do, and says how to fix it', () => {
  it('names the key and expected form of an invalid config value (exit 78)', async () => {
    const p = startServerProcess([
      '--set',
      'ports.websocket=99999',
      '--set',
      'signalling.maxFrameBytes="big"',
    ]);
    assert.equal(await p.exited, 78);
    assert.match(p.output(), /ports\.websocket: .*65535.*--set/);
    assert.match(p.output(), /signalling\.maxFrameBytes: .*number/);
    assert.doesNotMatch(p.output(), /\n\s+at /, 'no stack trace');
  });

  it('names an unknown key and where it came from (config file)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sb-cfg-'));
    const file = path.join(dir, 'config.yaml');
    writeFileSync(file, 'signalling:\n  maxFrameByte: 10\n');
    const p = startServerProcess(['--config', file]);
    assert.equal(await p.exited, 78);
    assert.match(p.output(), /signalling\.maxFrameByte: unknown key.*config file/);
  });

  it('names the environment variable that set a bad value', async () => {
    const p = startServerProcess([], { env: { SWITCHBOARD_SIGNALLING__POLL_HOLD_MS: '-5' } });
    assert.equal(await p.exited, 78);
    assert.match(p.output(), /signalling\.pollHoldMs: .*SWITCHBOARD_SIGNALLING__POLL_HOLD_MS/);
  });

  it('names the port, its key and the fix when the port is taken (EADDRINUSE)', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const p = startServerProcess([
        ...EPHEMERAL,
        '--set',
        'listenHost=127.0.0.1',
        '--set',
        `ports.websocket=${taken}`,
      ]);
      assert.equal(await p.exited, 78);
      assert.match(
        p.output(),
        new RegExp(`127\\.0\\.0\\.1:${taken} \\(config key ports\\.websocket\\): EADDRINUSE`),
      );
      assert.match(p.output(), /set ports\.websocket to a free port/);
    } finally {
      blocker.close();
    }
  });

  it('refuses development keys and weak secrets in the production profile', async () => {
    const p = startServerProcess([
      ...EPHEMERAL,
      '--profile',
      'production',
      '--set',
      'auth.apiKeys=[{"key":"dev_abc","secret":"short-but-16chars"}]',
    ]);
    assert.equal(await p.exited, 78);
    assert.match(p.output(), /auth\.apiKeys\.0\.key: "dev_abc" is a development key/);
    assert.match(p.output(), /auth\.apiKeys\.0\.secret: production secrets need at least 32/);
  });

  it('refuses to start in production without any API key', async () => {
    const p = startServerProcess([...EPHEMERAL, '--profile', 'production']);
    assert.equal(await p.exited, 78);
    assert.match(p.output(), /auth\.apiKeys: production needs at least one API key/);
  });

  it('as a non-root user: EACCES on a privileged port names the key and the fix; the default shifts to 8080/8443 and says so', async (t) => {
    const { spawnSync } = await import('node:child_process');
    if (process.getuid?.() !== 0 || spawnSync('which', ['runuser']).status !== 0) {
      t.skip('needs root and runuser to drop privileges');
      return;
    }
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sb-nobody-'));
    chmodSync(dataDir, 0o777);
    const asNobody = ['runuser', '-u', 'nobody', '--', process.execPath];
    const denied = startServerProcess([...EPHEMERAL, '--set', 'ports.https=443'], {
      dataDir,
      command: asNobody,
    });
    assert.equal(await denied.exited, 78);
    assert.match(denied.output(), /:443 \(config key ports\.https\): EACCES/);
    assert.match(denied.output(), /need root|CAP_NET_BIND_SERVICE/);

    const shifted = startServerProcess(['--set', 'ports.websocket=0', '--set', 'ports.api=0'], {
      dataDir,
      command: asNobody,
    });
    try {
      const out = await shifted.waitForOutput(/^Ready\. |EADDRINUSE/m);
      if (out[0] === 'EADDRINUSE') {
        t.skip('8080/8443 are taken on this machine');
        return;
      }
      assert.match(shifted.output(), /https:\/\/localhost:8443\/v1/);
      assert.match(shifted.output(), /not running as root, so HTTP\/HTTPS moved from 80\/443 to 8080\/8443/);
    } finally {
      shifted.child.kill('SIGTERM');
      await shifted.exited;
    }
  });
});

describe('the documented CLIs', () => {
  // The README and docs run `npx switchboard token …` and `npx switchboard-test …` from the
  // repository: npm skips bins whose target is not built yet at install time, so the set-up
  // step links them after the build.
  for (const [name, says] of [
    ['switchboard', /^Usage: switchboard /m],
    ['switchboard-test', /^Usage: switchboard-test /m],
  ] as const) {
    it(`\`npx ${name} --help\` runs from the repository root`, () => {
      const run = spawnSync('npx', ['--no-install', name, '--help'], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
      assert.match(run.stdout, says);
    });
  }
});
