import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AudioLoopPlayer } from './AudioLoopPlayer.js';
import type { OpusPacket } from './OggOpusReader.js';
import { OpusLoopPacketizer, type RtpAudioFrame } from './OpusLoopPacketizer.js';

const clip = (samples: number[]): OpusPacket[] =>
  samples.map((s, i) => ({ data: Buffer.from([i]), samples: s }));

describe('OpusLoopPacketizer', () => {
  it('marks only the first packet and advances the timestamp by each packet duration', () => {
    const p = new OpusLoopPacketizer(clip([960, 480, 1920]), { initialSequence: 10, initialTimestamp: 1000 });
    const frames = [p.next(), p.next(), p.next()];
    assert.deepEqual(
      frames.map((f) => [f.sequenceNumber, f.timestamp, f.marker]),
      [
        [10, 1000, true],
        [11, 1960, false],
        [12, 2440, false],
      ],
    );
  });

  it('keeps sequence and timestamp continuous across the loop point and across wrap-around', () => {
    const packets = clip([960, 960, 480]);
    const p = new OpusLoopPacketizer(packets, { initialSequence: 0xfffe, initialTimestamp: 0xffff_fc00 });
    let prev = p.next();
    for (let i = 1; i < 50; i++) {
      const f = p.next();
      assert.equal(f.sequenceNumber, (prev.sequenceNumber + 1) & 0xffff, `seq at ${i}`);
      assert.equal(f.timestamp, (prev.timestamp + prev.samples) >>> 0, `ts at ${i}`);
      assert.equal(f.marker, false);
      assert.equal(f.payload, packets[i % 3]!.data, `payload at ${i}`);
      prev = f;
    }
    assert.equal(p.loops, 16);
  });
});

describe('AudioLoopPlayer', () => {
  it('sends packets when their media time is due, on a drift-free schedule', () => {
    let now = 0;
    const sent: RtpAudioFrame[] = [];
    const player = new AudioLoopPlayer(
      new OpusLoopPacketizer(clip([960, 960]), { initialSequence: 0, initialTimestamp: 0 }),
      (f) => sent.push(f),
      { now: () => now, maxLagMs: 1000 },
    );
    player.start();
    assert.equal(sent.length, 1); // the first packet leaves at once
    now = 19;
    player.tick();
    assert.equal(sent.length, 1);
    now = 65; // a late timer: everything due by 65 ms (0, 20, 40, 60) and nothing more
    player.tick();
    assert.equal(sent.length, 4);
    now = 1000;
    player.tick();
    assert.equal(sent.length, 51);
    assert.deepEqual(
      sent.map((f) => f.sequenceNumber),
      Array.from({ length: 51 }, (_, i) => i),
    );
    player.stop();
    now = 2000;
    player.tick();
    assert.equal(sent.length, 51);
  });

  it('skips ahead after a stall instead of bursting the backlog, keeping the stream continuous', () => {
    let now = 0;
    const sent: RtpAudioFrame[] = [];
    const player = new AudioLoopPlayer(
      new OpusLoopPacketizer(clip([960]), { initialSequence: 0, initialTimestamp: 0 }),
      (f) => sent.push(f),
      { now: () => now, maxLagMs: 200 },
    );
    player.start();
    now = 5000;
    player.tick();
    assert.ok(sent.length <= 3, `burst of ${sent.length}`);
    assert.equal(player.counters.skips, 1);
    for (let i = 1; i < sent.length; i++) assert.equal(sent[i]!.timestamp - sent[i - 1]!.timestamp, 960);
    player.stop();
  });

  it('paces in real time on the event loop (about 50 packets per second)', async () => {
    let count = 0;
    const player = new AudioLoopPlayer(new OpusLoopPacketizer(clip([960])), () => count++);
    player.start();
    await new Promise((r) => setTimeout(r, 300));
    player.stop();
    assert.ok(count >= 10 && count <= 20, `${count} packets in 300 ms`);
  });
});
