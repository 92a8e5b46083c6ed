/**
 * Counts live signalling connections and sessions per client address so one address
 * cannot exhaust the server (`signalling.maxConnectionsPerIp`).
 */
export class AddressLimiter {
  readonly #max: number;
  readonly #counts = new Map<string, number>();

  constructor(max: number) {
    this.#max = max;
  }

  /** Reserves a slot for `address`; false when the address is at its limit. */
  acquire(address: string): boolean {
    const count = this.#counts.get(address) ?? 0;
    if (count >= this.#max) return false;
    this.#counts.set(address, count + 1);
    return true;
  }

  release(address: string): void {
    const count = this.#counts.get(address) ?? 0;
    if (count <= 1) this.#counts.delete(address);
    else this.#counts.set(address, count - 1);
  }

  countOf(address: string): number {
    return this.#counts.get(address) ?? 0;
  }
}
