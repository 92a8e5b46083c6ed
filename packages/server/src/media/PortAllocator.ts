import { randomInt } from 'node:crypto';
import { SwitchboardError } from '@switchboard/protocol';

/** An inclusive UDP port range. */
export interface PortRange {
  min: number;
  max: number;
}

/** A port handed out by {@link PortAllocator}; `release()` is idempotent. */
export interface PortLease {
  readonly port: number;
  readonly range: string;
  release(): void;
}

/**
 * The one allocator of UDP ports for the whole process: the video gateway, the ACD's
 * audio and the Tester's probe responders all take ports here. Ranges are named and may
 * overlap (ACD 10000–20000 and video 19099–20099 share 19099–20000): a port is one port,
 * whichever range it was taken through, so it is never handed out twice.
 *
 * It only books numbers; binding is the caller's job. When a bind fails (another process
 * holds the port), keep that lease until you give up and take another port, so the same
 * busy port is not offered again meanwhile.
 */
export class PortAllocator {
  readonly #ranges = new Map<string, PortRange>();
  /** port → name of the range it was taken through. */
  readonly #used = new Map<number, string>();
  /** Next port to try per range (round-robin, so a freed port is not reused at once). */
  readonly #cursor = new Map<string, number>();

  constructor(ranges: Record<string, PortRange>) {
    for (const [name, range] of Object.entries(ranges)) {
      if (
        !Number.isInteger(range.min) ||
        !Number.isInteger(range.max) ||
        range.min < 1 ||
        range.max > 65535
      ) {
        throw new RangeError(`port range ${name}: bounds must be integers in 1–65535`);
      }
      if (range.min > range.max)
        throw new RangeError(`port range ${name}: min ${range.min} > max ${range.max}`);
      this.#ranges.set(name, { min: range.min, max: range.max });
      this.#cursor.set(name, range.min);
    }
  }

  /** The configured range names. */
  get rangeNames(): string[] {
    return [...this.#ranges.keys()];
  }

  /** The bounds of a range. */
  range(name: string): PortRange {
    const range = this.#ranges.get(name);
    if (!range) throw new RangeError(`unknown port range ${name}`);
    return { ...range };
  }

  /** Whether `port` is booked (through any range). */
  isInUse(port: number): boolean {
    return this.#used.has(port);
  }

  /** Ports currently booked, through any range. */
  get inUseCount(): number {
    return this.#used.size;
  }

  /** Free ports left in a range (ports booked through an overlapping range count as used). */
  available(name: string): number {
    const { min, max } = this.range(name);
    let used = 0;
    for (const port of this.#used.keys()) if (port >= min && port <= max) used++;
    return max - min + 1 - used;
  }

  /**
   * Books the next free port of a range (round-robin).
   * @throws SwitchboardError SB_ERR_PORTS_EXHAUSTED when every port of the range is booked.
   */
  acquire(name: string): PortLease {
    const { min, max } = this.range(name);
    const size = max - min + 1;
    let candidate = this.#cursor.get(name) ?? min;
    for (let i = 0; i < size; i++) {
      if (candidate > max) candidate = min;
      if (!this.#used.has(candidate)) {
        this.#cursor.set(name, candidate + 1);
        return this.#book(candidate, name);
      }
      candidate++;
    }
    throw new SwitchboardError(
      'SB_ERR_PORTS_EXHAUSTED',
      `UDP port range ${name} (${min}-${max}) is exhausted`,
      {
        range: name,
        min,
        max,
      },
    );
  }

  /**
   * Books a uniformly random free port of a range (the Tester samples ports across a range).
   * @throws SwitchboardError SB_ERR_PORTS_EXHAUSTED when every port of the range is booked.
   */
  acquireRandom(name: string): PortLease {
    const { min, max } = this.range(name);
    const size = max - min + 1;
    // A few random draws, then a scan from a random offset: bounded either way.
    for (let i = 0; i < 16; i++) {
      const port = min + randomInt(size);
      if (!this.#used.has(port)) return this.#book(port, name);
    }
    const start = randomInt(size);
    for (let i = 0; i < size; i++) {
      const port = min + ((start + i) % size);
      if (!this.#used.has(port)) return this.#book(port, name);
    }
    throw new SwitchboardError(
      'SB_ERR_PORTS_EXHAUSTED',
      `UDP port range ${name} (${min}-${max}) is exhausted`,
      {
        range: name,
        min,
        max,
      },
    );
  }

  /**
   * Books one given port of a range.
   * @throws SwitchboardError SB_ERR_PORT_UNAVAILABLE when it is outside the range or booked.
   */
  acquirePort(name: string, port: number): PortLease {
    const { min, max } = this.range(name);
    if (!Number.isInteger(port) || port < min || port > max) {
      throw new SwitchboardError(
        'SB_ERR_PORT_UNAVAILABLE',
        `port ${port} is outside range ${name} (${min}-${max})`,
        {
          range: name,
          port,
        },
      );
    }
    if (this.#used.has(port)) {
      throw new SwitchboardError('SB_ERR_PORT_UNAVAILABLE', `port ${port} is already in use`, {
        range: name,
        port,
      });
    }
    return this.#book(port, name);
  }

  #book(port: number, name: string): PortLease {
    this.#used.set(port, name);
    let released = false;
    return {
      port,
      range: name,
      release: () => {
        if (released) return;
        released = true;
        this.#used.delete(port);
      },
    };
  }
}
