import { type Cipher, createCipheriv, createHmac, timingSafeEqual } from 'node:crypto';

/** Packets up to this many bytes get their keystream from the reused ECB cipher. */
const SMALL_PACKET = 256;

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
  readonly #iv = Buffer.alloc(16);
  readonly #ecb: Cipher;
  readonly #blocks = Buffer.alloc(SMALL_PACKET);
  readonly #roc = Buffer.alloc(4);

  private constructor(encKey: Buffer, salt: Buffer, authKey: Buffer) {
    this.#encKey = encKey;
    this.#salt = salt;
    this.#authKey = authKey;
    // One ECB cipher per context, reused: AES-CM's keystream is E(k, IV + j), so for short
    // packets encrypting the counter blocks with it beats creating a CTR cipher per packet
    // (measured here: 1.4 µs vs 3.9 µs at 120 B; slower than CTR for video-size packets).
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
    const iv = this.#iv;
    this.#salt.copy(iv, 0, 0, 14);
    iv[14] = 0;
    iv[15] = 0;
    iv.writeUInt32BE((iv.readUInt32BE(4) ^ ssrc) >>> 0, 4);
    iv.writeUInt32BE((iv.readUInt32BE(8) ^ roc) >>> 0, 8);
    iv.writeUInt16BE(iv.readUInt16BE(12) ^ seq, 12);
    const length = data.length;
    if (length > SMALL_PACKET) return createCipheriv('aes-128-ctr', this.#encKey, iv).update(data);
    const blocks = this.#blocks;
    const n = (length + 15) >> 4;
    for (let b = 0; b < n; b++) {
      // IV's low 16 bits are zero (salt · 2^16), so block b's counter is just b (< 256 here).
      iv.copy(blocks, b << 4, 0, 15);
      blocks[(b << 4) + 15] = b;
    }
    const keystream = this.#ecb.update(n === blocks.length >> 4 ? blocks : blocks.subarray(0, n << 4));
    const out = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i++) out[i] = data[i]! ^ keystream[i]!;
    return out;
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
    this.crypt(plain.subarray(8), ssrc, i >>> 16, i & 0xffff).copy(out, 8);
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
      this.crypt(packet.subarray(8, end), ssrc, i >>> 16, i & 0xffff).copy(out, 8);
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
    this.crypt(plain.subarray(headerLength), ssrc, roc, seq).copy(out, headerLength);
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
    this.crypt(packet.subarray(headerLength, end), ssrc, roc, seq).copy(out, headerLength);
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
