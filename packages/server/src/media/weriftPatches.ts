/**
 * Fixes to werift 0.24 internals, applied from outside (node_modules is never edited).
 * Each patch is small, idempotent and documented in docs/media.md:
 *
 * 1. Exact port binding: werift refuses `icePortRange: [p, p]` and otherwise probes a range
 *    itself. Our {@link PortAllocator} owns every port, so a range is read as "bind exactly
 *    its first port" (we pass `[p, p + 1]`); a failed bind fails loudly instead of drifting
 *    to a port that was never booked.
 * 2. SRTP/SRTCP replay window (RFC 3711 §3.3.2) on every inbound stream, plus counters of
 *    replayed and unauthenticated packets and the time of the last authentic packet
 *    (our liveness signal: werift skips consent checks in some modes).
 * 3. RTP demultiplexing fallback (RFC 8843 §9): by SSRC, then the MID header extension,
 *    then a payload type unique to one m-line. werift routes by `a=ssrc` only.
 * 4. Payload-specific feedback (PLI, FIR) reaches the sender it names (RFC 4585 §6.1, RFC
 *    5104 §4.3.1). werift routes it by the feedback's *sender* SSRC first, which for a
 *    browser that also publishes is its own outgoing SSRC — our receiver of its media — so
 *    a subscriber's keyframe requests never reached the publisher.
 * (5–8 are described in docs/media.md.) 9 (no recycling of inactive m-lines), 10 (sends
 * without a lookup), 11 (transport-cc feedback per transport) and 12 (NACK generation,
 * {@link NackGenerator}) are below.
 */
