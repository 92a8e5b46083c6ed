import { type SrtcpTransport, sendSrtcp } from './icePair.js';
import { FMT_TRANSPORT_CC, RTPFB } from './weriftPatches.js';

/**
 * Transport-wide congestion-control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01
 * §3.1) for one DTLS transport: records the arrival time of every transport-cc sequence number
 * the publisher sent on it, and every 100 ms sends one feedback packet with the status (received
 * or not) and receive delta of each, so the publisher's send-side bandwidth estimate adapts.
 *
 * Replaces werift's per-receiver recorder on the fast path. werift's keeps one recorder per
 * m-line although the sequence numbers are transport-wide, so with audio and video bundled each
 * of its reports counts the other m-line's packets as received in its run lengths; it allocates
 * an object per packet and an array of keys per packet, and builds each report from objects.
 */
export class TransportCcRecorder {
  /** Arrival times (µs, performance clock) by sequence number mod the ring size; NaN: none. */
  readonly #arrivals = new Float64Array(RING).fill(Number.NaN);
  readonly #dtls: SrtcpTransport;
  /** Extended (unwrapped) sequence number of the first packet not yet reported, or -1. */
  #base = -1;
  /** Highest extended sequence number seen, or -1. */
  #highest = -1;
  #feedbackCount = 0;
  #senderSsrc = 0;
  #mediaSsrc = 0;
  #timer: NodeJS.Timeout | undefined;
  #sent = 0;

  private constructor(dtls: SrtcpTransport) {
    this.#dtls = dtls;
  }

  /** The recorder of a werift DTLS transport (created on first use). */
  static of(dtlsTransport: object): TransportCcRecorder {
    let recorder = recorders.get(dtlsTransport);
    if (!recorder) {
      recorder = new TransportCcRecorder(dtlsTransport as SrtcpTransport);
      recorders.set(dtlsTransport, recorder);
    }
    return recorder;
  }

  /** Feedback packets sent so far. */
  get sent(): number {
    return this.#sent;
  }

  /**
   * Sets the SSRCs the feedback names: ours as sender (a receiver's RTCP SSRC) and one of the
   * publisher's as media source (receivers ignore it; the numbers are transport-wide).
   */
  setSsrcs(senderSsrc: number, mediaSsrc: number): void {
    if (this.#senderSsrc === 0) {
      this.#senderSsrc = senderSsrc;
      this.#mediaSsrc = mediaSsrc;
    }
  }

