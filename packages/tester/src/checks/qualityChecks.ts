import { judgeBitrate, judgeSample, mosFromSample, type Thresholds } from '@switchboard/protocol';
import { mean, percentile } from '../metrics/percentile.js';
import type { StreamResult } from '../probe/UdpProbeClient.js';
import type { BandwidthEstimate, CheckResult, StreamMeasurement } from '../report/Report.js';
import { checkFromJudgement, makeCheck, round2 } from './CheckBuilder.js';

type Direction = 'uplink' | 'downlink';
const EVERYONE = ['agent', 'user'] as ('agent' | 'user')[];

/** A stream's figures as they go into the report, with its MOS from the shared E-model. */
export function toMeasurement(s: StreamResult): StreamMeasurement {
  const mos =
    s.rttMeanMs === null
      ? null
      : mosFromSample({ rttMs: s.rttMeanMs, jitterMs: s.jitterMs, lossPercent: s.lossPercent });
  return {
    direction: s.direction,
    rateKbps: s.rateKbps,
    packetBytes: s.packetBytes,
    packetsSent: s.sent,
    packetsReceived: s.received,
    duplicates: s.duplicates,
    reordered: s.reordered,
    lossPercent: round2(s.lossPercent),
    jitterMs: round2(s.jitterMs),
    rttMeanMs: s.rttMeanMs === null ? null : round2(s.rttMeanMs),
    rttP95Ms: s.rttP95Ms === null ? null : round2(s.rttP95Ms),
    throughputKbps: round2(s.throughputKbps),
    delayTrendMs: round2(s.delayTrendMs),
    mos: mos === null ? null : round2(mos),
  };
}

/**
 * RTT, jitter and loss checks from the quality streams: RTT over every round trip measured,
 * jitter (the worse stream) and loss (all packets) per direction, so an uplink problem is
 * not hidden by a clean downlink.
 */
export function qualityChecks(streams: readonly StreamResult[], t: Thresholds): CheckResult[] {
  const out: CheckResult[] = [];
  const rtts = streams.flatMap((s) => s.rttMs);
  if (rtts.length) {
    const rttMean = mean(rtts);
    const [j] = judgeSample({ rttMs: rttMean, jitterMs: 0, lossPercent: 0 }, t);
    out.push(
      checkFromJudgement(
        {
          id: 'quality.rtt',
          group: 'quality',
          audiences: EVERYONE,
          title: 'Round-trip time (RTT)',
          unit: 'ms',
          summary: `mean ${round2(rttMean)} ms, p95 ${round2(percentile(rtts, 95))} ms over ${rtts.length} round trips`,
          metrics: [
            { name: 'rttMean', value: round2(rttMean), unit: 'ms' },
            { name: 'rttP95', value: round2(percentile(rtts, 95)), unit: 'ms' },
            { name: 'samples', value: rtts.length, unit: 'round trips' },
          ],
          recommendation: `RTT above ${t.rttMs} ms makes conversation awkward: use a closer server region, a wired link, or avoid VPN hair-pinning.`,
        },
        { ...j!, value: round2(j!.value), margin: round2(j!.margin) },
      ),
    );
  }
  for (const dir of ['uplink', 'downlink'] as Direction[]) {
    const ds = streams.filter((s) => s.direction === dir && s.reported);
    if (!ds.length) continue;
    const sent = ds.reduce((n, s) => n + s.sent, 0);
    const received = ds.reduce((n, s) => n + s.received, 0);
    const loss = sent ? (100 * Math.max(0, sent - received)) / sent : 0;
    const jitter = Math.max(...ds.map((s) => s.jitterMs));
    const [, jj, lj] = judgeSample({ rttMs: 0, jitterMs: jitter, lossPercent: loss }, t);
    out.push(
      checkFromJudgement(
        {
          id: `quality.${dir}.jitter`,
          group: 'quality',
          audiences: EVERYONE,
          title: `Jitter, ${dir}`,
          unit: 'ms',
          summary: `${round2(jitter)} ms (RFC 3550; ${ds.map((s) => `${round2(s.jitterMs)} ms at ${s.rateKbps} kbps`).join(', ')})`,
          metrics: ds.map((s) => ({
            name: `jitter@${s.rateKbps}kbps`,
            value: round2(s.jitterMs),
            unit: 'ms',
          })),
          recommendation: `Jitter above ${t.jitterMs} ms on the ${dir}: look for a congested or Wi-Fi link and prioritise real-time traffic (QoS/DSCP EF).`,
        },
        { ...jj!, value: round2(jj!.value), margin: round2(jj!.margin) },
      ),
    );
    out.push(
      checkFromJudgement(
        {
          id: `quality.${dir}.loss`,
          group: 'quality',
          audiences: EVERYONE,
          title: `Packet loss, ${dir}`,
          unit: '%',
          summary: `${round2(loss)} % (${sent - received} of ${sent} packets lost)`,
          metrics: [
            { name: 'sent', value: sent, unit: 'packets' },
            { name: 'received', value: received, unit: 'packets' },
            { name: 'duplicates', value: ds.reduce((n, s) => n + s.duplicates, 0), unit: 'packets' },
            { name: 'reordered', value: ds.reduce((n, s) => n + s.reordered, 0), unit: 'packets' },
          ],
          recommendation: `Loss above ${t.lossPercent} % on the ${dir} breaks audio: check for a saturated link, a faulty Wi-Fi, or a firewall rate-limiting UDP.`,
        },
        { ...lj!, value: round2(lj!.value), margin: round2(lj!.margin) },
      ),
    );
  }
  return out;
}

/**
 * "Carries N kbps" per direction and rate: the stream must arrive whole (loss under the
 * threshold) at its rate (delivered ≥ rate minus the tolerated loss).
 */
