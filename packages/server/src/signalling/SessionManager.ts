import { SwitchboardError } from '@switchboard/protocol';
import type { Logger } from 'pino';
import type { VerifiedToken } from '../auth/TokenService.js';
import { TypedEmitter } from '../events/TypedEmitter.js';
import type { Metrics } from '../observability/metrics.js';
import type { AddressLimiter } from './AddressLimiter.js';
import { SignallingSession } from './SignallingSession.js';

export interface SessionManagerOptions {
  reclaimWindowMs: number;
  idleTimeoutMs: number;
  maxBufferedFrames: number;
  /** How often the expiry sweep runs. */
  sweepIntervalMs?: number;
}

export type SessionManagerEvents = {
  /** A new session authenticated; roles may attach per-session state. */
  opened: [session: SignallingSession];
};

const TOMBSTONE_MS = 10 * 60_000;

/**
 * Owns every signalling session: creation after authentication, resume by id + key,
 * idle detection and expiry after the reclaim window, and draining on shutdown.
 */
export class SessionManager {
  readonly events: TypedEmitter<SessionManagerEvents>;
  readonly #sessions = new Map<string, SignallingSession>();
  /** Ids of sessions that expired recently, so a late resume gets SESSION_EXPIRED, not NOT_FOUND. */
  readonly #expired = new Map<string, number>();
  readonly #options: SessionManagerOptions;
  readonly #limiter: AddressLimiter;
  readonly #log: Logger;
  readonly #metrics: Metrics;
  readonly #sweep: NodeJS.Timeout;
  #draining = false;

  constructor(options: SessionManagerOptions, limiter: AddressLimiter, log: Logger, metrics: Metrics) {
    this.#options = options;
    this.#limiter = limiter;
    this.#log = log;
    this.#metrics = metrics;
    this.events = new TypedEmitter((event, error) =>
      log.error({ err: error, event }, 'session listener threw'),
    );
    this.#sweep = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 1000);
    this.#sweep.unref();
  }

  get size(): number {
    return this.#sessions.size;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** All live sessions (attached or within their reclaim window). */
  all(): IterableIterator<SignallingSession> {
    return this.#sessions.values();
  }

  /** Creates a session for a verified token; refuses while draining or when the address is full. */
  create(token: VerifiedToken, address: string): SignallingSession {
    if (this.#draining) {
      throw new SwitchboardError(
        'SB_ERR_SERVER_DRAINING',
        'The server is shutting down; connect again shortly.',
      );
    }
    if (!this.#limiter.acquire(address)) {
      throw new SwitchboardError('SB_ERR_TOO_MANY_CONNECTIONS', 'Too many sessions from this address.');
    }
    const session = new SignallingSession(token, address, this.#options.maxBufferedFrames, (err) =>
      this.#log.error({ err, sessionId: session.id }, 'session listener threw'),
    );
    this.#sessions.set(session.id, session);
    session.events.on('closed', (reason) => {
      this.#sessions.delete(session.id);
      this.#limiter.release(address);
      this.#metrics.sessions.set(this.#sessions.size);
      if (reason === 'expired') this.#expired.set(session.id, Date.now());
      this.#log.info({ sessionId: session.id, reason }, 'session closed');
    });
    this.#metrics.sessions.set(this.#sessions.size);
    this.#log.info({ sessionId: session.id, identity: token.sub, address }, 'session opened');
    this.events.emit('opened', session);
    return session;
  }

  /**
   * Finds a session by id and resume key (for resume and for every long-poll call).
   * The key is compared in full; a wrong key looks exactly like an unknown id.
   */
  lookup(sessionId: string, resumeKey: string): SignallingSession {
    const session = this.#sessions.get(sessionId);
    if (!session || session.resumeKey !== resumeKey) {
      if (this.#expired.has(sessionId)) {
        throw new SwitchboardError('SB_ERR_SESSION_EXPIRED', 'The session expired: create a new one.');
      }
      throw new SwitchboardError('SB_ERR_SESSION_NOT_FOUND', 'No such session (or wrong resume key).');
    }
    return session;
  }

  /** Closes idle transports and expires sessions whose reclaim window ran out. */
  sweep(now = performance.now()): void {
    for (const session of [...this.#sessions.values()]) {
      const transport = session.transport;
      if (transport && now - session.lastActivity > this.#options.idleTimeoutMs) {
        this.#log.info({ sessionId: session.id, transport: transport.kind }, 'transport idle, detaching');
        session.detach(transport);
        transport.close({ code: 'SB_ERR_IDLE_TIMEOUT', message: 'Nothing received for too long.' });
        this.#metrics.errors.inc({ code: 'SB_ERR_IDLE_TIMEOUT' });
      }
      const detachedAt = session.detachedAt;
      if (detachedAt !== null && now - detachedAt > this.#options.reclaimWindowMs) {
        this.#metrics.sessionsExpired.inc();
        session.close('expired');
      }
    }
    const cutoff = Date.now() - TOMBSTONE_MS;
    for (const [id, at] of this.#expired) if (at < cutoff) this.#expired.delete(id);
  }

  /** Stops taking sessions and tells every client to reconnect elsewhere. */
  drain(reconnectAfterMs: number, reason: string): void {
    this.#draining = true;
    for (const session of this.#sessions.values())
      session.emit('server.draining', { reconnectAfterMs, reason });
  }

  /** Ends every session (shutdown). */
  close(): void {
    clearInterval(this.#sweep);
    for (const session of [...this.#sessions.values()]) {
      session.close('shutdown', { code: 'SB_ERR_SERVER_DRAINING', message: 'The server is shutting down.' });
    }
  }
}
