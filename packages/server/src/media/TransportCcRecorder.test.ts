import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RtcpPacketConverter, RtcpTransportLayerFeedback } from 'werift';
import { encodeChunks, TransportCcRecorder } from './TransportCcRecorder.js';

interface ParsedFeedback {
  baseSequenceNumber: number;
  packetStatusCount: number;
  referenceTime: number;
  fbPktCount: number;
  senderSsrc: number;
  recvDeltas: { type: number; delta: number }[];
}

// werift's parser is an independent reader of the draft's layout.
function parse(buf: Buffer): ParsedFeedback {
  const [packet] = RtcpPacketConverter.deSerialize(buf);
  assert.ok(packet instanceof RtcpTransportLayerFeedback);
  return packet.feedback as unknown as ParsedFeedback;
}

describe('TransportCcRecorder (transport-wide cc feedback)', () => {
  it('reports every sequence number across a wrap: losses, reordering, small and large deltas', () => {
    const recorder = TransportCcRecorder.of({});
    recorder.setSsrcs(0x1234, 0x5678);
    const t0 = 64_000 * 1000 + 10_000; // µs: 10 ms after a 64 ms boundary
    // seq → arrival (µs); 65533 and 1 never arrive; 2 arrives after 4; 3 after a 100 ms stall.
    const arrivals: [number, number][] = [
      [65530, t0],
      [65531, t0 + 1_000],
      [65532, t0 + 2_000],
      [65534, t0 + 5_000],
      [65535, t0 + 5_250],
      [0, t0 + 6_000],
      [4, t0 + 7_000],
      [2, t0 + 7_500],
      [3, t0 + 107_500],
      [5, t0 + 108_000],
    ];
    for (const [seq, at] of arrivals) recorder.record(seq, at);
    const buf = recorder.takeFeedback();
    assert.ok(buf);
    assert.equal(buf.length % 4, 0, 'padded to 32-bit words');
    const fb = parse(buf);
    assert.equal(fb.senderSsrc, 0x1234);
    assert.equal(fb.baseSequenceNumber, 65530);
    assert.equal(fb.packetStatusCount, 12, '65530…65535, 0…5');
    assert.equal(fb.referenceTime, 1000, '64 ms units');
    assert.equal(fb.fbPktCount, 0);
    // Deltas follow sequence order: 65530, 31, 32, 34, 35, 0, 2, 3, 4, 5.
    const order = [65530, 65531, 65532, 65534, 65535, 0, 2, 3, 4, 5];
    const byseq = new Map(arrivals);
    assert.equal(fb.recvDeltas.length, order.length, 'one delta per received packet, none for the lost');
    let clock = 1000 * 64_000;
    order.forEach((seq, i) => {
      clock += fb.recvDeltas[i]?.delta ?? Number.NaN;
      assert.ok(Math.abs(clock - (byseq.get(seq) ?? 0)) <= 125, `seq ${seq} at ${clock} µs`);
    });
    assert.equal(fb.recvDeltas[7]?.type, 2, 'the 100 ms stall is a large delta');
    assert.ok(fb.recvDeltas[8]?.delta !== undefined && fb.recvDeltas[8].delta < 0, '4 after 3: negative');
    assert.equal(recorder.takeFeedback(), undefined, 'reported once');

    // Late arrivals of reported numbers are ignored; the next report starts after them.
    recorder.record(1, t0 + 110_000);
    recorder.record(6, t0 + 111_000);
    const next = parse(recorder.takeFeedback() as Buffer);
    assert.equal(next.baseSequenceNumber, 6);
    assert.equal(next.packetStatusCount, 1);
    assert.equal(next.fbPktCount, 1);
  });

  it('encodes long runs as run-length chunks and mixed statuses as 2-bit vectors', () => {
    const statuses = new Uint8Array([...new Array(20).fill(1), 0, 1, 2]);
    const chunks = encodeChunks(statuses);
    assert.deepEqual(chunks, [
      (1 << 13) | 20, // run of 20 small deltas
      0xc000 | (0 << 12) | (1 << 10) | (2 << 8), // not received, small, large, then spare symbols
    ]);
  });

  it('survives a jump beyond its ring by reporting what was pending first', () => {
    const recorder = TransportCcRecorder.of({});
    recorder.record(100, 1_000_000);
    recorder.record(100 + 5000, 1_001_000);
    const fb = parse(recorder.takeFeedback() as Buffer);
    assert.equal(fb.baseSequenceNumber, 5100);
    assert.equal(fb.packetStatusCount, 1);
  });
});
