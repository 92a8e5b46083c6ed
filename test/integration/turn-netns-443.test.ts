// Only TCP 443 open between a client namespace and the real `switchboard start` (managed
// coturn, TURN/TLS sharing 443 through turn.shareHttpsPort) in a server namespace: the
// Tester must report both UDP ranges blocked, TURN/TLS passing, and ask to open the UDP ranges;
// and two browsers in the client namespace must still hold a call with each other.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ReportSchema } from '@switchboard/tester';
import { launchChromiumInNamespace } from '../helpers/browser.js';
import { untilDecoding } from '../helpers/demoPage.js';
import { createNetnsPair, type NetnsPair, netnsUnavailable } from '../helpers/netns.js';
import { type ServerProcess, startServerProcess, stopServerProcess } from '../helpers/serverProcess.js';
import { mintTesterToken, runNode, TESTER_CLI } from '../helpers/testerRun.js';

const COTURN = '/usr/bin/turnserver';
const skip = netnsUnavailable() ?? (existsSync(COTURN) ? undefined : `${COTURN} (coturn) is not installed`);

const RTC_UDP = { min: 19099, max: 20099 };
const TURN_NAME = 'turn.switchboard.test';
const ACD_UDP = { min: 10000, max: 20000 };

describe('only TCP 443 open, TURN/TLS sharing 443 (network namespaces + nftables)', {
  skip,
  timeout: 180_000,
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
          // A name of its own for turns: (browsers send SNI for a name, not for an address),
          // resolved to the server through the client namespace's hosts file.
          publicTlsHost: TURN_NAME,
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
    pair.setClientHosts({ [TURN_NAME]: pair.serverAddress });
  });

  after(async () => {
    await stopServerProcess(server);
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

  it('two users in the client namespace call each other: signalling falls back to WSS on 443, media relays over TURN/TLS on 443', async (t) => {
    // Chromium runs inside the client namespace; the self-signed certificate is accepted for
    // the page and for turns: (docs/turn.md: browsers verify it).
    const browser = await launchChromiumInNamespace(pair.exec(pair.client), dir, [
      '--ignore-certificate-errors',
    ]);
    try {
      const url = `https://${pair.serverAddress}/demo/?call=netns-443&autojoin=1`;
      const pages = [await browser.context.newPage(), await browser.context.newPage()];
      for (const page of pages) await page.goto(url);
      // 8989 and 8089 drop silently: the SDK gives each 10 s, then signals over 443.
      const seen = await Promise.all(pages.map((page) => untilDecoding(page, 60_000)));
      const statusTexts = await Promise.all(pages.map((p) => p.locator('#status').textContent()));
      for (const s of seen) {
        assert.ok(
          s.frames > 0 && s.audio > 0,
          `media decoded: ${JSON.stringify(s)}; pages say ${JSON.stringify(statusTexts)}`,
        );
        assert.equal(s.transport, 'websocket');
        assert.equal(s.localType, 'relay', JSON.stringify(s));
        assert.equal(s.relayProtocol, 'tls', JSON.stringify(s));
      }
      t.diagnostic(`both pages: ${JSON.stringify(seen)}`);
    } finally {
      await browser.close();
    }
  });
});
