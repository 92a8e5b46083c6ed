// Tester accuracy benchmark: for a grid of injected conditions, runs the Tester through the
// impairment relay and prints what the relay really did next to what the Tester measured.
//   npm run build && node bench/tester/accuracy.mjs [--quick]
// Loopback only (127.0.0.1 server, 127.0.0.2 relay). Figures, not assertions.
import { decodeHeader, HttpProbeApi, MessageType, runTester } from '@switchboard/tester';
import { NodePlatform } from '@switchboard/tester/node';
import { ImpairmentRelay } from '../../test/dist/helpers/ImpairmentRelay.js';
import { startProbeTestServer } from '../../test/dist/helpers/ProbeTestServer.js';

const quick = process.argv.includes('--quick');
// Below the ephemeral range (see test/helpers/testPorts.ts).
const RANGES = { rtc: { min: 22100, max: 22119 }, acd: { min: 22120, max: 22149 } };
const UDP_PORTS = Array.from({ length: 50 }, (_, i) => 22100 + i);

const grid = [
  { name: 'clean', leg: {} },
  { name: 'rtt 50', leg: { delayMs: 25 } },
  {
    name: 'rtt 100 j20 l2',
    leg: { delayMs: 50, jitter: { distribution: 'normal', ms: 17.7 }, lossPercent: 2, lossModel: 'spread' },
  },
  {
    name: 'rtt 200 j40 l1',
    leg: { delayMs: 100, jitter: { distribution: 'normal', ms: 35.4 }, lossPercent: 1, lossModel: 'spread' },
  },
  {
    name: 'rtt 300 j10 l5 rnd',
    leg: { delayMs: 150, jitter: { distribution: 'uniform', ms: 17 }, lossPercent: 5 },
  },
  { name: 'reorder 10%', leg: { delayMs: 20, reorderPercent: 10, reorderExtraMs: 45 } },
  { name: 'cap 60 up', up: { bandwidthKbps: 60 }, down: {} },
  { name: 'cap 300 down', up: {}, down: { bandwidthKbps: 300 } },
  { name: 'cap 1000 both', leg: { bandwidthKbps: 1000 } },
];

const typeOf = (r) => Number((r.tag ?? '0:').split(':')[0]);
const f = (n) => (n === null || n === undefined || Number.isNaN(n) ? '   -  ' : n.toFixed(2).padStart(7));

const server = await startProbeTestServer({ ranges: RANGES, publicHost: '127.0.0.2' });
console.log(
  'condition           | dir/rate  | RTT truth  meas   err% | jitter truth  meas   err | loss truth  meas   err | kbps   | bw est',
);
for (const g of quick ? grid.slice(0, 3) : grid) {
  const up = g.up ?? g.leg;
  const down = g.down ?? g.leg;
  const relay = await ImpairmentRelay.start({
    listenHost: '127.0.0.2',
    targetHost: '127.0.0.1',
    udpPorts: UDP_PORTS,
    tcpPorts: server.tcpPorts,
    up,
    down,
    seed: 42,
    classify: (b) => {
      const h = decodeHeader(b);
      return h ? `${h.type}:${h.streamId}` : undefined;
    },
  });
  const platform = new NodePlatform({ ca: server.certPem });
  const report = await runTester({
    api: new HttpProbeApi(platform, { server: server.url, token: server.token }),
    platform,
    server: server.url,
    mode: 'full',
  });
  relay.close();
  // Quality streams are the first two data streams of each direction (40 then 80 kbps); the
  // ramp's streams come after them (and may use the same packet sizes).
  const streamTags = (type) =>
    [...new Set(relay.records.filter((r) => typeOf(r) === type).map((r) => r.tag))].slice(0, 2);
  const tags = { up: streamTags(MessageType.UpData), down: streamTags(MessageType.DownData) };
  const inQuality = [...tags.up, ...tags.down];
  const phase = relay.records.filter((r) => inQuality.includes(r.tag)).map((r) => r.inAt);
  const qStart = Math.min(...phase);
  const qEnd = Math.max(...phase);
  const legDelay = (dir, types) =>
    relay.truth((r) => r.direction === dir && r.inAt >= qStart && r.inAt <= qEnd && types.includes(typeOf(r)))
      .meanDelayMs;
  const rttTruth =
    legDelay('up', [MessageType.UpData, MessageType.EchoRequest]) +
    legDelay('down', [MessageType.UpAck, MessageType.EchoReply]);
  const rtt = report.checks.find((c) => c.id === 'quality.rtt')?.value ?? null;
  for (const s of report.streams) {
    const dir = s.direction === 'uplink' ? 'up' : 'down';
    const tag = tags[dir][s.rateKbps === report.streams[0].rateKbps ? 0 : 1];
    const t = relay.truth((r) => r.direction === dir && r.tag === tag);
    const bw = report.bandwidth.find((b) => b.direction === s.direction);
    console.log(
      `${g.name.padEnd(19)} | ${`${dir} ${s.rateKbps}`.padEnd(9)} | ${f(rttTruth)} ${f(rtt)} ${f((100 * (rtt - rttTruth)) / rttTruth)} |` +
        ` ${f(t.jitterMs)} ${f(s.jitterMs)} ${f(s.jitterMs - t.jitterMs)} | ${f(t.lossPercent)} ${f(s.lossPercent)} ${f(s.lossPercent - t.lossPercent)} |` +
        ` ${f(s.throughputKbps)} | ${bw ? `${bw.atLeast ? '≥' : '≈'}${bw.estimateKbps}` : '-'}`,
    );
  }
  console.log(`${''.padEnd(19)} | verdict ${report.verdict}, ${report.durationMs} ms`);
}
await server.close();
