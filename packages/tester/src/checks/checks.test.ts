import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SPEC_THRESHOLDS } from '@switchboard/protocol';
import type { StreamResult } from '../probe/UdpProbeClient.js';
import { describeRule, firewallRuleFor, makeCheck, overallVerdict } from './CheckBuilder.js';
import { bandwidthCheck, estimateBandwidth, qualityChecks, rampStepOk, rateCheck } from './qualityChecks.js';
import { portsToProbe, rangeVerdict } from './udpChecks.js';

function stream(over: Partial<StreamResult>): StreamResult {
  return {
    direction: 'uplink',
    rateKbps: 40,
    packetBytes: 100,
    sent: 100,
    received: 100,
    duplicates: 0,
    reordered: 0,
    lossPercent: 0,
    jitterMs: 2,
    rttMs: [50, 60],
    rttMeanMs: 55,
    rttP95Ms: 60,
    throughputKbps: 40,
    delayTrendMs: 0,
    reported: true,
    ...over,
  };
}

describe('check building', () => {
  it('computes the margin in the direction of the comparison', () => {
    const below = makeCheck({
      id: 'x',
      group: 'quality',
      audiences: ['agent'],
      title: 't',
      verdict: 'pass',
      summary: '',
      value: 120,
      threshold: 300,
      comparison: 'below',
    });
    assert.equal(below.margin, 180);
    const atLeast = makeCheck({
      id: 'y',
      group: 'quality',
      audiences: ['agent'],
      title: 't',
      verdict: 'fail',
      summary: '',
      value: 30,
      threshold: 40,
      comparison: 'at-least',
    });
    assert.equal(atLeast.margin, -10);
  });

  it('attaches the firewall rule and advice to failures only', () => {
    const rule = firewallRuleFor(
      'rtc',
      'rtc.example.com',
      'UDP',
      { min: 19099, max: 20099 },
      'RTP Media (Video)',
    );
    const base = { id: 'u', group: 'rtc' as const, audiences: ['agent' as const], title: 't', summary: '' };
    const failed = makeCheck({ ...base, verdict: 'fail', firewallRule: rule, recommendation: 'open it' });
    const passed = makeCheck({ ...base, verdict: 'pass', firewallRule: rule, recommendation: 'open it' });
    assert.deepEqual(failed.firewallRule, rule);
    assert.equal(failed.recommendation, 'open it');
    assert.equal(passed.firewallRule, undefined);
    assert.equal(passed.recommendation, undefined);
    assert.equal(
      describeRule(rule),
      'Allow outbound UDP 19099 … 20099 to RTC (rtc.example.com): RTP Media (Video)',
    );
  });

  it('takes the worst verdict and ignores skipped checks', () => {
    assert.equal(overallVerdict(['pass', 'skipped']), 'pass');
    assert.equal(overallVerdict(['pass', 'warn', 'skipped']), 'warn');
    assert.equal(overallVerdict(['warn', 'fail']), 'fail');
  });
});

describe('UDP range verdict', () => {
  it('is reachable, partly, or blocked (media will need TURN)', () => {
    assert.deepEqual(rangeVerdict(6, 6), { verdict: 'pass', label: 'reachable' });
    assert.deepEqual(rangeVerdict(2, 6), { verdict: 'warn', label: 'partly reachable' });
    assert.deepEqual(rangeVerdict(0, 6), { verdict: 'fail', label: 'blocked' });
    assert.equal(rangeVerdict(0, 0).verdict, 'fail');
  });

  it('always probes both edges, then random ports up to the limit', () => {
    const ports = portsToProbe(
      { service: 'acd', min: 10000, max: 20000, ports: [12345, 10000, 15000, 20000] },
      3,
    );
    assert.deepEqual(ports, [10000, 20000, 12345]);
  });
});

describe('quality checks', () => {
  it('judges loss per direction from all packets, with the spec threshold', () => {
    const checks = qualityChecks(
      [
        stream({ sent: 100, received: 98, lossPercent: 2 }),
        stream({ direction: 'downlink', sent: 100, received: 100 }),
      ],
      SPEC_THRESHOLDS,
    );
    const up = checks.find((c) => c.id === 'quality.uplink.loss')!;
    const down = checks.find((c) => c.id === 'quality.downlink.loss')!;
    assert.equal(up.verdict, 'fail');
    assert.equal(up.value, 2);
    assert.equal(up.threshold, 1.5);
    assert.equal(up.margin, -0.5);
    assert.ok(up.recommendation);
    assert.equal(down.verdict, 'pass');
    assert.equal(checks.find((c) => c.id === 'quality.rtt')!.verdict, 'pass');
  });

  it('fails a rate its stream did not carry whole and passes one it did', () => {
    const ok = rateCheck(stream({ rateKbps: 40, throughputKbps: 40 }), SPEC_THRESHOLDS, 'audio');
    const capped = rateCheck(
      stream({ rateKbps: 80, throughputKbps: 60, sent: 100, received: 75, lossPercent: 25 }),
      SPEC_THRESHOLDS,
      'audio+video',
    );
    assert.equal(ok.verdict, 'pass');
    assert.equal(capped.verdict, 'fail');
    assert.equal(capped.margin, -20);
  });

  it('estimates bandwidth at the bottleneck rate and counts the calls it carries', () => {
    const steps = [
      { offeredKbps: 40, result: stream({}) },
      {
        offeredKbps: 80,
        result: stream({ rateKbps: 80, throughputKbps: 59, received: 80, lossPercent: 20, delayTrendMs: 90 }),
      },
    ];
    const b = estimateBandwidth('uplink', steps, 0, SPEC_THRESHOLDS, 2000);
    assert.equal(b.estimateKbps, 59);
    assert.equal(b.callsAudio, 1);
    assert.equal(b.callsAudioVideo, 0);
    assert.equal(b.atLeast, false);
    assert.equal(bandwidthCheck(b, SPEC_THRESHOLDS).verdict, 'fail');
  });

  it('does not read one random drop in a short ramp step as congestion', () => {
    assert.ok(rampStepOk(stream({ sent: 20, received: 19, lossPercent: 5 }), 2, SPEC_THRESHOLDS));
    assert.ok(!rampStepOk(stream({ sent: 20, received: 15, lossPercent: 25 }), 2, SPEC_THRESHOLDS));
    assert.ok(!rampStepOk(stream({ delayTrendMs: 60, jitterMs: 2 }), 0, SPEC_THRESHOLDS));
  });
});
