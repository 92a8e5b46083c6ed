import { MediaStreamTrack, RTCRtpCodecParameters, RtpHeader, RtpPacket, useTWCC } from 'werift';
import type { ForwardedTrack } from './ForwardedTrack.js';
import { Forwarder } from './Forwarder.js';
import type { TrackInfo } from './MediaTypes.js';

/** What one server-made RTP packet carries (the subscriber's sender sets SSRC and PT). */
export interface ServerRtpFrame {
  sequenceNumber: number;
  timestamp: number;
  marker: boolean;
  payload: Buffer;
}

/** The track id of server audio named `name` (e.g. `server-hold:hold`). */
export function serverAudioTrackId(name: string): string {
  return `server-${name}:${name}`;
}

/**
 * An Opus track the server itself publishes into a room (hold audio, announcements): no peer
 * connection of its own. Its packets go through the same {@link Forwarder} as a participant's,
 * so every subscriber gets them on its own SRTP peer connection with its own SSRC, and
 * sequence/timestamp offsets.
 */
export class ServerAudioTrack implements ForwardedTrack {
  readonly trackId: string;
  readonly participantId: string;
  readonly kind = 'audio' as const;
  readonly forwarder: Forwarder;
  readonly codec: RTCRtpCodecParameters;
  readonly #source: MediaStreamTrack;
  #closed = false;

  /**
   * @param participantId the pseudo-participant that appears as publisher (e.g. `server-hold`).
   */
  constructor(participantId: string, name = 'audio') {
    this.participantId = participantId;
    this.trackId = `${participantId}:${name}`;
    // The codec every participant's peer connection offers for audio (see Participant).
    this.codec = new RTCRtpCodecParameters({
      mimeType: 'audio/opus',
      clockRate: 48_000,
      channels: 2,
      payloadType: 111,
      rtcpFeedback: [useTWCC()],
      parameters: 'minptime=10;useinbandfec=1',
    });
    this.#source = new MediaStreamTrack({ kind: 'audio' });
    this.forwarder = new Forwarder(() => ({}), undefined, 'werift');
    this.forwarder.setSource(this.#source);
  }

  /** Server audio named `name`, published as pseudo-participant `server-<name>` ({@link serverAudioTrackId}). */
  static named(name: string): ServerAudioTrack {
    return new ServerAudioTrack(`server-${name}`, name);
  }

  get closed(): boolean {
    return this.#closed;
  }

  get info(): TrackInfo {
    return {
      trackId: this.trackId,
      participantId: this.participantId,
      kind: 'audio',
      mimeType: this.codec.mimeType,
      muted: this.forwarder.muted,
    };
  }

  codecForSubscriber(): RTCRtpCodecParameters {
    const c = this.codec;
    return new RTCRtpCodecParameters({
      mimeType: c.mimeType,
      clockRate: c.clockRate,
      channels: c.channels,
      payloadType: c.payloadType,
      rtcpFeedback: [...c.rtcpFeedback],
      parameters: c.parameters,
    });
  }

  /** Sends one packet to every subscriber (ignored once closed). */
  write(frame: ServerRtpFrame): void {
    if (this.#closed) return;
    const header = new RtpHeader({
      payloadType: this.codec.payloadType,
      sequenceNumber: frame.sequenceNumber,
      timestamp: frame.timestamp,
      marker: frame.marker,
      ssrc: 0,
    });
    this.#source.writeRtp(new RtpPacket(header, frame.payload));
  }

  requestKeyframe(): boolean {
    return false;
  }

  sendRemb(): void {}

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.forwarder.close();
    this.#source.stop();
  }
}