import type { createSocket, RemoteInfo } from 'node:dgram';
import type { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import {
  GenericNack,
  MediaStreamTrack,
  RTCDtlsTransport,
  type RTCPeerConnection,
  RTCRtpReceiver,
  RTCRtpSender,
  type RTCRtpTransceiver,
  RTP_EXTENSION_URI,
  RtcpPacketConverter,
  RtcpTransportLayerFeedback,
  RtpPacket,
  rtpHeaderExtensionsParser,
  SrtpAuthenticationError,
  UdpTransport,
} from 'werift';
import { NackGenerator } from './NackGenerator.js';
import { SrtpReplayState } from './ReplayWindow.js';
import { rtpHeaderLength } from './rtpBytes.js';
import type { SharedUdpPort } from './SharedUdpPort.js';
import { SRTP_TAG_LENGTH, SrtpContext } from './SrtpContext.js';
import { TransportCcRecorder } from './TransportCcRecorder.js';

/**
 * Fast-path receiver of one inbound SSRC: gets the authenticated plaintext packet and its
 * header length; returns true when it consumed the packet (werift then never parses it),
 * false to let werift's own path (parse, receiver, track) continue with it.
 */
export type FastRtpHandler = (plain: Buffer, headerLength: number) => boolean;

/** SRTP contexts of a DTLS transport (profile AES128_CM_HMAC_SHA1_80 only). */
export interface SrtpKeys {
  /** Protects what we send. */
  local: SrtpContext;
  /** Unprotects what we receive. */
  remote: SrtpContext;
  /** SRTCP: protects the RTCP we send. */
  localRtcp: SrtpContext;
  /** SRTCP: unprotects the RTCP we receive. */
  remoteRtcp: SrtpContext;
  /** Changes whenever the session is re-keyed. */
  generation: number;
}

const fastRoutes = new WeakMap<object, Map<number, FastRtpHandler>>();
const srtpKeys = new WeakMap<object, SrtpKeys>();
let keyGeneration = 0;
const PROFILE_AES128_CM_HMAC_SHA1_80 = 1;

/** The SSRC → fast handler table of a werift DTLS transport (created on first use). */
export function fastRtpRoutes(dtlsTransport: object): Map<number, FastRtpHandler> {
  let routes = fastRoutes.get(dtlsTransport);
  if (!routes) {
    routes = new Map();
    fastRoutes.set(dtlsTransport, routes);
  }
  return routes;
}

/** Our SRTP contexts for a DTLS transport, once SRTP started with a supported profile. */
export function srtpKeysOf(dtlsTransport: object): SrtpKeys | undefined {
  return srtpKeys.get(dtlsTransport);
}

/** Per-transport inbound security counters. */
export interface InboundGuardStats {
  /** SRTP/SRTCP packets that authenticated and were new. */
  accepted: number;
  /** Packets dropped because their index was already seen or is older than the window. */
  replayed: number;
  /** Packets dropped because they did not authenticate or parse (forged tag, garbage). */
  rejected: number;
  /** `Date.now()` of the last authentic packet, 0 before the first. */
  lastAuthenticAt: number;
}

const guards = new WeakMap<object, InboundGuardStats>();

/** The counters of a werift DTLS transport (created on first use). */
export function inboundGuardOf(dtlsTransport: object): InboundGuardStats {
  let stats = guards.get(dtlsTransport);
  if (!stats) {
    stats = { accepted: 0, replayed: 0, rejected: 0, lastAuthenticAt: 0 };
    guards.set(dtlsTransport, stats);
  }
  return stats;
}

const REPLAY_WINDOW = 128;
const PROFILE_AEAD_AES_128_GCM = 7;

/**
 * Socket-level interception (the fast path's receive side): once a DTLS transport forwards
 * fast, its UDP socket's datagrams from the nominated remote address that are RTP for a
 * fast-routed SSRC, or RTCP, go straight to the guarded decrypt — skipping werift's UDP, ICE,
 * event and DTLS demultiplexing layers. Everything else (STUN, DTLS, other SSRCs, other
 * sources) takes werift's path unchanged.
 */
interface FastDtls {
  state: string;
  srtp: DecryptingSession;
  srtcp: DecryptingSession;
  onRtp: { execute(packet: RtpPacket): void };
  onRtcp: { execute(packet: unknown): void };
  bytesReceived: number;
  packetsReceived: number;
  iceTransport: {
    connection: {
      nominated?: { protocol: { transport?: unknown }; remoteAddr: [string, number] };
    };
  };
}
const hookedSockets = new WeakSet<object>();

/**
 * Puts a DTLS transport's socket on the fast path's receive side (below). Called on the first
 * fast-forwarded packet a transport receives, and when the fast path starts sending on one:
 * a subscriber's transport receives no RTP, only RTCP (receiver reports, transport-cc
 * feedback every 50–250 ms), which would otherwise all take werift's whole path.
 */
export function takeFastTransport(dtls: object): void {
  if (hookedSockets.has(dtls)) return;
  hookedSockets.add(dtls);
  hookSocket(dtls as FastDtls);
}

function hookSocket(dtls: FastDtls): void {
  const pair = dtls.iceTransport?.connection?.nominated;
  const transport = pair?.protocol.transport;
  if (!(transport instanceof UdpTransport)) return;
  const socket = (transport as unknown as UdpTransportInternals).socket;
  if (hookedSockets.has(socket)) return;
  hookedSockets.add(socket);
  const werift = socket.listeners('message') as ((data: Buffer, rinfo: RemoteInfo) => void)[];
  socket.removeAllListeners('message');
  socket.on('message', (data: Buffer, rinfo: RemoteInfo) => {
    const pair = dtls.iceTransport.connection.nominated;
    if (
      data.length >= 22 &&
      (data[0]! & 0xc0) === 0x80 &&
      dtls.state === 'connected' &&
      pair &&
      pair.remoteAddr[1] === rinfo.port &&
      pair.remoteAddr[0] === rinfo.address
    ) {
      // RTCP: packet types 192–223 (RFC 5761; RTP PT 64–95 with the marker bit).
      if (data[1]! >= 192 && data[1]! <= 223) {
        dtls.bytesReceived += data.length;
        dtls.packetsReceived++;
        let plain: Buffer;
        try {
          plain = dtls.srtcp.decrypt(data);
        } catch {
          return; // replayed or forged (counted by the guard)
        }
        deliverRtcp(dtls, plain);
        return;
      }
      if (fastRoutes.get(dtls)?.has(data.readUInt32BE(8))) {
        dtls.bytesReceived += data.length;
        dtls.packetsReceived++;
        const open = fastOpeners.get(dtls);
        let plain: Buffer | undefined;
        try {
          plain = open ? open(data) : dtls.srtp.decrypt(data);
        } catch {
          return; // replayed or forged (counted by the guard)
        }
        if (plain === undefined) return; // forwarded by the fast path
        // Declined by the fast handler: continue as werift would after its decrypt.
        try {
          dtls.onRtp.execute(RtpPacket.deSerialize(plain));
        } catch {}
        return;
      }
    }
    for (const listener of werift) listener.call(socket, data, rinfo);
  });
}

/** RTCP packet types (RFC 4585 §6.1): transport-layer feedback, and its transport-cc format. */
export const RTPFB = 205;
export const FMT_TRANSPORT_CC = 15;

/** Transport-cc feedback packets from subscribers, dropped unparsed (see deliverRtcp). */
export const droppedTransportFeedback = { count: 0 };

/**
 * Hands the packets of a decrypted compound RTCP packet to werift's handlers one by one, as
 * werift's own receive loop does, except:
 * - a malformed packet loses only itself, not the rest of the compound (werift drops all);
 * - transport-cc feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01) is dropped
 *   unparsed: it reports on what *we* sent, and only feeds werift's sender-side bandwidth
 *   estimate, which nothing reads (we forward, we do not encode). Subscribers send it every
 *   50–250 ms, and werift turns each into hundreds of objects.
 */
export function deliverRtcp(dtls: { onRtcp: { execute(packet: unknown): void } }, plain: Buffer): void {
  let at = 0;
  while (at + 4 <= plain.length) {
    const length = 4 * (plain.readUInt16BE(at + 2) + 1);
    if (at + length > plain.length) return;
    if (plain[at + 1] === RTPFB && (plain[at]! & 0x1f) === FMT_TRANSPORT_CC) {
      droppedTransportFeedback.count++;
    } else {
      try {
        for (const packet of RtcpPacketConverter.deSerialize(plain.subarray(at, at + length))) {
          dtls.onRtcp.execute(packet);
        }
      } catch {}
    }
    at += length;
  }
}

interface DecryptingSession {
  decrypt: (buf: Buffer) => Buffer;
}
interface DtlsTransportInternals {
  srtp: DecryptingSession;
  srtcp: DecryptingSession;
  dtls?: {
    srtp: { srtpProfile?: number };
    extractSessionKeys(
      keyLength: number,
      saltLength: number,
    ): { localKey: Buffer; localSalt: Buffer; remoteKey: Buffer; remoteSalt: Buffer };
  };
  updateSrtpSession(): void;
  srtpProfiles: number[];
  start(...args: unknown[]): unknown;
}
interface UdpTransportInternals {
  socket: ReturnType<typeof createSocket>;
  socketType: 'udp4' | 'udp6';
  options: { portRange?: [number, number]; port?: number; interfaceAddresses?: Record<string, string> };
  init(): Promise<void>;
}

/**
 * Patch 10, on every media socket: dgram passes every destination through `dns.lookup`, which for an
 * IP literal still defers the send to the next tick (a tick, a closure and an async-id
 * scope per packet). ICE remote addresses are always literals, so those are sent at once;
 * anything else keeps the normal lookup.
 */
export function sendWithoutLookup(socket: ReturnType<typeof createSocket>): void {
  const key = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  const state = key ? (socket as unknown as Record<symbol, { handle?: LookupHandle }>)[key] : undefined;
  const handle = state?.handle;
  if (!handle || typeof handle.lookup !== 'function') return;
  const lookup = handle.lookup;
  let literal = '';
  handle.lookup = (address, callback) => {
    if (address === literal || isIP(address) !== 0) {
      literal = address;
      callback(null, address);
    } else {
      lookup(address, callback);
    }
  };
}
interface LookupHandle {
  lookup: (address: string, callback: (error: Error | null, address?: string) => void) => void;
}

const sharedPorts = new Map<number, SharedUdpPort>();
const handedOver = new Map<number, ReturnType<typeof createSocket>>();

/**
 * Per-participant mode: the already bound socket of port `port`, for the werift UDP transport
 * whose range starts there (no second bind, so no window for another process to take the
 * port). `undefined` closes a socket werift never took (participant gone before its offer).
 */
export function handOverSocket(port: number, socket: ReturnType<typeof createSocket> | undefined): void {
  const previous = handedOver.get(port);
  if (previous && previous !== socket) previous.close();
  if (socket) handedOver.set(port, socket);
  else handedOver.delete(port);
}

/** werift listens on the socket it created; its listeners move to the one it gets instead. */
function moveMessageListeners(from: EventEmitter, to: EventEmitter): void {
  for (const listener of from.listeners('message')) to.on('message', listener as (...a: unknown[]) => void);
  from.removeAllListeners('message');
}

/**
 * Single-port mode: werift UDP transports whose port range starts at `port` use `shared`
 * instead of binding a socket of their own (the participant passes `[port, port + 1]`).
 */
export function registerSharedPort(port: number, shared: SharedUdpPort | undefined): void {
  if (shared) {
    sharedPorts.set(port, shared);
    sendWithoutLookup(shared.socket);
  } else {
    sharedPorts.delete(port);
  }
}

interface TwccReceiverInternals {
  rtcpSsrc: number;
  dtlsTransport?: object;
  receiverTWCC?: { handleTWCC(seq: number): void };
  setupTWCC(mediaSourceSsrc: number): void;
}

/** werift's NackHandler (one per RTCRtpReceiver), as patch 12 drives it. */
interface NackHandlerInternals {
  receiver: { rtcpSsrc: number; dtlsTransport?: { sendRtcp(packets: unknown[]): Promise<unknown> } };
  onPacketLost: { execute(nack: GenericNack): void };
  closed: boolean;
  addPacket(packet: { header: { sequenceNumber: number; ssrc: number } }): void;
  close(): void;
}

const nackGenerators = new WeakMap<NackHandlerInternals, NackGenerator>();

function nackGeneratorOf(handler: NackHandlerInternals): NackGenerator {
  let generator = nackGenerators.get(handler);
  if (!generator) {
    generator = new NackGenerator({
      send: (mediaSourceSsrc, lost) => {
        const { receiver } = handler;
        const nack = new GenericNack({ senderSsrc: receiver.rtcpSsrc, mediaSourceSsrc, lost });
        receiver.dtlsTransport
          ?.sendRtcp([new RtcpTransportLayerFeedback({ feedback: nack })])
          .catch(() => {});
        // werift's receiver counts these for getStats (nackCount).
        handler.onPacketLost.execute(nack);
      },
    });
    nackGenerators.set(handler, generator);
  }
  return generator;
}

let installed = false;

/** Installs the process-wide patches (1 and 2). Safe to call many times. */
export function installWeriftPatches(): void {
  if (installed) return;
  installed = true;

  const udpProto = (UdpTransport as unknown as { prototype: UdpTransportInternals }).prototype;
  const originalInit = udpProto.init;
  udpProto.init = async function (this: UdpTransportInternals): Promise<void> {
    const range = this.options.portRange;
    const own = range ? handedOver.get(range[0]) : undefined;
    if (own && range) {
      // The participant's socket, bound when its port was booked: werift's becomes it.
      handedOver.delete(range[0]);
      moveMessageListeners(this.socket, own);
      this.socket.close();
      this.socket = own;
      sendWithoutLookup(own);
      return;
    }
    const shared = range ? sharedPorts.get(range[0]) : undefined;
    if (shared) {
      // Single-port mode: werift's socket becomes this participant's view of the shared port.
      const muxed = shared.createSocket();
      moveMessageListeners(this.socket, muxed);
      this.socket.close();
      this.socket = muxed as unknown as ReturnType<typeof createSocket>;
      return;
    }
    if (!range || this.options.port) {
      await originalInit.call(this);
    } else {
      const address = this.options.interfaceAddresses?.[this.socketType];
      await new Promise<void>((resolve, reject) => {
        const onError = (error: Error) => reject(error);
        this.socket.once('error', onError);
        this.socket.once('listening', () => {
          this.socket.off('error', onError);
          resolve();
        });
        this.socket.bind({ port: range[0], address });
      });
    }
    sendWithoutLookup(this.socket);
  };

  // Patch 11: transport-cc feedback from one recorder per transport (TransportCcRecorder).
  const receiverProto = (RTCRtpReceiver as unknown as { prototype: TwccReceiverInternals }).prototype;
  const originalSetupTwcc = receiverProto.setupTWCC;
  receiverProto.setupTWCC = function (this: TwccReceiverInternals, mediaSourceSsrc: number): void {
    originalSetupTwcc.call(this, mediaSourceSsrc);
    const werift = this.receiverTWCC;
    if (!werift || !this.dtlsTransport) return;
    const recorder = TransportCcRecorder.of(this.dtlsTransport);
    recorder.setSsrcs(this.rtcpSsrc, mediaSourceSsrc);
    werift.handleTWCC = (seq: number) => recorder.record(seq);
  };

  // Patch 12: NACKs from a NackGenerator (werift's handler kept a 5 ms loop running after the
  // first recovered loss, asked 11 times in 55 ms, and lost track at a sequence wrap). The
  // handler class is not exported: its prototype is reached through a receiver's instance.
  const probe = new (RTCRtpReceiver as unknown as new (...a: unknown[]) => { nack: NackHandlerInternals })(
    {},
    'video',
    0,
  );
  const nackProto = Object.getPrototypeOf(probe.nack) as NackHandlerInternals;
  nackProto.addPacket = function (this: NackHandlerInternals, packet): void {
    if (this.closed) return;
    nackGeneratorOf(this).received(packet.header.ssrc, packet.header.sequenceNumber);
  };
  const originalNackClose = nackProto.close;
  nackProto.close = function (this: NackHandlerInternals): void {
    nackGenerators.get(this)?.close();
    originalNackClose.call(this);
  };

  const dtlsProto = (RTCDtlsTransport as unknown as { prototype: DtlsTransportInternals }).prototype;
  // Prefer SRTP_AES128_CM_HMAC_SHA1_80 (mandatory for every WebRTC endpoint, RFC 8827) over
  // werift's preferred AEAD_AES_128_GCM: the forwarding fast path implements it, and in Node
  // a CTR cipher + HMAC per packet (≈ 5 µs) is cheaper than a GCM cipher (≈ 7.3 µs).
  const originalStart = dtlsProto.start;
  dtlsProto.start = function (this: DtlsTransportInternals, ...args: unknown[]): unknown {
    if (Array.isArray(this.srtpProfiles) && this.srtpProfiles.includes(PROFILE_AES128_CM_HMAC_SHA1_80)) {
      this.srtpProfiles = [
        PROFILE_AES128_CM_HMAC_SHA1_80,
        ...this.srtpProfiles.filter((p) => p !== PROFILE_AES128_CM_HMAC_SHA1_80),
      ];
    }
    return originalStart.apply(this, args);
  };
  const originalUpdate = dtlsProto.updateSrtpSession;
  dtlsProto.updateSrtpSession = function (this: DtlsTransportInternals): void {
    originalUpdate.call(this);
    const stats = inboundGuardOf(this);
    const gcm = this.dtls?.srtp.srtpProfile === PROFILE_AEAD_AES_128_GCM;
    srtpKeys.delete(this);
    if (this.dtls?.srtp.srtpProfile === PROFILE_AES128_CM_HMAC_SHA1_80) {
      const k = this.dtls.extractSessionKeys(16, 14);
      srtpKeys.set(this, {
        local: SrtpContext.fromMaster(k.localKey, k.localSalt),
        remote: SrtpContext.fromMaster(k.remoteKey, k.remoteSalt),
        localRtcp: SrtpContext.rtcpFromMaster(k.localKey, k.localSalt),
        remoteRtcp: SrtpContext.rtcpFromMaster(k.remoteKey, k.remoteSalt),
        generation: ++keyGeneration,
      });
    }
    this.srtp.decrypt = guardSrtp(this.srtp.decrypt, stats, this);
    this.srtcp.decrypt = guardSrtcp(this.srtcp.decrypt, stats, gcm, srtpKeys.get(this)?.remoteRtcp);
  };
}

function reject(stats: InboundGuardStats, kind: 'replayed' | 'rejected'): never {
  stats[kind]++;
  // werift drops a packet silently when decrypt throws this class.
  throw new SrtpAuthenticationError(kind);
}

// Thrown (one preallocated instance: no stack capture per packet) to tell werift's
// receive loop that the fast path consumed the packet; werift drops it silently.
const CONSUMED = new SrtpAuthenticationError('consumed by the forwarding fast path');

/**
 * Guarded SRTP open of one transport: the plaintext, or undefined when the fast path took
 * the packet; throws (counted) when the packet is replayed or does not authenticate.
 */
type SrtpOpener = (buf: Buffer) => Buffer | undefined;
const fastOpeners = new WeakMap<object, SrtpOpener>();

function guardSrtp(
  decrypt: (buf: Buffer) => Buffer,
  stats: InboundGuardStats,
  dtls: object,
): (buf: Buffer) => Buffer {
  const streams = new Map<number, SrtpReplayState>();
  const open: SrtpOpener = (buf) => {
    if (buf.length < 12 + 10) reject(stats, 'rejected');
    const seq = buf.readUInt16BE(2);
    const ssrc = buf.readUInt32BE(8);
    let state = streams.get(ssrc);
    const index = state ? state.check(seq) : seq;
    if (index < 0) reject(stats, 'replayed');
    const fast = fastRoutes.get(dtls)?.get(ssrc);
    const keys = fast ? srtpKeys.get(dtls) : undefined;
    let out: Buffer | undefined;
    let headerLength = -1;
    if (fast && keys) {
      // Fast path: our cached session keys, no BigInt, no header objects.
      headerLength = rtpHeaderLength(buf, buf.length - SRTP_TAG_LENGTH);
      out =
        headerLength < 0 ? undefined : keys.remote.unprotect(buf, headerLength, Math.floor(index / 65536));
      if (!out) reject(stats, 'rejected');
    } else {
      try {
        out = decrypt(buf);
      } catch {
        reject(stats, 'rejected');
      }
    }
    // Only authentic packets create or move a window, so forged SSRCs cannot grow the map.
    if (!state) {
      state = new SrtpReplayState(REPLAY_WINDOW);
      streams.set(ssrc, state);
    }
    state.commit(index);
    stats.accepted++;
    stats.lastAuthenticAt = Date.now();
    if (fast && headerLength >= 0 && fast(out, headerLength)) {
      // First fast packet on this transport: take its socket's RTP from now on.
      takeFastTransport(dtls);
      return undefined;
    }
    return out;
  };
  fastOpeners.set(dtls, open);
  // werift's receive loop drops a packet silently when decrypt throws an SRTP error.
  return (buf: Buffer): Buffer => open(buf) ?? throwConsumed();
}

function throwConsumed(): never {
  throw CONSUMED;
}

function guardSrtcp(
  decrypt: (buf: Buffer) => Buffer,
  stats: InboundGuardStats,
  gcm: boolean,
  ours: SrtpContext | undefined,
): (buf: Buffer) => Buffer {
  const streams = new Map<number, SrtpReplayState>();
  // SRTCP carries its 31-bit index explicitly, after the payload (AES-CM: before the
  // 10-byte tag; AEAD-GCM, RFC 7714: the last 4 bytes).
  const trailer = gcm ? 4 : 14;
  return (buf: Buffer): Buffer => {
    if (buf.length < 8 + trailer) reject(stats, 'rejected');
    const ssrc = buf.readUInt32BE(4);
    const index = buf.readUInt32BE(buf.length - trailer) & 0x7fffffff;
    const state = streams.get(ssrc);
    if (state && !state.window.check(index)) reject(stats, 'replayed');
    let out: Buffer | undefined;
    if (ours) {
      // AES-CM profile: our cached session keys (werift's SRTCP builds its IV with BigInt).
      out = ours.unprotectRtcp(buf);
      if (!out) reject(stats, 'rejected');
    } else {
      try {
        out = decrypt(buf);
      } catch {
        reject(stats, 'rejected');
      }
    }
    let s = state;
    if (!s) {
      s = new SrtpReplayState(REPLAY_WINDOW);
      streams.set(ssrc, s);
    }
    s.window.commit(index);
    stats.accepted++;
    stats.lastAuthenticAt = Date.now();
    return out;
  };
}

interface RouterInternals {
  ssrcTable: Record<number, unknown>;
  ridTable: Record<string, unknown>;
  extIdUriMap: Record<number, string>;
  routeRtp: (packet: RtpPacket) => void;
  routeRtcp: (packet: unknown) => void;
  registerRtpReceiver(receiver: unknown, ssrc: number): void;
}

interface ReusableTransceiver {
  currentDirection?: string;
  usedForSender?: boolean;
}

/**
 * Patch 9, per peer connection: werift's `addTransceiver` recycles the first transceiver whose
 * current direction is `inactive` — of any kind — for the new one, taking over its mid and
 * m-line. But an inactive m-line is alive (RFC 3264 §6; JSEP recycles only stopped ones,
 * RFC 8829 §5.2.2). A receive-only client's first m-lines stay inactive, so:
 * - a second audio subscription took the video m-line, and the next offer turned it into audio,
 *   which browsers refuse;
 * - when that client later published (new m-lines in its offer), werift recycled the inactive
 *   m-line's transceiver for the new one and could not answer ("Transceiver with mid=0 not
 *   found": SB_ERR_NEGOTIATION_FAILED).
 * This turns the recycling off: werift always adds a new transceiver.
 */
export function installNoTransceiverRecycling(pc: RTCPeerConnection): void {
  const manager = (
    pc as unknown as {
      transceiverManager: {
        transceivers: ReusableTransceiver[];
        addTransceiver(trackOrKind: unknown, ...rest: unknown[]): unknown;
      };
    }
  ).transceiverManager;
  const original = manager.addTransceiver;
  manager.addTransceiver = function (trackOrKind, ...rest) {
    // Hide every recyclable transceiver from werift's search, for this one call.
    const masked = this.transceivers.filter((t) => t.currentDirection === 'inactive' && !t.usedForSender);
    for (const t of masked) t.usedForSender = true;
    try {
      return original.call(this, trackOrKind, ...rest);
    } finally {
      for (const t of masked) t.usedForSender = false;
    }
  };
}

/**
 * Patch 3, per peer connection: before werift's router drops a packet with an unknown
 * SSRC, bind that SSRC to the m-line named by its MID header extension, else to the only
 * receiving m-line that negotiated its payload type (RFC 8843 §9), creating the remote
 * track werift would have created from `a=ssrc`.
 */
export function installRtpDemuxFallback(pc: RTCPeerConnection): void {
  const router = (pc as unknown as { router: RouterInternals }).router;
  const original = router.routeRtp;
  const unresolvable = new Set<number>();
  router.routeRtp = (packet: RtpPacket) => {
    const ssrc = packet.header.ssrc;
    if (router.ssrcTable[ssrc] === undefined && !unresolvable.has(ssrc)) {
      const transceiver = resolveTransceiver(pc, router, packet);
      if (transceiver) {
        const codec = receiverCodecs(transceiver)[packet.header.payloadType];
        if (codec && codec.name.toLowerCase() !== 'rtx') {
          router.registerRtpReceiver(transceiver.receiver, ssrc);
          transceiver.addTrack(
            new MediaStreamTrack({
              ssrc,
              kind: transceiver.kind,
              id: transceiver.sender.trackId,
              remote: true,
              codec,
            }),
          );
        }
      } else if (unresolvable.size < 64) {
        unresolvable.add(ssrc);
      }
    }
    original(packet);
  };
}

function resolveTransceiver(
  pc: RTCPeerConnection,
  router: RouterInternals,
  packet: RtpPacket,
): RTCRtpTransceiver | undefined {
  const receiving = pc
    .getTransceivers()
    .filter((t) => t.currentDirection === 'recvonly' || t.currentDirection === 'sendrecv');
  if (packet.header.extensions.length > 0) {
    const ext = rtpHeaderExtensionsParser(packet.header.extensions, {
      ...(pc.extIdUriMap as Record<number, string>),
      ...router.extIdUriMap,
    });
    const mid = ext[RTP_EXTENSION_URI.sdesMid];
    if (typeof mid === 'string') {
      const byMid = receiving.find((t) => t.mid === mid);
      if (byMid) return byMid;
    }
  }
  const byPt = receiving.filter((t) => receiverCodecs(t)[packet.header.payloadType] !== undefined);
  return byPt.length === 1 ? byPt[0] : undefined;
}

type ReceiverCodec = ConstructorParameters<typeof MediaStreamTrack>[0]['codec'] & { name: string };

/** werift keeps the negotiated receive codecs by payload type in a private field. */
function receiverCodecs(t: RTCRtpTransceiver): Record<number, ReceiverCodec> {
  return (t.receiver as unknown as { codecs: Record<number, ReceiverCodec> }).codecs;
}

/** The fields of werift's RTCP payload-specific feedback the routing reads. */
interface PayloadFeedbackLike {
  type: number;
  feedback?: { count: number; mediaSsrc?: number; fir?: { ssrc: number }[] };
}

const RTCP_PSFB = 206;
const PSFB_FIR = 4;
const PSFB_AFB = 15;

/**
 * Patch 4, per peer connection: a PLI or FIR goes to our RTP sender whose SSRC it names —
 * the media source SSRC for PLI, the FCI entries for FIR (whose media source is 0). Other
 * RTCP, and feedback naming no sender of ours, takes werift's own route.
 */
export function installFeedbackRouting(pc: RTCPeerConnection): void {
  const router = (pc as unknown as { router: RouterInternals }).router;
  const original = router.routeRtcp;
  router.routeRtcp = (packet: unknown) => {
    const p = packet as PayloadFeedbackLike;
    const fb = p.feedback;
    if (p.type === RTCP_PSFB && fb && fb.count !== PSFB_AFB) {
      const named = fb.count === PSFB_FIR ? (fb.fir ?? []).map((e) => e.ssrc) : [fb.mediaSsrc ?? 0];
      const senders = new Set<RtcpRecipient>();
      for (const ssrc of named) {
        const recipient = router.ssrcTable[ssrc] as RtcpRecipient | undefined;
        if (recipient && isSender(recipient)) senders.add(recipient);
      }
      if (senders.size > 0) {
        for (const sender of senders) sender.handleRtcpPacket(packet);
        return;
      }
    }
    original(packet);
  };
}

interface RtcpRecipient {
  handleRtcpPacket(packet: unknown): void;
}

function isSender(recipient: RtcpRecipient): boolean {
  return recipient instanceof RTCRtpSender;
}
