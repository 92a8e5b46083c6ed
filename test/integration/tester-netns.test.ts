// Firewall rule sets emulated with nftables in a client network namespace; the real
// `switchboard start` (spec ports, spec media ranges, managed coturn) runs in a server
// namespace. Every TCP, UDP, STUN and TURN verdict must match the rule set, and the
// firewall rules the report asks to open must be exactly the closed ones.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Report, ReportSchema } from '@switchboard/tester';
import { createNetnsPair, type NetnsPair, netnsUnavailable } from '../helpers/netns.js';
import { type ServerProcess, startServerProcess, stopServerProcess } from '../helpers/serverProcess.js';
import { mintTesterToken, runNode, TESTER_CLI } from '../helpers/testerRun.js';

const COTURN = '/usr/bin/turnserver';
const skip = netnsUnavailable() ?? (existsSync(COTURN) ? undefined : `${COTURN} (coturn) is not installed`);

/** The spec's rows as this server serves them (real ports: the namespace is private). */
const TCP = { http: 80, https: 443, websocket: 8989, api: 8089 };
const RTC_UDP = { min: 19099, max: 20099 };
const ACD_UDP = { min: 10000, max: 20000 };
const TURN = { port: 3478, tlsPort: 5349 };

type Proto = 'TCP' | 'UDP';

interface RuleSet {
  name: string;
  /** nft rules (output chain, towards the server). */
  nft: string[];
  closed(proto: Proto, port: number): boolean;
}

const RULE_SETS: RuleSet[] = [
  { name: 'all open', nft: [], closed: () => false },
  {
    name: 'only TCP 443 open',
    nft: ['tcp dport != 443 drop', 'meta l4proto udp drop'],
    closed: (proto, port) => proto === 'UDP' || port !== 443,
  },
  {
    name: 'UDP 10000–20000 closed',
    nft: ['udp dport 10000-20000 drop'],
    closed: (proto, port) => proto === 'UDP' && port >= 10000 && port <= 20000,
  },
  {
    name: '8989 closed',
    nft: ['tcp dport 8989 drop'],
    closed: (proto, port) => proto === 'TCP' && port === 8989,
  },
];

/** What each check must say under a rule set, and which rows are (partly) closed. */
function expectations(rs: RuleSet): { verdicts: Map<string, string>; closedRules: Set<string> } {
  const verdicts = new Map<string, string>();
  const closedRules = new Set<string>();
  const tcpRow = (id: string, port: number, dest: string) => {
    const closed = rs.closed('TCP', port);
    verdicts.set(id, closed ? 'fail' : 'pass');
    if (closed) closedRules.add(`${dest} TCP ${port}`);
  };
  tcpRow(`tcp.rtc.${TCP.http}`, TCP.http, 'RTC');
  tcpRow(`tcp.rtc.${TCP.https}`, TCP.https, 'RTC');
  tcpRow(`tcp.rtc.${TCP.websocket}`, TCP.websocket, 'RTC');
  tcpRow(`tcp.rtc.${TCP.api}`, TCP.api, 'RTC');
  tcpRow(`tcp.acd.${TCP.http}`, TCP.http, 'ACD');
  tcpRow(`tcp.acd.${TCP.https}`, TCP.https, 'ACD');
  tcpRow(`tcp.acd.${TCP.api}`, TCP.api, 'ACD');
  const udpRow = (id: string, r: { min: number; max: number }, dest: string) => {
    // Both edges are always probed: that decides all/part/none for these rule sets.
    const closedEdges = [r.min, r.max].filter((p) => rs.closed('UDP', p)).length;
    verdicts.set(id, closedEdges === 2 ? 'fail' : closedEdges === 1 ? 'warn' : 'pass');
    if (closedEdges > 0) closedRules.add(`${dest} UDP ${r.min} … ${r.max}`);
  };
  udpRow('udp.rtc', RTC_UDP, 'RTC');
  udpRow('udp.acd', ACD_UDP, 'ACD');
  const turnRow = (id: string, proto: Proto, port: number) => {
    const closed = rs.closed(proto, port);
    verdicts.set(id, closed ? 'fail' : 'pass');
    if (closed) closedRules.add(`TURN ${proto} ${port}`);
  };
  turnRow('turn.udp', 'UDP', TURN.port);
  turnRow('turn.tcp', 'TCP', TURN.port);
  turnRow('turn.tls', 'TCP', TURN.tlsPort);
  // STUN answers when any responder edge or the STUN port is reachable over UDP.
  const anyUdp = [RTC_UDP.max, RTC_UDP.min, ACD_UDP.min, ACD_UDP.max, TURN.port].some(
    (p) => !rs.closed('UDP', p),
  );
  verdicts.set('stun.binding', anyUdp ? 'pass' : 'fail');
  return { verdicts, closedRules };
}

