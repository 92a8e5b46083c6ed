import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateSrtpIndex, ReplayWindow, SrtpReplayState } from './ReplayWindow.js';

describe('ReplayWindow', () => {
  it('accepts new indexes and rejects an exact replay', () => {
    const w = new ReplayWindow(64);
    assert.equal(w.check(10), true);
    w.commit(10);
    assert.equal(w.check(10), false);
    assert.equal(w.check(11), true);
  });

  it('accepts reordered packets inside the window once, rejects them twice', () => {
    const w = new ReplayWindow(64);
    for (const i of [100, 102, 101, 99]) {
      assert.equal(w.check(i), true, `first ${i}`);
      w.commit(i);
    }
    for (const i of [99, 100, 101, 102]) assert.equal(w.check(i), false, `replay ${i}`);
  });

  it('rejects packets older than the window (size 64 means highest-63 is the oldest allowed)', () => {
    const w = new ReplayWindow(64);
    w.commit(1000);
    assert.equal(w.check(1000 - 63), true);
    assert.equal(w.check(1000 - 64), false);
  });

  it('forgets stale slots when the window jumps ahead', () => {
    const w = new ReplayWindow(64);
    w.commit(5);
    w.commit(5 + 64); // same slot as 5
    assert.equal(w.check(5 + 64), false);
    assert.equal(w.check(5 + 63), true, 'never received, inside the window');
    w.commit(5 + 200);
    assert.equal(w.check(5 + 199), true);
  });

  it('refuses a window smaller than RFC 3711 allows', () => {
    assert.throws(() => new ReplayWindow(32), RangeError);
  });
});

describe('estimateSrtpIndex (RFC 3711 Appendix A)', () => {
  it('keeps the ROC for nearby sequence numbers', () => {
    assert.equal(estimateSrtpIndex(5 * 65536 + 1000, 1001), 5 * 65536 + 1001);
    assert.equal(estimateSrtpIndex(5 * 65536 + 1000, 990), 5 * 65536 + 990);
  });

  it('rolls the ROC over when the sequence number wraps', () => {
    assert.equal(estimateSrtpIndex(65535, 0), 65536);
    assert.equal(estimateSrtpIndex(3 * 65536 + 65530, 4), 4 * 65536 + 4);
  });

  it('attributes a late packet from before the wrap to the previous ROC', () => {
    assert.equal(estimateSrtpIndex(4 * 65536 + 3, 65534), 3 * 65536 + 65534);
  });

  it('never yields a negative ROC at the start of a stream', () => {
    assert.equal(estimateSrtpIndex(2, 65000), 65000);
  });
});

describe('SrtpReplayState', () => {
  it('detects a replay across a 16-bit sequence wrap', () => {
    const s = new SrtpReplayState(64);
    const seqs = [65533, 65534, 65535, 0, 1, 2];
    for (const seq of seqs) {
      const index = s.check(seq);
      assert.notEqual(index, -1, `fresh ${seq}`);
      s.commit(index);
    }
    assert.equal(s.window.highest, 65536 + 2);
    for (const seq of seqs) assert.equal(s.check(seq), -1, `replayed ${seq}`);
    assert.notEqual(s.check(3), -1);
  });

  it('accepts a long in-order stream spanning several wraps without false replays', () => {
    const s = new SrtpReplayState(128);
    let seq = 60000;
    for (let i = 0; i < 200_000; i++) {
      const index = s.check(seq);
      assert.notEqual(index, -1);
      s.commit(index);
      seq = (seq + 1) & 0xffff;
    }
    assert.equal(s.window.highest, 60000 + 199_999);
  });
});
