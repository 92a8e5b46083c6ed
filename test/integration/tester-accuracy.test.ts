import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeHeader, HttpProbeApi, MessageType, type Report, runTester } from '@switchboard/tester';
import { NodePlatform } from '@switchboard/tester/node';
import { type Impairment, ImpairmentRelay, type PacketRecord } from '../helpers/ImpairmentRelay.js';
import { type ProbeTestServer, startProbeTestServer } from '../helpers/ProbeTestServer.js';
import { TEST_PORTS } from '../helpers/testPorts.js';

// The server listens on 127.0.0.1; the relay on 127.0.0.2 with the same port numbers, and the
// profile publishes 127.0.0.2, so every packet of the Tester crosses the relay.
const RANGES = TEST_PORTS.testerAccuracy;
const UDP_PORTS = Array.from({ length: RANGES.acd.max - RANGES.rtc.min + 1 }, (_, i) => RANGES.rtc.min + i);

/** Labels datagrams by probe message type and stream, so the truth can be taken per stream. */
function classify(payload: Uint8Array): string | undefined {
  const h = decodeHeader(payload);
  return h ? `${h.type}:${h.streamId}` : undefined;
}

async function measure(
  server: ProbeTestServer,
  up: Impairment,
  down: Impairment,
): Promise<{ report: Report; relay: ImpairmentRelay }> {
  const relay = await ImpairmentRelay.start({
    listenHost: '127.0.0.2',
    targetHost: '127.0.0.1',
    udpPorts: UDP_PORTS,
    tcpPorts: server.tcpPorts,
    up,
    down,
    seed: 20240611,
    classify,
  });
  try {
    const platform = new NodePlatform({ ca: server.certPem });
    const report = await runTester({
      api: new HttpProbeApi(platform, { server: server.url, token: server.token }),
      platform,
      server: server.url,
      mode: 'full',
      // The ramp is not part of these figures; leaving it out halves the run.
      timing: { rampStepMs: 0 },
    });
    return { report, relay };
  } finally {
    relay.close();
  }
}

/** The quality stream of one direction and rate: its data packets are `rate·20 ms / 8` bytes. */
function streamPackets(direction: 'up' | 'down', rateKbps: number): (r: PacketRecord) => boolean {
  const type = direction === 'up' ? MessageType.UpData : MessageType.DownData;
  const bytes = (rateKbps * 20) / 8;
  return (r) => r.direction === direction && r.bytes === bytes && (r.tag ?? '').startsWith(`${type}:`);
}

function check(report: Report, id: string) {
  const c = report.checks.find((x) => x.id === id);
  assert.ok(c, `check ${id} missing`);
  return c;
}

