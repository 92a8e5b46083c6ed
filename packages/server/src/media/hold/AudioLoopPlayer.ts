import type { OpusLoopPacketizer, RtpAudioFrame } from './OpusLoopPacketizer.js';

export interface AudioLoopPlayerOptions {
  /** Monotonic milliseconds (tests pass a fake). */
  now?: () => number;
  /**
   * After a stall (event loop blocked) longer than this, the player skips ahead instead of
   * bursting the backlog: a burst would only overflow the receiver's jitter buffer.
   */
  maxLagMs?: number;
}

/** The sample clock of RTP Opus (RFC 7587 §4.1), whatever the input rate was. */
const OPUS_RTP_CLOCK_KHZ = 48;

/**
 * Paces a packetizer in real time: each packet leaves when its media time is due, measured
 * from the start on a monotonic clock (no drift from timer jitter: a late timer sends what
 * is due and sleeps until the next packet's due time).
 */
export class AudioLoopPlayer {
  readonly #packetizer: OpusLoopPacketizer;
  readonly #sink: (frame: RtpAudioFrame) => void;
  readonly #now: () => number;
  readonly #maxLagMs: number;
  #startAt = 0;
  #mediaMs = 0;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #sent = 0;
  #skips = 0;

  constructor(
    packetizer: OpusLoopPacketizer,
    sink: (frame: RtpAudioFrame) => void,
    options: AudioLoopPlayerOptions = {},
  ) {
    this.#packetizer = packetizer;
    this.#sink = sink;
    this.#now = options.now ?? (() => performance.now());
    this.#maxLagMs = options.maxLagMs ?? 200;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Packets sent so far, and how often the player skipped ahead after a stall. */
  get counters(): { sent: number; skips: number } {
    return { sent: this.#sent, skips: this.#skips };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#startAt = this.#now();
    this.#mediaMs = 0;
    this.tick();
  }

  /** Stops sending. Idempotent. */
  stop(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Sends every packet that is due; schedules the next. (Public for fake-clock tests.) */
  tick(): void {
    if (!this.#running) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const elapsed = this.#now() - this.#startAt;
    if (elapsed - this.#mediaMs > this.#maxLagMs) {
      // Resynchronise: the stream's timestamps stay continuous; only wall time is skipped.
      this.#startAt += elapsed - this.#mediaMs;
      this.#skips++;
    }
    while (this.#running && this.#mediaMs <= this.#now() - this.#startAt) {
      const frame = this.#packetizer.next();
      this.#mediaMs += frame.samples / OPUS_RTP_CLOCK_KHZ;
      this.#sent++;
      try {
        this.#sink(frame);
      } catch {
        // A failing sink (subscriber gone mid-send) must not stop the clock for the others.
      }
    }
    if (!this.#running) return;
    const wait = Math.max(0, this.#startAt + this.#mediaMs - this.#now());
    this.#timer = setTimeout(() => this.tick(), wait);
    this.#timer.unref();
  }
}
