import { type MediaStreamTrack, type RTCRtpSender, RTP_EXTENSION_URI, type RtpPacket } from 'werift';

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
}

/**
 * Forwards one published track's RTP to its subscribers, without transcoding. This is the
 * whole per-packet path, kept in one module so a faster one (own SRTP, workers) can replace
 * it. Per packet and subscriber: one clone, header-extension remap, werift `sendRtp`
 * (which rewrites SSRC/PT/seq/timestamp, encrypts and caches for NACK).
 */
export class Forwarder {
  readonly #sinks = new Map<string, Sink>();
  readonly #publisherExtensions: () => Record<number, string>;
  #stopSource: (() => void) | undefined;
  #muted = false;
  #packetsIn = 0;
  #packetsOut = 0;

  /** @param publisherExtensions the publisher's negotiated header-extension id → URI map. */
  constructor(publisherExtensions: () => Record<number, string>) {
    this.#publisherExtensions = publisherExtensions;
  }

  /** Packets received from the publisher / sent to subscribers so far. */
  get counters(): { packetsIn: number; packetsOut: number } {
    return { packetsIn: this.#packetsIn, packetsOut: this.#packetsOut };
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
    const { unSubscribe } = track.onReceiveRtp.subscribe((rtp) => this.#forward(rtp));
    this.#stopSource = unSubscribe;
  }

  addSink(subscriberId: string, sender: RTCRtpSender): void {
    this.#sinks.set(subscriberId, { sender, lastSourceSsrc: undefined });
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
    for (const sink of this.#sinks.values()) {
      const sender = sink.sender;
      if (sink.lastSourceSsrc !== undefined && sink.lastSourceSsrc !== rtp.header.ssrc) {
        // New source SSRC (publisher restarted its encoder): keep the subscriber's
        // sequence and timestamp continuous.
        sender.replaceRTP(rtp.header, true);
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
  }
}

/** werift keeps the negotiated header extensions of a sender in a private field. */
function senderExtensions(sender: RTCRtpSender): { id: number; uri: string }[] {
  return (sender as unknown as { headerExtensions: { id: number; uri: string }[] }).headerExtensions;
}
