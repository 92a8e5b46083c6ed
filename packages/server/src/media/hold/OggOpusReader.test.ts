import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DEFAULT_HOLD_AUDIO_FILE } from './HoldClips.js';
import { OggOpusError, oggCrc, opusPacketSamples, readOggOpus } from './OggOpusReader.js';

/** Builds one Ogg page (RFC 3533) holding `segments` lacing values over `body`. */
function page(opts: {
  serial?: number;
  seq: number;
  flags?: number;
  lacing: number[];
  body: Buffer;
}): Buffer {
  const header = Buffer.alloc(27 + opts.lacing.length);
  header.write('OggS', 0, 'latin1');
  header[4] = 0;
  header[5] = opts.flags ?? 0;
  header.writeBigInt64LE(0n, 6);
  header.writeUInt32LE(opts.serial ?? 7, 14);
  header.writeUInt32LE(opts.seq, 18);
  header[26] = opts.lacing.length;
  opts.lacing.forEach((v, i) => {
    header[27 + i] = v;
  });
  const out = Buffer.concat([header, opts.body]);
  out.writeUInt32LE(oggCrc(out), 22);
  return out;
}

function lacingOf(length: number): number[] {
  const values = new Array<number>(Math.floor(length / 255)).fill(255);
  values.push(length % 255);
  return values;
}

function opusHead(channels = 1): Buffer {
  const b = Buffer.alloc(19);
  b.write('OpusHead', 0, 'latin1');
  b[8] = 1;
  b[9] = channels;
  b.writeUInt16LE(312, 10);
  b.writeUInt32LE(48_000, 12);
  return b;
}

function opusTags(): Buffer {
  const vendor = Buffer.from('test-vendor');
  const b = Buffer.alloc(16 + vendor.length);
  b.write('OpusTags', 0, 'latin1');
  b.writeUInt32LE(vendor.length, 8);
  vendor.copy(b, 12);
  return b;
}

/** A minimal valid file: head, tags, then `packets` on one page (each < 255 bytes unless split). */
function file(packets: Buffer[]): Buffer {
  return Buffer.concat([
    page({ seq: 0, flags: 2, lacing: [19], body: opusHead() }),
    page({ seq: 1, lacing: lacingOf(opusTags().length), body: opusTags() }),
    page({
      seq: 2,
      flags: 4,
      lacing: packets.flatMap((p) => lacingOf(p.length)),
      body: Buffer.concat(packets),
    }),
  ]);
}

/** A CELT-only 20 ms mono packet (config 19, code 0) with `n` bytes of payload. */
const celt20 = (n = 10) => Buffer.concat([Buffer.from([(19 << 3) | 0]), Buffer.alloc(n, 0xaa)]);

function assertReason(fn: () => unknown, reason: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof OggOpusError, `expected OggOpusError, got ${String(err)}`);
    assert.equal(err.reason, reason, err.message);
    return true;
  });
}

describe('opusPacketSamples (RFC 6716 §3.1 TOC)', () => {
  it('reads frame size and count from the TOC byte', () => {
    assert.equal(opusPacketSamples(Buffer.from([(19 << 3) | 0])), 960); // CELT 20 ms, 1 frame
    assert.equal(opusPacketSamples(Buffer.from([(16 << 3) | 0])), 120); // CELT 2.5 ms
    assert.equal(opusPacketSamples(Buffer.from([(1 << 3) | 1])), 1920); // SILK 20 ms, 2 frames
    assert.equal(opusPacketSamples(Buffer.from([(3 << 3) | 2])), 5760); // SILK 60 ms, 2 frames
    assert.equal(opusPacketSamples(Buffer.from([(13 << 3) | 0])), 960); // hybrid 20 ms
    assert.equal(opusPacketSamples(Buffer.from([(12 << 3) | 0])), 480); // hybrid 10 ms
    assert.equal(opusPacketSamples(Buffer.from([(18 << 3) | 3, 5])), 2400); // CELT 10 ms × 5
  });

  it('refuses empty packets, zero frames and packets over 120 ms', () => {
    assertReason(() => opusPacketSamples(Buffer.alloc(0)), 'bad-packet');
    assertReason(() => opusPacketSamples(Buffer.from([(19 << 3) | 3, 0])), 'bad-packet');
    assertReason(() => opusPacketSamples(Buffer.from([(19 << 3) | 3])), 'bad-packet');
    assertReason(() => opusPacketSamples(Buffer.from([(19 << 3) | 3, 7])), 'bad-packet'); // 140 ms
  });
});

