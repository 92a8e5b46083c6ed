/**
 * The UDP probe wire format, shared by the Tester and the server's responders.
 *
 * Every datagram starts with a 28-byte header (big-endian):
 *   0  u16 magic 0x5342 ("SB")     2 u8 version (1)     3 u8 type
 *   4  8 bytes session token
 *   12 u32 stream id                16 u32 sequence number
 *   20 f64 sender time, ms (the sender's own monotonic clock; only differences matter)
 * followed by a type-specific body. Uplink and downlink are separate streams: the server
 * measures what it received of an uplink stream and reports it; for the downlink it sends a
 * paced stream the client measures itself.
 *
 * Anti-reflection: a response is never larger than the request that caused it, except the
 * downlink stream, which is only started for a valid session token.
 */
export const PROBE_MAGIC = 0x5342;
export const PROBE_VERSION = 1;
export const HEADER_BYTES = 28;
/** Largest datagram we send: stays below a 1280-byte IPv6 minimum MTU with headers. */
export const MAX_DATAGRAM_BYTES = 1200;

export const MessageType = {
  /** Client → server: echo me (reachability, RTT). Padded to ECHO_REPLY's size. */
  EchoRequest: 1,
  /** Server → client: header copied from the request + server receive time. */
  EchoReply: 2,
  /**
   * Client → server: one packet of an uplink stream (padded to the stream's packet size).
   * Body byte 0 asks for an UpAck every N packets (1: each; 0: none — a bandwidth ramp keeps
   * its own acks off the opposite direction).
   */
  UpData: 3,
  /** Server → client: acknowledges an UpData (header copied + server receive time) for RTT. */
  UpAck: 4,
  /** Client → server: what did you receive of stream N? Padded to REPORT's size. */
  ReportRequest: 5,
  /** Server → client: the uplink stream's receive statistics. */
  Report: 6,
  /** Client → server: send me a paced downlink stream. */
  DownRequest: 7,
  /** Server → client: one packet of a downlink stream. */
  DownData: 8,
} as const;
export type MessageTypeValue = (typeof MessageType)[keyof typeof MessageType];

export interface ProbeHeader {
  type: MessageTypeValue;
  /** 8 bytes. */
  token: Uint8Array;
  streamId: number;
  seq: number;
  sendTimeMs: number;
}

/** Receive statistics of an uplink stream, as measured by the server. */
export interface UplinkReport {
  received: number;
  duplicates: number;
  reordered: number;
  /** Payload bytes received (unique packets). */
  bytes: number;
  /** RFC 3550 jitter at the end of the stream, ms. */
  jitterMs: number;
  /** Receive rate between first and last arrival, kbps (0 with fewer than 2 packets). */
  deliveredKbps: number;
  /** Median transit of the last fifth minus the first fifth, ms: queueing growth. */
  delayTrendMs: number;
}

/** Body of a DownRequest: the paced stream the client asks for. */
export interface DownRequestBody {
  intervalMs: number;
  packetBytes: number;
  packetsPerTick: number;
  ticks: number;
}

export const ECHO_REPLY_BYTES = HEADER_BYTES + 8;
export const REPORT_BYTES = HEADER_BYTES + 4 * 4 + 8 * 3;
export const DOWN_REQUEST_BYTES = HEADER_BYTES + 2 * 3 + 4;

/** Smallest packet a stream may use (header + the receive-time slot of an ack). */
export const MIN_STREAM_PACKET_BYTES = ECHO_REPLY_BYTES;

