import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { bytesToIp, ipToBytes, type TransportAddress } from './address.js';
import { FINGERPRINT_XOR, HEADER_BYTES, MAGIC_COOKIE, StunAttr, type StunClass } from './constants.js';
import { StunError } from './StunError.js';

/** One attribute as it appears on the wire (value without padding). */
export interface StunAttribute {
  type: number;
  value: Buffer;
}

/** A STUN message: method, class, 96-bit transaction ID and attributes in wire order. */
export interface StunMessage {
  method: number;
  cls: StunClass;
  transactionId: Buffer;
  attributes: StunAttribute[];
}

/** A decoded message that remembers its bytes, so integrity can be checked afterwards. */
export interface DecodedStunMessage extends StunMessage {
  raw: Buffer;
}

/** Options for {@link encodeStunMessage}. */
export interface EncodeOptions {
  /** HMAC-SHA1 key: for long-term credentials MD5(username:realm:password) ({@link longTermKey}). */
  integrityKey?: Buffer | undefined;
  /** Append FINGERPRINT (CRC-32) last. */
  fingerprint?: boolean | undefined;
}

const CLASS_BITS: Record<StunClass, number> = {
  request: 0x0000,
  indication: 0x0010,
  success: 0x0100,
  error: 0x0110,
};

/** Interleaves the 12 method bits with the two class bits (RFC 5389 §6). */
export function messageType(method: number, cls: StunClass): number {
  return (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) | CLASS_BITS[cls];
}

function splitType(type: number): { method: number; cls: StunClass } {
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
  const c = type & 0x0110;
  const cls: StunClass =
    c === 0 ? 'request' : c === 0x0010 ? 'indication' : c === 0x0100 ? 'success' : 'error';
  return { method, cls };
}

/** A fresh random 96-bit transaction ID. */
export function newTransactionId(): Buffer {
  return randomBytes(12);
}

