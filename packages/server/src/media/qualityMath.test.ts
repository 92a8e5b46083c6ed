import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fractionLostToPercent,
  kbpsFromBytes,
  lossPercentFromCounts,
  ntpShortToMs,
  rtcpJitterToMs,
  secondsToMs,
} from './qualityMath.js';

describe('quality unit conversions', () => {
  it('RTCP jitter: 480 timestamp units of 48 kHz Opus are 10 ms; 900 of 90 kHz video are 10 ms', () => {
    assert.equal(rtcpJitterToMs(480, 48_000), 10);
    assert.equal(rtcpJitterToMs(900, 90_000), 10);
  });

  it('RTCP fraction lost: 64/256 is 25 %, 4/256 is 1.5625 %, 0 is 0 %', () => {
    assert.equal(fractionLostToPercent(64), 25);
    assert.equal(fractionLostToPercent(4), 1.5625);
    assert.equal(fractionLostToPercent(0), 0);
  });

  it('RTT: werift seconds to milliseconds', () => {
    assert.equal(secondsToMs(0.123), 123);
  });

  it('DLSR units of 1/65536 s: 65536 is 1000 ms', () => {
    assert.equal(ntpShortToMs(65536), 1000);
    assert.equal(ntpShortToMs(6553.6), 100);
  });

  it('loss from counters is a percentage of expected packets, never negative (duplicates)', () => {
    assert.equal(lossPercentFromCounts(200, 197), 1.5);
    assert.equal(lossPercentFromCounts(100, 105), 0);
    assert.equal(lossPercentFromCounts(0, 0), 0);
  });

  it('bitrate: 5000 bytes in 1000 ms is 40 kbps', () => {
    assert.equal(kbpsFromBytes(5000, 1000), 40);
    assert.equal(kbpsFromBytes(5000, 0), 0);
  });
});
