/**
 * The spec's network requirements and the simplified E-model, shared by the media server
 * (live call quality), the Tester and the SDK, so every part judges with the same numbers
 * and the same units. Units are in every name: milliseconds, percent (0–100), kbps.
 */

/** The spec's thresholds ("Network Bandwidth Requirements"). */
export const SPEC_THRESHOLDS = {
  /** RTT must be below this. */
  rttMs: 300,
  /** Jitter must be below this. */
  jitterMs: 50,
  /** Packet loss must be below this, in percent (1.5 means 1.5 %). */
  lossPercent: 1.5,
  /** Audio (Opus), each direction. */
  audioKbps: 40,
  /** Audio and video (Opus/VP8), each direction. */
  audioVideoKbps: 80,
} as const;

export type Thresholds = { -readonly [K in keyof typeof SPEC_THRESHOLDS]: number };

/** One sample of link quality. */
export interface QualitySample {
  rttMs: number;
  jitterMs: number;
  /** 0–100. */
  lossPercent: number;
}

/**
 * Mean opinion score (1–4.5) from the simplified E-model:
 * Le = RTT + 2·jitter + 10 ms; R = 94.768 − Le/40 when Le < 160, else 94.768 − (Le − 120)/10;
 * R −= 2.5 × loss %; MOS = 1 + 0.035R + 7·10⁻⁶·R(R − 60)(100 − R), clamped to R ∈ [0, 100].
 */
export function mosFromSample(sample: QualitySample): number {
  const effectiveLatency = sample.rttMs + 2 * sample.jitterMs + 10;
  let r = effectiveLatency < 160 ? 94.768 - effectiveLatency / 40 : 94.768 - (effectiveLatency - 120) / 10;
  r -= 2.5 * sample.lossPercent;
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  return 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r);
}

export type Verdict = 'pass' | 'warn' | 'fail';

/** One metric judged against its threshold. `margin` is positive when within the limit. */
export interface Judgement {
  metric: 'rttMs' | 'jitterMs' | 'lossPercent' | 'bitrateKbps';
  value: number;
  threshold: number;
  /** Distance to the threshold in the metric's unit; negative when the limit is broken. */
  margin: number;
  verdict: Verdict;
}

/** Share of a limit within which a passing value is reported as a warning. */
const WARN_FRACTION = 0.8;

function judgeUpper(metric: Judgement['metric'], value: number, threshold: number): Judgement {
  const margin = threshold - value;
  const verdict: Verdict = value >= threshold ? 'fail' : value >= threshold * WARN_FRACTION ? 'warn' : 'pass';
  return { metric, value, threshold, margin, verdict };
}

/** Judges RTT, jitter and loss against the spec (or the given thresholds). */
export function judgeSample(sample: QualitySample, thresholds: Thresholds = SPEC_THRESHOLDS): Judgement[] {
  return [
    judgeUpper('rttMs', sample.rttMs, thresholds.rttMs),
    judgeUpper('jitterMs', sample.jitterMs, thresholds.jitterMs),
    judgeUpper('lossPercent', sample.lossPercent, thresholds.lossPercent),
  ];
}

/** Judges a measured bitrate against a minimum (40 kbps audio, 80 kbps audio+video). */
export function judgeBitrate(kbps: number, minimumKbps: number): Judgement {
  const margin = kbps - minimumKbps;
  const verdict: Verdict = kbps < minimumKbps ? 'fail' : kbps < minimumKbps / WARN_FRACTION ? 'warn' : 'pass';
  return { metric: 'bitrateKbps', value: kbps, threshold: minimumKbps, margin, verdict };
}

/** The worst of several verdicts. */
export function worstVerdict(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes('fail')) return 'fail';
  if (verdicts.includes('warn')) return 'warn';
  return 'pass';
}
