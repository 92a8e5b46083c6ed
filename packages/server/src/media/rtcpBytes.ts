/**
 * RTCP report packets written as bytes (RFC 3550 §6.4, §6.5), for the reports the fast path
 * sends itself: no packet objects, no BigInt beyond the SR's NTP timestamp.
 */

/** One reception report block (RFC 3550 §6.4.1). */
export interface ReportBlock {
  ssrc: number;
  /** Fraction lost since the previous report, in 1/256. */
  fractionLost: number;
  /** Cumulative packets lost (24-bit signed; clamped). */
  packetsLost: number;
  /** Extended highest sequence number received (cycles · 2^16 + highest). */
  highestSequence: number;
  /** Interarrival jitter in timestamp units. */
  jitter: number;
  /** Middle 32 bits of the NTP timestamp of the last SR received from this source, or 0. */
  lsr: number;
  /** Delay since that SR in 1/65536 s, or 0. */
  dlsr: number;
}

/** Sender information of an SR (RFC 3550 §6.4.1). */
export interface SenderInfo {
  ssrc: number;
  /** 64-bit NTP timestamp (RFC 5905) of the instant `rtpTimestamp` refers to. */
  ntp: bigint;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
}

/** Most report blocks one SR or RR carries (5-bit count). */
export const MAX_REPORT_BLOCKS = 31;

const SR = 200;
const RR = 201;
const SDES = 202;
const SDES_CNAME = 1;

/** Middle 32 bits of a 64-bit NTP timestamp: the LSR field of a report block. */
export function compactNtp(ntp: bigint): number {
  return Number((ntp >> 16n) & 0xffffffffn);
}

/** An SR without report blocks: 28 bytes. */
export function writeSenderReport(info: SenderInfo): Buffer {
  const out = Buffer.allocUnsafe(28);
  out[0] = 0x80;
  out[1] = SR;
  out.writeUInt16BE(6, 2);
  out.writeUInt32BE(info.ssrc >>> 0, 4);
  out.writeUInt32BE(Number((info.ntp >> 32n) & 0xffffffffn), 8);
  out.writeUInt32BE(Number(info.ntp & 0xffffffffn), 12);
  out.writeUInt32BE(info.rtpTimestamp >>> 0, 16);
  out.writeUInt32BE(info.packetCount >>> 0, 20);
  out.writeUInt32BE(info.octetCount >>> 0, 24);
  return out;
}

/** An RR from `ssrc` with up to {@link MAX_REPORT_BLOCKS} blocks (the caller splits more). */
export function writeReceiverReport(ssrc: number, blocks: readonly ReportBlock[]): Buffer {
  if (blocks.length > MAX_REPORT_BLOCKS) throw new RangeError(`at most ${MAX_REPORT_BLOCKS} report blocks`);
  const out = Buffer.allocUnsafe(8 + 24 * blocks.length);
  out[0] = 0x80 | blocks.length;
  out[1] = RR;
  out.writeUInt16BE(1 + 6 * blocks.length, 2);
  out.writeUInt32BE(ssrc >>> 0, 4);
  let at = 8;
  for (const b of blocks) {
    out.writeUInt32BE(b.ssrc >>> 0, at);
    out[at + 4] = Math.max(0, Math.min(255, b.fractionLost | 0));
    // 24-bit two's complement, clamped (RFC 3550 §6.4.1).
    const lost = Math.max(-0x800000, Math.min(0x7fffff, Math.trunc(b.packetsLost)));
    out.writeUIntBE(lost & 0xffffff, at + 5, 3);
    out.writeUInt32BE(b.highestSequence >>> 0, at + 8);
    out.writeUInt32BE(Math.max(0, Math.trunc(b.jitter)) >>> 0, at + 12);
    out.writeUInt32BE(b.lsr >>> 0, at + 16);
    out.writeUInt32BE(Math.max(0, Math.trunc(b.dlsr)) >>> 0, at + 20);
    at += 24;
  }
  return out;
}

/** An SDES packet with one CNAME chunk per source (RFC 3550 §6.5). */
export function writeSdesCnames(chunks: readonly { ssrc: number; cname: string }[]): Buffer {
  const parts = chunks.map(({ ssrc, cname }) => {
    const text = Buffer.from(cname, 'utf8').subarray(0, 255);
    // SSRC, item (type, length, text), then 1–4 zero bytes ending the item list on a word.
    const length = 4 + 2 + text.length;
    const chunk = Buffer.alloc((length + 4) & ~3);
    chunk.writeUInt32BE(ssrc >>> 0, 0);
    chunk[4] = SDES_CNAME;
    chunk[5] = text.length;
    text.copy(chunk, 6);
    return chunk;
  });
  const body = Buffer.concat(parts);
  const out = Buffer.allocUnsafe(4 + body.length);
  out[0] = 0x80 | chunks.length;
  out[1] = SDES;
  out.writeUInt16BE(body.length / 4, 2);
  body.copy(out, 4);
  return out;
}