describe('readOggOpus', () => {
  it('skips OpusHead and OpusTags and returns the audio packets with their durations', () => {
    const packets = [celt20(5), celt20(6), Buffer.from([(1 << 3) | 1, 1, 2])];
    const stream = readOggOpus(file(packets));
    assert.equal(stream.head.channels, 1);
    assert.equal(stream.head.preSkip, 312);
    assert.equal(stream.vendor, 'test-vendor');
    assert.deepEqual(
      stream.packets.map((p) => p.data),
      packets,
    );
    assert.deepEqual(
      stream.packets.map((p) => p.samples),
      [960, 960, 1920],
    );
    assert.equal(stream.totalSamples, 3840);
  });

  it('reassembles a packet continued across pages (lacing value 255)', () => {
    const big = celt20(600);
    const lacing = lacingOf(big.length); // 255, 255, 101
    const f = Buffer.concat([
      page({ seq: 0, flags: 2, lacing: [19], body: opusHead() }),
      page({ seq: 1, lacing: lacingOf(opusTags().length), body: opusTags() }),
      page({ seq: 2, lacing: lacing.slice(0, 1), body: big.subarray(0, 255) }),
      page({ seq: 3, flags: 1, lacing: lacing.slice(1), body: big.subarray(255) }),
    ]);
    const stream = readOggOpus(f);
    assert.equal(stream.packets.length, 1);
    assert.deepEqual(stream.packets[0]!.data, big);
  });

  it('reads only the first logical stream', () => {
    const other = page({ serial: 99, seq: 0, lacing: [3], body: Buffer.from([1, 2, 3]) });
    const f = file([celt20()]);
    const stream = readOggOpus(Buffer.concat([f, other]));
    assert.equal(stream.packets.length, 1);
  });

  it('reads the shipped hold clip: mono 48 kHz, 20 ms packets, 10–30 s', () => {
    const stream = readOggOpus(readFileSync(DEFAULT_HOLD_AUDIO_FILE));
    assert.equal(stream.head.channels, 1);
    assert.ok(stream.packets.every((p) => p.samples === 960));
    const seconds = stream.totalSamples / 48_000;
    assert.ok(seconds >= 10 && seconds <= 30, `${seconds} s`);
  });

  it('refuses malformed files with a typed error, never a crash', () => {
    const good = file([celt20(), celt20()]);
    assertReason(() => readOggOpus(Buffer.alloc(0)), 'not-ogg');
    assertReason(() => readOggOpus(Buffer.from('RIFF0000WAVEfmt ')), 'truncated');
    assertReason(() => readOggOpus(Buffer.concat([Buffer.from('RIFF'), good])), 'not-ogg');
    assertReason(() => readOggOpus(good.subarray(0, good.length - 3)), 'truncated');
    const flipped = Buffer.from(good);
    flipped[flipped.length - 1]! ^= 0xff;
    assertReason(() => readOggOpus(flipped), 'bad-crc');
    const vorbis = Buffer.concat([
      page({
        seq: 0,
        flags: 2,
        lacing: [19],
        body: Buffer.from('\x01vorbis\0\0\0\0\0\0\0\0\0\0\0\0', 'latin1'),
      }),
    ]);
    assertReason(() => readOggOpus(vorbis), 'not-opus');
    const headOnly = page({ seq: 0, flags: 2, lacing: [19], body: opusHead() });
    assertReason(() => readOggOpus(headOnly), 'no-audio');
    const surround = Buffer.concat([page({ seq: 0, flags: 2, lacing: [19], body: opusHead(6) })]);
    assertReason(() => readOggOpus(surround), 'bad-opus-head');
    assertReason(() => readOggOpus(file([Buffer.from([(19 << 3) | 3, 0])])), 'bad-packet');
    assertReason(() => readOggOpus(file([])), 'no-audio');
  });

  it('never throws anything but OggOpusError on random corruption (bounded fuzz)', () => {
    const good = readFileSync(DEFAULT_HOLD_AUDIO_FILE).subarray(0, 4000);
    let seed = 42;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let i = 0; i < 300; i++) {
      const mangled = Buffer.from(good.subarray(0, Math.floor(rnd() * good.length)));
      for (let k = 0; k < 3; k++) mangled[Math.floor(rnd() * mangled.length)] = Math.floor(rnd() * 256);
      try {
        readOggOpus(mangled);
      } catch (err) {
        assert.ok(err instanceof OggOpusError, `iteration ${i}: ${String(err)}`);
      }
    }
  });
});
