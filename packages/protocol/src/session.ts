import { z } from 'zod';
import { GrantsSchema } from './grants.js';

/** What the server tells a client once its session is established or resumed. */
export const SessionInfoSchema = z.object({
  sessionId: z.string(),
  resumeKey: z.string().describe('Secret that lets this client resume the session; never share or log it.'),
  identity: z.string(),
  grants: GrantsSchema,
  protocolVersion: z.number().int(),
  reclaimWindowMs: z
    .number()
    .int()
    .describe('How long the session survives without a transport attached before it expires.'),
  keepAliveMs: z.number().int().describe('Send something (a `ping` will do) at least this often.'),
  pollHoldMs: z
    .number()
    .int()
    .describe('Long-poll only: how long a poll is held when there is nothing to send.'),
  resumed: z.boolean(),
  missedFrames: z
    .number()
    .int()
    .describe(
      'On resume: frames that fell out of the replay buffer before the client acknowledged them (0 normally).',
    ),
  server: z.object({ version: z.string(), node: z.string() }),
});

export type SessionInfo = z.infer<typeof SessionInfoSchema>;

/** Body of `POST /v1/lp/sessions` (long-poll session creation). */
export const CreateSessionRequestSchema = z
  .object({
    token: z.string().min(1).max(8192),
    v: z.number().int().optional(),
  })
  .strict();

/** Query of `GET /v1/lp/sessions/:id/poll`. */
export const PollQuerySchema = z
  .object({
    ack: z.coerce.number().int().nonnegative().optional(),
    holdMs: z.coerce.number().int().min(0).max(60_000).optional(),
  })
  .strict();

export { RESUME_KEY_HEADER } from './runtime.js';
