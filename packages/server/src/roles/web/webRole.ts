import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testerCallId } from '@switchboard/tester';
import { z } from 'zod';
import { route } from '../../http/routes.js';
import type { RoleContext, RoleHandle } from '../../platform/RoleContext.js';
import { WidgetKeys } from './WidgetKeys.js';

const DEMO_TOKEN_TTL_SECONDS = 15 * 60;
/** Widget tokens live shorter than demo tokens: a page fetches a fresh one per session. */
const WIDGET_TOKEN_TTL_SECONDS = 10 * 60;

/** The built web pages: configured, or `apps/web/dist` of this checkout. */
export function webRoot(configured: string | undefined): string {
  if (configured) return path.resolve(configured);
  return fileURLToPath(new URL('../../../../../apps/web/dist', import.meta.url));
}

/**
 * The browser-facing side of the web listener: where the signalling endpoints are
 * (`/v1/client-config`), demo tokens in non-production profiles, and the static pages
 * (registered by the platform from {@link webRoot}).
 */
export function webRole(ctx: RoleContext): RoleHandle {
  const { config } = ctx;
  const demoTokens = config.web.demoTokens ?? config.profile !== 'production';
  const apiKey = ctx.tokens.defaultApiKey;

  ctx.webRoutes.push(
    route({
      method: 'GET',
      url: '/v1/client-config',
      summary: 'Where a browser finds this platform’s signalling endpoints.',
      tags: ['web'],
      auth: 'none',
      response: z.object({
        websocketUrl: z.string(),
        apiUrl: z.string(),
        voipUrl: z.string(),
        fallbackWebsocketUrl: z.string().describe('WSS on the HTTPS port, for networks that open only 443.'),
      }),
      handler: (_input, request, reply) => {
        // Public facts, read by widgets embedded in other sites' pages.
        reply.header('access-control-allow-origin', '*');
        // The host the browser used, so the page works under any name that reaches us.
        const host = (request.headers.host ?? config.publicHost).replace(/:\d+$/, '');
        const ports = ctx.listening();
        return {
          websocketUrl: `wss://${host}:${ports.websocket}/v1/signalling`,
          apiUrl: `https://${host}:${ports.api}`,
          voipUrl: `wss://${host}:${ports.api}/v1/voip`,
          fallbackWebsocketUrl: `wss://${host}${ports.https === 443 ? '' : `:${ports.https}`}/v1/signalling`,
        };
      },
    }),
  );
  if (demoTokens && apiKey) {
    ctx.webRoutes.push(
      route({
        method: 'GET',
        url: '/v1/demo/token',
        summary:
          'A 15-minute token to join one call, for the demo page (off in production; see web.demoTokens).',
        tags: ['web'],
        auth: 'none',
        query: z
          .object({
            call: z
              .string()
              .min(1)
              .max(64)
              .regex(/^[\w.-]+$/),
          })
          .strict(),
        response: z.object({ token: z.string(), identity: z.string(), expiresAt: z.string() }),
        rateLimitPerMinute: config.http.tokenRequestsPerMinute,
        handler: async ({ query }) => {
          const identity = `guest-${randomBytes(4).toString('hex')}`;
          const minted = await ctx.tokens.mint({
            apiKey,
            identity,
            grants: { calls: [query.call] },
            ttlSeconds: DEMO_TOKEN_TTL_SECONDS,
          });
          return { token: minted.token, identity, expiresAt: minted.expiresAt };
        },
      }),
      route({
        method: 'GET',
        url: '/v1/tester/token',
        summary:
          'A 15-minute tester-only token for the tester page (off in production like /v1/demo/token; there, mint one with POST /v1/probe/tokens and open /tester?token=…).',
        tags: ['web', 'tester'],
        auth: 'none',
        response: z.object({
          token: z.string(),
          identity: z.string(),
          callId: z.string(),
          expiresAt: z.string(),
        }),
        rateLimitPerMinute: config.http.tokenRequestsPerMinute,
        handler: async () => {
          const identity = `tester-${randomBytes(6).toString('hex')}`;
          const minted = await ctx.tokens.mint({
            apiKey,
            identity,
            grants: { tester: true },
            ttlSeconds: DEMO_TOKEN_TTL_SECONDS,
          });
          // The probe role lets a tester token join exactly this call (the WebRTC leg).
          const callId = testerCallId(identity) as string;
          return { token: minted.token, identity, callId, expiresAt: minted.expiresAt };
        },
      }),
    );
  }
  const widgetKeys = WidgetKeys.fromConfig(config);
  if (widgetKeys.size > 0 && apiKey) {
    ctx.webRoutes.push(
      route({
        method: 'POST',
        url: '/v1/widget/token',
        summary:
          'A 10-minute user token for the call widget, bought with a public widget key (web.widgetKeys) from an allowed page origin; it may enqueue only to the key’s queues.',
        tags: ['web', 'widget'],
        auth: 'none',
        // In the query, not a JSON body, so a cross-origin page sends a simple request (no preflight).
        query: z.object({ key: z.string().min(1).max(128) }).strict(),
        response: z.object({
          token: z.string(),
          identity: z.string(),
          queues: z.array(z.string()),
          expiresAt: z.string(),
        }),
        rateLimitPerMinute: config.http.tokenRequestsPerMinute,
        handler: async ({ query }, request, reply) => {
          const origin = request.headers.origin;
          // Errors too must be readable by the page, or the widget could not say what is wrong.
          if (origin) reply.header('access-control-allow-origin', origin).header('vary', 'origin');
          const key = widgetKeys.authorize(query.key, origin, request.headers.host);
          const identity = `widget-${randomBytes(6).toString('hex')}`;
          const minted = await ctx.tokens.mint({
            apiKey,
            identity,
            grants: { queues: [...key.queues] },
            ttlSeconds: WIDGET_TOKEN_TTL_SECONDS,
          });
          ctx.log.debug({ identity, origin, queues: key.queues }, 'widget token minted');
          return { token: minted.token, identity, queues: [...key.queues], expiresAt: minted.expiresAt };
        },
      }),
    );
  }
  const root = webRoot(config.web.root);
  if (!existsSync(root)) ctx.log.warn({ root }, 'web pages are not built (npm run build builds them)');
  return { name: 'web', close: () => {} };
}
