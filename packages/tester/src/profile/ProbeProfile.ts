import { z } from 'zod';

/** The two services of the spec: RTC (video gateway) and ACD (audio, agents only). */
export const ServiceNameSchema = z.enum(['rtc', 'acd']);
export type ServiceName = z.infer<typeof ServiceNameSchema>;

/**
 * What a TCP rule is for, which decides how the Tester checks it:
 * - `http-redirect`: plain HTTP that must answer 301 to https (spec: 80, "Forwarded")
 * - `https`: TLS web access (spec: 443)
 * - `wss`: a WebSocket upgrade over TLS (spec: 8989 video gateway; 8089 ACD VoIP)
 * - `https-api`: the HTTPS long-poll API (spec: 8089 RTC, the alternative transport)
 */
export const TcpPurposeSchema = z.enum(['http-redirect', 'https', 'wss', 'https-api']);
export type TcpPurpose = z.infer<typeof TcpPurposeSchema>;

const port = z.number().int().min(1).max(65535);

/** One row of the spec's TCP tables. */
export const TcpRuleSchema = z.object({
  service: ServiceNameSchema,
  port,
  purpose: TcpPurposeSchema,
  /** Path used by the check (WebSocket endpoint or API health path); "/" for the others. */
  path: z.string().startsWith('/'),
  /** The spec's wording, e.g. "Websocket - Video Gateway (Recommended)". */
  description: z.string(),
});
export type TcpRule = z.infer<typeof TcpRuleSchema>;

/** One row of the spec's UDP tables (RTP media). */
export const UdpRangeSchema = z
  .object({
    service: ServiceNameSchema,
    min: port,
    max: port,
    description: z.string(),
  })
  .refine((r) => r.min <= r.max, { message: 'min must not exceed max' });
export type UdpRange = z.infer<typeof UdpRangeSchema>;

/** The thresholds the server judges by (the spec's, unless the operator changed them). */
export const ThresholdsSchema = z.object({
  rttMs: z.number().positive(),
  jitterMs: z.number().positive(),
  lossPercent: z.number().positive().max(100),
  audioKbps: z.number().positive(),
  audioVideoKbps: z.number().positive(),
});

/**
 * `GET /v1/probe/profile`: the server's published requirements. The Tester checks exactly
 * these, so a deployment with other ports or hosts is tested against its own configuration.
 */
export const ProbeProfileSchema = z.object({
  version: z.literal(1),
  /** Host name (or address) clients use for each service. */
  services: z.object({
    rtc: z.object({ host: z.string().min(1) }),
    acd: z.object({ host: z.string().min(1) }),
  }),
  tcp: z.array(TcpRuleSchema),
  udp: z.array(UdpRangeSchema),
  turn: z.object({ urls: z.array(z.string()) }),
  thresholds: ThresholdsSchema,
  /** Limits of the probe session the server will grant. */
  probe: z.object({
    /** Highest stream rate the probe responders accept (bandwidth ramp ceiling), kbps. */
    maxKbps: z.number().int().positive(),
    /** Longest single stream, ms. */
    maxStreamMs: z.number().int().positive(),
    /** Path of the session endpoint (POST to open, DELETE `/{id}` to close). */
    sessionPath: z.string().startsWith('/'),
  }),
});
export type ProbeProfile = z.infer<typeof ProbeProfileSchema>;