function askedRules(report: Report): Set<string> {
  return new Set(
    report.checks
      .filter((c) => (c.verdict === 'fail' || c.verdict === 'warn') && c.firewallRule)
      .map((c) => `${c.firewallRule!.destination} ${c.firewallRule!.protocol} ${c.firewallRule!.ports}`),
  );
}

describe('switchboard-test through emulated firewalls (network namespaces + nftables)', { skip }, () => {
  let pair: NetnsPair;
  let server: ServerProcess;
  let dir: string;
  let configFile: string;
  let ca: string;

  before(async () => {
    pair = await createNetnsPair();
    dir = mkdtempSync(path.join(tmpdir(), 'sb-tester-netns-'));
    configFile = path.join(dir, 'config.json');
    const a = pair.serverAddress;
    writeFileSync(
      configFile,
      JSON.stringify({
        profile: 'test',
        publicHost: a,
        ports: { http: TCP.http, https: TCP.https, websocket: TCP.websocket, api: TCP.api },
        shutdown: { drainTimeoutMs: 1000 },
        media: { listenAddress: a, rtcPorts: RTC_UDP, acdPorts: ACD_UDP },
        turn: {
          mode: 'managed',
          host: a,
          managed: {
            listeningIps: [a],
            relayIps: [a],
            port: TURN.port,
            tlsPort: TURN.tlsPort,
            minPort: 40000,
            maxPort: 40199,
            // The media server's private address is denied by default; the documented
            // exception (one address) lets the relay reach it.
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
    ca = path.join(dir, 'tls', 'self-signed.crt');
  });

  after(async () => {
    await stopServerProcess(server);
    await pair?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const [i, rs] of RULE_SETS.entries()) {
    it(`"${rs.name}": every TCP, UDP, STUN and TURN verdict matches, and the report asks to open exactly the closed rules`, async (t) => {
      await pair.setClientFirewall(rs.nft);
      const token = await mintTesterToken(dir, configFile, `netns-${i}`);
      const r = await runNode(
        TESTER_CLI,
        [
          '--server',
          `https://${pair.serverAddress}`,
          '--token',
          token,
          '--ca',
          ca,
          '--quick',
          '--json',
          '--no-progress',
        ],
        { prefix: pair.exec(pair.client), timeoutMs: 30_000 },
      );
      assert.ok(r.stdout.startsWith('{'), `no JSON (exit ${r.code}): ${r.stderr}`);
      const report = ReportSchema.parse(JSON.parse(r.stdout));
      const { verdicts, closedRules } = expectations(rs);
      const got = new Map(report.checks.map((c) => [c.id, c.verdict]));
      const wrong = [...verdicts]
        .filter(([id, v]) => got.get(id) !== v)
        .map(([id, v]) => {
          const c = report.checks.find((x) => x.id === id);
          return `${id}: expected ${v}, got ${c?.verdict} (${c?.summary})`;
        });
      assert.deepEqual(wrong, []);
      assert.deepEqual([...askedRules(report)].sort(), [...closedRules].sort());
      const anyClosed = closedRules.size > 0;
      assert.equal(r.code, anyClosed ? 2 : 0, `exit code (verdict ${report.verdict})`);
      t.diagnostic(
        `${rs.name}: exit ${r.code}, report ${report.durationMs} ms, process ${Math.round(r.wallMs)} ms`,
      );
    });
  }
});
