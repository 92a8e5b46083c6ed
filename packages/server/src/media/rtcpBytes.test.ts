import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RtcpPacketConverter, RtcpRrPacket, RtcpSourceDescriptionPacket, RtcpSrPacket } from 'werift';
import {
  compactNtp,
  type ReportBlock,
  writeReceiverReport,
  writeSdesCnames,
  writeSenderReport,
} from './rtcpBytes.js';

// werift's parser is an independent reader of the same RFC 3550 layouts.
describe('rtcpBytes (RFC 3550 §6.4, §6.5)', () => {
  it('writes an SR werift reads field for field', () => {
    const ntp = 0xe8a1_b2c3_4000_0000n;
    const [sr] = RtcpPacketConverter.deSerialize(
      writeSenderReport({
        ssrc: 0xdeadbeef,
        ntp,
        rtpTimestamp: 0xfffffff0,
        packetCount: 1234,
        octetCount: 567_890,
      }),
    );
    assert.ok(sr instanceof RtcpSrPacket);
    assert.equal(sr.ssrc, 0xdeadbeef);
    assert.equal(sr.senderInfo.ntpTimestamp, ntp);
    assert.equal(sr.senderInfo.rtpTimestamp, 0xfffffff0);
    assert.equal(sr.senderInfo.packetCount, 1234);
    assert.equal(sr.senderInfo.octetCount, 567_890);
    assert.equal(sr.reports.length, 0);
  });

  it('writes an RR with report blocks, negative and huge losses clamped to 24 bits', () => {
    const blocks: ReportBlock[] = [
      {
        ssrc: 1,
        fractionLost: 64,
        packetsLost: 12,
        highestSequence: 0x1_0005,
        jitter: 90,
        lsr: 0x1234_5678,
        dlsr: 65_536,
      },
      { ssrc: 2, fractionLost: 0, packetsLost: 2 ** 30, highestSequence: 7, jitter: 0, lsr: 0, dlsr: 0 },
    ];
    const buf = writeReceiverReport(0xabc, blocks);
    assert.equal(buf.length, 8 + 2 * 24);
    const [rr] = RtcpPacketConverter.deSerialize(buf);
    assert.ok(rr instanceof RtcpRrPacket);
    assert.equal(rr.ssrc, 0xabc);
    assert.equal(rr.reports.length, 2);
    const [a, b] = rr.reports;
    assert.deepEqual(
      {
        ssrc: a?.ssrc,
        fl: a?.fractionLost,
        lost: a?.packetsLost,
        hs: a?.highestSequence,
        j: a?.jitter,
        lsr: a?.lsr,
        dlsr: a?.dlsr,
      },
      { ssrc: 1, fl: 64, lost: 12, hs: 0x1_0005, j: 90, lsr: 0x1234_5678, dlsr: 65_536 },
    );
    assert.equal(b?.packetsLost, 0x7fffff, 'clamped to the largest 24-bit count');
    // A negative cumulative loss (duplicates) is a 24-bit two's complement value.
    const negative = writeReceiverReport(1, [{ ...(blocks[0] as ReportBlock), packetsLost: -1 }]);
    assert.equal(negative.readUIntBE(8 + 5, 3), 0xffffff);
    assert.throws(() => writeReceiverReport(1, new Array(32).fill(blocks[0])), RangeError);
  });

  it('writes SDES CNAME chunks padded to 32-bit words, and a compound werift splits', () => {
    const sdes = writeSdesCnames([
      { ssrc: 10, cname: 'abc' },
      { ssrc: 11, cname: 'a-longer-cname-0123' },
    ]);
    assert.equal(sdes.length % 4, 0);
    const compound = Buffer.concat([
      writeSenderReport({ ssrc: 10, ntp: 1n << 32n, rtpTimestamp: 0, packetCount: 1, octetCount: 1 }),
      writeReceiverReport(12, []),
      sdes,
    ]);
    const packets = RtcpPacketConverter.deSerialize(compound);
    assert.deepEqual(
      packets.map((p) => p.constructor.name),
      [RtcpSrPacket.name, RtcpRrPacket.name, RtcpSourceDescriptionPacket.name],
    );
    const parsed = packets[2] as RtcpSourceDescriptionPacket;
    assert.deepEqual(
      parsed.chunks.map((c) => [c.source, c.items[0]?.text]),
      [
        [10, 'abc'],
        [11, 'a-longer-cname-0123'],
      ],
    );
  });

  it('compacts an NTP timestamp to its middle 32 bits (the LSR field)', () => {
    assert.equal(compactNtp(0x1122_3344_5566_7788n), 0x3344_5566);
  });
});
