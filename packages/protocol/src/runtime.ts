// The protocol's run-time values that need no schema: all a client (the SDK, the widget)
// loads at run time. Nothing here imports zod, so a browser bundle of the SDK stays small;
// the schemas (index.ts) are for servers and for type information.
import type { EventFrame, ServerFrame } from './envelope.js';

export * from './errors.js';

/** The protocol version this build speaks. Frames carry it in `v`. */
export const PROTOCOL_VERSION = 1;

/**
 * The participant under which the server plays a queue's hold audio into an ACD call (while
 * the user waits, and while the agent holds the call): `call.trackPublished` names it, and the
 * SDK's `track` event carries it as `participantId`.
 */
export const HOLD_AUDIO_PARTICIPANT_ID = 'server-hold';

/** Headers a long-poll client sends with every call after session creation. */
export const RESUME_KEY_HEADER = 'x-switchboard-resume-key';

/** Whether a server frame is a pushed event (rather than a response). */
export function isEventFrame(frame: ServerFrame): frame is EventFrame {
  return 'event' in frame;
}
