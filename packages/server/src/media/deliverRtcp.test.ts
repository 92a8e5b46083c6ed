import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RtcpPayloadSpecificFeedback, RtcpRrPacket, RtcpSrPacket } from 'werift';
import { writeReceiverReport, writeSenderReport } from './rtcpBytes.js';
import { deliverRtcp, droppedTransportFeedback } from './weriftPatches.js';

/** A PLI (RFC 4585 §6.3.1): PSFB, FMT 1, sender and media source SSRC. */
function pli(sender: number, media: number): Buffer {
  const b = Buffer.alloc(12);
  b[0] = 0x81;
  b[1] = 206;
  b.writeUInt16BE(2, 2);
  b.writeUInt32BE(sender, 4);
  b.writeUInt32BE(media, 8);
  return b;
}

/** A transport-cc feedback packet (RTPFB, FMT 15) with a minimal body. */
function transportCc(): Buffer {
  const b = Buffer.alloc(20);
  b[0] = 0x8f;
  b[1] = 205;
  b.writeUInt16BE(4, 2);
  b.writeUInt32BE(1, 4);
  b.writeUInt32BE(2, 8);
  return b;
}

describe('deliverRtcp (fast-path transports)', () => {
  it('hands each packet of a compound to werift, drops transport-cc unparsed, and survives a malformed one', () => {
    const seen: string[] = [];
    const dtls = { onRtcp: { execute: (p: unknown) => seen.push((p as object).constructor.name) } };
    // An RR claiming a report block it does not carry: werift's parser throws on it.
    const broken = writeReceiverReport(9, []);
    broken[0] = 0x81;
    const before = droppedTransportFeedback.count;
    deliverRtcp(
      dtls,
      Buffer.concat([
        writeSenderReport({ ssrc: 1, ntp: 1n, rtpTimestamp: 0, packetCount: 1, octetCount: 1 }),
        transportCc(),
        broken,
        pli(3, 4),
        writeReceiverReport(5, []),
      ]),
    );
    assert.deepEqual(seen, [RtcpSrPacket.name, RtcpPayloadSpecificFeedback.name, RtcpRrPacket.name]);
    assert.equal(droppedTransportFeedback.count, before + 1);
  });

  it('stops at a length running past the datagram', () => {
    const seen: unknown[] = [];
    const truncated = Buffer.concat([pli(3, 4), pli(5, 6).subarray(0, 8)]);
    truncated.writeUInt16BE(2, 14);
    deliverRtcp({ onRtcp: { execute: (p) => seen.push(p) } }, truncated);
    assert.equal(seen.length, 1);
  });
});
