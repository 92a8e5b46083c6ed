// Only TCP 443 open between a client namespace and the real `switchboard start` (managed
// coturn, TURN/TLS sharing 443 through turn.shareHttpsPort) in a server namespace: the
// Tester must report both UDP ranges blocked, TURN/TLS passing, and ask to open the UDP ranges.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ReportSchema } from '@switchboard/tester';
import { createNetnsPair, type NetnsPair, netnsUnavailable } from '../helpers/netns.js';
import { type ServerProcess, startServerProcess } from '../helpers/serverProcess.js';
import { mintTesterToken, runNode, TESTER_CLI } from '../helpers/testerRun.js';

const COTURN = '/usr/bin/turnserver';
const skip = netnsUnavailable() ?? (existsSync(COTURN) ? undefined : `${COTURN} (coturn) is not installed`);

const RTC_UDP = { min: 19099, max: 20099 };
const ACD_UDP = { min: 10000, max: 20000 };

describe('only TCP 443 open, TURN/TLS sharing 443 (network namespaces + nftables)', {
  skip,
  timeout: 90_000,
}, () => {
  let pair: NetnsPair;
  let server: ServerProcess;
  let dir: string;
  let configFile: string;

  before(async () => {
    pair = await createNetnsPair();
    dir = mkdtempSync(path.join(tmpdir(), 'sb-turn-netns-443-'));
    configFile = path.join(dir, 'config.json');
    const a = pair.serverAddress;
    writeFileSync(
      configFile,
      JSON.stringify({
        profile: 'test',
        publicHost: a,
        ports: { http: 80, https: 443, websocket: 8989, api: 8089 },
        shutdown: { drainTimeoutMs: 1000 },
        media: { listenAddress: a, rtcPorts: RTC_UDP, acdPorts: ACD_UDP },
        turn: {
          mode: 'managed',
          host: a,
          shareHttpsPort: true,
          managed: {
            listeningIps: [a],
            relayIps: [a],
            port: 3478,
            tlsPort: 5349,
            minPort: 40000,
            maxPort: 40199,
            // Production-like peer rules: only the media server's own address is allowed.
            allowedPeerIps: [a],
          },
        },
      }),
    );
    server = startServerProcess(['-c', configFile], {
      dataDir: dir,
      command: [...pair.exec(pair.server), process.execPath],
    });
    await server.waitForOutput(/"msg":"listening"/, 20_000);
    await pair.setClientFirewall(['tcp dport != 443 drop', 'meta l4proto udp drop']);
  });

  after(async () => {
    if (server) {
      server.child.kill('SIGTERM');
      const timer = setTimeout(() => server.child.kill('SIGKILL'), 4000);
      await server.exited;
      clearTimeout(timer);
    }
    await pair?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the Tester reports both UDP ranges blocked, TURN/TLS on 443 passing, and asks to open the UDP ranges', async (t) => {
    const token = await mintTesterToken(dir, configFile, 'netns-443');
    const r = await runNode(
      TESTER_CLI,
      [
        '--server',
        `https://${pair.serverAddress}`,
        '--token',
        token,
        '--ca',
        path.join(dir, 'tls', 'self-signed.crt'),
        '--quick',
        '--json',
        '--no-progress',
      ],
      { prefix: pair.exec(pair.client), timeoutMs: 30_000 },
    );
    assert.ok(r.stdout.startsWith('{'), `no JSON (exit ${r.code}): ${r.stderr}`);
    const report = ReportSchema.parse(JSON.parse(r.stdout));
    const check = (id: string) => {
      const c = report.checks.find((x) => x.id === id);
      assert.ok(c, `no check ${id}`);
      return c;
    };
    const tls = check('turn.tls');
    assert.equal(tls.verdict, 'pass', tls.summary);
    // Only TCP 443 is open, so a passing TURN/TLS check went through the shared port.
    assert.match(tls.summary, /probes came back/);
    for (const [id, range] of [
      ['udp.rtc', RTC_UDP],
      ['udp.acd', ACD_UDP],
    ] as const) {
      const c = check(id);
      assert.equal(c.verdict, 'fail', `${id}: ${c.summary}`);
      assert.equal(c.firewallRule?.protocol, 'UDP');
      assert.equal(c.firewallRule?.ports, `${range.min} … ${range.max}`);
      assert.match(c.recommendation ?? '', /open it/);
    }
    assert.equal(check('turn.udp').verdict, 'fail');
    assert.equal(r.code, 2, `exit code (verdict ${report.verdict})`);
    t.diagnostic(`exit ${r.code}, report ${report.durationMs} ms; turn.tls: ${tls.summary}`);
  });

  it.todo(
    'a user in the client namespace joins a call and receives media over TURN/TLS on 443 (needs a client that accepts the self-signed turns: certificate: Chromium with --ignore-certificate-errors; @roamhq/wrtc cannot, docs/turn.md)',
  );
});
