import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JitterEstimator } from './JitterEstimator.js';
import { LossCounter } from './LossCounter.js';
import { mean, percentile } from './percentile.js';

describe('JitterEstimator (RFC 3550 interarrival jitter)', () => {
  it('stays 0 when every packet has the same transit time', () => {
    const j = new JitterEstimator();
    for (let i = 0; i < 50; i++) j.update(i * 20, i * 20 + 37);
    assert.equal(j.jitterMs, 0);
  });

  it('follows J += (|D| − J)/16 on a known sequence', () => {
    const j = new JitterEstimator();
    // transits 10, 14, 10, 14: |D| = 4 each time after the first packet.
    const transits = [10, 14, 10, 14];
    for (const [i, t] of transits.entries()) j.update(i * 20, i * 20 + t);
    let expected = 0;
    for (let k = 0; k < 3; k++) expected += (4 - expected) / 16;
    assert.ok(Math.abs(j.jitterMs - expected) < 1e-12, `${j.jitterMs} vs ${expected}`);
  });

  it('converges to the mean |D| of an alternating transit pattern', () => {
    const j = new JitterEstimator();
    for (let i = 0; i < 400; i++) j.update(i * 20, i * 20 + (i % 2 === 0 ? 0 : 8));
    assert.ok(Math.abs(j.jitterMs - 8) < 0.01, String(j.jitterMs));
  });

  it('ignores a constant clock offset between sender and receiver', () => {
    const a = new JitterEstimator();
    const b = new JitterEstimator();
    const transits = [3, 9, 1, 7, 7, 2, 11, 5];
    transits.forEach((t, i) => {
      a.update(i * 20, i * 20 + t);
      b.update(i * 20 + 123456, i * 20 + t - 999);
    });
    assert.ok(Math.abs(a.jitterMs - b.jitterMs) < 1e-9);
    assert.ok(a.jitterMs > 0);
  });
});

describe('LossCounter', () => {
  it('counts loss from sent minus distinct packets received', () => {
    const c = new LossCounter();
    for (const s of [0, 1, 2, 4, 5, 7, 8, 9]) c.record(s);
    assert.equal(c.received, 8);
    assert.equal(c.lossPercent(10), 20);
  });

  it('does not let duplicates hide a loss', () => {
    const c = new LossCounter();
    for (const s of [0, 1, 1, 1, 3]) c.record(s);
    assert.equal(c.received, 3);
    assert.equal(c.duplicates, 2);
    assert.equal(c.lossPercent(4), 25);
  });

  it('counts reordered packets without counting them lost', () => {
    const c = new LossCounter();
    for (const s of [0, 2, 1, 3, 5, 4]) c.record(s);
    assert.equal(c.reordered, 2);
    assert.equal(c.maxSeq, 5);
    assert.equal(c.lossPercent(6), 0);
  });

  it('reports 0 % when nothing was sent', () => {
    assert.equal(new LossCounter().lossPercent(0), 0);
  });
});

describe('percentile', () => {
  it('interpolates between closest ranks', () => {
    assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
    assert.equal(percentile([10, 20, 30, 40, 50], 95), 48);
    assert.equal(percentile([5], 95), 5);
  });
  it('does not depend on input order and leaves the input alone', () => {
    const v = [9, 1, 5, 3, 7];
    assert.equal(percentile(v, 0), 1);
    assert.equal(percentile(v, 100), 9);
    assert.deepEqual(v, [9, 1, 5, 3, 7]);
  });
  it('is NaN for an empty list and rejects p outside 0–100', () => {
    assert.ok(Number.isNaN(percentile([], 50)));
    assert.ok(Number.isNaN(mean([])));
    assert.throws(() => percentile([1], 101), RangeError);
  });
});
