import {
  type MediaStreamTrack,
  ReceiverEstimatedMaxBitrate,
  RTCRtpCodecParameters,
  type RTCRtpTransceiver,
  RtcpPayloadSpecificFeedback,
} from 'werift';
import type { ForwardedTrack } from './ForwardedTrack.js';
import { Forwarder, type ForwardingMode } from './Forwarder.js';
import type { MediaKind, TrackInfo } from './MediaTypes.js';

/** Minimum gap between two keyframe requests sent to a publisher for one track. */
const KEYFRAME_REQUEST_GAP_MS = 300;

/** werift's receiver keeps its per-SSRC RTP statistics in a private field. */
export interface StreamStatisticsLike {
  packets_received: number;
  bytesReceived: number;
  headerBytesReceived: number;
  packets_expected: number;
  jitter: number;
  clockRate: number;
}

interface DtlsLike {
  sendRtcp(packets: unknown[]): Promise<unknown>;
  state: string;
}

/**
 * One track a participant publishes: the receiving transceiver on the publisher's peer
 * connection, the remote track, and the forwarder to subscribers.
 */
export class PublishedTrack implements ForwardedTrack {
  readonly trackId: string;
  readonly participantId: string;
  readonly kind: MediaKind;
  readonly mid: string;
  readonly transceiver: RTCRtpTransceiver;
  readonly forwarder: Forwarder;
  #track: MediaStreamTrack;
  #lastKeyframeRequestAt = 0;
  /** Keyframe requests sent to the publisher (PLI). */
  keyframeRequests = 0;

  constructor(
    participantId: string,
    transceiver: RTCRtpTransceiver,
    track: MediaStreamTrack,
    publisherExtensions: () => Record<number, string>,
    forwarding: ForwardingMode = 'fast',
  ) {
    this.participantId = participantId;
    this.transceiver = transceiver;
    this.mid = transceiver.mid ?? String(transceiver.mLineIndex);
    this.trackId = `${participantId}:${this.mid}`;
    this.kind = track.kind as MediaKind;
    this.#track = track;
    this.forwarder = new Forwarder(publisherExtensions, transceiver.receiver, forwarding);
    this.forwarder.setSource(track);
  }

  get track(): MediaStreamTrack {
    return this.#track;
  }

  /** The publisher started a new RTP stream on the same m-line (new SSRC). */
  replaceSource(track: MediaStreamTrack): void {
    this.#track = track;
    this.forwarder.setSource(track);
  }

  get info(): TrackInfo {
    return {
      trackId: this.trackId,
      participantId: this.participantId,
      kind: this.kind,
      mimeType: this.codec?.mimeType ?? `${this.kind}/unknown`,
      muted: this.forwarder.muted,
    };
  }

  /** The codec the publisher sends (with its fmtp), offered as-is to subscribers. */
  get codec(): RTCRtpCodecParameters | undefined {
    return this.#track.codec ?? this.transceiver.codecs[0];
  }

  /** A copy of the publisher's codec for a subscriber's transceiver (no transcoding). */
  codecForSubscriber(): RTCRtpCodecParameters | undefined {
    const c = this.codec;
    if (!c) return undefined;
    return new RTCRtpCodecParameters({
      mimeType: c.mimeType,
      clockRate: c.clockRate,
      channels: c.channels,
      payloadType: c.payloadType,
      rtcpFeedback: [...c.rtcpFeedback],
      parameters: c.parameters,
    });
  }

  /** werift's RTP statistics of the current source SSRC (for quality). */
  statistics(): StreamStatisticsLike | undefined {
    const ssrc = this.#track.ssrc;
    if (ssrc === undefined) return undefined;
    const streams = (
      this.transceiver.receiver as unknown as { remoteStreams: Record<number, StreamStatisticsLike> }
    ).remoteStreams;
    return streams[ssrc];
  }

  /**
   * Asks the publisher for a keyframe (PLI), at most once per 300 ms: several
   * subscribers' PLIs and FIRs within that gap need one keyframe only.
   * @returns whether a request was sent.
   */
  requestKeyframe(): boolean {
    if (this.kind !== 'video') return false;
    const ssrc = this.#track.ssrc;
    if (ssrc === undefined) return false;
    const now = Date.now();
    if (now - this.#lastKeyframeRequestAt < KEYFRAME_REQUEST_GAP_MS) return false;
    this.#lastKeyframeRequestAt = now;
    this.keyframeRequests++;
    this.transceiver.receiver.sendRtcpPLI(ssrc).catch(() => {});
    return true;
  }

  /** Tells the publisher the bandwidth its subscribers can take (REMB, RFC draft-alvestrand-rmcat-remb). */
  sendRemb(bitrate: bigint): void {
    const ssrc = this.#track.ssrc;
    const dtls = this.transceiver.receiver.dtlsTransport as unknown as DtlsLike | undefined;
    if (ssrc === undefined || !dtls || dtls.state !== 'connected') return;
    let exp = 0;
    let mantissa = bitrate;
    while (mantissa >= 1n << 18n && exp < 63) {
      mantissa >>= 1n;
      exp++;
    }
    const packet = new RtcpPayloadSpecificFeedback({
      feedback: new ReceiverEstimatedMaxBitrate({
        senderSsrc: this.transceiver.receiver.rtcpSsrc,
        mediaSsrc: 0,
        brExp: exp,
        brMantissa: Number(mantissa),
        bitrate,
        ssrcNum: 1,
        ssrcFeedbacks: [ssrc],
      }),
    });
    dtls.sendRtcp([packet]).catch(() => {});
  }

  close(): void {
    this.forwarder.close();
  }
}
