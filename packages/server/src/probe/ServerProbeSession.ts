import { randomBytes, randomUUID } from 'node:crypto';
import type { ProbeRangePorts, ProbeSession, ServiceName } from '@switchboard/tester';
import type { PortLease, ProbePortSource } from './PortSource.js';
import { ProbeResponder } from './ProbeResponder.js';

export interface ProbeSessionOptions {
  /** Address the responders bind to (the media bind address). */
  bindHost: string;
  ranges: { service: ServiceName; min: number; max: number }[];
  /** Random ports per range, besides the two edges. */
  randomPorts: number;
  ttlMs: number;
  maxKbps: number;
  maxStreamMs: number;
  ports: ProbePortSource;
  onClose?: (session: ServerProbeSession) => void;
}

/**
 * One Tester's probe session on the server: UDP responders on the edges and random ports of
 * each media range, borrowed from the media port pool and given back when the session closes —
 * at the latest after `ttlMs`.
 */
export class ServerProbeSession {
  readonly id = randomUUID();
  readonly token = randomBytes(8);
  readonly expiresAt: number;
  readonly #responders: ProbeResponder[] = [];
  readonly #leases: PortLease[] = [];
  readonly #ranges: ProbeRangePorts[] = [];
  readonly #timer: NodeJS.Timeout;
  readonly #options: ProbeSessionOptions;
  #closed = false;

  private constructor(options: ProbeSessionOptions) {
    this.#options = options;
    this.expiresAt = Date.now() + options.ttlMs;
    this.#timer = setTimeout(() => this.close(), options.ttlMs);
    this.#timer.unref();
  }

  /** Opens the responders. Ports that cannot be leased or bound are skipped (another is tried). */
  static async open(options: ProbeSessionOptions): Promise<ServerProbeSession> {
    const session = new ServerProbeSession(options);
    try {
      for (const range of options.ranges) {
        const ports: number[] = [];
        const tryLease = async (lease: PortLease | undefined): Promise<boolean> => {
          if (!lease) return false;
          try {
            const responder = await ProbeResponder.open(options.bindHost, lease.port, session.token, options);
            session.#responders.push(responder);
            session.#leases.push(lease);
            ports.push(lease.port);
            return true;
          } catch {
            lease.release();
            return false;
          }
        };
        const named = { name: range.service, min: range.min, max: range.max };
        await tryLease(options.ports.acquireSpecific(named, range.min));
        if (range.max !== range.min) await tryLease(options.ports.acquireSpecific(named, range.max));
        let wanted = Math.min(options.randomPorts, Math.max(0, range.max - range.min - 1));
        // Bounded: a few extra attempts for ports that are leased but cannot be bound.
        for (let attempts = 0; wanted > 0 && attempts < options.randomPorts * 3; attempts++) {
          if (await tryLease(options.ports.acquireRandom(named))) wanted -= 1;
        }
        session.#ranges.push({ service: range.service, min: range.min, max: range.max, ports });
      }
    } catch (err) {
      session.close();
      throw err;
    }
    return session;
  }

  /** The wire description handed to the Tester. */
  describe(): ProbeSession {
    return {
      id: this.id,
      token: this.token.toString('hex'),
      expiresAt: this.expiresAt,
      ranges: this.#ranges.map((r) => ({ ...r, ports: [...r.ports] })),
      maxKbps: this.#options.maxKbps,
      maxStreamMs: this.#options.maxStreamMs,
    };
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Closes every responder and returns its port. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const r of this.#responders) r.close();
    for (const l of this.#leases) l.release();
    this.#options.onClose?.(this);
  }
}
