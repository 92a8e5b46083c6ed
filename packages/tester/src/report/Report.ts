import { z } from 'zod';

/** A check's outcome. `skipped`: not run (no UDP in a browser, an earlier check failed, quick mode). */
export const CheckVerdictSchema = z.enum(['pass', 'warn', 'fail', 'skipped']);
export type CheckVerdict = z.infer<typeof CheckVerdictSchema>;

/** Who needs a check to pass, as the spec groups them: Agents need RTC + ACD, Users RTC. */
export const AudienceSchema = z.enum(['agent', 'user']);
export type Audience = z.infer<typeof AudienceSchema>;

/** Report sections, in the order the spec presents them. */
export const CheckGroupSchema = z.enum(['rtc', 'acd', 'quality']);
export type CheckGroup = z.infer<typeof CheckGroupSchema>;

/** The firewall rule to open, in the spec's terms (its table columns plus why). */
export const FirewallRuleSchema = z.object({
  /** "RTC" or "ACD" and the host the Tester used. */
  destination: z.string(),
  host: z.string(),
  protocol: z.enum(['TCP', 'UDP']),
  /** "443" or "19099 … 20099". */
  ports: z.string(),
  why: z.string(),
});
export type FirewallRule = z.infer<typeof FirewallRuleSchema>;

export const MetricSchema = z.object({
  name: z.string(),
  value: z.number().nullable(),
  unit: z.string(),
});
export type Metric = z.infer<typeof MetricSchema>;

export const CheckResultSchema = z.object({
  /** Stable id, e.g. `tcp.rtc.8989`, `udp.acd`, `quality.uplink.loss`, `rate.downlink.80`. */
  id: z.string(),
  group: CheckGroupSchema,
  audiences: z.array(AudienceSchema),
  title: z.string(),
  verdict: CheckVerdictSchema,
  /** The headline measurement (null when skipped or not measurable). */
  value: z.number().nullable(),
  unit: z.string(),
  /** The limit the value is judged by, if any. */
  threshold: z.number().nullable(),
  /** `below`: value must stay under the threshold; `at-least`: must reach it. */
  comparison: z.enum(['below', 'at-least']).nullable(),
  /** Distance to the threshold in `unit`; negative when broken. */
  margin: z.number().nullable(),
  /** One line a person reads. */
  summary: z.string(),
  metrics: z.array(MetricSchema),
  /** Present on every failure (and warning) a firewall change would fix. */
  firewallRule: FirewallRuleSchema.optional(),
  recommendation: z.string().optional(),
  durationMs: z.number(),
});
export type CheckResult = z.infer<typeof CheckResultSchema>;

export const StreamMeasurementSchema = z.object({
  direction: z.enum(['uplink', 'downlink']),
  rateKbps: z.number(),
  packetBytes: z.number(),
  packetsSent: z.number(),
  packetsReceived: z.number(),
  duplicates: z.number(),
  reordered: z.number(),
  lossPercent: z.number(),
  jitterMs: z.number(),
  /** Round trips measured while the stream ran (acks of uplink packets, echoes otherwise). */
  rttMeanMs: z.number().nullable(),
  rttP95Ms: z.number().nullable(),
  throughputKbps: z.number(),
  delayTrendMs: z.number(),
  mos: z.number().nullable(),
});
export type StreamMeasurement = z.infer<typeof StreamMeasurementSchema>;

export const BandwidthEstimateSchema = z.object({
  direction: z.enum(['uplink', 'downlink']),
  /** Highest rate carried without loss or queueing growth (or the bottleneck rate seen). */
  estimateKbps: z.number(),
  /** True when the ramp stopped at the server's ceiling: the link carries at least this. */
  atLeast: z.boolean(),
  callsAudio: z.number().int(),
  callsAudioVideo: z.number().int(),
  steps: z.array(
    z.object({
      offeredKbps: z.number(),
      deliveredKbps: z.number(),
      lossPercent: z.number(),
      delayTrendMs: z.number(),
      ok: z.boolean(),
    }),
  ),
});
export type BandwidthEstimate = z.infer<typeof BandwidthEstimateSchema>;

const OverallSchema = z.enum(['pass', 'warn', 'fail']);

/** What `switchboard-test --json` prints; `report.schema.json` is generated from this. */
export const ReportSchema = z.object({
  schemaVersion: z.literal(1),
  tool: z.literal('switchboard-test'),
  toolVersion: z.string(),
  server: z.string(),
  mode: z.enum(['quick', 'full']),
  platform: z.string(),
  startedAt: z.string(),
  durationMs: z.number(),
  /** Worst verdict over all checks that ran. */
  verdict: OverallSchema,
  /** Worst verdict over the checks each audience needs. */
  audiences: z.object({ agent: OverallSchema, user: OverallSchema }),
  checks: z.array(CheckResultSchema),
  streams: z.array(StreamMeasurementSchema),
  bandwidth: z.array(BandwidthEstimateSchema),
});
export type Report = z.infer<typeof ReportSchema>;

/** The JSON Schema (draft 2020-12) of the report, as committed in `report.schema.json`. */
export function reportJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(ReportSchema, { target: 'draft-2020-12' }),
    $id: 'https://switchboard.dev/schemas/tester-report-v1.json',
    title: 'switchboard-test report',
  };
}
