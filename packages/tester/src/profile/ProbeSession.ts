import { IceConfigurationSchema } from '@switchboard/protocol';
import { z } from 'zod';
import { type ServiceName, ServiceNameSchema } from './ProbeProfile.js';

/** Ports the server opened in one media range for this session. */
export const ProbeRangePortsSchema = z.object({
  service: ServiceNameSchema,
  min: z.number().int(),
  max: z.number().int(),
  /** Sampled responder ports: the edges when free, then random ports. */
  ports: z.array(z.number().int().min(1).max(65535)),
});
export type ProbeRangePorts = z.infer<typeof ProbeRangePortsSchema>;

/**
 * The answer to `POST /v1/probe/sessions`: short-lived UDP responders. Every datagram the
 * Tester sends carries `token` (hex, 8 bytes); responders ignore datagrams without it, so
 * they cannot be used as reflectors by anyone who did not authenticate.
 */
export const ProbeSessionSchema = z.object({
  id: z.string().min(1),
  token: z.string().regex(/^[0-9a-f]{16}$/),
  /** Epoch ms after which the responders are closed. */
  expiresAt: z.number().int(),
  ranges: z.array(ProbeRangePortsSchema),
  maxKbps: z.number().int().positive(),
  maxStreamMs: z.number().int().positive(),
  /**
   * STUN/TURN servers with time-limited credentials for this run (the TURN checks). Absent or
   * empty `iceServers`: the server runs without TURN, and the TURN checks are skipped.
   */
  ice: IceConfigurationSchema.optional(),
  /**
   * The address the responders listen on as a TURN relay reaches them (the media server's
   * announced address): the peer of the TURN relay data test. Absent: the RTC host.
   */
  mediaAddress: z.string().min(1).optional(),
});
export type ProbeSession = z.infer<typeof ProbeSessionSchema>;

/**
 * Where a client's media (and so the UDP probes) goes for `service`: the media server's
 * announced address from the session, which is what its ICE candidates carry; the service's
 * host name when the server does not say (older servers). They differ whenever signalling and
 * media sit on different addresses (a host name for 443, the media on another interface).
 */
export function mediaHostOf(
  session: Pick<ProbeSession, 'mediaAddress'> | undefined,
  profile: { services: Record<ServiceName, { host: string }> },
  service: ServiceName,
): string {
  return session?.mediaAddress ?? profile.services[service].host;
}
