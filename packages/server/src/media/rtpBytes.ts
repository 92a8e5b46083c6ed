/**
 * RTP header access on Buffers (RFC 3550 §5.1, RFC 8285 one-byte extensions), for the
 * forwarding fast path: no header objects, rewrites in place.
 */

/** Length of the RTP header including CSRCs and the extension block, or -1 when malformed. */
export function rtpHeaderLength(buf: Buffer, length = buf.length): number {
  if (length < 12 || buf[0]! >> 6 !== 2) return -1;
  let n = 12 + 4 * (buf[0]! & 0x0f);
  if (buf[0]! & 0x10) {
    if (n + 4 > length) return -1;
    n += 4 + 4 * buf.readUInt16BE(n + 2);
  }
  return n > length ? -1 : n;
}

/** Offset and end of the one-byte-header extension elements, or undefined (none, or not 0xBEDE). */
export function oneByteExtensions(buf: Buffer): { start: number; end: number } | undefined {
  if (!(buf[0]! & 0x10)) return undefined;
  const at = 12 + 4 * (buf[0]! & 0x0f);
  if (buf.readUInt16BE(at) !== 0xbede) return undefined;
  return { start: at + 4, end: at + 4 + 4 * buf.readUInt16BE(at + 2) };
}

/**
 * Calls `visit(id, dataOffset, dataLength)` for each one-byte extension element
 * (padding skipped, stops at id 15 per RFC 8285 §4.2).
 */
export function forEachExtension(
  buf: Buffer,
  start: number,
  end: number,
  visit: (id: number, offset: number, length: number) => void,
): void {
  let i = start;
  while (i < end) {
    const b = buf[i]!;
    if (b === 0) {
      i++;
      continue;
    }
    const id = b >> 4;
    if (id === 15) return;
    const len = (b & 0x0f) + 1;
    if (i + 1 + len > end) return;
    visit(id, i + 1, len);
    i += 1 + len;
  }
}

/** Reads a one-byte extension's value offset by id, or -1. */
export function findExtension(buf: Buffer, start: number, end: number, wanted: number): number {
  let i = start;
  while (i < end) {
    const b = buf[i]!;
    if (b === 0) {
      i++;
      continue;
    }
    const id = b >> 4;
    if (id === 15) return -1;
    const len = (b & 0x0f) + 1;
    if (id === wanted) return i + 1 <= end - len ? i + 1 : -1;
    i += 1 + len;
  }
  return -1;
}
