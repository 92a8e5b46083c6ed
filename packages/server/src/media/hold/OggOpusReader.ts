/**
 * Reads an Ogg/Opus file (RFC 3533 framing, RFC 7845 encapsulation) into its Opus packets,
 * without decoding them: the hold-audio player sends those packets as RTP payloads as-is.
 * Only the first logical stream is read (chained or multiplexed streams are not hold music).
 */

/** Why a file is not usable Ogg/Opus. */
export type OggOpusErrorReason =
  | 'not-ogg'
  | 'truncated'
  | 'bad-crc'
  | 'bad-version'
  | 'not-opus'
  | 'bad-opus-head'
  | 'bad-packet'
  | 'no-audio';

/** A file that is not usable Ogg/Opus; `reason` says what was wrong, `offset` where. */
export class OggOpusError extends Error {
  readonly reason: OggOpusErrorReason;
  readonly offset: number;
  /** The message without the offset. */
  readonly detail: string;

  constructor(reason: OggOpusErrorReason, detail: string, offset = 0) {
    super(`${detail} (at byte ${offset})`);
    this.name = 'OggOpusError';
    this.reason = reason;
    this.offset = offset;
    this.detail = detail;
  }
}

/** The identification header (RFC 7845 §5.1). */
export interface OpusHead {
  version: number;
  channels: number;
  /** Samples (48 kHz) to discard from the decoder output at the start. */
  preSkip: number;
  inputSampleRate: number;
  /** Output gain, Q7.8 dB. */
  outputGain: number;
  mappingFamily: number;
}

/** One Opus packet and how many 48 kHz samples it decodes to. */
export interface OpusPacket {
  data: Buffer;
  samples: number;
}

export interface OggOpusStream {
  head: OpusHead;
  /** The OpusTags vendor string. */
  vendor: string;
  packets: OpusPacket[];
  /** Sum of the packets' samples (48 kHz). */
  totalSamples: number;
}

const CAPTURE = Buffer.from('OggS');
const PAGE_HEADER = 27;
/** RFC 6716 §3.2.1: a packet decodes to at most 120 ms. */
const MAX_PACKET_SAMPLES = 5760;

/** CRC-32 of Ogg pages: polynomial 0x04c11db7, not reflected, initial value 0 (RFC 3533 §6). */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let b = 0; b < 8; b++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

/** The Ogg CRC of `bytes` (with the CRC field already zeroed by the caller). */
export function oggCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  return crc;
}

/**
 * Samples (at 48 kHz) an Opus packet decodes to, from its TOC byte (RFC 6716 §3.1) and,
 * for code 3, its frame-count byte.
 * @throws OggOpusError `bad-packet` for an empty or inconsistent packet.
 */
export function opusPacketSamples(packet: Uint8Array): number {
  if (packet.length === 0) throw new OggOpusError('bad-packet', 'empty Opus packet');
  const toc = packet[0]!;
  const config = toc >> 3;
  let frameSamples: number;
  if (config < 12) {
    // SILK-only: 10, 20, 40, 60 ms.
    frameSamples = [480, 960, 1920, 2880][config & 3]!;
  } else if (config < 16) {
    // Hybrid: 10, 20 ms.
    frameSamples = (config & 1) === 0 ? 480 : 960;
  } else {
    // CELT-only: 2.5, 5, 10, 20 ms.
    frameSamples = [120, 240, 480, 960][config & 3]!;
  }
  let frames: number;
  switch (toc & 3) {
    case 0:
      frames = 1;
      break;
    case 1:
    case 2:
      frames = 2;
      break;
    default: {
      if (packet.length < 2) throw new OggOpusError('bad-packet', 'code-3 Opus packet without frame count');
      frames = packet[1]! & 0x3f;
      if (frames === 0) throw new OggOpusError('bad-packet', 'code-3 Opus packet with zero frames');
    }
  }
  const samples = frames * frameSamples;
  if (samples > MAX_PACKET_SAMPLES) {
    throw new OggOpusError('bad-packet', `Opus packet of ${samples / 48} ms exceeds 120 ms`);
  }
  return samples;
}

