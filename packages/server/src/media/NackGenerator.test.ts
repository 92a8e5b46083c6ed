import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { type GenericNack, RTCRtpReceiver, type RtcpTransportLayerFeedback } from 'werift';
import { NackGenerator } from './NackGenerator.js';
import { installWeriftPatches } from './weriftPatches.js';

describe('NackGenerator', () => {
  let sent: { ssrc: number; lost: number[]; at: number }[];
  let nack: NackGenerator;

  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    sent = [];
    nack = new NackGenerator({
      send: (ssrc, lost) => sent.push({ ssrc, lost, at: Date.now() }),
      retryMs: 100,
      maxRequests: 3,
    });
  });
  afterEach(() => {
    nack.close();
    mock.timers.reset();
  });

  const feed = (...seqs: number[]) => {
    for (const s of seqs) nack.received(0xabc, s);
  };

  it('asks at once for every number a packet skipped, in one NACK', () => {
    feed(10, 11, 14);
    assert.deepEqual(sent, []);
    mock.timers.tick(0);
    assert.deepEqual(sent, [{ ssrc: 0xabc, lost: [12, 13], at: 0 }]);
  });

  it('asks again every retryMs, at most maxRequests times, then gives up and stops its timer', () => {
    feed(1, 3);
    mock.timers.tick(0);
    mock.timers.tick(99);
    assert.equal(sent.length, 1, 'not before retryMs');
    mock.timers.tick(1);
    mock.timers.tick(100);
    assert.deepEqual(
      sent.map((s) => [s.at, s.lost]),
      [
        [0, [2]],
        [100, [2]],
        [200, [2]],
      ],
    );
    assert.deepEqual(nack.missing, []);
    assert.equal(nack.active, false);
    mock.timers.tick(10_000);
    assert.equal(sent.length, 3);
  });

  it('stops when the missing packet arrives: no timer is left running (werift kept a 5 ms loop forever)', () => {
    feed(1, 3);
    mock.timers.tick(0);
    assert.equal(nack.active, true);
    feed(2); // the retransmission
    assert.equal(nack.active, false);
    assert.deepEqual(nack.missing, []);
    mock.timers.tick(10_000);
    assert.equal(sent.length, 1);
  });

  it('detects a loss across the 65535 → 0 wrap, and keeps detecting after it', () => {
    feed(65533, 65534, 1);
    mock.timers.tick(0);
    assert.deepEqual(sent.at(-1)?.lost, [65535, 0]);
    feed(65535, 0, 2, 5);
    mock.timers.tick(0);
    assert.deepEqual(sent.at(-1)?.lost, [3, 4]);
  });

  it('a new numbering (SSRC change or a jump beyond maxGap either way) is a restart, not a loss', () => {
    feed(100, 101);
    nack.received(0xdef, 5000);
    feed(5001); // back on the old SSRC: a restart again
    nack.received(0xabc, 20_000);
    nack.received(0xabc, 100); // far behind: restart
    nack.received(0xabc, 101);
    mock.timers.tick(1000);
    assert.equal(sent.length, 0);
    nack.received(0xabc, 103);
    mock.timers.tick(0);
    assert.deepEqual(sent.at(-1)?.lost, [102]);
  });

  it('a packet found missing while a retry is pending is asked for at once', () => {
    feed(1, 3);
    mock.timers.tick(0);
    mock.timers.tick(30);
    feed(6);
    mock.timers.tick(0);
    assert.deepEqual(
      sent.map((s) => [s.at, s.lost]),
      [
        [0, [2]],
        [30, [4, 5]],
      ],
    );
    mock.timers.tick(70);
    assert.deepEqual(sent.at(-1), { ssrc: 0xabc, lost: [2], at: 100 });
  });

  it('tracks at most maxLost numbers (the oldest are given up)', () => {
    const small = new NackGenerator({ send: (s, lost) => sent.push({ ssrc: s, lost, at: 0 }), maxLost: 4 });
    small.received(1, 0);
    small.received(1, 10);
    assert.deepEqual(small.missing, [6, 7, 8, 9]);
    small.close();
    mock.timers.tick(0);
    assert.deepEqual(sent, [], 'nothing sent after close');
  });
});

describe('werift patch 12: a receiver NACKs through NackGenerator', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 0 }));
  afterEach(() => mock.timers.reset());

  it('asks for the numbers lost at a sequence wrap, counts them for getStats, and stops on close', async () => {
    installWeriftPatches();
    const sent: RtcpTransportLayerFeedback[] = [];
    const receiver = new RTCRtpReceiver({} as never, 'video', 1234) as unknown as {
      dtlsTransport: unknown;
      nack: { addPacket(p: { header: { sequenceNumber: number; ssrc: number } }): void; close(): void };
      nackCountBySsrc: Record<number, number>;
    };
    receiver.dtlsTransport = {
      sendRtcp: async (packets: RtcpTransportLayerFeedback[]) => {
        sent.push(...packets);
      },
    };
    const add = (seq: number) => receiver.nack.addPacket({ header: { sequenceNumber: seq, ssrc: 0x5eed } });
    // werift's own handler saw no loss here (1 > 65535 is false) and then never again.
    add(65533);
    add(65534);
    add(1);
    mock.timers.tick(0);
    assert.equal(sent.length, 1);
    const feedback = sent[0]?.feedback as GenericNack;
    assert.deepEqual(
      [...feedback.lost].sort((a, b) => a - b),
      [0, 65535],
    );
    assert.equal(feedback.senderSsrc, 1234);
    assert.equal(feedback.mediaSourceSsrc, 0x5eed);
    assert.equal(receiver.nackCountBySsrc[0x5eed], 1);
    // werift asked again after 5 ms; the retry waits about a round trip.
    mock.timers.tick(50);
    assert.equal(sent.length, 1);
    mock.timers.tick(50);
    assert.equal(sent.length, 2);
    receiver.nack.close();
    mock.timers.tick(10_000);
    assert.equal(sent.length, 2);
  });
});
