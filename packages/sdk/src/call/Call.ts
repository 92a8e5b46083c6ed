import type { EventData, IceConfiguration, RequestResult } from '@switchboard/protocol';
import { SwitchboardError } from '@switchboard/protocol/runtime';
import type { SignallingClient } from '../SignallingClient.js';

type ParticipantInfo = RequestResult<'call.join'>['participants'][number];

/** Events of a {@link Call}. */
export interface CallEvents {
  /**
   * A remote track arrived (another participant's audio or video). `participantId` is its
   * publisher (the server names the stream after it, so one participant's audio and video
   * share `streams[0]` and play in sync); `HOLD_AUDIO_PARTICIPANT_ID` is the queue's hold audio.
   */
  track: { track: MediaStreamTrack; streams: readonly MediaStream[]; participantId: string | null };
  participantJoined: ParticipantInfo;
  participantLeft: EventData<'call.participantLeft'>;
  trackMuted: EventData<'call.trackMuted'>;
  /** Your own media quality as the server measures it, every few seconds. */
  quality: EventData<'call.quality'>;
  /** The peer connection's state (`connected`, `failed`, …). */
  connectionState: RTCPeerConnectionState;
  /** The call ended for this client (left, removed, or the session ended). */
  ended: { reason: string };
}

export interface JoinOptions {
  /** Display name shown to the others. */
  name?: string;
  /** Node: pass `wrtc.RTCPeerConnection`; browsers use the global. */
  RTCPeerConnection?: typeof RTCPeerConnection;
  /** Force media through TURN (restrictive networks), whatever the server's policy. */
  forceRelay?: boolean;
  /** Local media to publish from the start (camera and/or microphone). */
  stream?: MediaStream;
  /** Longest wait for local ICE gathering before an SDP is sent anyway. */
  gatheringTimeoutMs?: number;
  /**
   * Video codec to publish with when the browser has it (`setCodecPreferences`): the server
   * forwards it as-is, so every subscriber must be able to decode it. Default: the browser's
   * order (VP8 first in Chromium and Firefox).
   */
  videoCodec?: 'VP8' | 'H264';
}

type Listener<T> = (data: T) => void;

/**
 * One call through the video gateway: a single peer connection (bundle) that publishes
 * local tracks and receives everyone else's. The client offers when it publishes; the
 * server offers when there is something new to receive; offers are handled one at a time.
 */
export class Call {
  readonly callId: string;
  readonly participantId: string;
  readonly pc: RTCPeerConnection;
  readonly ice: IceConfiguration;
  readonly participants = new Map<string, ParticipantInfo>();
  /** Every remote track received so far (a late `track` listener gets these first). */
  readonly remoteTracks: CallEvents['track'][] = [];
  readonly #client: SignallingClient;
  readonly #videoCodec: JoinOptions['videoCodec'];
  readonly #listeners = new Map<keyof CallEvents, Set<Listener<never>>>();
  readonly #off: (() => void)[] = [];
  readonly #gatheringTimeoutMs: number;
  #negotiation: Promise<void> = Promise.resolve();
  #ended = false;
  /** Set when our offer lost a glare to the server's: offer again after answering it. */
  #offerAgain: { iceRestart: boolean } | null = null;

