import type { z } from 'zod';
import { ACD_EVENTS, ACD_REQUESTS } from './acd.js';
import { CALL_EVENTS, CALL_REQUESTS } from './call.js';
import { CORE_EVENTS, CORE_REQUESTS } from './core.js';

export { Empty, type RequestDefinition, request } from './define.js';

/**
 * Every request type of the protocol: the schema of its `data`, of its `result`, and the
 * grant it needs. One module per area (core, call, acd) keeps them apart; this is the union.
 */
export const REQUESTS = { ...CORE_REQUESTS, ...CALL_REQUESTS, ...ACD_REQUESTS } as const;

export type RequestType = keyof typeof REQUESTS;
export type RequestParams<T extends RequestType> = z.infer<(typeof REQUESTS)[T]['params']>;
export type RequestResult<T extends RequestType> = z.infer<(typeof REQUESTS)[T]['result']>;

export function isRequestType(value: string): value is RequestType {
  return Object.hasOwn(REQUESTS, value);
}

/** Server-pushed events: name → schema of `data`. */
export const EVENTS = { ...CORE_EVENTS, ...CALL_EVENTS, ...ACD_EVENTS } as const;

export type EventType = keyof typeof EVENTS;
export type EventData<E extends EventType> = z.infer<(typeof EVENTS)[E]>;