describe('tester accuracy through the impairment relay', () => {
  let server: ProbeTestServer;
  before(async () => {
    server = await startProbeTestServer({ ranges: RANGES, publicHost: '127.0.0.2', bindHost: '127.0.0.1' });
  });
  after(async () => {
    await server.close();
  });

  it('at RTT 100 ms, jitter 20 ms, loss 2 %: RTT ±10 %, jitter ±2 ms, loss ±0.5 pp of the truth; fails loss, passes RTT', async () => {
    // 50 ms each way; normal jitter with σ = 17.7 ms gives an RFC 3550 jitter near 20 ms
    // (E|D| = 2σ/√π for independent delays). Loss is spread so a short test sees ~2 %.
    const impairment: Impairment = {
      delayMs: 50,
      jitter: { distribution: 'normal', ms: 17.7 },
      lossPercent: 2,
      lossModel: 'spread',
    };
    const { report, relay } = await measure(server, impairment, impairment);

    // The round trips the Tester measured are the acks of uplink packets and the echoes sent
    // during the downlink streams: the truth is the mean delay of those packets each way.
    const typeOf = (r: PacketRecord): number => Number((r.tag ?? '0:').split(':')[0]);
    const qualityStart = Math.min(
      ...relay.records.filter((r) => typeOf(r) === MessageType.UpData).map((r) => r.inAt),
    );
    const leg = (dir: 'up' | 'down', types: number[]): number =>
      relay.truth((r) => r.direction === dir && r.inAt >= qualityStart && types.includes(typeOf(r)))
        .meanDelayMs;
    const upDelay = leg('up', [MessageType.UpData, MessageType.EchoRequest]);
    const downDelay = leg('down', [MessageType.UpAck, MessageType.EchoReply]);
    const rttTruth = upDelay + downDelay;
    const rtt = check(report, 'quality.rtt');
    assert.ok(Math.abs(rtt.value! - rttTruth) <= 0.1 * rttTruth, `RTT ${rtt.value} vs truth ${rttTruth}`);
    assert.ok(Math.abs(rttTruth - 100) <= 10, `the relay produced an RTT near 100 ms (${rttTruth})`);
    assert.equal(rtt.verdict, 'pass');

    for (const s of report.streams) {
      const truth = relay.truth(streamPackets(s.direction === 'uplink' ? 'up' : 'down', s.rateKbps));
      assert.equal(truth.packets, s.packetsSent, `${s.direction} ${s.rateKbps}: relay saw every packet sent`);
      assert.ok(
        Math.abs(s.jitterMs - truth.jitterMs) <= 2,
        `${s.direction} ${s.rateKbps} kbps jitter ${s.jitterMs} vs truth ${truth.jitterMs}`,
      );
      assert.ok(
        Math.abs(s.lossPercent - truth.lossPercent) <= 0.5,
        `${s.direction} ${s.rateKbps} kbps loss ${s.lossPercent} vs truth ${truth.lossPercent}`,
      );
      assert.ok(truth.jitterMs > 10, `the relay produced real jitter (${truth.jitterMs} ms)`);
    }
    for (const dir of ['uplink', 'downlink'] as const) {
      const truth = relay.truth(
        (r) =>
          streamPackets(dir === 'uplink' ? 'up' : 'down', 40)(r) ||
          streamPackets(dir === 'uplink' ? 'up' : 'down', 80)(r),
      );
      const loss = check(report, `quality.${dir}.loss`);
      assert.ok(
        Math.abs(loss.value! - truth.lossPercent) <= 0.5,
        `${dir} loss ${loss.value} vs ${truth.lossPercent}`,
      );
      assert.ok(truth.lossPercent > 1.5, `the relay dropped more than 1.5 % (${truth.lossPercent})`);
      assert.equal(loss.verdict, 'fail');
      assert.equal(loss.threshold, 1.5);
      assert.ok(loss.recommendation);
      assert.equal(check(report, `quality.${dir}.jitter`).verdict, 'pass');
    }
    assert.equal(report.verdict, 'fail');
  });

  for (const capped of ['uplink', 'downlink'] as const) {
    it(`with a 60 kbps cap on the ${capped} it passes 40 kbps and fails 80 kbps on the ${capped} only`, async () => {
      const cap: Impairment = { bandwidthKbps: 60, queueMs: 100 };
      const { report } = await measure(
        server,
        capped === 'uplink' ? cap : {},
        capped === 'downlink' ? cap : {},
      );
      const other = capped === 'uplink' ? 'downlink' : 'uplink';
      assert.equal(check(report, `rate.${capped}.40`).verdict, 'pass');
      const failed = check(report, `rate.${capped}.80`);
      assert.equal(failed.verdict, 'fail');
      assert.ok(failed.value! < 70, `delivered ${failed.value} kbps through a 60 kbps cap`);
      assert.equal(check(report, `rate.${other}.40`).verdict, 'pass');
      assert.equal(check(report, `rate.${other}.80`).verdict, 'pass');
    });
  }

  it('estimates the available bandwidth near a 300 kbps uplink cap and counts the calls it carries', async () => {
    const relay = await ImpairmentRelay.start({
      listenHost: '127.0.0.2',
      targetHost: '127.0.0.1',
      udpPorts: UDP_PORTS,
      tcpPorts: server.tcpPorts,
      up: { bandwidthKbps: 300, queueMs: 100 },
      down: {},
      seed: 3,
    });
    try {
      const platform = new NodePlatform({ ca: server.certPem });
      const report = await runTester({
        api: new HttpProbeApi(platform, { server: server.url, token: server.token }),
        platform,
        server: server.url,
        mode: 'full',
        timing: { streamMs: 1000 },
      });
      const up = report.bandwidth.find((b) => b.direction === 'uplink')!;
      assert.ok(up.estimateKbps >= 240 && up.estimateKbps <= 330, `uplink estimate ${up.estimateKbps} kbps`);
      assert.equal(up.callsAudio, Math.floor(up.estimateKbps / 40));
      assert.equal(up.callsAudioVideo, Math.floor(up.estimateKbps / 80));
      const down = report.bandwidth.find((b) => b.direction === 'downlink')!;
      assert.ok(down.estimateKbps > 600, `downlink estimate ${down.estimateKbps} kbps`);
    } finally {
      relay.close();
    }
  });
});
