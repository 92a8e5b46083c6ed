import { randomBytes } from 'node:crypto';
import {
  type ErrorBody,
  type EventData,
  type EventType,
  PROTOCOL_VERSION,
  type ServerFrame,
} from '@switchboard/protocol';
import type { VerifiedToken } from '../auth/TokenService.js';
import { TypedEmitter } from '../events/TypedEmitter.js';

export type TransportKind = 'websocket' | 'longpoll';

/** Whatever currently carries a session's frames to its client. */
export interface SessionTransport {
  readonly kind: TransportKind;
  /** New frames are buffered in the session: push them (WebSocket) or wake a held poll. */
  deliver(): void;
  /** The session is leaving this transport (replaced, idle, closed); `error` says why. */
  close(error: ErrorBody | null): void;
}

export type SessionCloseReason = 'client' | 'expired' | 'overflow' | 'shutdown';

export type SessionEvents = {
  /** The transport went away; the session waits `reclaimWindowMs` for the client to resume. */
  detached: [];
  /** A client re-attached within the reclaim window. */
  resumed: [transport: TransportKind];
  /** The session ended for good; roles release what it held (calls, queue places). */
  closed: [reason: SessionCloseReason];
};

function sessionId(): string {
  return `S${randomBytes(12).toString('base64url')}`;
}

/**
 * A client's signalling session, independent of transport. Server frames are numbered
 * (`seq`) and kept until acknowledged, so a client that resumes — over the same or the
 * other transport — receives exactly what it had not yet seen.
 */
export class SignallingSession {
  readonly id = sessionId();
  readonly resumeKey = randomBytes(24).toString('base64url');
  readonly token: VerifiedToken;
  readonly address: string;
  readonly createdAt = Date.now();
  readonly events: TypedEmitter<SessionEvents>;

  readonly #maxBuffered: number;
  #frames: ServerFrame[] = [];
  #nextSeq = 1;
  #acked = 0;
  #transport: SessionTransport | null = null;
  #lastActivity = performance.now();
  #detachedAt: number | null = performance.now();
  #closed = false;

  constructor(
    token: VerifiedToken,
    address: string,
    maxBuffered: number,
    onListenerError: (e: unknown) => void,
  ) {
    this.token = token;
    this.address = address;
    this.#maxBuffered = maxBuffered;
    this.events = new TypedEmitter<SessionEvents>((_e, err) => onListenerError(err));
  }

  get identity(): string {
    return this.token.sub;
  }

  get grants(): VerifiedToken['grants'] {
    return this.token.grants;
  }

  get transport(): SessionTransport | null {
    return this.#transport;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** `performance.now()` of the last frame or keep-alive from the client. */
  get lastActivity(): number {
    return this.#lastActivity;
  }

  /** `performance.now()` when the transport went away, or null while attached. */
  get detachedAt(): number | null {
    return this.#detachedAt;
  }

  get lastSeq(): number {
    return this.#nextSeq - 1;
  }

  /** Frames still waiting for acknowledgement. */
  get buffered(): number {
    return this.#frames.length;
  }

  touch(): void {
    this.#lastActivity = performance.now();
  }

  /** Attaches a transport; a different one already attached is told it was replaced. */
  attach(transport: SessionTransport): void {
    if (this.#closed) return;
    const previous = this.#transport;
    if (previous === transport) return;
    this.#transport = transport;
    const wasDetached = this.#detachedAt !== null;
    this.#detachedAt = null;
    this.touch();
    if (previous) {
      previous.close({
        code: 'SB_ERR_SESSION_REPLACED',
        message: `Session taken over by a ${transport.kind} transport.`,
      });
    } else if (wasDetached && this.#nextSeq > 1) {
      this.events.emit('resumed', transport.kind);
    }
  }

  /** Detaches `transport` if it is the current one; the reclaim window starts. */
  detach(transport: SessionTransport): void {
    if (this.#transport !== transport) return;
    this.#transport = null;
    this.#detachedAt = performance.now();
    if (!this.#closed) this.events.emit('detached');
  }

  /** Frames with `seq > after`, and how many of those were already dropped from the buffer. */
  framesAfter(after: number): { frames: ServerFrame[]; missed: number } {
    const first = this.#frames[0]?.seq ?? this.#nextSeq;
    const missed = Math.max(0, first - after - 1);
    return { frames: this.#frames.filter((f) => f.seq > after), missed };
  }

  /** Forgets frames up to `seq` (the client has processed them). */
  ack(seq: number): void {
    if (seq <= this.#acked) return;
    this.#acked = Math.min(seq, this.lastSeq);
    let drop = 0;
    while (drop < this.#frames.length && this.#frames[drop]!.seq <= this.#acked) drop++;
    if (drop > 0) this.#frames = this.#frames.slice(drop);
  }

  respond(re: string | null, type: string | null, result: unknown): void {
    this.#push({ v: PROTOCOL_VERSION, seq: 0, re, type, result });
  }

  fail(re: string | null, type: string | null, error: ErrorBody): void {
    this.#push({ v: PROTOCOL_VERSION, seq: 0, re, type, error });
  }

  /** Pushes a typed server event to the client. */
  emit<E extends EventType>(event: E, data: EventData<E>): void {
    this.#push({ v: PROTOCOL_VERSION, seq: 0, event, data });
  }

  #push(frame: ServerFrame): void {
    if (this.#closed) return;
    frame.seq = this.#nextSeq++;
    this.#frames.push(frame);
    // A client that never acknowledges must not grow memory without bound: the oldest
    // frames go; a later resume reports them as missed.
    if (this.#frames.length > this.#maxBuffered) this.#frames.shift();
    this.#transport?.deliver();
  }

  /** Ends the session (idempotent): the transport is told, roles get `closed`. */
  close(reason: SessionCloseReason, error: ErrorBody | null = null): void {
    if (this.#closed) return;
    this.#closed = true;
    const transport = this.#transport;
    this.#transport = null;
    transport?.close(error);
    this.events.emit('closed', reason);
    this.events.removeAllListeners();
    this.#frames = [];
  }
}
