/**
 * RFC 3550 §6.4.1 interarrival jitter, kept in milliseconds.
 *
 * For consecutive packets i, j (in arrival order) D(i,j) = (Rj − Ri) − (Sj − Si), the change of
 * the one-way transit time; J += (|D| − J) / 16. Sender and receiver clocks need not agree: their
 * offset cancels in D. RTP expresses J in timestamp units; we keep milliseconds because the
 * spec's threshold ("jitter < 50 ms") is in milliseconds.
 */
export class JitterEstimator {
  #jitterMs = 0;
  #lastTransitMs: number | undefined;
  #samples = 0;

  /** Feeds one packet: the sender's timestamp and the local arrival time, both in ms. */
  update(sendTimeMs: number, arrivalMs: number): void {
    const transit = arrivalMs - sendTimeMs;
    if (this.#lastTransitMs !== undefined) {
      const d = Math.abs(transit - this.#lastTransitMs);
      this.#jitterMs += (d - this.#jitterMs) / 16;
    }
    this.#lastTransitMs = transit;
    this.#samples += 1;
  }

  /** The current estimate, in ms (0 until two packets have arrived). */
  get jitterMs(): number {
    return this.#jitterMs;
  }

  /** Packets fed so far. */
  get samples(): number {
    return this.#samples;
  }
}
