import { z } from 'zod';

/**
 * What a client passes to `new RTCPeerConnection(...)`: the ICE servers with fresh
 * credentials, the transport policy, and when the credentials expire. Join, enqueue and
 * agent-login answers carry it as `ice`.
 */
export const IceConfigurationSchema = z
  .object({
    iceServers: z.array(
      z
        .object({
          urls: z.array(z.string()).min(1),
          username: z.string().optional(),
          credential: z.string().optional(),
        })
        .strict(),
    ),
    iceTransportPolicy: z.enum(['all', 'relay']),
    expiresAt: z
      .string()
      .nullable()
      .describe('ISO time the TURN credentials stop working; null without TURN.'),
  })
  .strict();
export type IceConfiguration = z.output<typeof IceConfigurationSchema>;
export type IceServerEntry = IceConfiguration['iceServers'][number];