export function rateCheck(s: StreamResult, t: Thresholds, label: string): CheckResult {
  const floor = s.rateKbps * (1 - t.lossPercent / 100);
  const lossOk = s.lossPercent < t.lossPercent;
  const delivered = s.reported ? s.throughputKbps : 0;
  // The receive-side rate is measured between first and last arrival, so jitter moves it a
  // little either way; the loss count is the exact test, the rate a sanity bound (−10 %).
  const rateOk = delivered >= floor * 0.9;
  const verdict = !s.reported ? 'fail' : lossOk && rateOk ? 'pass' : 'fail';
  const m = toMeasurement(s);
  return makeCheck({
    id: `rate.${s.direction}.${s.rateKbps}`,
    group: 'quality',
    audiences: EVERYONE,
    title: `${s.direction === 'uplink' ? 'Uplink' : 'Downlink'} carries ${s.rateKbps} kbps (${label})`,
    verdict,
    value: round2(delivered),
    unit: 'kbps',
    threshold: s.rateKbps,
    comparison: 'at-least',
    summary: s.reported
      ? `${round2(delivered)} kbps delivered, loss ${m.lossPercent} %, jitter ${m.jitterMs} ms, MOS ${m.mos ?? 'n/a'}`
      : 'No answer from the probe: the stream could not be measured',
    metrics: [
      { name: 'throughput', value: m.throughputKbps, unit: 'kbps' },
      { name: 'loss', value: m.lossPercent, unit: '%' },
      { name: 'jitter', value: m.jitterMs, unit: 'ms' },
      { name: 'rttMean', value: m.rttMeanMs, unit: 'ms' },
      { name: 'rttP95', value: m.rttP95Ms, unit: 'ms' },
      { name: 'mos', value: m.mos, unit: 'MOS' },
    ],
    recommendation: `The ${s.direction} does not carry ${s.rateKbps} kbps (${label}) cleanly: free bandwidth, or prefer audio-only calls.`,
  });
}

export interface RampStep {
  offeredKbps: number;
  result: StreamResult;
}

/**
 * Available bandwidth from a ramp: the highest step without loss growth or queueing growth;
 * when a step overloads the link, the rate the receiver still saw is the bottleneck's rate.
 */
export function estimateBandwidth(
  direction: Direction,
  steps: readonly RampStep[],
  baselineLossPercent: number,
  t: Thresholds,
  ceilingKbps: number,
): BandwidthEstimate {
  let estimate = 0;
  let failed = false;
  const out: BandwidthEstimate['steps'] = [];
  for (const step of steps) {
    const ok = rampStepOk(step.result, baselineLossPercent, t);
    out.push({
      offeredKbps: step.offeredKbps,
      deliveredKbps: round2(step.result.throughputKbps),
      lossPercent: round2(step.result.lossPercent),
      delayTrendMs: round2(step.result.delayTrendMs),
      ok,
    });
    if (ok) estimate = Math.max(estimate, step.offeredKbps);
    else {
      failed = true;
      estimate = Math.max(estimate, Math.min(step.result.throughputKbps, step.offeredKbps));
      break;
    }
  }
  const atLeast = !failed && steps.length > 0 && (steps.at(-1)?.offeredKbps ?? 0) >= ceilingKbps;
  return {
    direction,
    estimateKbps: round2(estimate),
    atLeast,
    callsAudio: Math.floor(estimate / t.audioKbps),
    callsAudioVideo: Math.floor(estimate / t.audioVideoKbps),
    steps: out,
  };
}

/** A ramp step is clean when loss did not grow past the threshold and no queue built up. */
export function rampStepOk(s: StreamResult, baselineLossPercent: number, t: Thresholds): boolean {
  if (!s.reported) return false;
  // Compare lost packets with what the baseline loss predicts for this step; a short step
  // has few packets, so one random drop must not read as congestion (allow 2 extra).
  const lost = Math.max(0, s.sent - s.received);
  const expected = (baselineLossPercent / 100) * s.sent;
  const lossGrew = lost - expected > Math.max(2, (t.lossPercent / 100) * s.sent);
  // A queue filling shows as transit growing through the step, beyond what jitter explains.
  const queueGrew = s.delayTrendMs > Math.max(25, 3 * s.jitterMs);
  return !lossGrew && !queueGrew;
}

/** The bandwidth check: the estimate judged against the audio+video rate (spec's 80 kbps). */
export function bandwidthCheck(b: BandwidthEstimate, t: Thresholds): CheckResult {
  const j = judgeBitrate(b.estimateKbps, t.audioVideoKbps);
  return checkFromJudgement(
    {
      id: `bandwidth.${b.direction}`,
      group: 'quality',
      audiences: EVERYONE,
      title: `Available bandwidth, ${b.direction}`,
      unit: 'kbps',
      summary:
        `${b.atLeast ? '≥ ' : '≈ '}${b.estimateKbps} kbps: ${b.callsAudio} concurrent audio call(s) at ${t.audioKbps} kbps, ` +
        `${b.callsAudioVideo} audio+video call(s) at ${t.audioVideoKbps} kbps`,
      metrics: [
        { name: 'estimate', value: b.estimateKbps, unit: 'kbps' },
        { name: 'callsAudio', value: b.callsAudio, unit: 'calls' },
        { name: 'callsAudioVideo', value: b.callsAudioVideo, unit: 'calls' },
      ],
      recommendation: `The ${b.direction} has little headroom above ${t.audioVideoKbps} kbps: video calls will degrade when anything else uses the link.`,
    },
    { ...j, value: round2(j.value), margin: round2(j.margin) },
  );
}
