import type { PortLease, PortRange, ProbePortSource } from './PortSource.js';

/**
 * A stand-alone {@link ProbePortSource} for tests and for a probe-only node: a set of ports in
 * use, random choice by rejection sampling (bounded), then a linear scan.
 */
export class SimplePortSource implements ProbePortSource {
  readonly #inUse = new Set<number>();
  readonly #random: () => number;

  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  #lease(port: number): PortLease {
    this.#inUse.add(port);
    let released = false;
    return {
      port,
      release: () => {
        if (released) return;
        released = true;
        this.#inUse.delete(port);
      },
    };
  }

  acquireSpecific(_range: PortRange, port: number): PortLease | undefined {
    return this.#inUse.has(port) ? undefined : this.#lease(port);
  }

  acquireRandom(range: PortRange): PortLease | undefined {
    const size = range.max - range.min + 1;
    for (let i = 0; i < 32; i++) {
      const port = range.min + Math.floor(this.#random() * size);
      if (!this.#inUse.has(port)) return this.#lease(port);
    }
    for (let port = range.min; port <= range.max; port++) {
      if (!this.#inUse.has(port)) return this.#lease(port);
    }
    return undefined;
  }

  /** Ports currently leased (tests check that sessions give them back). */
  get inUse(): number {
    return this.#inUse.size;
  }
}
