import { randomBytes } from 'node:crypto';
import { canTest, IceConfigurationSchema, SwitchboardError } from '@switchboard/protocol';
import { ProbeProfileSchema, ProbeSessionSchema, testerCallId } from '@switchboard/tester';
import { z } from 'zod';
import { requireApiKey, requireBearer } from '../../http/authHelpers.js';
import { type RouteSpec, route } from '../../http/routes.js';
import { MintTokenResponseSchema } from '../../http/webRoutes.js';
import { resolveListenAddress } from '../../media/listenAddress.js';
import type { RoleContext, RoleHandle } from '../../platform/RoleContext.js';
import { AllocatorPortSource } from '../../probe/AllocatorPortSource.js';
import { buildProbeProfile } from '../../probe/buildProbeProfile.js';
import { ProbeService } from '../../probe/ProbeService.js';

/** Paths the Tester checks, as this server serves them (see `Platform`). */
export const PROBE_PATHS = {
  /** WSS signalling on the websocket port (8989). */
  rtcWebSocket: '/v1/signalling',
  /** The agents' VoIP WSS on the api port (8089). */
  acdWebSocket: '/v1/voip',
  /** Answered on every TCP listener; the Tester's `https-api` check on 8089 reads it. */
  apiHealth: '/healthz',
} as const;

/** Longest lifetime of a tester-only token minted by `POST /v1/probe/tokens`. */
export const MAX_TESTER_TOKEN_SECONDS = 3600;
/** TURN credentials handed to one probe session: a run lasts ≤ 15 s. */
const PROBE_TURN_TTL_SECONDS = 300;

const TesterTokenRequestSchema = z
  .object({
    identity: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .describe('Who runs the test (shows up in logs); default a random `tester-…` id.'),
    ttlSeconds: z.number().int().min(10).max(MAX_TESTER_TOKEN_SECONDS).optional(),
  })
  .strict()
  .prefault({});

/**
 * The server side of the Connectivity Tester: publishes this server's requirements
 * (`GET /v1/probe/profile`), opens short-lived UDP responders on ports booked from the
 * platform's one port allocator (`POST /v1/probe/sessions`, tester grant), closes them
 * (`DELETE /v1/probe/sessions/:id`), and mints tester-only tokens for an API key
 * (`POST /v1/probe/tokens`). Routes are served on the HTTPS port and on the API port, so a
 * network that only lets 8089 through can still be tested.
 */
export function probeRole(ctx: RoleContext): RoleHandle {
  const { config } = ctx;
  const bindHost = resolveListenAddress(config.media.listenAddress);
  // What a TURN relay (and a client) sends media to: the announced address when behind 1:1 NAT.
  const mediaAddress = config.media.announcedAddress ?? bindHost;
  const ranges = { rtc: config.media.rtcPorts, acd: config.media.acdPorts };
  const service = new ProbeService({ bindHost, ranges, ports: new AllocatorPortSource(ctx.ports) });
  const log = ctx.log.child({ subsystem: 'probe' });
  // The tester page's WebRTC leg: a tester token may join its own `tester-<identity>` call
  // (and no other), so a tester-only token is enough for the whole page.
  ctx.calls.addAccessPolicy(
    (identity, grants, callId) => grants.tester === true && callId === testerCallId(identity),
  );

  const profile = () => {
    const urls = ctx.turn.provider.urls();
    return buildProbeProfile({
      rtcHost: config.publicHost,
      // The ports actually bound: port 0 (tests) and the non-root shift (8443/8080) included.
      ports: ctx.listening(),
      ranges,
      turnUrls: [...urls.stun, ...urls.turn],
      paths: PROBE_PATHS,
      probe: service.limits,
    });
  };

  const routes: RouteSpec[] = [
    route({
      method: 'GET',
      url: '/v1/probe/profile',
      summary:
        'The connectivity requirements of this server (the spec tables with its hosts, ports, ranges, TURN URLs and thresholds).',
      tags: ['tester'],
      auth: 'none',
      response: ProbeProfileSchema,
      rateLimitPerMinute: config.http.requestsPerMinute,
      handler: () => profile(),
    }),
    route({
      method: 'POST',
      url: '/v1/probe/sessions',
      summary:
        'Open UDP echo responders on the edges and random ports of each media range for one Tester run (≤ 30 s), with TURN credentials.',
      tags: ['tester'],
      auth: 'bearer',
      grant: 'tester',
      response: ProbeSessionSchema.extend({ ice: IceConfigurationSchema }),
      successStatus: 201,
      rateLimitPerMinute: config.http.tokenRequestsPerMinute,
      handler: async (_input, request) => {
        const token = await requireBearer(request, ctx.tokens, 'tester', canTest);
        const session = await service.open(token.sub);
        log.info({ identity: token.sub, sessionId: session.id, address: request.ip }, 'probe session opened');
        return {
          ...session,
          ice: ctx.turn.iceServersFor(token.sub, { ttlSeconds: PROBE_TURN_TTL_SECONDS }),
          mediaAddress,
        };
      },
    }),
    route({
      method: 'DELETE',
      url: '/v1/probe/sessions/:id',
      summary: 'Close a probe session early (it closes by itself after its lifetime).',
      tags: ['tester'],
      auth: 'bearer',
      grant: 'tester',
      successStatus: 204,
      handler: async ({ params }, request, reply) => {
        const token = await requireBearer(request, ctx.tokens, 'tester', canTest);
        if (!service.close(params.id ?? '', token.sub)) {
          throw new SwitchboardError('SB_ERR_NOT_FOUND', 'No open probe session with this id for you.');
        }
        reply.status(204).send();
        return undefined;
      },
    }),
    route({
      method: 'POST',
      url: '/v1/probe/tokens',
      summary:
        'Mint an access token whose only grant is `tester` (API key and secret as Basic auth): hand it to whoever runs switchboard-test or the tester page.',
      tags: ['tester', 'access'],
      auth: 'apiKey',
      body: TesterTokenRequestSchema,
      response: MintTokenResponseSchema,
      successStatus: 201,
      rateLimitPerMinute: config.http.tokenRequestsPerMinute,
      handler: async ({ body }, request) => {
        const apiKey = requireApiKey(request, ctx.keys);
        return ctx.tokens.mint({
          apiKey,
          identity: body.identity ?? `tester-${randomBytes(6).toString('hex')}`,
          grants: { tester: true },
          ttlSeconds: Math.min(body.ttlSeconds ?? 900, MAX_TESTER_TOKEN_SECONDS),
        });
      },
    }),
  ];
  ctx.webRoutes.push(...routes);
  ctx.apiRoutes.push(...routes);

  return {
    name: 'probe',
    close: () => service.shutdown(),
  };
}
