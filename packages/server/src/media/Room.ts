import { SwitchboardError } from '@switchboard/protocol';
import type { Logger } from 'pino';
import { TypedEmitter } from '../events/TypedEmitter.js';
import type { ForwardedTrack } from './ForwardedTrack.js';
import { AudioLoopPlayer } from './hold/AudioLoopPlayer.js';
import type { OpusPacket } from './hold/OggOpusReader.js';
import { OpusLoopPacketizer } from './hold/OpusLoopPacketizer.js';
import type { MediaRoom, PlayingAudio } from './MediaService.js';
import type {
  LeaveReason,
  MediaObserverEvents,
  ParticipantInfo,
  RoomEvents,
  RoomQuality,
  TrackInfo,
} from './MediaTypes.js';
import { Participant, type ParticipantHost, type ParticipantSettings } from './Participant.js';
import { ServerAudioTrack } from './ServerAudioTrack.js';

export interface RoomOptions {
  /**
   * Subscribe every participant to every other participant's tracks automatically (a call).
   * When false, the caller decides with {@link Participant.subscribe} / {@link Room.subscribe}.
   * Default true.
   */
  autoSubscribe?: boolean;
}

/** Internal wiring a room gets from its server. */
export interface RoomContext {
  logger: Logger;
  settings: ParticipantSettings;
  qualityIntervalMs: number;
  observer: TypedEmitter<MediaObserverEvents>;
  onClosed(roomId: string): void;
}

/** How often subscribers' bandwidth estimates are relayed to publishers (REMB). */
const REMB_INTERVAL_MS = 1000;

/**
 * A call's media: participants, their published tracks and who receives what.
 * Events: {@link RoomEvents}. `close()` removes every participant and is idempotent.
 */
