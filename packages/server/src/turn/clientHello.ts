/** What the demux needs from a TLS ClientHello. */
export interface ClientHelloInfo {
  /** server_name (SNI), lower-cased; undefined when absent. */
  serverName: string | undefined;
  /** ALPN protocol names offered, in order; empty when absent. */
  alpn: string[];
}

/**
 * Bytes still needed before the first TLS record is complete: 0 when `buf` holds it,
 * -1 when `buf` does not start a TLS handshake record.
 */
export function missingHelloBytes(buf: Buffer): number {
  if (buf.length === 0) return 1;
  if (buf[0] !== 0x16) return -1;
  if (buf.length < 5) return 5 - buf.length;
  const need = 5 + buf.readUInt16BE(3);
  return Math.max(0, need - buf.length);
}

/**
 * Parses SNI and ALPN from the first TLS record (a ClientHello). Returns undefined for
 * anything malformed: the caller routes that to its default target, never throws.
 */
export function parseClientHello(buf: Buffer): ClientHelloInfo | undefined {
  try {
    if (buf[0] !== 0x16 || buf.length < 5) return undefined;
    const end = Math.min(buf.length, 5 + buf.readUInt16BE(3));
    let p = 5;
    if (buf[p] !== 0x01) return undefined; // handshake type client_hello
    p += 4; // type + 24-bit length
    p += 2 + 32; // client_version + random
    p += 1 + buf[p]!; // session_id
    p += 2 + buf.readUInt16BE(p); // cipher_suites
    p += 1 + buf[p]!; // compression_methods
    if (p + 2 > end) return { serverName: undefined, alpn: [] };
    const extEnd = Math.min(end, p + 2 + buf.readUInt16BE(p));
    p += 2;
    let serverName: string | undefined;
    const alpn: string[] = [];
    // Each pass advances p by at least 4 bytes, so the loop is bounded by the record.
    while (p + 4 <= extEnd) {
      const type = buf.readUInt16BE(p);
      const len = buf.readUInt16BE(p + 2);
      const data = buf.subarray(p + 4, Math.min(p + 4 + len, extEnd));
      if (type === 0x0000 && data.length >= 5 && data[2] === 0) {
        const nameLen = data.readUInt16BE(3);
        serverName = data
          .subarray(5, 5 + nameLen)
          .toString('ascii')
          .toLowerCase();
      } else if (type === 0x0010 && data.length >= 2) {
        let q = 2;
        while (q < data.length) {
          const l = data[q]!;
          alpn.push(data.subarray(q + 1, q + 1 + l).toString('ascii'));
          q += 1 + l;
        }
      }
      p += 4 + len;
    }
    return { serverName, alpn };
  } catch {
    return undefined;
  }
}
