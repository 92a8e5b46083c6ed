import type { Judgement, Verdict } from '@switchboard/protocol';
import type { Logger } from 'pino';
import type { MediaPortSource } from './MediaService.js';
import type { PortAllocator } from './PortAllocator.js';

export type MediaKind = 'audio' | 'video';

/** Options of {@link MediaServer}. */
export interface MediaServerOptions {
  /** IPv4 address every media socket binds to, and the host candidate (e.g. 10.0.0.5). */
  listenAddress: string;
  /** Public address announced to clients instead of `listenAddress` (1:1 NAT). */
  announcedAddress?: string;
  /**
   * The process's port allocator, shared with the ACD and the Tester. When absent one is
   * created over `{ video: videoRange }`.
   */
  portAllocator?: PortAllocator;
  /**
   * Instead of `portAllocator`: where ports are booked when the allocator lives in another
   * process (a media worker asks the main process).
   */
  portSource?: MediaPortSource;
  /** Name of the allocator range media sockets come from. Default `video`. */
  rangeName?: string;
  /** Used only when no `portAllocator` is given. Default 19099–20099 (the spec). */
  videoRange?: { min: number; max: number };
  /** A participant with no authentic SRTP/SRTCP for this long is removed. Default 20 000. */
  inactivityTimeoutMs?: number;
  /** How often quality is sampled and emitted. Default 5000. */
  qualityIntervalMs?: number;
  /** Offer H264 (besides VP8) to clients that offer it. Default true. */
  h264?: boolean;
  /**
   * Per-packet path: `fast` (the default: own SRTP with cached keys, Buffer-level RTP rewrite)
   * or `werift` (werift's parse/clone/sendRtp; the naive baseline of bench/sfu).
   */
  forwarding?: 'fast' | 'werift';
  /**
   * Also offer a passive ICE-TCP candidate (RFC 6544) on the participant's port number, for
   * networks that drop UDP but let TCP through to the media range. Default false: one more
   * listening socket per participant, and TURN over TCP/TLS already covers most such networks.
   */
  iceTcp?: boolean;
  /**
   * One UDP port for every participant (taken from the range when the first joins),
   * demultiplexed by source address and ICE username, instead of one port per participant.
   * Lifts the one-port-per-peer cap of the range and lets a firewall open one port.
   * Default false.
   */
  singlePort?: boolean;
  logger?: Logger;
}

/** A published track as the rest of the system sees it. */
export interface TrackInfo {
  /** `<participantId>:<mid>`; unique in the room. */
  trackId: string;
  participantId: string;
  kind: MediaKind;
  /** e.g. `video/VP8`. */
  mimeType: string;
  muted: boolean;
}

export interface ParticipantInfo {
  participantId: string;
  joinedAt: number;
  tracks: TrackInfo[];
}

export type LeaveReason = 'left' | 'inactive' | 'failed' | 'room-closed' | 'server-closed';

/** Quality of one stream, in the units of `@switchboard/protocol/quality`. */
export interface StreamQuality {
  trackId: string;
  kind: MediaKind;
  /** `inbound`: client → server (a published track); `outbound`: server → client (a subscription). */
  direction: 'inbound' | 'outbound';
  rttMs: number | null;
  jitterMs: number;
  lossPercent: number;
  bitrateKbps: number;
  packets: number;
  mos: number;
  judgements: Judgement[];
  verdict: Verdict;
}

export interface ParticipantQuality {
  roomId: string;
  participantId: string;
  at: number;
  /** Transport round-trip time, from RTCP RR (LSR/DLSR) of this participant's subscriptions. */
  rttMs: number | null;
  streams: StreamQuality[];
  /** Worst MOS of the participant's streams (4.5 when none). */
  mos: number;
  /** Sum of inbound and outbound bitrates, judged against 40 kbps (audio) or 80 kbps (audio+video). */
  inboundKbps: number;
  outboundKbps: number;
  bitrate: { inbound: Judgement; outbound: Judgement };
  /** Inbound packets dropped by the SRTP replay window / failed authentication. */
  replayedPackets: number;
  rejectedPackets: number;
  verdict: Verdict;
}

export interface RoomQuality {
  roomId: string;
  at: number;
  participants: ParticipantQuality[];
}

/** A server offer the client must answer (`participant.handleAnswer(sdp, offerId)`). */
export interface ServerOffer {
  offerId: number;
  sdp: string;
}

export type ParticipantEvents = {
  /** The server has an offer for this client (new/removed subscriptions, ICE restart). */
  negotiationNeeded: [ServerOffer];
  /** ICE/DTLS state of the participant's peer connection. */
  connectionState: [string];
  /** The participant is gone (after which every other method fails). */
  closed: [LeaveReason];
};

export type RoomEvents = {
  participantJoined: [ParticipantInfo];
  participantLeft: [{ participantId: string; reason: LeaveReason }];
  trackPublished: [TrackInfo];
  trackUnpublished: [TrackInfo];
  trackMuted: [TrackInfo];
  /** Every `qualityIntervalMs`, one per participant. */
  quality: [ParticipantQuality];
  closed: [];
};

/** Observer events for metrics and dashboards (never on the per-packet path). */
export type MediaObserverEvents = {
  roomCreated: [{ roomId: string }];
  roomClosed: [{ roomId: string }];
  participantJoined: [{ roomId: string; participantId: string }];
  participantLeft: [{ roomId: string; participantId: string; reason: LeaveReason }];
  trackPublished: [{ roomId: string } & TrackInfo];
  trackUnpublished: [{ roomId: string } & TrackInfo];
  quality: [ParticipantQuality];
  keyframeRequested: [{ roomId: string; trackId: string; reason: 'subscribe' | 'pli' | 'fir' }];
};
