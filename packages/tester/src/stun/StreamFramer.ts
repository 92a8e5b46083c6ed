import { HEADER_BYTES } from './constants.js';
import { StunError } from './StunError.js';

/** Largest frame accepted from a stream (a STUN length field cannot exceed 65535 + header). */
const MAX_FRAME = HEADER_BYTES + 0xffff;

/**
 * Splits a TCP/TLS byte stream into STUN messages and ChannelData frames
 * (RFC 8656 §12.5 / RFC 5766 §11.5: over a stream, ChannelData is padded to 4 bytes;
 * STUN messages are self-delimiting by their length field). The first two bits tell
 * them apart: 00 is STUN, 01 is ChannelData.
 */
export class StreamFramer {
  #buffer: Buffer = Buffer.alloc(0);

  /** Feeds bytes; returns every complete frame (unpadded), in order. */
  push(chunk: Buffer): Buffer[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const frames: Buffer[] = [];
    // Each pass consumes one frame or stops, so the loop ends when the buffer does.
    while (this.#buffer.length >= 4) {
      const top = this.#buffer[0]! & 0xc0;
      const length = this.#buffer.readUInt16BE(2);
      let frameBytes: number;
      let wireBytes: number;
      if (top === 0x00) {
        frameBytes = HEADER_BYTES + length;
        wireBytes = frameBytes;
      } else if (top === 0x40) {
        frameBytes = 4 + length;
        wireBytes = (frameBytes + 3) & ~3;
      } else {
        throw new StunError('decode', `stream byte 0x${this.#buffer[0]!.toString(16)} starts no STUN frame`);
      }
      if (wireBytes > MAX_FRAME + 3) throw new StunError('decode', 'frame too large');
      if (this.#buffer.length < wireBytes) break;
      frames.push(Buffer.from(this.#buffer.subarray(0, frameBytes)));
      this.#buffer = this.#buffer.subarray(wireBytes);
    }
    return frames;
  }
}

/** Encodes a ChannelData frame; `stream` pads it to a multiple of 4 (required over TCP/TLS). */
export function encodeChannelData(channel: number, data: Buffer, stream: boolean): Buffer {
  const size = 4 + data.length;
  const out = Buffer.alloc(stream ? (size + 3) & ~3 : size);
  out.writeUInt16BE(channel, 0);
  out.writeUInt16BE(data.length, 2);
  data.copy(out, 4);
  return out;
}

/** Decodes a ChannelData frame (padding tolerated). */
export function decodeChannelData(frame: Buffer): { channel: number; data: Buffer } {
  if (frame.length < 4 || (frame[0]! & 0xc0) !== 0x40) throw new StunError('decode', 'not ChannelData');
  const length = frame.readUInt16BE(2);
  if (4 + length > frame.length) throw new StunError('decode', 'truncated ChannelData');
  return { channel: frame.readUInt16BE(0), data: Buffer.from(frame.subarray(4, 4 + length)) };
}
