import { z } from 'zod';
import { canSupervise, type GrantName, type Grants, isAdmin } from './grants.js';
import { SessionInfoSchema } from './session.js';

/**
 * One entry per request type: the schema of its `data`, of its `result`, and the grant it
 * needs. `stage: 'handshake'` messages are only valid before a WebSocket session is
 * established (long-poll establishes sessions over REST instead).
 */
export interface RequestDefinition<P extends z.ZodType, R extends z.ZodType> {
  params: P;
  result: R;
  stage: 'handshake' | 'session';
  /** The grant the session lacks for this request, or `undefined` when it is allowed. */
  missingGrant?: (grants: Grants, params: z.infer<P>) => GrantName | undefined;
  /** The grant named in the docs (`missingGrant` is the check). */
  grant?: string;
  doc: string;
}

function request<P extends z.ZodType, R extends z.ZodType>(
  def: RequestDefinition<P, R>,
): RequestDefinition<P, R> {
  return def;
}

const Empty = z.object({}).strict();

export const REQUESTS = {
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

export type RequestType = keyof typeof REQUESTS;
export type RequestParams<T extends RequestType> = z.infer<(typeof REQUESTS)[T]['params']>;
export type RequestResult<T extends RequestType> = z.infer<(typeof REQUESTS)[T]['result']>;

export function isRequestType(value: string): value is RequestType {
  return Object.hasOwn(REQUESTS, value);
}

/** Server-pushed events: name → schema of `data`. */
export const EVENTS = {
  'diag.echo': z.object({ payload: z.string() }),
  'server.draining': z.object({
    reconnectAfterMs: z.number().int(),
    reason: z.string(),
  }),
  'session.replaced': z.object({ by: z.enum(['websocket', 'longpoll']) }),
} as const;

export type EventType = keyof typeof EVENTS;
export type EventData<E extends EventType> = z.infer<(typeof EVENTS)[E]>;
