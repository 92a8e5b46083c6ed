import type { Offer } from './Offer.js';

/**
 * Pending offers by id, plus a bounded memory of closed ones so a late or duplicate accept is
 * answered with the precise reason (expired, rescinded, already accepted) instead of "not found".
 */
export class OfferManager {
  readonly #pending = new Map<string, Offer>();
  readonly #closed = new Map<string, Offer>();
  readonly #memory: number;

  constructor(memory = 100_000) {
    this.#memory = memory;
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  pending(): IterableIterator<Offer> {
    return this.#pending.values();
  }

  add(offer: Offer): void {
    this.#pending.set(offer.id, offer);
  }

  get(id: string): Offer | undefined {
    return this.#pending.get(id) ?? this.#closed.get(id);
  }

  getPending(id: string): Offer | undefined {
    return this.#pending.get(id);
  }

  /** Moves an offer out of the pending set (its state already set by the caller). */
  close(offer: Offer): void {
    this.#pending.delete(offer.id);
    this.#closed.set(offer.id, offer);
    if (this.#closed.size > this.#memory) {
      const oldest = this.#closed.keys().next().value;
      if (oldest !== undefined) this.#closed.delete(oldest);
    }
  }
}
