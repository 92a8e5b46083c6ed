import {
  type MediaStreamTrack,
  type RTCRtpReceiver,
  type RTCRtpSender,
  RTP_EXTENSION_URI,
  RtpPacket,
} from 'werift';
import { type IceConnectionInternals, sendOnNominatedPair } from './icePair.js';
import { estimateSrtpIndex } from './ReplayWindow.js';
import { findExtension, oneByteExtensions } from './rtpBytes.js';
import { type ReportingReceiver, type ReportingSender, TransportReports } from './TransportReports.js';
import { fastRtpRoutes, type SrtpKeys, srtpKeysOf, takeFastTransport } from './weriftPatches.js';

/** How published RTP reaches subscribers. */
export type ForwardingMode = 'fast' | 'werift';

/** werift's sender history size (NACK answers look packets up here). */
const RTP_HISTORY_SIZE = 128;

/**
 * Header extensions worth carrying from publisher to subscriber, remapped by URI to the
 * subscriber's negotiated ids. The sender writes mid, transport-cc and abs-send-time
 * itself; anything else (rid, unknown ids) is stripped, because werift's `sendRtp` would
 * otherwise copy the publisher's ids verbatim and collide with the subscriber's.
 */
const FORWARDED_EXTENSIONS = new Set<string>([
  RTP_EXTENSION_URI.audioLevelIndication,
  RTP_EXTENSION_URI.videoOrientation,
]);

interface Sink {
  sender: RTCRtpSender;
  lastSourceSsrc: number | undefined;
  fast: FastSink | undefined;
}

/** Per-subscriber state of the fast path, rebuilt when the subscriber's SRTP is re-keyed. */
interface FastSink {
  keys: SrtpKeys;
  dtls: DtlsInternals;
  s: SenderInternals;
  /** publisher extension id → subscriber id (0: drop the element). */
  idMap: Uint8Array;
  tccId: number;
  absId: number;
  midId: number;
  mid: Buffer;
  seqOffset: number;
  tsOffset: number;
  lastSeq: number;
  lastTs: number;
  highestIndex: number;
  history: (Buffer | undefined)[];
  lastSentMs: number;
}

interface SenderInternals {
  ssrc: number;
  mid?: string;
  codec?: { payloadType: number };
  dtlsTransport: DtlsInternals;
  headerExtensions: { id: number; uri: string }[];
  seqOffset: number;
  timestampOffset: number;
  sequenceNumber?: number;
  timestamp?: number;
  rtpTimestamp: number;
  ntpTimestamp: bigint;
  octetCount: number;
  headerBytesSent: number;
  packetCount: number;
  rtpCache: unknown[];
}

interface DtlsInternals {
  state: string;
  transportSequenceNumber: number;
  iceTransport: { connection: IceConnectionInternals };
}

interface ReceiverInternals {
  stopped: boolean;
  codecs: Record<number, { clockRate: number; name: string }>;
  remoteStreams: Record<number, { add(packet: LightPacket): void } | undefined>;
  receiverTWCC?: { handleTWCC(seq: number): void };
  nack: { addPacket(packet: LightPacket): void };
  dtlsTransport?: object;
}

/** The fields of werift's RtpPacket its receiver statistics and NACK generator read. */
interface LightPacket {
  header: {
    ssrc: number;
    sequenceNumber: number;
    timestamp: number;
    payloadType: number;
    serializeSize: number;
  };
  payload: { length: number };
}

/** NTP time (RFC 5905 64-bit) of a `Date.now()` value, computed only when an SR needs it. */
function ntpOf(ms: number): bigint {
  const seconds = Math.floor(ms / 1000) + 2_208_988_800;
  const fraction = Math.floor(((ms % 1000) / 1000) * 2 ** 32);
  return (BigInt(seconds) << 32n) | BigInt(fraction);
}

/**
 * Forwards one published track's RTP to its subscribers, without transcoding. This is the
 * whole per-packet path.
 *
 * - `werift` mode: per packet and subscriber one clone, header-extension remap, werift
 *   `sendRtp` (which rewrites SSRC/PT/seq/timestamp, encrypts and caches for NACK).
 * - `fast` mode (default): the publisher's SRTP is intercepted right after the replay
 *   window (see weriftPatches), decrypted with cached session keys, and per subscriber the
 *   header bytes are rewritten in a copy (SSRC, PT, seq, timestamp, extension ids,
 *   transport-cc, abs-send-time), protected with the subscriber's cached keys and sent on
 *   its socket. werift's receiver still gets the few fields its statistics, NACK and TWCC
 *   need; werift's sender still answers NACKs (from a plaintext history) and sends SRs.
 *   Falls back to the werift path per packet when something is not ready (SRTP profile
 *   other than AES-CM/HMAC-SHA1-80, transport not connected, non-UDP candidate).
 */
