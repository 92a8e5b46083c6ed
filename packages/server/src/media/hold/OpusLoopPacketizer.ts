import type { OpusPacket } from './OggOpusReader.js';

/** One RTP packet's worth of a clip: header fields and the Opus packet as payload. */
export interface RtpAudioFrame {
  sequenceNumber: number;
  timestamp: number;
  /** Set on the first packet only (start of a talkspurt, RFC 3551 §4.1). */
  marker: boolean;
  payload: Buffer;
  /** Samples (48 kHz) this packet lasts: the next timestamp is this one plus `samples`. */
  samples: number;
}

export interface OpusLoopPacketizerOptions {
  /** First sequence number (RFC 3550 §5.1 wants it random). */
  initialSequence?: number;
  /** First RTP timestamp (random too). */
  initialTimestamp?: number;
}

/**
 * Turns a clip's Opus packets into an endless RTP stream (RFC 7587: one Opus packet per RTP
 * packet, 48 kHz clock): the sequence number grows by one per packet and the timestamp by
 * each packet's duration, across the loop point too, so a receiver's jitter buffer sees one
 * continuous stream. No decoding, no transcoding.
 */
export class OpusLoopPacketizer {
  readonly #packets: readonly OpusPacket[];
  #index = 0;
  #sequence: number;
  #timestamp: number;
  #started = false;
  #loops = 0;

  constructor(packets: readonly OpusPacket[], options: OpusLoopPacketizerOptions = {}) {
    if (packets.length === 0) throw new RangeError('a hold clip needs at least one packet');
    this.#packets = packets;
    this.#sequence = (options.initialSequence ?? Math.floor(Math.random() * 0x10000)) & 0xffff;
    this.#timestamp = (options.initialTimestamp ?? Math.floor(Math.random() * 0x1_0000_0000)) >>> 0;
  }

  /** How many times the clip has wrapped around. */
  get loops(): number {
    return this.#loops;
  }

  /** The next packet of the endless stream. */
  next(): RtpAudioFrame {
    const packet = this.#packets[this.#index]!;
    const frame: RtpAudioFrame = {
      sequenceNumber: this.#sequence,
      timestamp: this.#timestamp,
      marker: !this.#started,
      payload: packet.data,
      samples: packet.samples,
    };
    this.#started = true;
    this.#sequence = (this.#sequence + 1) & 0xffff;
    this.#timestamp = (this.#timestamp + packet.samples) >>> 0;
    this.#index++;
    if (this.#index === this.#packets.length) {
      this.#index = 0;
      this.#loops++;
    }
    return frame;
  }
}
