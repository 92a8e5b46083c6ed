import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findExtension, oneByteExtensions, rtpHeaderLength } from './rtpBytes.js';

describe('rtpBytes', () => {
  // V=2, X=1, CC=1; PT 96; seq 1; ts 2; ssrc 3; one CSRC; 0xBEDE, 2 words:
  // id 1 len 2 (transport-cc 0x0102), id 3 len 1 (audio level 0x7f), padding.
  const packet = Buffer.from([
    0x91, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 9, 0xbe, 0xde, 0, 2, 0x11, 0x01, 0x02, 0x30, 0x7f, 0,
    0, 0, 0xaa, 0xbb,
  ]);

  it('measures a header with CSRCs and a one-byte extension block', () => {
    assert.equal(rtpHeaderLength(packet), 28);
    assert.equal(rtpHeaderLength(Buffer.from([0x80, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3])), 12);
  });

  it('refuses truncated or non-v2 headers', () => {
    assert.equal(rtpHeaderLength(packet.subarray(0, 20)), -1);
    assert.equal(rtpHeaderLength(Buffer.from([0x40, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3])), -1);
  });

  it('finds one-byte extension values by id', () => {
    const ext = oneByteExtensions(packet);
    assert.deepEqual(ext, { start: 20, end: 28 });
    assert.equal(packet.readUInt16BE(findExtension(packet, 20, 28, 1)), 0x0102);
    assert.equal(packet[findExtension(packet, 20, 28, 3)], 0x7f);
    assert.equal(findExtension(packet, 20, 28, 5), -1);
  });
});
