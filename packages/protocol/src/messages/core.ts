import { z } from 'zod';
import { canSupervise, isAdmin } from '../grants.js';
import { SessionInfoSchema } from '../session.js';
import { Empty, request } from './define.js';

/** Session and diagnostic messages every role relies on. */
export const CORE_REQUESTS = {
  auth: request({
    stage: 'handshake',
    params: z.object({ token: z.string().min(1).max(8192) }).strict(),
    result: SessionInfoSchema,
    doc: 'Authenticate a new WebSocket connection with an access token; creates a session. Must be the first frame.',
  }),
  'session.resume': request({
    stage: 'handshake',
    params: z
      .object({
        sessionId: z.string().min(1).max(64),
        resumeKey: z.string().min(1).max(128),
        lastSeq: z.number().int().nonnegative().describe('Highest server `seq` the client processed.'),
      })
      .strict(),
    result: SessionInfoSchema,
    doc: 'Re-attach an existing session (from any transport) within its reclaim window; frames after `lastSeq` are replayed.',
  }),
  ping: request({
    stage: 'session',
    params: z
      .object({ t: z.number().optional().describe('Client clock, echoed back.') })
      .strict()
      .optional(),
    result: z.object({ t: z.number().optional(), serverTime: z.number() }),
    doc: 'Keep-alive and clock sample. Any frame counts as keep-alive; this one has no other effect.',
  }),
  'session.ack': request({
    stage: 'session',
    params: z.object({ seq: z.number().int().nonnegative() }).strict(),
    result: Empty,
    doc: 'Acknowledge server frames up to `seq` so they can be forgotten (WebSocket clients; long-poll acks in the poll).',
  }),
  'diag.echo': request({
    stage: 'session',
    params: z
      .object({
        payload: z.string().max(4096),
        asEvent: z.boolean().optional().describe('Also push the payload back as a `diag.echo` event.'),
      })
      .strict(),
    result: z.object({ payload: z.string(), serverTime: z.number() }),
    doc: 'Echo a payload (and optionally an event): measures signalling round trips over either transport.',
  }),
  'session.close': request({
    stage: 'session',
    params: Empty.optional(),
    result: Empty,
    doc: 'End the session now instead of letting the reclaim window run out.',
  }),
  'server.stats': request({
    stage: 'session',
    params: Empty.optional(),
    result: z.object({
      sessions: z.number().int(),
      connections: z.record(z.string(), z.number().int()),
      uptimeSeconds: z.number(),
    }),
    missingGrant: (grants) => (isAdmin(grants) || canSupervise(grants) ? undefined : 'supervise'),
    grant: 'supervise (or admin)',
    doc: 'Counts of live sessions and connections (supervise or admin grant).',
  }),
} as const;

export const CORE_EVENTS = {
  'diag.echo': z.object({ payload: z.string() }),
  'server.draining': z.object({
    reconnectAfterMs: z.number().int(),
    reason: z.string(),
  }),
  'session.replaced': z.object({ by: z.enum(['websocket', 'longpoll']) }),
} as const;
