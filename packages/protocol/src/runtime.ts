// The protocol's run-time values that need no schema: all a client (the SDK, the widget)
// loads at run time. Nothing here imports zod, so a browser bundle of the SDK stays small;
// the schemas (index.ts) are for servers and for type information.
import type { EventFrame, ServerFrame } from './envelope.js';

export * from './errors.js';

/** The protocol version this build speaks. Frames carry it in `v`. */
export const PROTOCOL_VERSION = 1;

/** Headers a long-poll client sends with every call after session creation. */
export const RESUME_KEY_HEADER = 'x-switchboard-resume-key';

/** Whether a server frame is a pushed event (rather than a response). */
export function isEventFrame(frame: ServerFrame): frame is EventFrame {
  return 'event' in frame;
}
