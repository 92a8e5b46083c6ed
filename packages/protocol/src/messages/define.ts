import { z } from 'zod';
import type { GrantName, Grants } from '../grants.js';

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

export function request<P extends z.ZodType, R extends z.ZodType>(
  def: RequestDefinition<P, R>,
): RequestDefinition<P, R> {
  return def;
}

/** An empty object (no fields allowed). */
export const Empty = z.object({}).strict();
