import { createSocket, type Socket } from 'node:dgram';
import {
  judgeBitrate,
  judgeSample,
  mosFromSample,
  SPEC_THRESHOLDS,
  SwitchboardError,
  worstVerdict,
} from '@switchboard/protocol';
import type { Logger } from 'pino';
import {
  RTCPeerConnection,
  RTCRtpCodecParameters,
  type RTCRtpSender,
  type RTCRtpTransceiver,
  type RTCTrackEvent,
  useAbsSendTime,
  useAudioLevelIndication,
  useFIR,
  useNACK,
  usePLI,
  useREMB,
  useSdesMid,
  useTransportWideCC,
  useTWCC,
} from 'werift';
import { TypedEmitter } from '../events/TypedEmitter.js';
import type { ForwardedTrack } from './ForwardedTrack.js';
import type { ForwardingMode } from './Forwarder.js';
import { adoptClientExtensionIds, extmapOf, type HeaderExtensionParams } from './headerExtensions.js';
import type { MediaParticipant, MediaPortSource } from './MediaService.js';
import type {
  LeaveReason,
  ParticipantEvents,
  ParticipantInfo,
  ParticipantQuality,
  StreamQuality,
  TrackInfo,
} from './MediaTypes.js';
import type { PortLease } from './PortAllocator.js';
import { PublishedTrack } from './PublishedTrack.js';
import {
  fractionLostToPercent,
  kbpsFromBytes,
  lossPercentFromCounts,
  rtcpJitterToMs,
  secondsToMs,
} from './qualityMath.js';
import { MuxedSocket, type SharedUdpPort } from './SharedUdpPort.js';
import { announceAddress, rejectedMids, reviveBundleOnlyMlines, unrejectInactiveMlines } from './sdp.js';
import {
  handOverSocket,
  inboundGuardOf,
  installFeedbackRouting,
  installNoTransceiverRecycling,
  installRtpDemuxFallback,
} from './weriftPatches.js';

/** What a participant needs from its room (implemented by {@link Room}). */
export interface ParticipantHost {
  readonly roomId: string;
  readonly logger: Logger;
  readonly settings: ParticipantSettings;
  trackPublished(track: PublishedTrack): void;
  trackUnpublished(track: PublishedTrack): void;
  trackMuted(track: PublishedTrack): void;
  participantClosed(participant: Participant, reason: LeaveReason): void;
  keyframeRequested(track: ForwardedTrack, reason: 'subscribe' | 'pli' | 'fir'): void;
}

export interface ParticipantSettings {
  listenAddress: string;
  announcedAddress: string;
  /** Books participants' ports (the allocator, or the main process's from a media worker). */
  ports: MediaPortSource;
  rangeName: string;
  inactivityTimeoutMs: number;
  h264: boolean;
  forwarding: ForwardingMode;
  iceTcp: boolean;
  /** Single-port mode: the process's shared UDP port (opened on first use). */
  sharedPort?: () => Promise<SharedUdpPort>;
}

interface Subscription {
  track: ForwardedTrack;
  transceiver: RTCRtpTransceiver;
  sender: RTCRtpSender;
  keyframeAsked: boolean;
  lastReport: { fractionLost: number; jitter: number } | undefined;
  stop: () => void;
}

/** The werift ICE agent fields single-port mode reads. */
interface IceAgentInternals {
  localUsername: string;
  protocols: { transport?: unknown }[];
}

/** werift sender counters we read for quality (private in its typings). */
interface SenderInternals {
  octetCount: number;
  headerBytesSent: number;
  packetCount: number;
  rtt?: number;
  receiverEstimatedMaxBitrate: bigint;
  ssrc: number;
}

interface RtcpLike {
  type: number;
  reports?: { ssrc: number; fractionLost: number; jitter: number }[];
  feedback?: { count: number };
}

const GATHER_TIMEOUT_MS = 5000;
const BIND_ATTEMPTS = 8;
const CLOSE_TIMEOUT_MS = 3000;