  private constructor(client: SignallingClient, joined: RequestResult<'call.join'>, options: JoinOptions) {
    this.#client = client;
    this.callId = joined.callId;
    this.participantId = joined.participantId;
    this.ice = joined.ice;
    this.#gatheringTimeoutMs = options.gatheringTimeoutMs ?? 3000;
    this.#videoCodec = options.videoCodec;
    for (const p of joined.participants) this.participants.set(p.participantId, p);
    const Pc = options.RTCPeerConnection ?? globalThis.RTCPeerConnection;
    this.pc = new Pc({
      iceServers: joined.ice.iceServers,
      iceTransportPolicy: options.forceRelay ? 'relay' : joined.ice.iceTransportPolicy,
      bundlePolicy: 'max-bundle',
    });
    this.pc.ontrack = (e) => {
      const arrived = { track: e.track, streams: e.streams, participantId: e.streams[0]?.id ?? null };
      this.remoteTracks.push(arrived);
      this.#emit('track', arrived);
    };
    this.pc.onconnectionstatechange = () => this.#emit('connectionState', this.pc.connectionState);
    const mine =
      <T extends { callId: string }>(fn: (data: T) => void) =>
      (data: T) => {
        if (data.callId === this.callId) fn(data);
      };
    this.#off.push(
      client.on(
        'call.offer',
        mine((offer) => this.#queue(() => this.#answerServerOffer(offer.offerId, offer.sdp))),
      ),
      client.on(
        'call.participantJoined',
        mine((e) => {
          this.participants.set(e.participant.participantId, e.participant);
          this.#emit('participantJoined', e.participant);
        }),
      ),
      client.on(
        'call.participantLeft',
        mine((e) => {
          if (e.participantId === this.participantId) {
            this.#end(e.reason);
            return;
          }
          this.participants.delete(e.participantId);
          this.#emit('participantLeft', e);
        }),
      ),
      client.on(
        'call.trackMuted',
        mine((e) => this.#emit('trackMuted', e)),
      ),
      client.on(
        'call.quality',
        mine((e) => {
          if (e.participantId === this.participantId) this.#emit('quality', e);
        }),
      ),
      client.on('closed', () => this.#end('session-ended')),
    );
  }

  /**
   * Joins `callId` (the token needs the `calls` grant for it) and makes the first offer:
   * with the tracks of `options.stream` when given, else receive-only. The server offers
   * other participants' tracks only after that first offer.
   */
  static async join(client: SignallingClient, callId: string, options: JoinOptions = {}): Promise<Call> {
    const joined = await client.request('call.join', {
      callId,
      ...(options.name ? { name: options.name } : {}),
    });
    const call = new Call(client, joined, options);
    try {
      if (options.stream) await call.publish(options.stream);
      else {
        call.pc.addTransceiver('audio', { direction: 'recvonly' });
        call.pc.addTransceiver('video', { direction: 'recvonly' });
        await call.#queue(() => call.#offer());
      }
    } catch (err) {
      await call.leave();
      throw err;
    }
    return call;
  }

  on<E extends keyof CallEvents>(event: E, listener: Listener<CallEvents[E]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    if (event === 'track') {
      for (const arrived of this.remoteTracks) (listener as Listener<CallEvents['track']>)(arrived);
    }
    return () => set.delete(listener as Listener<never>);
  }

  #emit<E extends keyof CallEvents>(event: E, data: CallEvents[E]): void {
    for (const listener of this.#listeners.get(event) ?? []) {
      try {
        (listener as Listener<CallEvents[E]>)(data);
      } catch (err) {
        console.error(`[switchboard] call listener for "${event}" threw`, err);
      }
    }
  }

  /** Publishes the tracks of a local stream (camera and/or microphone). */
  publish(stream: MediaStream): Promise<void> {
    for (const track of stream.getTracks()) {
      const transceiver = this.pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
      if (track.kind === 'video' && this.#videoCodec) preferCodec(transceiver, this.#videoCodec);
    }
    return this.#queue(() => this.#offer());
  }

  /** Renegotiates with fresh ICE credentials (after a network change). */
  restartIce(): Promise<void> {
    return this.#queue(() => this.#offer(true));
  }

  /** Mutes or unmutes your audio or video for everyone (the server stops forwarding it). */
  async mute(kind: 'audio' | 'video', muted: boolean): Promise<void> {
    for (const sender of this.pc.getSenders()) if (sender.track?.kind === kind) sender.track.enabled = !muted;
    await this.#client.request('call.mute', { callId: this.callId, track: kind, muted });
  }

  /** Leaves the call and closes the peer connection. */
  async leave(): Promise<void> {
    if (this.#ended) return;
    await this.#client.request('call.leave', { callId: this.callId }).catch(() => undefined);
    this.#end('left');
  }

  #end(reason: string): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const off of this.#off) off();
    this.pc.close();
    this.#emit('ended', { reason });
  }

  /** Runs negotiations one after another; a failed one does not block the next. */
  #queue(step: () => Promise<void>): Promise<void> {
    const run = this.#negotiation.then(step);
    this.#negotiation = run.catch(() => undefined);
    return run;
  }

  async #offer(iceRestart = false): Promise<void> {
    if (this.#ended) return;
    await this.pc.setLocalDescription(await this.pc.createOffer(iceRestart ? { iceRestart: true } : {}));
    const sdp = await this.#gathered();
    let answer: string;
    try {
      ({ sdp: answer } = await this.#client.request('call.publish', { callId: this.callId, sdp }));
    } catch (err) {
      if (err instanceof SwitchboardError && err.data?.reason === 'glare') {
        // The server's offer crossed ours and wins: roll back, answer it (it is queued
        // behind this step), then offer again.
        await this.pc.setLocalDescription({ type: 'rollback' });
        this.#offerAgain = { iceRestart };
        return;
      }
      throw err;
    }
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answer });
  }

  async #answerServerOffer(offerId: number, sdp: string): Promise<void> {
    if (this.#ended) return;
    await this.pc.setRemoteDescription({ type: 'offer', sdp });
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    try {
      await this.#client.request('call.answer', {
        callId: this.callId,
        offerId,
        sdp: await this.#gathered(),
      });
    } catch (err) {
      // The server withdrew that offer (it gave way to ours); a fresh one follows.
      if (!(err instanceof SwitchboardError && err.data?.reason === 'stale-offer')) throw err;
    }
    const again = this.#offerAgain;
    if (again) {
      this.#offerAgain = null;
      void this.#queue(() => this.#offer(again.iceRestart));
    }
  }

  /** The local SDP once ICE gathering completes (or after the gathering timeout). */
  #gathered(): Promise<string> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.pc.removeEventListener('icegatheringstatechange', check);
        resolve(this.pc.localDescription?.sdp ?? '');
      };
      const check = () => {
        if (this.pc.iceGatheringState === 'complete') done();
      };
      const timer = setTimeout(done, this.#gatheringTimeoutMs);
      this.pc.addEventListener('icegatheringstatechange', check);
      check();
    });
  }
}

/**
 * Puts `codec` first in a video transceiver's preferences (keeping the rest, RTX included),
 * where the browser supports `setCodecPreferences`; elsewhere (libwebrtc in Node) a no-op.
 */
function preferCodec(transceiver: RTCRtpTransceiver, codec: 'VP8' | 'H264'): void {
  const capabilities = globalThis.RTCRtpReceiver?.getCapabilities?.('video')?.codecs;
  if (!capabilities || typeof transceiver.setCodecPreferences !== 'function') return;
  const mime = `video/${codec}`.toLowerCase();
  const wanted = capabilities.filter((c) => c.mimeType.toLowerCase() === mime);
  if (wanted.length === 0) return;
  transceiver.setCodecPreferences([
    ...wanted,
    ...capabilities.filter((c) => c.mimeType.toLowerCase() !== mime),
  ]);
}
