import { z } from 'zod';
import { ERROR_CODES, type ErrorBody } from './errors.js';
import { PROTOCOL_VERSION } from './runtime.js';

export { isEventFrame, PROTOCOL_VERSION } from './runtime.js';
export const SUPPORTED_VERSIONS: readonly number[] = [PROTOCOL_VERSION];

/** A client's request id, echoed in the response's `re`. */
export const RequestIdSchema = z.string().min(1).max(64);

/**
 * Client → server. `type` names a message of {@link REQUESTS}; `data` is checked against
 * that message's schema after the envelope is accepted.
 */
export const RequestFrameSchema = z
  .object({
    v: z.number().int(),
    id: RequestIdSchema,
    type: z.string().min(1).max(64),
    data: z.unknown().optional(),
  })
  .strict();

export type RequestFrame = z.infer<typeof RequestFrameSchema>;

export const ErrorBodySchema = z.object({
  code: z.enum(ERROR_CODES as [string, ...string[]]),
  message: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
});

/**
 * Server → client. Every frame has a per-session sequence number `seq`; clients
 * acknowledge the highest `seq` they processed so a resumed session replays only
 * what was not seen. A response carries `re` (the request id, or `null` when the
 * request was too broken to have one) and either `result` or `error`; an event carries
 * `event` and `data`.
 */
export type ServerFrame = ResponseFrame | EventFrame;

export interface ResponseFrame {
  v: number;
  seq: number;
  re: string | null;
  type: string | null;
  result?: unknown;
  error?: ErrorBody;
}

export interface EventFrame {
  v: number;
  seq: number;
  event: string;
  data: unknown;
}

export const ServerFrameSchema = z.union([
  z.object({
    v: z.number().int(),
    seq: z.number().int().nonnegative(),
    re: z.string().nullable(),
    type: z.string().nullable(),
    result: z.unknown().optional(),
    error: ErrorBodySchema.optional(),
  }),
  z.object({
    v: z.number().int(),
    seq: z.number().int().nonnegative(),
    event: z.string(),
    data: z.unknown(),
  }),
]);