/** Token from its hex form (16 hex digits). */
export function tokenFromHex(hex: string): Uint8Array {
  if (!/^[0-9a-f]{16}$/i.test(hex)) throw new RangeError('a probe token is 16 hex digits');
  const out = new Uint8Array(8);
  for (let i = 0; i < 8; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function tokenToHex(token: Uint8Array): string {
  return Array.from(token, (b) => b.toString(16).padStart(2, '0')).join('');
}

function view(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Encodes a header into a new buffer of `totalBytes` (zero padding after the body). */
export function encodeHeader(h: ProbeHeader, totalBytes: number): Uint8Array {
  const buf = new Uint8Array(Math.max(HEADER_BYTES, totalBytes));
  const v = view(buf);
  v.setUint16(0, PROBE_MAGIC);
  v.setUint8(2, PROBE_VERSION);
  v.setUint8(3, h.type);
  buf.set(h.token.subarray(0, 8), 4);
  v.setUint32(12, h.streamId >>> 0);
  v.setUint32(16, h.seq >>> 0);
  v.setFloat64(20, h.sendTimeMs);
  return buf;
}

/** Decodes the header, or undefined when the datagram is not a probe packet. */
export function decodeHeader(buf: Uint8Array): ProbeHeader | undefined {
  if (buf.byteLength < HEADER_BYTES) return undefined;
  const v = view(buf);
  if (v.getUint16(0) !== PROBE_MAGIC || v.getUint8(2) !== PROBE_VERSION) return undefined;
  const type = v.getUint8(3);
  if (type < MessageType.EchoRequest || type > MessageType.DownData) return undefined;
  return {
    type: type as MessageTypeValue,
    token: buf.slice(4, 12),
    streamId: v.getUint32(12),
    seq: v.getUint32(16),
    sendTimeMs: v.getFloat64(20),
  };
}

/** True when the datagram carries exactly this token (constant-time over 8 bytes). */
export function hasToken(buf: Uint8Array, token: Uint8Array): boolean {
  if (buf.byteLength < HEADER_BYTES) return false;
  let diff = 0;
  for (let i = 0; i < 8; i++) diff |= (buf[4 + i] ?? 0) ^ (token[i] ?? 0);
  return diff === 0;
}

/** Builds an echo reply / up-ack: the request's header with `type` changed, plus receive time. */
export function encodeReply(request: ProbeHeader, type: MessageTypeValue, receiveTimeMs: number): Uint8Array {
  const buf = encodeHeader({ ...request, type }, ECHO_REPLY_BYTES);
  view(buf).setFloat64(HEADER_BYTES, receiveTimeMs);
  return buf;
}

/** The server receive time carried by an EchoReply / UpAck. */
export function decodeReplyTime(buf: Uint8Array): number | undefined {
  if (buf.byteLength < ECHO_REPLY_BYTES) return undefined;
  return view(buf).getFloat64(HEADER_BYTES);
}

export function encodeReport(request: ProbeHeader, r: UplinkReport): Uint8Array {
  const buf = encodeHeader({ ...request, type: MessageType.Report }, REPORT_BYTES);
  const v = view(buf);
  let o = HEADER_BYTES;
  for (const n of [r.received, r.duplicates, r.reordered, r.bytes]) {
    v.setUint32(o, Math.min(n, 0xffffffff) >>> 0);
    o += 4;
  }
  for (const n of [r.jitterMs, r.deliveredKbps, r.delayTrendMs]) {
    v.setFloat64(o, n);
    o += 8;
  }
  return buf;
}

export function decodeReport(buf: Uint8Array): UplinkReport | undefined {
  if (buf.byteLength < REPORT_BYTES) return undefined;
  const v = view(buf);
  const o = HEADER_BYTES;
  return {
    received: v.getUint32(o),
    duplicates: v.getUint32(o + 4),
    reordered: v.getUint32(o + 8),
    bytes: v.getUint32(o + 12),
    jitterMs: v.getFloat64(o + 16),
    deliveredKbps: v.getFloat64(o + 24),
    delayTrendMs: v.getFloat64(o + 32),
  };
}

export function encodeDownRequest(h: ProbeHeader, body: DownRequestBody): Uint8Array {
  const buf = encodeHeader({ ...h, type: MessageType.DownRequest }, DOWN_REQUEST_BYTES);
  const v = view(buf);
  v.setUint16(HEADER_BYTES, body.intervalMs);
  v.setUint16(HEADER_BYTES + 2, body.packetBytes);
  v.setUint16(HEADER_BYTES + 4, body.packetsPerTick);
  v.setUint32(HEADER_BYTES + 6, body.ticks);
  return buf;
}

export function decodeDownRequest(buf: Uint8Array): DownRequestBody | undefined {
  if (buf.byteLength < DOWN_REQUEST_BYTES) return undefined;
  const v = view(buf);
  return {
    intervalMs: v.getUint16(HEADER_BYTES),
    packetBytes: v.getUint16(HEADER_BYTES + 2),
    packetsPerTick: v.getUint16(HEADER_BYTES + 4),
    ticks: v.getUint32(HEADER_BYTES + 6),
  };
}

/**
 * Splits a rate into packets every `intervalMs`: one packet of rate·interval bytes when it
 * fits in a datagram, else several equal packets (the bandwidth ramp's upper steps).
 */
export function pacingFor(
  rateKbps: number,
  intervalMs: number,
): { packetBytes: number; packetsPerTick: number } {
  const bytesPerTick = Math.max(MIN_STREAM_PACKET_BYTES, Math.round((rateKbps * intervalMs) / 8));
  const packetsPerTick = Math.ceil(bytesPerTick / MAX_DATAGRAM_BYTES);
  return {
    packetBytes: Math.max(MIN_STREAM_PACKET_BYTES, Math.round(bytesPerTick / packetsPerTick)),
    packetsPerTick,
  };
}

/** The ack divisor of an UpData packet (see {@link MessageType.UpData}). */
export function upDataAckEvery(buf: Uint8Array): number {
  return buf.byteLength > HEADER_BYTES ? (buf[HEADER_BYTES] ?? 1) : 1;
}