function codecConfig(h264: boolean) {
  const videoFeedback = () => [useNACK(), usePLI(), useFIR(), useREMB(), useTWCC()];
  const video = [
    new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90_000, rtcpFeedback: videoFeedback() }),
  ];
  if (h264) {
    video.push(
      new RTCRtpCodecParameters({
        mimeType: 'video/H264',
        clockRate: 90_000,
        rtcpFeedback: videoFeedback(),
        parameters: 'profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1',
      }),
    );
  }
  return {
    audio: [
      new RTCRtpCodecParameters({
        mimeType: 'audio/opus',
        clockRate: 48_000,
        channels: 2,
        rtcpFeedback: [useTWCC()],
      }),
    ],
    video,
  };
}

/**
 * Binds the participant's UDP socket, or undefined when another process holds the port. The
 * socket is kept and handed to werift (weriftPatches, `handOverSocket`): binding, closing and
 * letting werift bind again later left a window in which another process could take the port,
 * and werift then gathered no candidate at all, silently (seen in `bench:sfu`, whose range lies
 * inside the kernel's ephemeral ports: about one run in ten had a client that never connected).
 */
function bindMediaSocket(address: string, port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind({ address, port, exclusive: true }, () => resolve(socket));
  });
}

/**
 * One participant of a room: one werift peer connection (max-bundle, one UDP port from the
 * allocator), the tracks it publishes and the tracks it receives.
 *
 * Negotiation (one peer connection, two offerers, no glare for the client to handle):
 * - the client offers to publish/unpublish or to restart ICE: {@link handleOffer} returns the answer;
 * - the server offers when subscriptions change: `negotiationNeeded` carries `{offerId, sdp}`,
 *   the client answers with {@link handleAnswer}.
 * The server is the polite peer: a client offer arriving while a server offer is pending wins
 * (the server rolls its offer back and re-offers afterwards, with a new offerId); an answer to
 * a superseded offer is refused with SB_ERR_NEGOTIATION_FAILED (`reason: 'stale-offer'`).
 * Gathering is complete before any SDP leaves the server (host candidates only, so instant):
 * no server-side trickle. Client candidates may come inside its SDP or via {@link addIceCandidate}.
 */
export class Participant implements MediaParticipant {
  readonly id: string;
  readonly joinedAt = Date.now();
  readonly #host: ParticipantHost;
  readonly #pc: RTCPeerConnection;
  readonly #lease: PortLease;
  readonly #log: Logger;
  readonly #events: TypedEmitter<ParticipantEvents>;
  readonly #published = new Map<string, PublishedTrack>();
  readonly #subscriptions = new Map<string, Subscription>();
  #chain: Promise<unknown> = Promise.resolve();
  #offerId = 0;
  #pendingOfferId: number | undefined;
  #offerWanted = false;
  #offerScheduled = false;
  #iceRestartWanted = false;
  #lastRestartAt = 0;
  #closed = false;
  #closing: Promise<void> | undefined;
  #inactivityTimer: NodeJS.Timeout;
  #qualityPrev = new Map<string, { at: number; bytes: number; expected: number; received: number }>();

