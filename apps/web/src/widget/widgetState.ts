/**
 * The widget's life as a pure state machine: the element renders a snapshot, the call
 * session feeds it events. Kept free of DOM and SDK so it can be unit-tested in Node.
 */

/** Where the user is in the call. */
export type WidgetStateName =
  | 'idle'
  | 'starting'
  | 'waiting'
  | 'callback'
  | 'connecting'
  | 'in-call'
  | 'ended'
  | 'error';

/** A failure the user is told about: a Switchboard code (`SB_ERR_*`) or a widget code. */
export interface WidgetError {
  code: string;
  /** Technical detail (for logs and support); the element shows the human text for `code`. */
  message: string;
}

/** What the element shows and what `switchboard-state` events carry. */
export interface WidgetSnapshot {
  state: WidgetStateName;
  /** 1-based place in the queue while waiting; null otherwise. */
  position: number | null;
  /** Estimated wait in ms; null when unknown (no agent staffed) or not waiting. */
  estimatedWaitMs: number | null;
  error: WidgetError | null;
  /** Why the call ended (`ended` only), e.g. "agent-hangup". */
  endReason: string | null;
}

export type WidgetEvent =
  | { type: 'start' }
  | { type: 'queued'; position: number; estimatedWaitMs: number | null }
  | { type: 'position'; position: number; estimatedWaitMs: number | null }
  | { type: 'callbackRequested' }
  | { type: 'agentConnecting' }
  | { type: 'mediaUp' }
  | { type: 'ended'; reason: string }
  | { type: 'failed'; error: WidgetError }
  | { type: 'reset' };

export const INITIAL_SNAPSHOT: WidgetSnapshot = Object.freeze({
  state: 'idle',
  position: null,
  estimatedWaitMs: null,
  error: null,
  endReason: null,
});

const LIVE: readonly WidgetStateName[] = ['starting', 'waiting', 'callback', 'connecting', 'in-call'];

/** True while a call attempt holds resources (session, media): hang-up applies. */
export function isLive(state: WidgetStateName): boolean {
  return LIVE.includes(state);
}

/**
 * The next snapshot, or the same object when the event does not apply in this state
 * (late events after a hang-up, a position after the agent answered, …).
 */
export function transition(s: WidgetSnapshot, e: WidgetEvent): WidgetSnapshot {
  switch (e.type) {
    case 'start':
      return isLive(s.state) ? s : { ...INITIAL_SNAPSHOT, state: 'starting' };
    case 'queued':
      return s.state === 'starting'
        ? { ...s, state: 'waiting', position: e.position, estimatedWaitMs: e.estimatedWaitMs }
        : s;
    case 'position':
      return s.state === 'waiting' || s.state === 'callback'
        ? { ...s, position: e.position, estimatedWaitMs: e.estimatedWaitMs }
        : s;
    case 'callbackRequested':
      return s.state === 'waiting' ? { ...s, state: 'callback' } : s;
    case 'agentConnecting':
      return s.state === 'waiting' || s.state === 'callback' || s.state === 'starting'
        ? { ...s, state: 'connecting', position: null, estimatedWaitMs: null }
        : s;
    case 'mediaUp':
      return s.state === 'connecting' ? { ...s, state: 'in-call' } : s;
    case 'ended':
      return isLive(s.state) ? { ...INITIAL_SNAPSHOT, state: 'ended', endReason: e.reason } : s;
    case 'failed':
      // The first failure is the one to explain; later ones are its consequences.
      return s.state === 'error' ? s : { ...INITIAL_SNAPSHOT, state: 'error', error: e.error };
    case 'reset':
      return isLive(s.state) ? s : INITIAL_SNAPSHOT;
  }
}