  /** Records the arrival of transport-cc sequence number `seq` (16 bit) at `nowUs`. */
  record(seq: number, nowUs = performance.now() * 1000): void {
    let ext: number;
    if (this.#highest < 0) {
      ext = seq;
      this.#base = seq;
    } else {
      // Unwrap against the highest seen (RFC 3550 App. A style, 16-bit distance).
      const delta = ((seq - (this.#highest & 0xffff) + 0x8000) & 0xffff) - 0x8000;
      ext = this.#highest + delta;
      // Already reported, or too old to fit the ring with what is pending: ignore.
      if (ext < this.#base || this.#highest - ext >= RING) return;
    }
    if (ext > this.#highest) {
      // A jump beyond the ring: report what is pending first, then start afresh.
      if (ext - this.#base >= RING) {
        this.flush();
        this.#base = ext;
      }
      for (let s = Math.max(this.#highest + 1, this.#base); s < ext; s++)
        this.#arrivals[s % RING] = Number.NaN;
      this.#highest = ext;
    }
    this.#arrivals[ext % RING] = nowUs;
    if (this.#highest - this.#base + 1 >= FLUSH_AT) this.flush();
    else this.#schedule();
  }

  /**
   * The feedback packet (plain RTCP) for everything pending, and marks it reported; undefined
   * when nothing is pending or nothing of it arrived.
   */
  takeFeedback(): Buffer | undefined {
    if (this.#base < 0 || this.#highest < this.#base) return undefined;
    const base = this.#base;
    const count = this.#highest - base + 1;
    this.#base = this.#highest + 1;
    const arrivals = this.#arrivals;
    let first = -1;
    for (let s = base; s <= this.#highest; s++) {
      if (!Number.isNaN(arrivals[s % RING]!)) {
        first = s;
        break;
      }
    }
    if (first < 0) return undefined;
    // Reference time: 24-bit multiples of 64 ms; deltas (250 µs units) count from it.
    const reference = Math.floor(arrivals[first % RING]! / 64_000);
    let previous = reference * 64_000;
    const statuses = new Uint8Array(count);
    const deltas: number[] = [];
    let deltaBytes = 0;
    for (let i = 0; i < count; i++) {
      const at = arrivals[(base + i) % RING]!;
      if (Number.isNaN(at)) continue;
      let delta = Math.round((at - previous) / 250);
      if (delta >= 0 && delta <= 255) {
        statuses[i] = SMALL_DELTA;
        deltaBytes += 1;
      } else {
        delta = Math.max(-32_768, Math.min(32_767, delta));
        statuses[i] = LARGE_DELTA;
        deltaBytes += 2;
      }
      deltas.push(delta);
      previous += delta * 250;
    }
    const chunks = encodeChunks(statuses);
    const body = 8 + 8 + 2 * chunks.length + deltaBytes;
    const length = (body + 3) & ~3;
    const out = Buffer.alloc(4 + length);
    out[0] = 0x80 | FMT_TRANSPORT_CC;
    out[1] = RTPFB;
    out.writeUInt16BE((4 + length) / 4 - 1, 2);
    out.writeUInt32BE(this.#senderSsrc >>> 0, 4);
    out.writeUInt32BE(this.#mediaSsrc >>> 0, 8);
    out.writeUInt16BE(base & 0xffff, 12);
    out.writeUInt16BE(count, 14);
    out.writeUIntBE(reference & 0xffffff, 16, 3);
    out[19] = this.#feedbackCount;
    this.#feedbackCount = (this.#feedbackCount + 1) & 0xff;
    let at = 20;
    for (const chunk of chunks) {
      out.writeUInt16BE(chunk, at);
      at += 2;
    }
    for (let i = 0, d = 0; i < count; i++) {
      if (statuses[i] === SMALL_DELTA) out[at++] = deltas[d++]!;
      else if (statuses[i] === LARGE_DELTA) {
        out.writeInt16BE(deltas[d++]!, at);
        at += 2;
      }
    }
    return out;
  }

  /** Sends the pending feedback now (protected as SRTCP on the transport's nominated pair). */
  flush(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const plain = this.takeFeedback();
    if (plain && sendSrtcp(this.#dtls, plain)) this.#sent++;
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.flush();
    }, INTERVAL_MS);
    this.#timer.unref();
  }
}

const recorders = new WeakMap<object, TransportCcRecorder>();

/** Sequence numbers kept: far more than 100 ms of any call's packets. */
const RING = 4096;
/** A report at least this often… */
const INTERVAL_MS = 100;
/** …and at once when this many sequence numbers are pending (keeps reports under the MTU). */
const FLUSH_AT = 200;

const NOT_RECEIVED = 0;
const SMALL_DELTA = 1;
const LARGE_DELTA = 2;

/**
 * Packet status chunks (§3.1.1–3.1.4): a run-length chunk for a run of 7 or more equal
 * statuses, else a status vector chunk of seven 2-bit symbols (the spare symbols of the last
 * one are "not received", beyond the status count, and ignored by the reader).
 */
export function encodeChunks(statuses: Uint8Array): number[] {
  const chunks: number[] = [];
  let i = 0;
  while (i < statuses.length) {
    const status = statuses[i]!;
    let run = 1;
    while (i + run < statuses.length && statuses[i + run] === status && run < 0x1fff) run++;
    if (run >= 7) {
      chunks.push((status << 13) | run);
      i += run;
      continue;
    }
    let chunk = 0xc000;
    for (let k = 0; k < 7; k++) {
      const s = i + k < statuses.length ? statuses[i + k]! : NOT_RECEIVED;
      chunk |= s << (2 * (6 - k));
    }
    chunks.push(chunk);
    i += 7;
  }
  return chunks;
}
