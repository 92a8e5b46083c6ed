import type { RTCRtpCodecParameters } from 'werift';
import type { Forwarder } from './Forwarder.js';
import type { MediaKind, TrackInfo } from './MediaTypes.js';

/**
 * What a room needs of a track it forwards to subscribers: a participant's
 * {@link PublishedTrack} (RTP from a peer connection) or a {@link ServerAudioTrack} (RTP the
 * server makes itself, e.g. hold audio).
 */
export interface ForwardedTrack {
  readonly trackId: string;
  /** The publishing participant, or a server pseudo-participant (not in the room's list). */
  readonly participantId: string;
  readonly kind: MediaKind;
  readonly forwarder: Forwarder;
  readonly info: TrackInfo;
  /** The codec sent (offered as-is to subscribers). */
  readonly codec: RTCRtpCodecParameters | undefined;
  /** A copy of {@link codec} for a subscriber's transceiver. */
  codecForSubscriber(): RTCRtpCodecParameters | undefined;
  /** Asks the source for a keyframe; whether a request was sent. */
  requestKeyframe(): boolean;
  /** Relays the subscribers' bandwidth estimate to the source (video). */
  sendRemb(bitrate: bigint): void;
  close(): void;
}
