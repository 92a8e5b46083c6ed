/**
 * Counts what arrived of a numbered stream: unique packets, duplicates and reordering, so
 * loss is `sent − unique` whatever order or how many times packets came.
 */
export class LossCounter {
  readonly #seen = new Set<number>();
  #duplicates = 0;
  #reordered = 0;
  #maxSeq = -1;

  /** Records one arrival of sequence number `seq` (≥ 0). */
  record(seq: number): void {
    if (this.#seen.has(seq)) {
      this.#duplicates += 1;
      return;
    }
    this.#seen.add(seq);
    // A packet older than one already seen arrived late: the network reordered it.
    if (seq < this.#maxSeq) this.#reordered += 1;
    else this.#maxSeq = seq;
  }

  /** Distinct sequence numbers received. */
  get received(): number {
    return this.#seen.size;
  }

  get duplicates(): number {
    return this.#duplicates;
  }

  /** Packets that arrived after a higher sequence number. */
  get reordered(): number {
    return this.#reordered;
  }

  /** Highest sequence number seen, −1 when none. */
  get maxSeq(): number {
    return this.#maxSeq;
  }

  /** Loss in percent (0–100) of `sent` packets; 0 when nothing was sent. */
  lossPercent(sent: number): number {
    if (sent <= 0) return 0;
    const lost = Math.max(0, sent - this.#seen.size);
    return (100 * lost) / sent;
  }
}
