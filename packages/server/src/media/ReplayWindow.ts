/**
 * SRTP/SRTCP replay protection (RFC 3711 §3.3.2). werift 0.24 verifies auth tags but keeps
 * no replay list, so a captured packet could be re-injected; this is the list.
 *
 * Indexes are kept as plain numbers: an SRTP index is 48 bits (ROC·2¹⁶ + SEQ) and an SRTCP
 * index 31 bits, both exact in a double, so no BigInt on the per-packet path.
 */
export class ReplayWindow {
  /** Window size in packets (RFC 3711 asks for at least 64). */
  readonly size: number;
  readonly #seen: Uint8Array;
  #highest = -1;

  constructor(size = 128) {
    if (!Number.isInteger(size) || size < 64)
      throw new RangeError('replay window must hold at least 64 packets');
    this.size = size;
    this.#seen = new Uint8Array(size);
  }

  /** Highest index accepted so far, or -1. */
  get highest(): number {
    return this.#highest;
  }

  /** True when `index` is new and not too old: the packet may be authenticated and accepted. */
  check(index: number): boolean {
    if (this.#highest < 0 || index > this.#highest) return true;
    if (this.#highest - index >= this.size) return false;
    return this.#seen[index % this.size] === 0;
  }

  /** Records `index` as received. Call only after the packet authenticated. */
  commit(index: number): void {
    if (this.#highest < 0) {
      this.#highest = index;
      this.#seen[index % this.size] = 1;
      return;
    }
    if (index > this.#highest) {
      // Slots between the old and the new highest now stand for indexes never received.
      const advance = Math.min(index - this.#highest, this.size);
      for (let i = 1; i <= advance; i++) this.#seen[(this.#highest + i) % this.size] = 0;
      this.#highest = index;
    } else if (this.#highest - index >= this.size) {
      return;
    }
    this.#seen[index % this.size] = 1;
  }
}

/**
 * Estimates the 48-bit SRTP packet index of `seq` from the highest index seen
 * (RFC 3711 §3.3.1 and Appendix A): the ROC is the highest's, or one more / one less
 * when `seq` is closer to the other side of a 16-bit wrap.
 */
export function estimateSrtpIndex(highestIndex: number, seq: number): number {
  if (highestIndex < 0) return seq;
  const roc = Math.floor(highestIndex / 65536);
  const sL = highestIndex % 65536;
  let v = roc;
  if (sL < 32768) {
    if (seq - sL > 32768 && roc > 0) v = roc - 1;
  } else if (sL - 32768 > seq) {
    v = roc + 1;
  }
  return v * 65536 + seq;
}

/**
 * Replay state of one inbound SRTP stream (one SSRC): estimates each packet's index and
 * keeps the window.
 */
export class SrtpReplayState {
  readonly window: ReplayWindow;

  constructor(size?: number) {
    this.window = new ReplayWindow(size);
  }

  /** The packet's index, or -1 when it is a replay or older than the window. */
  check(seq: number): number {
    const index = estimateSrtpIndex(this.window.highest, seq);
    return this.window.check(index) ? index : -1;
  }

  commit(index: number): void {
    this.window.commit(index);
  }
}
