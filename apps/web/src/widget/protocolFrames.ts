// Copies of two run-time values of packages/protocol/src/envelope.ts, whose module also builds
// zod schemas; widget-size.mjs and the e2e tests exercise them against the real server.
import type { EventFrame, ServerFrame } from '@switchboard/protocol';

export const PROTOCOL_VERSION = 1;

export function isEventFrame(frame: ServerFrame): frame is EventFrame {
  return 'event' in frame;
}
