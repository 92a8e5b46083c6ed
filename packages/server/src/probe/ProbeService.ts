import { SwitchboardError } from '@switchboard/protocol';
import { type ProbeSession, ServiceNameSchema } from '@switchboard/tester';
import type { ProbePortSource } from './PortSource.js';
import { ServerProbeSession } from './ServerProbeSession.js';

export interface ProbeServiceOptions {
  bindHost: string;
  ranges: { rtc: { min: number; max: number }; acd: { min: number; max: number } };
  ports: ProbePortSource;
  /** Random ports per range besides the edges (default 8). */
  randomPorts?: number;
  /** Session lifetime (default 30 s: a full test takes ≤ 15 s). */
  ttlMs?: number;
  /** Ceiling of any probe stream (default 2000 kbps). */
  maxKbps?: number;
  /** Longest single stream (default 5000 ms). */
  maxStreamMs?: number;
  /** Sessions open at once, all clients (default 4). */
  maxConcurrent?: number;
  /** Sessions one client may open per minute (default 6). */
  maxPerMinute?: number;
  now?: () => number;
}

/**
 * The server side of the Tester (`probe` role): opens and closes probe sessions, at most
 * one per client at a time and a few per minute, because each holds media ports and can
 * emit a downlink stream.
 */
export class ProbeService {
  readonly #o: Required<Omit<ProbeServiceOptions, 'now'>> & { now: () => number };
  readonly #sessions = new Map<string, { session: ServerProbeSession; clientKey: string }>();
  readonly #history = new Map<string, number[]>();
  #closed = false;

  constructor(options: ProbeServiceOptions) {
    this.#o = {
      randomPorts: 8,
      ttlMs: 30_000,
      maxKbps: 2000,
      maxStreamMs: 5000,
      maxConcurrent: 4,
      maxPerMinute: 6,
      now: Date.now,
      ...options,
    };
  }

  /** Limits advertised in the profile. */
  get limits(): { maxKbps: number; maxStreamMs: number } {
    return { maxKbps: this.#o.maxKbps, maxStreamMs: this.#o.maxStreamMs };
  }

  /**
   * Opens a session for an authenticated client (`clientKey`: the token subject or API key).
   * A client's previous session is closed first. Throws `SB_ERR_RATE_LIMITED` (with
   * `retryAfterMs`) when the client or the server is over its limit.
   */
  async open(clientKey: string): Promise<ProbeSession> {
    if (this.#closed) throw new SwitchboardError('SB_ERR_SERVER_DRAINING');
    const now = this.#o.now();
    const recent = (this.#history.get(clientKey) ?? []).filter((t) => now - t < 60_000);
    if (recent.length >= this.#o.maxPerMinute) {
      throw new SwitchboardError('SB_ERR_RATE_LIMITED', 'Too many probe sessions; retry later.', {
        retryAfterMs: 60_000 - (now - recent[0]!),
      });
    }
    for (const [id, entry] of this.#sessions) if (entry.clientKey === clientKey) this.close(id);
    if (this.#sessions.size >= this.#o.maxConcurrent) {
      throw new SwitchboardError(
        'SB_ERR_RATE_LIMITED',
        'The server is running its maximum of probe sessions.',
        {
          retryAfterMs: 5_000,
        },
      );
    }
    recent.push(now);
    this.#history.set(clientKey, recent);
    const session = await ServerProbeSession.open({
      bindHost: this.#o.bindHost,
      ranges: ServiceNameSchema.options.map((service) => ({ service, ...this.#o.ranges[service] })),
      randomPorts: this.#o.randomPorts,
      ttlMs: this.#o.ttlMs,
      maxKbps: this.#o.maxKbps,
      maxStreamMs: this.#o.maxStreamMs,
      ports: this.#o.ports,
      onClose: (s) => this.#sessions.delete(s.id),
    });
    this.#sessions.set(session.id, { session, clientKey });
    return session.describe();
  }

  /** Closes a session; only its owner may. Returns false when there is no such session. */
  close(id: string, clientKey?: string): boolean {
    const entry = this.#sessions.get(id);
    if (!entry || (clientKey !== undefined && entry.clientKey !== clientKey)) return false;
    entry.session.close();
    return true;
  }

  get openSessions(): number {
    return this.#sessions.size;
  }

  /** Closes every session. Idempotent. */
  closeAll(): void {
    for (const { session } of [...this.#sessions.values()]) session.close();
  }

  /** Closes every session and refuses new ones. Idempotent. */
  shutdown(): void {
    this.#closed = true;
    this.closeAll();
  }
}
