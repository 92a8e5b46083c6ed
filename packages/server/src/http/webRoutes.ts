import { canSupervise, GrantsSchema } from '@switchboard/protocol';
import { z } from 'zod';
import type { ApiKeys } from '../auth/ApiKeys.js';
import type { TokenService } from '../auth/TokenService.js';
import type { Metrics } from '../observability/metrics.js';
import type { SignallingService } from '../signalling/SignallingService.js';
import { IceConfigurationSchema } from '../turn/IceServerProvider.js';
import type { TurnService } from '../turn/TurnService.js';
import { requireApiKey, requireBearer } from './authHelpers.js';
import { type RouteSpec, route } from './routes.js';

export const MintTokenRequestSchema = z
  .object({
    identity: z
      .string()
      .min(1)
      .max(128)
      .describe('Who the token speaks for (user id, agent id, service name).'),
    grants: GrantsSchema,
    name: z.string().max(128).optional(),
    ttlSeconds: z
      .number()
      .int()
      .min(10)
      .max(86_400)
      .optional()
      .describe('Capped by auth.maxTokenTtlSeconds.'),
  })
  .strict();

export const MintTokenResponseSchema = z.object({
  token: z.string(),
  expiresAt: z.string().describe('ISO 8601'),
  ttlSeconds: z.number().int(),
});

export interface ReadinessCheck {
  name: string;
  ok: () => boolean;
}

export interface WebRouteDeps {
  keys: ApiKeys;
  tokens: TokenService;
  signalling: SignallingService;
  metrics: Metrics;
  readiness: () => ReadinessCheck[];
  tokenRequestsPerMinute: number;
  openApi: () => object;
  turn: TurnService;
}

/** REST on 443: health, readiness, metrics, OpenAPI, token minting, sessions. */
export function webRoutes(deps: WebRouteDeps): RouteSpec[] {
  return [
    route({
      method: 'GET',
      url: '/healthz',
      summary: 'Liveness: the process is up and its event loop turns.',
      tags: ['operations'],
      auth: 'none',
      response: z.object({ status: z.literal('ok') }),
      handler: () => ({ status: 'ok' as const }),
    }),
    route({
      method: 'GET',
      url: '/readyz',
      summary: 'Readiness: every subsystem can take calls (503 while starting or draining).',
      tags: ['operations'],
      auth: 'none',
      response: z.object({
        status: z.enum(['ready', 'not-ready']),
        checks: z.record(z.string(), z.boolean()),
      }),
      handler: (_input, _request, reply) => {
        const checks = Object.fromEntries(deps.readiness().map((c) => [c.name, c.ok()]));
        const ready = Object.values(checks).every(Boolean);
        if (!ready) reply.status(503);
        return { status: ready ? ('ready' as const) : ('not-ready' as const), checks };
      },
    }),
    route({
      method: 'GET',
      url: '/metrics',
      summary: 'Prometheus metrics (text exposition format).',
      tags: ['operations'],
      auth: 'none',
      handler: async (_input, _request, reply) => {
        const text = await deps.metrics.registry.metrics();
        reply.type(deps.metrics.registry.contentType).send(text);
        return undefined;
      },
    }),
    route({
      method: 'GET',
      url: '/v1/openapi.json',
      summary: 'This API, as an OpenAPI 3.1 document.',
      tags: ['operations'],
      auth: 'none',
      handler: (_input, _request, reply) => {
        reply.send(deps.openApi());
        return undefined;
      },
    }),
    route({
      method: 'POST',
      url: '/v1/tokens',
      summary: 'Mint a short-lived access token with explicit grants (API key and secret as Basic auth).',
      tags: ['access'],
      auth: 'apiKey',
      body: MintTokenRequestSchema,
      response: MintTokenResponseSchema,
      successStatus: 201,
      rateLimitPerMinute: deps.tokenRequestsPerMinute,
      handler: async ({ body }, request) => {
        const apiKey = requireApiKey(request, deps.keys);
        return deps.tokens.mint({ apiKey, ...body });
      },
    }),
    route({
      method: 'GET',
      url: '/v1/ice-servers',
      summary: 'STUN/TURN servers with fresh time-limited TURN credentials for the token’s identity.',
      tags: ['access'],
      auth: 'bearer',
      grant: 'any',
      response: IceConfigurationSchema,
      handler: async (_input, request) => {
        const token = await requireBearer(request, deps.tokens, 'any', () => true);
        return deps.turn.iceServersFor(token.sub);
      },
    }),
    route({
      method: 'GET',
      url: '/v1/sessions',
      summary: 'Live signalling sessions.',
      tags: ['operations'],
      auth: 'bearer',
      grant: 'supervise',
      response: z.object({
        sessions: z.array(
          z.object({
            sessionId: z.string(),
            identity: z.string(),
            transport: z.enum(['websocket', 'longpoll', 'detached']),
            address: z.string(),
            createdAt: z.string(),
          }),
        ),
      }),
      handler: async (_input, request) => {
        await requireBearer(request, deps.tokens, 'supervise', canSupervise);
        return {
          sessions: [...deps.signalling.sessions.all()].map((s) => ({
            sessionId: s.id,
            identity: s.identity,
            transport: s.transport?.kind ?? ('detached' as const),
            address: s.address,
            createdAt: new Date(s.createdAt).toISOString(),
          })),
        };
      },
    }),
  ];
}