  private constructor(host: ParticipantHost, id: string, lease: PortLease) {
    this.id = id;
    this.#host = host;
    this.#lease = lease;
    this.#log = host.logger.child({ participantId: id });
    this.#events = new TypedEmitter((event, error) =>
      this.#log.error({ err: error, event }, 'listener threw'),
    );
    const s = host.settings;
    this.#pc = new RTCPeerConnection({
      // werift defaults to a public Google STUN server: never.
      iceServers: [],
      // Exactly one host candidate: the listen address, on our one port (see weriftPatches).
      iceUseIpv4: false,
      iceUseIpv6: false,
      iceAdditionalHostAddresses: [s.listenAddress],
      iceInterfaceAddresses: { udp4: s.listenAddress },
      icePortRange: [lease.port, lease.port + 1],
      // ICE-TCP: werift listens (passive) on the first free TCP port of that range, i.e. the
      // same number as the UDP socket unless another program holds it.
      iceUseTcp: s.iceTcp,
      bundlePolicy: 'max-bundle',
      codecs: codecConfig(s.h264),
      headerExtensions: {
        audio: [useSdesMid(), useAudioLevelIndication(), useAbsSendTime(), useTransportWideCC()],
        video: [useSdesMid(), useAbsSendTime(), useTransportWideCC()],
      },
    });
    installRtpDemuxFallback(this.#pc);
    installNoTransceiverRecycling(this.#pc);
    installFeedbackRouting(this.#pc);
    this.#pc.ontrack = (event: RTCTrackEvent) => this.#onTrack(event);
    this.#pc.connectionStateChange.subscribe((state) => {
      this.#log.debug({ state }, 'connection state');
      this.#events.emit('connectionState', state);
      // A failed peer connection keeps its sockets until closed explicitly.
      if (state === 'failed') void this.close('failed');
    });
    this.#inactivityTimer = setInterval(
      () => this.#checkActivity(),
      Math.min(1000, s.inactivityTimeoutMs / 4),
    );
    this.#inactivityTimer.unref();
  }

  /**
   * Creates a participant with its own UDP port (bindable, from the allocator), or in
   * single-port mode on the process's shared port.
   */
  static async create(host: ParticipantHost, id: string): Promise<Participant> {
    const s = host.settings;
    if (s.sharedPort) {
      const shared = await s.sharedPort();
      const lease: PortLease = { port: shared.address().port, range: s.rangeName, release: () => {} };
      return new Participant(host, id, lease);
    }
    const busy: PortLease[] = [];
    try {
      for (let i = 0; i < BIND_ATTEMPTS; i++) {
        const lease = await s.ports.acquire(s.rangeName);
        const socket = await bindMediaSocket(s.listenAddress, lease.port);
        if (socket) {
          handOverSocket(lease.port, socket);
          return new Participant(host, id, lease);
        }
        host.logger.warn({ port: lease.port }, 'media port held by another process; trying another');
        busy.push(lease);
      }
      throw new SwitchboardError('SB_ERR_PORTS_EXHAUSTED', 'no bindable UDP port in the media range', {
        range: s.rangeName,
      });
    } finally {
      for (const lease of busy) lease.release();
    }
  }

  /** Subscribe to this participant's events. */
  on<K extends keyof ParticipantEvents>(
    event: K,
    listener: (...args: ParticipantEvents[K]) => void,
  ): () => void {
    return this.#events.on(event, listener);
  }

  /** The UDP port of this participant's media socket. */
  get port(): number {
    return this.#lease.port;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get connectionState(): string {
    return this.#pc.connectionState;
  }

  get info(): ParticipantInfo {
    return {
      participantId: this.id,
      joinedAt: this.joinedAt,
      tracks: this.publishedTracks.map((t) => t.info),
    };
  }

  get publishedTracks(): PublishedTrack[] {
    return [...this.#published.values()];
  }

  /** Track ids this participant receives. */
  get subscriptions(): string[] {
    return [...this.#subscriptions.keys()];
  }

  /** Inbound SRTP/SRTCP security counters (replayed / rejected packets). */
  get inboundGuard(): { accepted: number; replayed: number; rejected: number; lastAuthenticAt: number } {
    const dtls = this.#pc.dtlsTransports[0];
    return dtls ? { ...inboundGuardOf(dtls) } : { accepted: 0, replayed: 0, rejected: 0, lastAuthenticAt: 0 };
  }

  /**
   * Applies the client's offer (publish, unpublish, ICE restart) and returns the server's
   * answer, with complete host candidates.
   * @throws SwitchboardError SB_ERR_NEGOTIATION_FAILED when the offer cannot be applied.
   */
  handleOffer(sdp: string): Promise<string> {
    return this.#serialize(async () => {
      this.#assertOpen();
      // Glare: the server is the impolite peer. Its offer stands; the client answers it,
      // rolls its own back, and offers again (the SDK does this on reason "glare").
      if (this.#pc.signalingState === 'have-local-offer') {
        throw new SwitchboardError(
          'SB_ERR_NEGOTIATION_FAILED',
          'glare: answer the pending server offer first',
          {
            reason: 'glare',
            offerId: this.#pendingOfferId ?? null,
          },
        );
      }
      // Subscriptions added since the last server offer have no mid yet; werift would pair
      // them with the client's m-lines of the same kind. Hide them during the match.
      const hidden = this.#hideUnnegotiatedTransceivers();
      this.#hiding = hidden;
      try {
        await this.#pc.setRemoteDescription({ type: 'offer', sdp: reviveBundleOnlyMlines(sdp) });
        this.#preferDtlsServer(sdp);
        if (this.#isIceRestart()) this.#lastRestartAt = Date.now();
        await this.#pc.setLocalDescription(await this.#pc.createAnswer());
        await this.#gathered();
        this.#claimIceUsername();
        this.#assertCandidates();
      } catch (error) {
        throw this.#negotiationError(error, 'offer');
      } finally {
        this.#hiding = null;
        for (const transceiver of hidden) transceiver.mid = null as unknown as string;
      }
      if (!this.#clientOffered) {
        this.#clientOffered = true;
        const config = (
          this.#pc as unknown as { config: { headerExtensions: Record<string, HeaderExtensionParams[]> } }
        ).config;
        adoptClientExtensionIds(config.headerExtensions, extmapOf(sdp));
      }
      this.#reconcilePublished();
      if (this.#offerWanted || this.#subscriptionsNeedOffer()) this.#scheduleOffer();
      return this.#localSdp();
    });
  }

  /**
   * Answers a client's first offer as the DTLS server (`a=setup:passive`; RFC 5763 §5 lets
   * the answerer choose, JSEP only recommends active) unless the client insists on being the
   * server. As DTLS client, werift retransmits its last flight with the same record sequence
   * numbers, which BoringSSL (Chromium, libwebrtc) discards as replays: a lost final flight
   * from the browser left the handshake stuck for good (`dtls-loss` test; single-port
   * `bench:sfu` runs before its buffer fix). As server, werift re-sends its final flight when
   * the client retransmits, which libwebrtc does correctly. It also makes werift choose the
   * SRTP profile (AES-CM first, patch 6), which the fast path needs.
   */
  #preferDtlsServer(offer: string): void {
    if (/^a=setup:passive/m.test(offer)) return;
    for (const dtls of this.#pc.dtlsTransports) {
      if (dtls.state === 'new' && dtls.role === 'auto') dtls.role = 'server';
    }
  }

  /** Gives not-yet-negotiated subscription transceivers a placeholder mid; returns them. */
  /**
   * While a client offer is being applied: the hidden transceivers. A subscription made
   * meanwhile (someone publishes during the await) joins them, or werift pairs it with the
   * client's m-line of its kind — a receive-only client's first `recvonly` offer then got the
   * track in an m-line the server never sends on.
   */
  #hiding: RTCRtpTransceiver[] | null = null;

  #hideUnnegotiatedTransceivers(): RTCRtpTransceiver[] {
    const hidden: RTCRtpTransceiver[] = [];
    for (const sub of this.#subscriptions.values()) {
      if (sub.transceiver.mid === null || sub.transceiver.mid === undefined) {
        sub.transceiver.mid = `pending-${hidden.length}`;
        hidden.push(sub.transceiver);
      }
    }
    return hidden;
  }

  /**
   * Applies the client's answer to the server offer `offerId`.
   * @throws SwitchboardError SB_ERR_NEGOTIATION_FAILED (`reason: 'stale-offer'`) for an answer
   *   to a superseded offer, or when the answer cannot be applied.
   */
  handleAnswer(sdp: string, offerId: number): Promise<void> {
    return this.#serialize(async () => {
      this.#assertOpen();
      if (offerId !== this.#pendingOfferId || this.#pc.signalingState !== 'have-local-offer') {
        throw new SwitchboardError('SB_ERR_NEGOTIATION_FAILED', `answer to superseded offer ${offerId}`, {
          reason: 'stale-offer',
          offerId,
          currentOfferId: this.#pendingOfferId ?? null,
        });
      }
      try {
        await this.#pc.setRemoteDescription({ type: 'answer', sdp: reviveBundleOnlyMlines(sdp) });
      } catch (error) {
        throw this.#negotiationError(error, 'answer');
      }
      this.#pendingOfferId = undefined;
      this.#askKeyframesWhenConnected();
      if (this.#offerWanted) this.#scheduleOffer();
    });
  }

  /** Adds a trickled client candidate (`a=candidate:` line or its value). */
  async addIceCandidate(candidate: string, sdpMid?: string): Promise<void> {
    this.#assertOpen();
    const line = candidate.startsWith('a=') ? candidate.slice(2) : candidate;
    await this.#pc.addIceCandidate({ candidate: line, sdpMid: sdpMid ?? '0', sdpMLineIndex: 0 });
  }

  /**
   * Server-initiated ICE restart (after the client's network changed, signalling resume):
   * emits `negotiationNeeded` with an offer carrying new ICE credentials. The client may
   * instead send its own offer with new credentials to {@link handleOffer}.
   */
  restartIce(): void {
    this.#assertOpen();
    this.#iceRestartWanted = true;
    this.#lastRestartAt = Date.now();
    this.#scheduleOffer();
  }

  /** Starts receiving a published track (the server then offers; see `negotiationNeeded`). */
  subscribe(track: ForwardedTrack): void {
    this.#assertOpen();
    if (this.#subscriptions.has(track.trackId) || track.participantId === this.id) return;
    const codec = track.codecForSubscriber();
    const transceiver = this.#pc.addTransceiver(track.kind, { direction: 'sendonly' });
    if (this.#hiding) {
      transceiver.mid = `pending-late-${this.#hiding.length}`;
      this.#hiding.push(transceiver);
    }
    // Offer exactly the publisher's codec (payload type and fmtp): no transcoding.
    if (codec) transceiver.codecs = [codec];
    const sender = transceiver.sender;
    // a=msid names the publisher as the stream: a client gets one MediaStream per participant
    // (audio and video together, so they play in sync) and can tell whose a track is.
    sender.streamIds = [track.participantId];
    const sub: Subscription = {
      track,
      transceiver,
      sender,
      keyframeAsked: false,
      lastReport: undefined,
      stop: () => {},
    };
    const offPli = sender.onPictureLossIndication.subscribe(() =>
      this.#relayKeyframe(track, 'pli'),
    ).unSubscribe;
    const offRtcp = sender.onRtcp.subscribe((packet) => {
      const rtcp = packet as unknown as RtcpLike;
      if (rtcp.type === 206 && rtcp.feedback?.count === 4) this.#relayKeyframe(track, 'fir');
      if (rtcp.type === 200 || rtcp.type === 201) {
        const own = (sender as unknown as SenderInternals).ssrc;
        const report = rtcp.reports?.find((r) => r.ssrc === own);
        if (report) sub.lastReport = { fractionLost: report.fractionLost, jitter: report.jitter };
      }
    }).unSubscribe;
    sub.stop = () => {
      offPli();
      offRtcp();
    };
    this.#subscriptions.set(track.trackId, sub);
    track.forwarder.addSink(this.id, sender);
    this.#scheduleOffer();
  }

  /** Stops receiving a track (the server then offers the m-line as inactive). */
  unsubscribe(trackId: string): void {
    const sub = this.#subscriptions.get(trackId);
    if (!sub) return;
    this.#subscriptions.delete(trackId);
    sub.stop();
    sub.track.forwarder.removeSink(this.id);
    if (this.#closed) return;
    try {
      this.#pc.removeTrack(sub.sender);
    } catch (error) {
      this.#log.debug({ err: error, trackId }, 'removeTrack');
    }
    this.#scheduleOffer();
  }

  /**
   * Mutes or unmutes one of this participant's published tracks (by track id or kind):
   * the server stops forwarding it. Returns the tracks changed.
   */
  setMuted(trackIdOrKind: string, muted: boolean): TrackInfo[] {
    const changed: TrackInfo[] = [];
    for (const track of this.#published.values()) {
      if (track.trackId !== trackIdOrKind && track.kind !== trackIdOrKind) continue;
      if (track.forwarder.muted === muted) continue;
      track.forwarder.muted = muted;
      if (!muted) track.requestKeyframe();
      changed.push(track.info);
      this.#host.trackMuted(track);
    }
    return changed;
  }

  /** Lowest REMB among subscribers of `track` on this participant, or 0n. */
  rembFor(trackId: string): bigint {
    const sub = this.#subscriptions.get(trackId);
    return sub ? (sub.sender as unknown as SenderInternals).receiverEstimatedMaxBitrate : 0n;
  }

  /**
   * One quality sample since the previous call: per published track (inbound) and per
   * subscription (outbound), judged with `@switchboard/protocol`'s thresholds and E-model.
   */
  sampleQuality(now = Date.now()): ParticipantQuality {
    const streams: StreamQuality[] = [];
    const rtts = [...this.#subscriptions.values()]
      .map((s) => (s.sender as unknown as SenderInternals).rtt)
      .filter((r): r is number => typeof r === 'number' && Number.isFinite(r) && r >= 0);
    const rttMs = rtts.length > 0 ? secondsToMs(rtts.reduce((a, b) => a + b, 0) / rtts.length) : null;

    for (const track of this.#published.values()) {
      const st = track.statistics();
      if (!st) continue;
      const bytes = st.bytesReceived + st.headerBytesReceived;
      const key = `in:${track.trackId}`;
      const prev = this.#qualityPrev.get(key);
      this.#qualityPrev.set(key, {
        at: now,
        bytes,
        expected: st.packets_expected,
        received: st.packets_received,
      });
      const intervalMs = prev ? now - prev.at : 0;
      streams.push(
        this.#stream(track.trackId, track.kind, 'inbound', {
          rttMs,
          jitterMs: rtcpJitterToMs(st.jitter, st.clockRate),
          lossPercent: prev
            ? lossPercentFromCounts(st.packets_expected - prev.expected, st.packets_received - prev.received)
            : 0,
          bitrateKbps: prev ? kbpsFromBytes(bytes - prev.bytes, intervalMs) : 0,
          packets: st.packets_received,
        }),
      );
    }
    for (const sub of this.#subscriptions.values()) {
      const sender = sub.sender as unknown as SenderInternals;
      const bytes = sender.octetCount + sender.headerBytesSent;
      const key = `out:${sub.track.trackId}`;
      const prev = this.#qualityPrev.get(key);
      this.#qualityPrev.set(key, { at: now, bytes, expected: 0, received: 0 });
      const clockRate = sub.track.codec?.clockRate ?? (sub.track.kind === 'audio' ? 48_000 : 90_000);
      const senderRtt = typeof sender.rtt === 'number' ? secondsToMs(sender.rtt) : rttMs;
      streams.push(
        this.#stream(sub.track.trackId, sub.track.kind, 'outbound', {
          rttMs: senderRtt,
          jitterMs: sub.lastReport ? rtcpJitterToMs(sub.lastReport.jitter, clockRate) : 0,
          lossPercent: sub.lastReport ? fractionLostToPercent(sub.lastReport.fractionLost) : 0,
          bitrateKbps: prev ? kbpsFromBytes(bytes - prev.bytes, now - prev.at) : 0,
          packets: sender.packetCount,
        }),
      );
    }
    const sum = (dir: 'inbound' | 'outbound') =>
      streams.filter((s) => s.direction === dir).reduce((a, s) => a + s.bitrateKbps, 0);
    const need = (dir: 'inbound' | 'outbound') => {
      const kinds = new Set(streams.filter((s) => s.direction === dir).map((s) => s.kind));
      if (kinds.size === 0) return 0;
      return kinds.has('video') ? SPEC_THRESHOLDS.audioVideoKbps : SPEC_THRESHOLDS.audioKbps;
    };
    const inboundKbps = sum('inbound');
    const outboundKbps = sum('outbound');
    const bitrate = {
      inbound: judgeBitrate(inboundKbps, need('inbound')),
      outbound: judgeBitrate(outboundKbps, need('outbound')),
    };
    const guard = this.inboundGuard;
    return {
      roomId: this.#host.roomId,
      participantId: this.id,
      at: now,
      rttMs,
      streams,
      mos: streams.length > 0 ? Math.min(...streams.map((s) => s.mos)) : 4.5,
      inboundKbps,
      outboundKbps,
      bitrate,
      replayedPackets: guard.replayed,
      rejectedPackets: guard.rejected,
      verdict: worstVerdict([
        ...streams.map((s) => s.verdict),
        bitrate.inbound.verdict,
        bitrate.outbound.verdict,
      ]),
    };
  }

  /** Leaves the room and frees the port. Idempotent; resolves when the sockets are closed. */
  close(reason: LeaveReason = 'left'): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closed = true;
    clearInterval(this.#inactivityTimer);
    this.#closing = (async () => {
      for (const trackId of [...this.#subscriptions.keys()]) this.unsubscribe(trackId);
      for (const track of this.#published.values()) {
        this.#host.trackUnpublished(track);
        track.close();
      }
      this.#published.clear();
      try {
        await Promise.race([this.#pc.close(), new Promise((r) => setTimeout(r, CLOSE_TIMEOUT_MS).unref())]);
      } catch (error) {
        this.#log.warn({ err: error }, 'peer connection close failed');
      }
      // Closed before werift took its socket (no offer yet): close it here.
      handOverSocket(this.#lease.port, undefined);
      this.#lease.release();
      this.#log.info({ reason }, 'participant closed');
      this.#events.emit('closed', reason);
      this.#events.removeAllListeners();
      this.#host.participantClosed(this, reason);
    })();
    return this.#closing;
  }

  #stream(
    trackId: string,
    kind: StreamQuality['kind'],
    direction: StreamQuality['direction'],
    m: { rttMs: number | null; jitterMs: number; lossPercent: number; bitrateKbps: number; packets: number },
  ): StreamQuality {
    const sample = { rttMs: m.rttMs ?? 0, jitterMs: m.jitterMs, lossPercent: m.lossPercent };
    const judgements = judgeSample(sample).filter((j) => m.rttMs !== null || j.metric !== 'rttMs');
    return {
      trackId,
      kind,
      direction,
      ...m,
      mos: mosFromSample(sample),
      judgements,
      verdict: worstVerdict(judgements.map((j) => j.verdict)),
    };
  }

  #serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(task, task);
    this.#chain = run.catch(() => {});
    return run;
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new SwitchboardError('SB_ERR_PARTICIPANT_NOT_FOUND', `participant ${this.id} has left`, {
        participantId: this.id,
      });
    }
  }

  #negotiationError(error: unknown, what: 'offer' | 'answer'): SwitchboardError {
    const message = error instanceof Error ? error.message : String(error);
    this.#log.warn({ err: error }, `could not apply client ${what}`);
    return new SwitchboardError('SB_ERR_NEGOTIATION_FAILED', `could not apply ${what}: ${message}`, {
      reason: 'invalid-sdp',
    });
  }

  #scheduleOffer(): void {
    this.#offerWanted = true;
    if (this.#offerScheduled || this.#closed) return;
    this.#offerScheduled = true;
    // Coalesce several subscription changes of one tick into one offer.
    setImmediate(() => {
      this.#offerScheduled = false;
      this.#serialize(() => this.#makeOffer()).catch((error) => {
        this.#log.error({ err: error }, 'server offer failed');
      });
    });
  }

  async #makeOffer(): Promise<void> {
    if (this.#closed || !this.#offerWanted) return;
    // The client offers first (even a receive-only client): its offer tells us its header
    // extension numbering, which every later server offer must follow.
    if (!this.#clientOffered) return;
    // One offer in flight at a time; the answer handler re-schedules.
    if (this.#pendingOfferId !== undefined || this.#pc.signalingState !== 'stable') return;
    this.#offerWanted = false;
    const iceRestart = this.#iceRestartWanted;
    this.#iceRestartWanted = false;
    await this.#pc.setLocalDescription(await this.#pc.createOffer({ iceRestart }));
    await this.#gathered();
    this.#claimIceUsername();
    this.#assertCandidates();
    this.#offerId++;
    this.#pendingOfferId = this.#offerId;
    this.#events.emit('negotiationNeeded', { offerId: this.#offerId, sdp: this.#localSdp() });
  }

  #subscriptionsNeedOffer(): boolean {
    return [...this.#subscriptions.values()].some(
      (s) => s.transceiver.mid === null || s.transceiver.mid === undefined,
    );
  }

  async #gathered(): Promise<void> {
    const deadline = Date.now() + GATHER_TIMEOUT_MS;
    while (this.#pc.iceGatheringState !== 'complete' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /**
   * werift gathers silently: a socket it could not bind leaves an SDP without candidates, and
   * the client waits in ICE state `new` forever. Say so instead.
   * @throws SwitchboardError SB_ERR_NEGOTIATION_FAILED
   */
  #assertCandidates(): void {
    const sdp = this.#pc.localDescription?.sdp ?? '';
    if (!/^a=candidate:/m.test(sdp)) {
      throw new SwitchboardError('SB_ERR_NEGOTIATION_FAILED', 'the server gathered no ICE candidate', {
        port: this.#lease.port,
      });
    }
  }

  /**
   * Single-port mode: tells this participant's socket on the shared port which ICE username
   * fragment is ours, so checks from new addresses naming it reach our ICE agent (read live:
   * an ICE restart changes it).
   */
  #claimIceUsername(): void {
    for (const t of this.#pc.iceTransports) {
      const connection = (t as unknown as { connection: IceAgentInternals }).connection;
      for (const protocol of connection.protocols) {
        const socket = (protocol.transport as { socket?: unknown } | undefined)?.socket;
        if (socket instanceof MuxedSocket) socket.iceUsername = () => connection.localUsername;
      }
    }
  }

  #localSdp(): string {
    const rejected = rejectedMids(this.#pc.remoteDescription?.sdp ?? '');
    const live = (mid: string) => {
      if (rejected.has(mid)) return false;
      const transceiver = this.#pc.getTransceivers().find((t) => t.mid === mid) as
        | (RTCRtpTransceiver & { stopped?: boolean; stopping?: boolean })
        | undefined;
      return transceiver !== undefined && !transceiver.stopped && !transceiver.stopping;
    };
    const sdp = unrejectInactiveMlines(this.#pc.localDescription?.sdp ?? '', live);
    const s = this.#host.settings;
    return announceAddress(sdp, s.listenAddress, s.announcedAddress);
  }

  #isIceRestart(): boolean {
    const iceTransport = this.#pc.iceTransports[0] as unknown as { iceRestarts?: number } | undefined;
    const restarts = iceTransport?.iceRestarts ?? 0;
    const seen = this.#seenRestarts;
    this.#seenRestarts = restarts;
    return restarts > seen;
  }
  #seenRestarts = 0;
  /** Whether the client's first offer has been applied (server offers wait for it). */
  #clientOffered = false;

  #onTrack(event: RTCTrackEvent): void {
    if (this.#closed) return;
    const transceiver = event.transceiver;
    const mid = transceiver.mid ?? String(transceiver.mLineIndex);
    const existing = this.#published.get(mid);
    if (existing) {
      existing.replaceSource(event.track);
      existing.requestKeyframe();
      return;
    }
    const track = new PublishedTrack(
      this.id,
      transceiver,
      event.track,
      () => this.#pc.extIdUriMap as Record<number, string>,
      this.#host.settings.forwarding,
    );
    this.#published.set(mid, track);
    this.#log.info(
      { trackId: track.trackId, kind: track.kind, codec: track.info.mimeType },
      'track published',
    );
    this.#host.trackPublished(track);
  }

  /** After a client offer: m-lines the client no longer sends on are unpublished. */
  #reconcilePublished(): void {
    for (const [mid, track] of this.#published) {
      const dir = track.transceiver.currentDirection;
      if (dir === 'recvonly' || dir === 'sendrecv') continue;
      this.#published.delete(mid);
      this.#host.trackUnpublished(track);
      track.close();
    }
  }

  #relayKeyframe(track: ForwardedTrack, reason: 'pli' | 'fir'): void {
    if (track.requestKeyframe()) this.#host.keyframeRequested(track, reason);
  }

  /**
   * A new subscriber needs a keyframe to start decoding: ask once its transport is up and
   * its m-line is negotiated. A keyframe that arrives before the sender has a codec is
   * dropped by werift, so subscriptions added while an offer was pending wait for the
   * answer that covers them.
   */
  #askKeyframesWhenConnected(): void {
    const pending = [...this.#subscriptions.values()].filter(
      (s) => !s.keyframeAsked && s.track.kind === 'video' && s.sender.codec !== undefined,
    );
    if (pending.length === 0) return;
    const ask = () => {
      for (const sub of pending) {
        if (sub.keyframeAsked) continue;
        sub.keyframeAsked = true;
        sub.track.requestKeyframe();
        this.#host.keyframeRequested(sub.track, 'subscribe');
      }
    };
    const dtls = this.#pc.dtlsTransports[0];
    if (dtls?.state === 'connected') {
      ask();
      return;
    }
    const { unSubscribe } = this.#pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') {
        unSubscribe();
        ask();
      }
    });
  }

  #checkActivity(): void {
    if (this.#closed) return;
    const s = this.#host.settings;
    const last = Math.max(this.joinedAt, this.#lastRestartAt, this.inboundGuard.lastAuthenticAt);
    if (Date.now() - last > s.inactivityTimeoutMs) {
      this.#log.info({ silentMs: Date.now() - last }, 'no authentic media: removing participant');
      void this.close('inactive');
    }
  }
}
