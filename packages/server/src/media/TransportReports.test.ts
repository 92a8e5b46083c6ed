import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RtcpPacketConverter, RtcpRrPacket, RtcpSourceDescriptionPacket, RtcpSrPacket } from 'werift';
import { type ReportingReceiver, type ReportingSender, TransportReports } from './TransportReports.js';

// Stand-ins for werift's RTCRtpSender/Receiver: only the fields the reports read and write.
function sender(ssrc: number, packetCount: number): ReportingSender & { loops: number } {
  const s = {
    ssrc,
    cname: `cname-${ssrc}`,
    stopped: false,
    packetCount,
    octetCount: packetCount * 100,
    rtpTimestamp: 90_000,
    ntpTimestamp: 0x0000_1111_2222_0000n,
    rtcpRunning: true,
    rtcpCancel: new AbortController(),
    loops: 0,
    runRtcp() {
      s.loops++;
    },
  };
  return s;
}

function receiver(): ReportingReceiver {
  let fraction = 32;
  return {
    rtcpSsrc: 777,
    stopped: false,
    remoteStreams: {
      4242: {
        max_seq: 5,
        cycles: 2 << 16,
        jitter: 45,
        packets_lost: 3,
        get fraction_lost() {
          // werift's getter closes the interval: a second read gives the next interval's value.
          const f = fraction;
          fraction = 0;
          return f;
        },
      },
      // No packet yet: no block.
      4343: { max_seq: undefined, cycles: 0, jitter: 0, packets_lost: 0, fraction_lost: 0 },
    },
    lastSRtimestamp: { 4242: 0xaabb_ccdd },
    receiveLastSRTimestamp: { 4242: 1000 },
    rtcpRunning: true,
    rtcpCancel: new AbortController(),
    runRtcp: () => undefined,
  };
}

describe('TransportReports', () => {
  it('takes over the werift loops of the senders and receivers it reports for', () => {
    const reports = TransportReports.of({ state: 'new' });
    const s = sender(1, 10);
    const r = receiver();
    reports.addSender(s);
    reports.addReceiver(r);
    assert.equal(s.rtcpRunning, false);
    assert.ok(s.rtcpCancel.signal.aborted, 'the running loop is woken and ends');
    s.runRtcp();
    assert.equal(s.loops, 0, 'werift cannot restart it');
    assert.ok(r.rtcpCancel.signal.aborted);
    assert.equal(TransportReports.of({ state: 'new' }) === reports, false, 'one per transport');
  });

  it('builds SRs, one RR with a block per received stream, and SDES, in compound order', () => {
    const reports = TransportReports.of({ state: 'connected' });
    const quiet = sender(2, 0);
    const active = sender(3, 10);
    reports.addSender(quiet);
    reports.addSender(active);
    reports.addReceiver(receiver());
    const now = 1_001_500; // ms: 1.5 s after the last SR arrived (t = 1000 s)
    const packets = RtcpPacketConverter.deSerialize(Buffer.concat(reports.compound(now)));
    assert.deepEqual(
      packets.map((p) => p.constructor.name),
      [RtcpSrPacket.name, RtcpRrPacket.name, RtcpSourceDescriptionPacket.name],
      'no SR for a sender that has sent nothing',
    );
    const sr = packets[0] as RtcpSrPacket;
    assert.equal(sr.ssrc, 3);
    assert.equal(sr.senderInfo.packetCount, 10);
    assert.equal(sr.senderInfo.octetCount, 1000);
    assert.equal(sr.senderInfo.ntpTimestamp, active.ntpTimestamp);
    // What werift's RTT estimate matches incoming RRs against.
    assert.equal(active.lastSRtimestamp, 0x1111_2222);
    assert.equal(active.lastSentSRTimestamp, now / 1000);
    assert.equal(quiet.lastSRtimestamp, undefined);

    const rr = packets[1] as RtcpRrPacket;
    assert.equal(rr.ssrc, 777);
    assert.equal(rr.reports.length, 1);
    const block = rr.reports[0];
    assert.equal(block?.ssrc, 4242);
    assert.equal(block?.fractionLost, 32);
    assert.equal(block?.packetsLost, 3);
    assert.equal(block?.highestSequence, (2 << 16) + 5, 'extended highest sequence (cycles + max)');
    assert.equal(block?.jitter, 45);
    assert.equal(block?.lsr, 0xaabb_ccdd);
    assert.equal(block?.dlsr, 1.5 * 65_536);
    const sdes = packets[2] as RtcpSourceDescriptionPacket;
    assert.deepEqual(
      sdes.chunks.map((c) => [c.source, c.items[0]?.text]),
      [[3, 'cname-3']],
    );
    // The next report covers the next interval.
    const next = RtcpPacketConverter.deSerialize(Buffer.concat(reports.compound(now + 1000)));
    assert.equal((next[1] as RtcpRrPacket).reports[0]?.fractionLost, 0);
  });

  it('reports nothing for a transport with only stopped or silent parties', () => {
    const reports = TransportReports.of({ state: 'connected' });
    reports.addSender(sender(5, 0));
    assert.deepEqual(reports.compound(Date.now()), []);
  });
});