/** The packets of the first logical stream, reassembled across pages (lacing values). */
function* oggPackets(file: Buffer): Generator<{ data: Buffer; offset: number }> {
  let offset = 0;
  let serial: number | undefined;
  let partial: Buffer[] = [];
  let partialOffset = 0;
  while (offset < file.length) {
    if (file.length - offset < PAGE_HEADER) {
      throw new OggOpusError('truncated', 'page header cut short', offset);
    }
    if (!file.subarray(offset, offset + 4).equals(CAPTURE)) {
      throw new OggOpusError('not-ogg', 'no "OggS" capture pattern', offset);
    }
    if (file[offset + 4] !== 0) {
      throw new OggOpusError('bad-version', `Ogg stream structure version ${file[offset + 4]}`, offset);
    }
    const pageSerial = file.readUInt32LE(offset + 14);
    const segments = file[offset + 26]!;
    const tableEnd = offset + PAGE_HEADER + segments;
    if (tableEnd > file.length) throw new OggOpusError('truncated', 'segment table cut short', offset);
    let bodyLength = 0;
    for (let i = offset + PAGE_HEADER; i < tableEnd; i++) bodyLength += file[i]!;
    const pageEnd = tableEnd + bodyLength;
    if (pageEnd > file.length) throw new OggOpusError('truncated', 'page body cut short', offset);
    const page = Buffer.from(file.subarray(offset, pageEnd));
    const expected = page.readUInt32LE(22);
    page.writeUInt32LE(0, 22);
    if (oggCrc(page) !== expected) throw new OggOpusError('bad-crc', 'page checksum mismatch', offset);
    serial ??= pageSerial;
    if (pageSerial === serial) {
      let at = tableEnd;
      for (let i = offset + PAGE_HEADER; i < tableEnd; i++) {
        const lacing = file[i]!;
        if (partial.length === 0) partialOffset = at;
        partial.push(file.subarray(at, at + lacing));
        at += lacing;
        // A lacing value below 255 ends the packet; 255 continues it (possibly on the next page).
        if (lacing < 255) {
          yield { data: Buffer.concat(partial), offset: partialOffset };
          partial = [];
        }
      }
    }
    offset = pageEnd;
  }
  // A packet still open at the end of the file was cut short: it is dropped (RFC 3533 §6).
}

/**
 * Parses an Ogg/Opus file: OpusHead, OpusTags, then the audio packets with their durations.
 * @throws OggOpusError with a `reason` for anything that is not well-formed Ogg/Opus.
 */
export function readOggOpus(file: Buffer): OggOpusStream {
  const packets = oggPackets(file);
  const first = packets.next();
  if (first.done) throw new OggOpusError('not-ogg', 'empty file');
  const headPacket = first.value.data;
  if (headPacket.length < 8 || headPacket.toString('latin1', 0, 8) !== 'OpusHead') {
    throw new OggOpusError('not-opus', 'first packet is not OpusHead', first.value.offset);
  }
  if (headPacket.length < 19)
    throw new OggOpusError('bad-opus-head', 'OpusHead too short', first.value.offset);
  const head: OpusHead = {
    version: headPacket[8]!,
    channels: headPacket[9]!,
    preSkip: headPacket.readUInt16LE(10),
    inputSampleRate: headPacket.readUInt32LE(12),
    outputGain: headPacket.readInt16LE(16),
    mappingFamily: headPacket[18]!,
  };
  // RFC 7845 §5.1: major version 0 only (versions 0–15 are compatible); one or two channels
  // for family 0, which is all an RTP Opus stream (RFC 7587) carries.
  if (head.version >> 4 !== 0 || head.channels === 0) {
    throw new OggOpusError('bad-opus-head', `OpusHead version ${head.version}, ${head.channels} channels`);
  }
  if (head.mappingFamily !== 0 || head.channels > 2) {
    throw new OggOpusError(
      'bad-opus-head',
      `channel mapping family ${head.mappingFamily} with ${head.channels} channels (mono or stereo only)`,
    );
  }
  const second = packets.next();
  if (second.done) throw new OggOpusError('no-audio', 'no OpusTags packet');
  const tags = second.value.data;
  if (tags.length < 12 || tags.toString('latin1', 0, 8) !== 'OpusTags') {
    throw new OggOpusError('not-opus', 'second packet is not OpusTags', second.value.offset);
  }
  const vendorLength = tags.readUInt32LE(8);
  if (12 + vendorLength > tags.length) {
    throw new OggOpusError('not-opus', 'OpusTags vendor string cut short', second.value.offset);
  }
  const vendor = tags.toString('utf8', 12, 12 + vendorLength);
  const audio: OpusPacket[] = [];
  let totalSamples = 0;
  for (const { data, offset } of packets) {
    // Zero-length packets are allowed in Ogg but carry no frame: skip them.
    if (data.length === 0) continue;
    let samples: number;
    try {
      samples = opusPacketSamples(data);
    } catch (err) {
      if (err instanceof OggOpusError) throw new OggOpusError(err.reason, err.detail, offset);
      throw err;
    }
    audio.push({ data: Buffer.from(data), samples });
    totalSamples += samples;
  }
  if (audio.length === 0) throw new OggOpusError('no-audio', 'no audio packets');
  return { head, vendor, packets: audio, totalSamples };
}
