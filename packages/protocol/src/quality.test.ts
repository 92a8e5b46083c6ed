import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeBitrate, judgeSample, mosFromSample, SPEC_THRESHOLDS, worstVerdict } from './quality.js';

describe('E-model MOS', () => {
  it('gives ~4.4 for a perfect link', () => {
    const mos = mosFromSample({ rttMs: 0, jitterMs: 0, lossPercent: 0 });
    assert.ok(mos > 4.35 && mos < 4.45, `mos ${mos}`);
  });

  it('uses the steeper slope once effective latency reaches 160 ms', () => {
    // Le = 150 + 0 + 10 = 160 → R = 94.768 − 4 = 90.768
    const r = 94.768 - 4;
    const expected = 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r);
    assert.ok(Math.abs(mosFromSample({ rttMs: 150, jitterMs: 0, lossPercent: 0 }) - expected) < 1e-9);
  });

  it('treats loss as percent, not a fraction (2 % costs 5 R points)', () => {
    const clean = mosFromSample({ rttMs: 20, jitterMs: 5, lossPercent: 0 });
    const lossy = mosFromSample({ rttMs: 20, jitterMs: 5, lossPercent: 2 });
    const asFraction = mosFromSample({ rttMs: 20, jitterMs: 5, lossPercent: 0.02 });
    assert.ok(clean - lossy > 0.1, 'two percent loss lowers the MOS visibly');
    assert.ok(clean - asFraction < 0.01, 'a fraction would barely register — the unit matters');
  });

  it('clamps to 1 on a hopeless link', () => {
    assert.equal(mosFromSample({ rttMs: 2000, jitterMs: 500, lossPercent: 50 }), 1);
  });
});

describe('judging against the spec', () => {
  it('fails loss at 2 % and passes RTT at 100 ms', () => {
    const [rtt, jitter, loss] = judgeSample({ rttMs: 100, jitterMs: 20, lossPercent: 2 });
    assert.equal(rtt?.verdict, 'pass');
    assert.equal(jitter?.verdict, 'pass');
    assert.equal(loss?.verdict, 'fail');
    assert.ok(loss && loss.margin < 0);
  });

  it('fails exactly at the threshold (the spec says "below")', () => {
    const [rtt] = judgeSample({ rttMs: SPEC_THRESHOLDS.rttMs, jitterMs: 0, lossPercent: 0 });
    assert.equal(rtt?.verdict, 'fail');
  });

  it('passes 40 kbps audio on a 60 kbps link and fails 80 kbps', () => {
    assert.notEqual(judgeBitrate(60, SPEC_THRESHOLDS.audioKbps).verdict, 'fail');
    assert.equal(judgeBitrate(60, SPEC_THRESHOLDS.audioVideoKbps).verdict, 'fail');
  });

  it('reports the worst verdict', () => {
    assert.equal(worstVerdict(['pass', 'warn']), 'warn');
    assert.equal(worstVerdict(['pass', 'fail', 'warn']), 'fail');
    assert.equal(worstVerdict([]), 'pass');
  });
});
