import { type Cipher, createCipheriv, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Payloads up to this many bytes (a full Ethernet MTU) get their keystream from the reused
 * ECB cipher; larger ones (not seen with WebRTC) from a CTR cipher of their own.
 */
const MAX_ECB_PAYLOAD = 1504;

/** Length of the SRTP_AES128_CM_HMAC_SHA1_80 authentication tag. */
export const SRTP_TAG_LENGTH = 10;

/** SRTCP trailer after the (encrypted) packet: E flag + 31-bit index, then the tag. */
export const SRTCP_TRAILER_LENGTH = 4 + SRTP_TAG_LENGTH;

/** RFC 3711 §4.3.2 key derivation labels: SRTP 0–2, SRTCP 3–5 (encryption, auth, salt). */
const SRTP_LABELS = { enc: 0, auth: 1, salt: 2 } as const;
const SRTCP_LABELS = { enc: 3, auth: 4, salt: 5 } as const;

/**
 * SRTP for one direction of one DTLS-SRTP session, profile SRTP_AES128_CM_HMAC_SHA1_80
 * (RFC 3711 §4.1.1, §4.2.1, §4.3.1), on Buffers. Session keys are derived once; per packet
 * only an AES-CTR cipher and an HMAC-SHA1 are created (no BigInt, no header objects).
 * The caller supplies the rollover counter (ROC): inbound from the replay window's index
 * estimate, outbound from its own sequence numbering.
 */
export class SrtpContext {
  readonly #encKey: Buffer;
  readonly #salt: Buffer;
  readonly #authKey: Buffer;
  /** The packet's IV, and a word view of it for filling the counter blocks. */
  readonly #iv32 = new Uint32Array(4);
  readonly #iv = Buffer.from(this.#iv32.buffer);
  readonly #ecb: Cipher;
  /** Counter blocks IV + j (word-aligned: its own ArrayBuffer). */
  readonly #blocks32 = new Uint32Array(MAX_ECB_PAYLOAD / 4);
  readonly #blocks = Buffer.from(this.#blocks32.buffer);
  readonly #roc = Buffer.alloc(4);

  private constructor(encKey: Buffer, salt: Buffer, authKey: Buffer) {
    this.#encKey = encKey;
    this.#salt = salt;
    this.#authKey = authKey;
    // One ECB cipher per context, reused for every packet's keystream (see #cryptInto).
    this.#ecb = createCipheriv('aes-128-ecb', encKey, null);
    this.#ecb.setAutoPadding(false);
  }

  /** SRTP, from the DTLS-exported master key (16 B) and master salt (14 B). */
  static fromMaster(masterKey: Buffer, masterSalt: Buffer): SrtpContext {
    return SrtpContext.#derive(masterKey, masterSalt, SRTP_LABELS);
  }

  /** SRTCP (its own session keys), from the same master key and salt as {@link fromMaster}. */
  static rtcpFromMaster(masterKey: Buffer, masterSalt: Buffer): SrtpContext {
    return SrtpContext.#derive(masterKey, masterSalt, SRTCP_LABELS);
  }

  static #derive(
    masterKey: Buffer,
    masterSalt: Buffer,
    labels: { enc: number; auth: number; salt: number },
  ): SrtpContext {
    return new SrtpContext(
      deriveSessionKey(masterKey, masterSalt, labels.enc, 16),
      deriveSessionKey(masterKey, masterSalt, labels.salt, 14),
      deriveSessionKey(masterKey, masterSalt, labels.auth, 20),
    );
  }

  /** From already derived session keys (test vectors). */
  static fromSessionKeys(encKey: Buffer, salt: Buffer, authKey: Buffer): SrtpContext {
    return new SrtpContext(encKey, salt, authKey);
  }

  /** AES-CM keystream/XOR of `data` for packet `ssrc`/`index` (RFC 3711 §4.1.1). */
  crypt(data: Buffer, ssrc: number, roc: number, seq: number): Buffer {
    const out = Buffer.allocUnsafe(data.length);
    this.#cryptInto(data, out, 0, ssrc, roc, seq);
    return out;
  }

  /**
   * Writes `data` XOR the AES-CM keystream into `out` at `at`. The keystream is E(k, IV + j)
   * from one ECB cipher per context, reused: no cipher object per packet (a CTR cipher per
   * packet measured 2.8 µs at 1100 B, this 2.2 µs; 2.4 vs 1.6 µs at 120 B), and no
   * intermediate buffer to copy from.
   */
  #cryptInto(data: Buffer, out: Buffer, at: number, ssrc: number, roc: number, seq: number): void {
    const iv = this.#iv;
    this.#salt.copy(iv, 0, 0, 14);
    iv[14] = 0;
    iv[15] = 0;
    iv.writeUInt32BE((iv.readUInt32BE(4) ^ ssrc) >>> 0, 4);
    iv.writeUInt32BE((iv.readUInt32BE(8) ^ roc) >>> 0, 8);
    iv.writeUInt16BE(iv.readUInt16BE(12) ^ seq, 12);
    const length = data.length;
    if (length > MAX_ECB_PAYLOAD) {
      createCipheriv('aes-128-ctr', this.#encKey, iv).update(data).copy(out, at);
      return;
    }
    const n = (length + 15) >> 4;
    const iv32 = this.#iv32;
    const w0 = iv32[0]!;
    const w1 = iv32[1]!;
    const w2 = iv32[2]!;
    const w3 = iv32[3]!;
    const blocks32 = this.#blocks32;
    const blocks = this.#blocks;
    for (let b = 0; b < n; b++) {
      // The IV's low 16 bits are zero (salt · 2^16), so block b's counter is just b.
      const w = b << 2;
      blocks32[w] = w0;
      blocks32[w + 1] = w1;
      blocks32[w + 2] = w2;
      blocks32[w + 3] = w3;
      blocks[(b << 4) + 14] = b >> 8;
      blocks[(b << 4) + 15] = b & 0xff;
    }
    const keystream = this.#ecb.update(blocks.subarray(0, n << 4));
    data.copy(out, at);
    const words = length >> 2;
    const start = out.byteOffset + at;
    if ((start & 3) === 0 && (keystream.byteOffset & 3) === 0) {
      const o32 = new Int32Array(out.buffer, start, words);
      const k32 = new Int32Array(keystream.buffer, keystream.byteOffset, words);
      for (let i = 0; i < words; i++) o32[i]! ^= k32[i]!;
      for (let i = words << 2; i < length; i++) out[at + i]! ^= keystream[i]!;
    } else {
      for (let i = 0; i < length; i++) out[at + i]! ^= keystream[i]!;
    }
  }

  #tag(authenticated: Buffer, roc: number): Buffer {
    this.#roc.writeUInt32BE(roc >>> 0, 0);
    return createHmac('sha1', this.#authKey).update(authenticated).update(this.#roc).digest();
  }

  /**
   * Protects a plaintext compound RTCP packet as SRTCP (RFC 3711 §3.4) with index `index`
   * (31 bits, one counter per sending SSRC): header and sender SSRC in clear, the rest
   * encrypted, then E-flag ‖ index and the 80-bit tag over all of it.
   */
  protectRtcp(plain: Buffer, index: number): Buffer {
    const end = plain.length;
    const out = Buffer.allocUnsafe(end + SRTCP_TRAILER_LENGTH);
    plain.copy(out, 0, 0, 8);
    const ssrc = plain.readUInt32BE(4);
    const i = index & 0x7fffffff;
    this.#cryptInto(plain.subarray(8), out, 8, ssrc, i >>> 16, i & 0xffff);
    out.writeUInt32BE((0x80000000 | i) >>> 0, end);
    createHmac('sha1', this.#authKey)
      .update(out.subarray(0, end + 4))
      .digest()
      .copy(out, end + 4, 0, SRTP_TAG_LENGTH);
    return out;
  }

  /**
   * Verifies and, when its E flag is set, decrypts an SRTCP packet: the plaintext compound
   * RTCP packet, or undefined when too short or the tag does not verify. The caller checks
   * the index ({@link srtcpIndexOf}) against its replay window.
   */
  unprotectRtcp(packet: Buffer): Buffer | undefined {
    const end = packet.length - SRTCP_TRAILER_LENGTH;
    if (end < 8) return undefined;
    const tag = createHmac('sha1', this.#authKey)
      .update(packet.subarray(0, end + 4))
      .digest();
    if (!timingSafeEqual(tag.subarray(0, SRTP_TAG_LENGTH), packet.subarray(end + 4))) return undefined;
    const word = packet.readUInt32BE(end);
    const out = Buffer.allocUnsafe(end);
    packet.copy(out, 0, 0, 8);
    if (word & 0x80000000) {
      const i = word & 0x7fffffff;
      const ssrc = packet.readUInt32BE(4);
      this.#cryptInto(packet.subarray(8, end), out, 8, ssrc, i >>> 16, i & 0xffff);
    } else {
      packet.copy(out, 8, 8, end);
    }
    return out;
  }

  /**
   * Protects a plaintext RTP packet whose header is `headerLength` bytes: returns a new
   * buffer header ‖ encrypted payload ‖ 80-bit tag.
   */
  protect(plain: Buffer, headerLength: number, roc: number): Buffer {
    const out = Buffer.allocUnsafe(plain.length + SRTP_TAG_LENGTH);
    plain.copy(out, 0, 0, headerLength);
    const seq = plain.readUInt16BE(2);
    const ssrc = plain.readUInt32BE(8);
    this.#cryptInto(plain.subarray(headerLength), out, headerLength, ssrc, roc, seq);
    const tag = this.#tag(out.subarray(0, plain.length), roc);
    tag.copy(out, plain.length, 0, SRTP_TAG_LENGTH);
    return out;
  }

  /**
   * Verifies and decrypts an SRTP packet: a new plaintext buffer (header ‖ payload), or
   * undefined when the tag does not verify.
   */
  unprotect(packet: Buffer, headerLength: number, roc: number): Buffer | undefined {
    const end = packet.length - SRTP_TAG_LENGTH;
    if (end < headerLength) return undefined;
    const tag = this.#tag(packet.subarray(0, end), roc);
    if (!timingSafeEqual(tag.subarray(0, SRTP_TAG_LENGTH), packet.subarray(end))) return undefined;
    const out = Buffer.allocUnsafe(end);
    packet.copy(out, 0, 0, headerLength);
    const seq = packet.readUInt16BE(2);
    const ssrc = packet.readUInt32BE(8);
    this.#cryptInto(packet.subarray(headerLength, end), out, headerLength, ssrc, roc, seq);
    return out;
  }
}

/** The 31-bit SRTCP index of a protected packet (AES-CM profiles: before the 10-byte tag). */
export function srtcpIndexOf(packet: Buffer): number {
  return packet.readUInt32BE(packet.length - SRTCP_TRAILER_LENGTH) & 0x7fffffff;
}

/** RFC 3711 §4.3.1 key derivation with key_derivation_rate 0 (index DIV kdr = 0). */
export function deriveSessionKey(
  masterKey: Buffer,
  masterSalt: Buffer,
  label: number,
  length: number,
): Buffer {
  const iv = Buffer.alloc(16);
  masterSalt.copy(iv, 0, 0, 14);
  // x = label · 2^48 XOR master_salt, as a 112-bit number: the label lands in byte 7.
  iv[7] = (iv[7] ?? 0) ^ label;
  return createCipheriv('aes-128-ctr', masterKey, iv).update(Buffer.alloc(length));
}