export class Room implements ParticipantHost, MediaRoom {
  readonly id: string;
  readonly logger: Logger;
  readonly settings: ParticipantSettings;
  readonly #ctx: RoomContext;
  /** Server tracks that only some participants receive: trackId → who. */
  readonly #audiences = new Map<string, (participantId: string) => boolean>();
  readonly #autoSubscribe: boolean;
  readonly #events: TypedEmitter<RoomEvents>;
  readonly #participants = new Map<string, Participant>();
  /** participantId → identity given at join (who may hear server audio). */
  readonly #identities = new Map<string, string>();
  readonly #joining = new Set<string>();
  readonly #tracks = new Map<string, ForwardedTrack>();
  readonly #serverTracks = new Set<ServerAudioTrack>();
  readonly #latestQuality = new Map<string, RoomQuality['participants'][number]>();
  readonly #timers: NodeJS.Timeout[];
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(id: string, ctx: RoomContext, options: RoomOptions = {}) {
    this.id = id;
    this.#ctx = ctx;
    this.logger = ctx.logger.child({ roomId: id });
    this.settings = ctx.settings;
    this.#autoSubscribe = options.autoSubscribe ?? true;
    this.#events = new TypedEmitter((event, error) =>
      this.logger.error({ err: error, event }, 'listener threw'),
    );
    this.#timers = [
      setInterval(() => this.#sampleQuality(), ctx.qualityIntervalMs),
      setInterval(() => this.#relayRemb(), REMB_INTERVAL_MS),
    ];
    for (const t of this.#timers) t.unref();
  }

  get roomId(): string {
    return this.id;
  }

  get closed(): boolean {
    return this.#closed;
  }

  on<K extends keyof RoomEvents>(event: K, listener: (...args: RoomEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /**
   * Adds a participant (allocates its UDP port). With autoSubscribe it is subscribed to
   * every published track; the server's first offer follows as `negotiationNeeded`.
   * @throws SwitchboardError SB_ERR_PORTS_EXHAUSTED, or SB_ERR_CALL_NOT_FOUND when closed.
   */
  async join(participantId: string, identity?: string): Promise<Participant> {
    this.#assertOpen();
    if (this.#participants.has(participantId) || this.#joining.has(participantId)) {
      throw new SwitchboardError(
        'SB_ERR_INVALID_PARAMS',
        `participant ${participantId} is already in room ${this.id}`,
        {
          participantId,
        },
      );
    }
    this.#joining.add(participantId);
    let participant: Participant;
    try {
      participant = await Participant.create(this, participantId);
    } finally {
      this.#joining.delete(participantId);
    }
    if (this.#closed) {
      await participant.close('room-closed');
      this.#assertOpen();
    }
    this.#participants.set(participantId, participant);
    if (identity !== undefined) this.#identities.set(participantId, identity);
    this.logger.info({ participantId, port: participant.port }, 'participant joined');
    this.#events.emit('participantJoined', participant.info);
    this.#ctx.observer.emit('participantJoined', { roomId: this.id, participantId });
    if (this.#autoSubscribe) {
      for (const track of this.#tracks.values())
        if (this.#hears(participantId, track)) participant.subscribe(track);
    }
    return participant;
  }

  /** Whether auto-subscription gives `participantId` this track (a server track may name its audience). */
  #hears(participantId: string, track: ForwardedTrack): boolean {
    return this.#audiences.get(track.trackId)?.(participantId) ?? true;
  }

  /** A participant, or throws SB_ERR_PARTICIPANT_NOT_FOUND. */
  participant(participantId: string): Participant {
    const p = this.#participants.get(participantId);
    if (!p) {
      throw new SwitchboardError(
        'SB_ERR_PARTICIPANT_NOT_FOUND',
        `no participant ${participantId} in room ${this.id}`,
        {
          participantId,
        },
      );
    }
    return p;
  }

  get participants(): ParticipantInfo[] {
    return [...this.#participants.values()].map((p) => p.info);
  }

  get tracks(): TrackInfo[] {
    return [...this.#tracks.values()].map((t) => t.info);
  }

  /** Subscribes a participant to a published track. */
  subscribe(participantId: string, trackId: string): void {
    const track = this.#tracks.get(trackId);
    if (!track) throw new SwitchboardError('SB_ERR_TRACK_NOT_FOUND', `no track ${trackId}`, { trackId });
    this.participant(participantId).subscribe(track);
  }

  unsubscribe(participantId: string, trackId: string): void {
    this.participant(participantId).unsubscribe(trackId);
  }

  /** Removes a participant (as if it had left). */
  async leave(participantId: string): Promise<void> {
    await this.#participants.get(participantId)?.close('left');
  }

  /** The latest quality sample of every participant (for REST and Prometheus). */
  quality(): RoomQuality {
    return { roomId: this.id, at: Date.now(), participants: [...this.#latestQuality.values()] };
  }

  /** Removes every participant and frees their ports. Idempotent. */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closed = true;
    for (const t of this.#timers) clearInterval(t);
    this.#closing = (async () => {
      for (const track of [...this.#serverTracks]) this.unpublishServerTrack(track);
      await Promise.all([...this.#participants.values()].map((p) => p.close('room-closed')));
      this.#events.emit('closed');
      this.#events.removeAllListeners();
      this.#ctx.onClosed(this.id);
    })();
    return this.#closing;
  }

  // ParticipantHost

  /**
   * Publishes a track the server itself makes (e.g. hold audio): every participant is
   * subscribed to it (with autoSubscribe), as to a participant's track — or, with `audience`,
   * only the participants it accepts (present and joining later). It ends with
   * {@link unpublishServerTrack} or when the room closes.
   * @throws SwitchboardError SB_ERR_CALL_NOT_FOUND when the room is closed.
   */
  publishServerTrack(track: ServerAudioTrack, audience?: (participantId: string) => boolean): void {
    this.#assertOpen();
    if (this.#tracks.has(track.trackId)) {
      throw new SwitchboardError(
        'SB_ERR_INVALID_PARAMS',
        `track ${track.trackId} exists in room ${this.id}`,
        {
          trackId: track.trackId,
        },
      );
    }
    this.#serverTracks.add(track);
    if (audience) this.#audiences.set(track.trackId, audience);
    this.trackPublished(track);
  }

  playAudio(name: string, packets: readonly OpusPacket[], listeners?: readonly string[]): PlayingAudio {
    this.#assertOpen();
    const track = ServerAudioTrack.named(name);
    const audience = listeners && ((id: string) => listeners.includes(this.#identities.get(id) ?? ''));
    this.publishServerTrack(track, audience);
    const player = new AudioLoopPlayer(new OpusLoopPacketizer(packets), (frame) => track.write(frame));
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      player.stop();
      offClosed();
      this.unpublishServerTrack(track);
      this.logger.info({ trackId: track.trackId, packets: player.counters.sent }, 'server audio stopped');
    };
    const offClosed = this.on('closed', stop);
    player.start();
    this.logger.info({ trackId: track.trackId }, 'server audio playing');
    return { trackId: track.trackId, stop };
  }

  /** Removes a server track from every subscriber and closes it. Idempotent. */
  unpublishServerTrack(track: ServerAudioTrack): void {
    if (!this.#serverTracks.delete(track)) return;
    this.trackUnpublished(track);
    this.#audiences.delete(track.trackId);
    track.close();
  }

  trackPublished(track: ForwardedTrack): void {
    this.#tracks.set(track.trackId, track);
    this.#events.emit('trackPublished', track.info);
    this.#ctx.observer.emit('trackPublished', { roomId: this.id, ...track.info });
    if (!this.#autoSubscribe) return;
    for (const p of this.#participants.values()) {
      if (p.id !== track.participantId && !p.closed && this.#hears(p.id, track)) p.subscribe(track);
    }
  }

  trackUnpublished(track: ForwardedTrack): void {
    if (!this.#tracks.delete(track.trackId)) return;
    for (const p of this.#participants.values()) p.unsubscribe(track.trackId);
    this.#events.emit('trackUnpublished', track.info);
    this.#ctx.observer.emit('trackUnpublished', { roomId: this.id, ...track.info });
  }

  trackMuted(track: ForwardedTrack): void {
    this.#events.emit('trackMuted', track.info);
  }

  participantClosed(participant: Participant, reason: LeaveReason): void {
    if (this.#participants.get(participant.id) !== participant) return;
    this.#participants.delete(participant.id);
    this.#identities.delete(participant.id);
    this.#latestQuality.delete(participant.id);
    this.logger.info({ participantId: participant.id, reason }, 'participant left');
    this.#events.emit('participantLeft', { participantId: participant.id, reason });
    this.#ctx.observer.emit('participantLeft', { roomId: this.id, participantId: participant.id, reason });
  }

  keyframeRequested(track: ForwardedTrack, reason: 'subscribe' | 'pli' | 'fir'): void {
    this.#ctx.observer.emit('keyframeRequested', { roomId: this.id, trackId: track.trackId, reason });
  }

  #assertOpen(): void {
    if (this.#closed)
      throw new SwitchboardError('SB_ERR_CALL_NOT_FOUND', `room ${this.id} is closed`, { roomId: this.id });
  }

  #sampleQuality(): void {
    for (const p of this.#participants.values()) {
      if (p.closed) continue;
      const q = p.sampleQuality();
      this.#latestQuality.set(p.id, q);
      this.#events.emit('quality', q);
      this.#ctx.observer.emit('quality', q);
    }
  }

  /** Relays the lowest subscriber REMB of each video track to its publisher. */
  #relayRemb(): void {
    for (const track of this.#tracks.values()) {
      if (track.kind !== 'video') continue;
      let min = 0n;
      for (const p of this.#participants.values()) {
        const remb = p.rembFor(track.trackId);
        if (remb > 0n && (min === 0n || remb < min)) min = remb;
      }
      if (min > 0n) track.sendRemb(min);
    }
  }
}