/** The long-term credential key (RFC 5389 §15.4): MD5(username ":" realm ":" password). */
export function longTermKey(username: string, realm: string, password: string): Buffer {
  // MD5 is what the RFC mandates here; it is a key derivation, not a password store.
  return createHash('md5').update(`${username}:${realm}:${password}`, 'utf8').digest();
}

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32 (ISO 3309, as zlib), unsigned. */
export function crc32(buf: Buffer): number {
  let c = -1;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function attributeBytes(type: number, value: Buffer): Buffer {
  const out = Buffer.alloc(4 + pad4(value.length));
  out.writeUInt16BE(type, 0);
  out.writeUInt16BE(value.length, 2);
  value.copy(out, 4);
  return out;
}

/**
 * Encodes a message. MESSAGE-INTEGRITY (when a key is given) and FINGERPRINT (when asked)
 * are computed and appended in the order RFC 5389 §15.4/§15.5 requires; any such
 * attributes already in `attributes` are dropped.
 */
export function encodeStunMessage(msg: StunMessage, options: EncodeOptions = {}): Buffer {
  if (msg.transactionId.length !== 12) throw new StunError('state', 'transaction ID must be 12 bytes');
  const body = msg.attributes
    .filter((a) => a.type !== StunAttr.MessageIntegrity && a.type !== StunAttr.Fingerprint)
    .map((a) => attributeBytes(a.type, a.value));
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16BE(messageType(msg.method, msg.cls), 0);
  header.writeUInt32BE(MAGIC_COOKIE, 4);
  msg.transactionId.copy(header, 8);
  let out = Buffer.concat([header, ...body]);
  if (options.integrityKey) {
    // The length must already count the MESSAGE-INTEGRITY attribute when the HMAC is taken.
    out.writeUInt16BE(out.length - HEADER_BYTES + 24, 2);
    const mac = createHmac('sha1', options.integrityKey).update(out).digest();
    out = Buffer.concat([out, attributeBytes(StunAttr.MessageIntegrity, mac)]);
  }
  if (options.fingerprint) {
    out.writeUInt16BE(out.length - HEADER_BYTES + 8, 2);
    const fp = Buffer.alloc(4);
    fp.writeUInt32BE((crc32(out) ^ FINGERPRINT_XOR) >>> 0, 0);
    out = Buffer.concat([out, attributeBytes(StunAttr.Fingerprint, fp)]);
  }
  out.writeUInt16BE(out.length - HEADER_BYTES, 2);
  return out;
}

/** True when the first bytes look like a STUN message (top bits 00 and the magic cookie). */
export function isStunMessage(buf: Buffer): boolean {
  return buf.length >= HEADER_BYTES && (buf[0]! & 0xc0) === 0 && buf.readUInt32BE(4) === MAGIC_COOKIE;
}

/** Decodes one complete STUN message; throws `StunError('decode')` on malformed input. */
export function decodeStunMessage(buf: Buffer): DecodedStunMessage {
  if (!isStunMessage(buf)) throw new StunError('decode', 'not a STUN message');
  const length = buf.readUInt16BE(2);
  if (length % 4 !== 0 || HEADER_BYTES + length !== buf.length) {
    throw new StunError('decode', `STUN length ${length} does not match ${buf.length - HEADER_BYTES} bytes`);
  }
  const attributes: StunAttribute[] = [];
  let off = HEADER_BYTES;
  while (off < buf.length) {
    if (off + 4 > buf.length) throw new StunError('decode', 'truncated attribute header');
    const type = buf.readUInt16BE(off);
    const len = buf.readUInt16BE(off + 2);
    if (off + 4 + len > buf.length)
      throw new StunError('decode', `attribute 0x${type.toString(16)} overruns`);
    attributes.push({ type, value: Buffer.from(buf.subarray(off + 4, off + 4 + len)) });
    off += 4 + pad4(len);
  }
  return {
    ...splitType(buf.readUInt16BE(0)),
    transactionId: Buffer.from(buf.subarray(8, 20)),
    attributes,
    raw: buf,
  };
}

function attributeOffset(raw: Buffer, wanted: number): number {
  let off = HEADER_BYTES;
  while (off + 4 <= raw.length) {
    const type = raw.readUInt16BE(off);
    if (type === wanted) return off;
    off += 4 + pad4(raw.readUInt16BE(off + 2));
  }
  return -1;
}

/** Checks MESSAGE-INTEGRITY (HMAC-SHA1) of raw message bytes; false when absent or wrong. */
export function verifyMessageIntegrity(raw: Buffer, key: Buffer): boolean {
  const off = attributeOffset(raw, StunAttr.MessageIntegrity);
  if (off < 0 || off + 24 > raw.length) return false;
  const signed = Buffer.from(raw.subarray(0, off));
  signed.writeUInt16BE(off - HEADER_BYTES + 24, 2);
  const mac = createHmac('sha1', key).update(signed).digest();
  return timingSafeEqual(mac, raw.subarray(off + 4, off + 24));
}

/** Checks FINGERPRINT of raw message bytes; false when absent, not last, or wrong. */
export function verifyFingerprint(raw: Buffer): boolean {
  const off = attributeOffset(raw, StunAttr.Fingerprint);
  if (off < 0 || off + 8 !== raw.length) return false;
  const expected = (crc32(raw.subarray(0, off)) ^ FINGERPRINT_XOR) >>> 0;
  return raw.readUInt32BE(off + 4) === expected;
}

/** First attribute of a type, or undefined. */
export function getAttribute(msg: StunMessage, type: number): Buffer | undefined {
  return msg.attributes.find((a) => a.type === type)?.value;
}

/** Attribute value builders and readers. */
export const attr = {
  string(type: number, text: string): StunAttribute {
    return { type, value: Buffer.from(text, 'utf8') };
  },
  u32(type: number, n: number): StunAttribute {
    const v = Buffer.alloc(4);
    v.writeUInt32BE(n >>> 0, 0);
    return { type, value: v };
  },
  /** REQUESTED-TRANSPORT / REQUESTED-ADDRESS-FAMILY style: first byte, three RFFU bytes. */
  firstByte(type: number, n: number): StunAttribute {
    const v = Buffer.alloc(4);
    v[0] = n;
    return { type, value: v };
  },
  channelNumber(channel: number): StunAttribute {
    const v = Buffer.alloc(4);
    v.writeUInt16BE(channel, 0);
    return { type: StunAttr.ChannelNumber, value: v };
  },
  xorAddress(type: number, address: TransportAddress, transactionId: Buffer): StunAttribute {
    return { type, value: encodeXorAddress(address, transactionId) };
  },
  errorCode(status: number, reason: string): StunAttribute {
    const text = Buffer.from(reason, 'utf8');
    const v = Buffer.alloc(4 + text.length);
    v[2] = Math.floor(status / 100);
    v[3] = status % 100;
    text.copy(v, 4);
    return { type: StunAttr.ErrorCode, value: v };
  },
};

/** XOR-MAPPED-ADDRESS style encoding (RFC 5389 §15.2). */
export function encodeXorAddress(address: TransportAddress, transactionId: Buffer): Buffer {
  const ip = ipToBytes(address.address);
  const v = Buffer.alloc(4 + ip.length);
  v[1] = ip.length === 4 ? 0x01 : 0x02;
  v.writeUInt16BE((address.port ^ (MAGIC_COOKIE >>> 16)) & 0xffff, 2);
  const mask = xorMask(transactionId);
  for (let i = 0; i < ip.length; i++) v[4 + i] = ip[i]! ^ mask[i]!;
  return v;
}

function xorMask(transactionId: Buffer): Buffer {
  const mask = Buffer.alloc(16);
  mask.writeUInt32BE(MAGIC_COOKIE, 0);
  transactionId.copy(mask, 4);
  return mask;
}

/** Decodes an XOR-*-ADDRESS value. */
export function decodeXorAddress(value: Buffer, transactionId: Buffer): TransportAddress {
  const plain = decodeAddress(value);
  const ip = ipToBytes(plain.address);
  const mask = xorMask(transactionId);
  for (let i = 0; i < ip.length; i++) ip[i] = ip[i]! ^ mask[i]!;
  return {
    family: plain.family,
    address: bytesToIp(ip),
    port: (plain.port ^ (MAGIC_COOKIE >>> 16)) & 0xffff,
  };
}

/** Decodes a plain (MAPPED-ADDRESS style) address value. */
export function decodeAddress(value: Buffer): TransportAddress {
  const family = value[1];
  const size = family === 0x01 ? 4 : family === 0x02 ? 16 : 0;
  if (size === 0 || value.length < 4 + size) throw new StunError('decode', 'bad address attribute');
  return {
    family: size === 4 ? 'IPv4' : 'IPv6',
    address: bytesToIp(Buffer.from(value.subarray(4, 4 + size))),
    port: value.readUInt16BE(2),
  };
}

/** Decodes ERROR-CODE into status and reason. */
export function decodeErrorCode(value: Buffer): { status: number; reason: string } {
  if (value.length < 4) throw new StunError('decode', 'bad ERROR-CODE');
  return {
    status: (value[2]! & 0x07) * 100 + value[3]!,
    reason: value.subarray(4).toString('utf8'),
  };
}