export class Forwarder {
  readonly #sinks = new Map<string, Sink>();
  readonly #publisherExtensions: () => Record<number, string>;
  #stopSource: (() => void) | undefined;
  #muted = false;
  #packetsIn = 0;
  #packetsOut = 0;
  #fastOut = 0;

  readonly #mode: ForwardingMode;
  readonly #receiver: ReceiverInternals | undefined;
  #pubIdToUri: Record<number, string> = {};
  #pubTccId = 0;
  #nackVideo = false;
  #reporting = false;
  readonly #light: LightPacket = {
    header: { ssrc: 0, sequenceNumber: 0, timestamp: 0, payloadType: 0, serializeSize: 0 },
    payload: { length: 0 },
  };

  /**
   * @param publisherExtensions the publisher's negotiated header-extension id → URI map.
   * @param receiver the publisher's werift receiver (needed by the fast path).
   */
  constructor(
    publisherExtensions: () => Record<number, string>,
    receiver?: RTCRtpReceiver,
    mode: ForwardingMode = 'fast',
  ) {
    this.#publisherExtensions = publisherExtensions;
    this.#receiver = receiver as unknown as ReceiverInternals | undefined;
    this.#mode = receiver ? mode : 'werift';
  }

  /** The forwarding mode in use. */
  get mode(): ForwardingMode {
    return this.#mode;
  }

  /** Packets received from the publisher / sent to subscribers so far. */
  get counters(): { packetsIn: number; packetsOut: number; fastPacketsOut: number } {
    return { packetsIn: this.#packetsIn, packetsOut: this.#packetsOut, fastPacketsOut: this.#fastOut };
  }

  get subscriberCount(): number {
    return this.#sinks.size;
  }

  set muted(value: boolean) {
    this.#muted = value;
  }

  get muted(): boolean {
    return this.#muted;
  }

  /** (Re)binds the source track, e.g. when the publisher's SSRC changed. */
  setSource(track: MediaStreamTrack): void {
    this.#stopSource?.();
    if (this.#mode === 'fast' && this.#receiver?.dtlsTransport && track.ssrc !== undefined) {
      const dtls = this.#receiver.dtlsTransport;
      const ssrc = track.ssrc;
      const routes = fastRtpRoutes(dtls);
      routes.set(ssrc, (plain, headerLength) => this.#forwardFast(plain, headerLength));
      this.#pubIdToUri = this.#publisherExtensions();
      this.#pubTccId = idOf(this.#pubIdToUri, RTP_EXTENSION_URI.transportWideCC);
      this.#nackVideo =
        track.kind === 'video' &&
        Boolean((this.#receiver as unknown as { nackEnabled: unknown }).nackEnabled);
      // Packets the fast path declines (first packets, RTX, GCM sessions, not yet
      // connected) still arrive through werift's path.
      const { unSubscribe } = track.onReceiveRtp.subscribe((rtp) => this.#forward(rtp));
      this.#stopSource = () => {
        unSubscribe();
        if (routes.get(ssrc)) routes.delete(ssrc);
      };
      return;
    }
    const { unSubscribe } = track.onReceiveRtp.subscribe((rtp) => this.#forward(rtp));
    this.#stopSource = unSubscribe;
  }

  addSink(subscriberId: string, sender: RTCRtpSender): void {
    this.#sinks.set(subscriberId, { sender, lastSourceSsrc: undefined, fast: undefined });
  }

  removeSink(subscriberId: string): void {
    this.#sinks.delete(subscriberId);
  }

  close(): void {
    this.#stopSource?.();
    this.#stopSource = undefined;
    this.#sinks.clear();
  }

  #forward(rtp: RtpPacket): void {
    this.#packetsIn++;
    if (this.#muted || this.#sinks.size === 0) return;
    const idToUri = rtp.header.extensions.length > 0 ? this.#publisherExtensions() : undefined;
    for (const sink of this.#sinks.values()) this.#sendViaWerift(sink, rtp, idToUri);
  }

  #sendViaWerift(sink: Sink, rtp: RtpPacket, idToUri: Record<number, string> | undefined): void {
    const sender = sink.sender;
    if (sink.lastSourceSsrc !== undefined && sink.lastSourceSsrc !== rtp.header.ssrc) {
      // New source SSRC (publisher restarted its encoder): keep the subscriber's
      // sequence and timestamp continuous.
      sender.replaceRTP(rtp.header, true);
      sink.fast = undefined;
    }
    sink.lastSourceSsrc = rtp.header.ssrc;
    const out = rtp.clone();
    out.header.extensions = [];
    if (idToUri) {
      for (const ext of rtp.header.extensions) {
        const uri = idToUri[ext.id];
        if (uri === undefined || !FORWARDED_EXTENSIONS.has(uri)) continue;
        const target = senderExtensions(sender).find((h) => h.uri === uri);
        if (target) out.header.extensions.push({ id: target.id, payload: ext.payload });
      }
    }
    this.#packetsOut++;
    sender.sendRtp(out).catch(() => {});
  }

  /** Fast path, called by the SRTP interceptor with the authenticated plaintext. */
  #forwardFast(plain: Buffer, headerLength: number): boolean {
    const r = this.#receiver;
    if (!r || r.stopped) return false;
    const ssrc = plain.readUInt32BE(8);
    const pt = plain[1]! & 0x7f;
    const codec = r.codecs[pt];
    const stats = r.remoteStreams[ssrc];
    // Until werift's receiver set up its statistics and TWCC for this stream (first
    // packets), or for RTX/RED, werift's own path handles the packet (and #forward).
    if (!codec || !stats || isRtxOrRed(codec.name)) return false;
    if (r.receiverTWCC === undefined && (r as unknown as { twccEnabled: unknown }).twccEnabled) return false;
    this.#packetsIn++;
    const seq = plain.readUInt16BE(2);
    const ts = plain.readUInt32BE(4);
    const ext = oneByteExtensions(plain);
    const extStart = ext ? ext.start : -1;
    const extEnd = ext ? ext.end : -1;
    if (!this.#muted) {
      let parsed: RtpPacket | undefined;
      for (const sink of this.#sinks.values()) {
        if (this.#sendFast(sink, plain, headerLength, extStart, extEnd, seq, ts, ssrc)) continue;
        parsed ??= RtpPacket.deSerialize(plain);
        this.#sendViaWerift(sink, parsed.clone(), this.#pubIdToUri);
      }
    }
    // werift's receiver duties, fed the few fields they read (no RtpPacket).
    const light = this.#light;
    light.header.ssrc = ssrc;
    light.header.sequenceNumber = seq;
    light.header.timestamp = ts;
    light.header.payloadType = pt;
    light.header.serializeSize = headerLength;
    light.payload.length = plain.length - headerLength;
    stats.add(light);
    if (r.receiverTWCC && this.#pubTccId > 0 && extStart >= 0) {
      const at = findExtension(plain, extStart, extEnd, this.#pubTccId);
      if (at >= 0) r.receiverTWCC.handleTWCC(plain.readUInt16BE(at));
    }
    if (this.#nackVideo) r.nack.addPacket(light);
    if (!this.#reporting && r.dtlsTransport) {
      // This receiver's RRs now go out with its transport's other reports.
      TransportReports.of(r.dtlsTransport).addReceiver(r as unknown as ReportingReceiver);
      this.#reporting = true;
    }
    return true;
  }

  #sendFast(
    sink: Sink,
    plain: Buffer,
    headerLength: number,
    extStart: number,
    extEnd: number,
    seq: number,
    ts: number,
    sourceSsrc: number,
  ): boolean {
    const s = sink.sender as unknown as SenderInternals;
    const dtls = s.dtlsTransport;
    if (dtls?.state !== 'connected' || !s.codec) return false;
    const keys = srtpKeysOf(dtls);
    const connection = dtls.iceTransport.connection;
    const pair = connection.nominated;
    if (!keys || !pair) return false;
    let fs = sink.fast;
    if (sink.lastSourceSsrc !== undefined && sink.lastSourceSsrc !== sourceSsrc) {
      sink.sender.replaceRTP({ sequenceNumber: seq, timestamp: ts } as never, true);
      fs = undefined;
    }
    sink.lastSourceSsrc = sourceSsrc;
    if (!fs || fs.keys !== keys) {
      fs = this.#makeFastSink(s, dtls, keys, fs);
      sink.fast = fs;
    }
    this.#packetsOut++;
    this.#fastOut++;
    // RFC 7675: after consent expiry, no application data on the 5-tuple.
    if (!connection.canSendApplicationData()) return true;
    const out = Buffer.allocUnsafe(plain.length);
    plain.copy(out);
    out[1] = (plain[1]! & 0x80) | s.codec.payloadType;
    const oseq = (seq + fs.seqOffset) & 0xffff;
    const ots = (ts + fs.tsOffset) >>> 0;
    out.writeUInt16BE(oseq, 2);
    out.writeUInt32BE(ots, 4);
    out.writeUInt32BE(s.ssrc, 8);
    const now = Date.now();
    if (extStart >= 0) {
      // Extension ids remapped in place; elements the subscriber did not negotiate
      // become padding (zero bytes, RFC 8285 §4.2).
      let i = extStart;
      while (i < extEnd) {
        const b = out[i]!;
        if (b === 0) {
          i++;
          continue;
        }
        const id = b >> 4;
        if (id === 15) break;
        const len = (b & 0x0f) + 1;
        if (i + 1 + len > extEnd) break;
        const to = fs.idMap[id]!;
        if (to === 0 || (to === fs.midId && len !== fs.mid.length)) {
          out.fill(0, i, i + 1 + len);
        } else {
          out[i] = (to << 4) | (len - 1);
          if (to === fs.tccId && len === 2) {
            dtls.transportSequenceNumber = (dtls.transportSequenceNumber + 1) & 0xffff;
            out.writeUInt16BE(dtls.transportSequenceNumber, i + 1);
          } else if (to === fs.absId && len === 3) {
            out.writeUIntBE(Math.floor((now / 1000) * 262_144) & 0xffffff, i + 1, 3);
          } else if (to === fs.midId) {
            fs.mid.copy(out, i + 1);
          }
        }
        i += 1 + len;
      }
    }
    const index = estimateSrtpIndex(fs.highestIndex, oseq);
    if (index > fs.highestIndex) fs.highestIndex = index;
    const packet = keys.local.protect(out, headerLength, Math.floor(index / 65536));
    fs.history[oseq % RTP_HISTORY_SIZE] = out;
    fs.lastSentMs = now;
    s.sequenceNumber = oseq;
    s.timestamp = ots;
    s.rtpTimestamp = ots;
    s.octetCount += plain.length - headerLength;
    s.headerBytesSent += headerLength;
    s.packetCount = (s.packetCount + 1) >>> 0;
    sendOnNominatedPair(connection, packet);
    return true;
  }

  #makeFastSink(
    s: SenderInternals,
    dtls: DtlsInternals,
    keys: SrtpKeys,
    previous: FastSink | undefined,
  ): FastSink {
    const subIds = new Map(s.headerExtensions.map((h) => [h.uri, h.id] as const));
    const idMap = new Uint8Array(16);
    this.#pubIdToUri = this.#publisherExtensions();
    this.#pubTccId = idOf(this.#pubIdToUri, RTP_EXTENSION_URI.transportWideCC);
    for (const [id, uri] of Object.entries(this.#pubIdToUri)) {
      if (!FAST_EXTENSIONS.has(uri)) continue;
      const to = subIds.get(uri);
      if (to !== undefined && to > 0 && to < 15) idMap[Number(id)] = to;
    }
    const fs: FastSink = {
      keys,
      dtls,
      s,
      idMap,
      tccId: subIds.get(RTP_EXTENSION_URI.transportWideCC) ?? -1,
      absId: subIds.get(RTP_EXTENSION_URI.absSendTime) ?? -1,
      midId: subIds.get(RTP_EXTENSION_URI.sdesMid) ?? -1,
      mid: Buffer.from(s.mid ?? ''),
      seqOffset: s.seqOffset,
      tsOffset: s.timestampOffset,
      lastSeq: 0,
      lastTs: 0,
      // Same keys, same stream: keep the ROC (werift's own context starts at 0 too).
      highestIndex: previous && previous.keys === keys ? previous.highestIndex : -1,
      history: new Array(RTP_HISTORY_SIZE),
      lastSentMs: Date.now(),
    };
    // NACKs from the subscriber are answered by werift's sender from rtpCache: serve it
    // from the plaintext history, parsed only when a NACK asks.
    s.rtpCache = new Proxy(fs.history, {
      get: (target, key) => {
        const value = Reflect.get(target, key);
        return Buffer.isBuffer(value) ? RtpPacket.deSerialize(value) : value;
      },
    });
    // The SR's NTP/RTP timestamp pair, computed only when an SR is built.
    Object.defineProperty(s, 'ntpTimestamp', {
      configurable: true,
      get: () => ntpOf(fs.lastSentMs),
      set: () => {},
    });
    TransportReports.of(dtls).addSender(s as unknown as ReportingSender);
    takeFastTransport(dtls);
    return fs;
  }
}

/** Extensions the fast path carries (remapped); the rest become padding. */
const FAST_EXTENSIONS = new Set<string>([
  RTP_EXTENSION_URI.audioLevelIndication,
  RTP_EXTENSION_URI.videoOrientation,
  RTP_EXTENSION_URI.transportWideCC,
  RTP_EXTENSION_URI.absSendTime,
  RTP_EXTENSION_URI.sdesMid,
]);

function isRtxOrRed(name: string): boolean {
  const n = name.toLowerCase();
  return n === 'rtx' || n === 'red';
}

function idOf(map: Record<number, string>, uri: string): number {
  for (const [id, u] of Object.entries(map)) if (u === uri) return Number(id);
  return 0;
}

/** werift keeps the negotiated header extensions of a sender in a private field. */
function senderExtensions(sender: RTCRtpSender): { id: number; uri: string }[] {
  return (sender as unknown as { headerExtensions: { id: number; uri: string }[] }).headerExtensions;
}
