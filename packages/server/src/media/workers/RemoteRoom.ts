import { SwitchboardError } from '@switchboard/protocol';
import type { Logger } from 'pino';
import { TypedEmitter } from '../../events/TypedEmitter.js';
import type { OpusPacket } from '../hold/OggOpusReader.js';
import type { MediaParticipant, MediaRoom, PlayingAudio } from '../MediaService.js';
import type {
  MediaObserverEvents,
  ParticipantEvents,
  ParticipantInfo,
  RoomEvents,
  RoomQuality,
  TrackInfo,
} from '../MediaTypes.js';
import { serverAudioTrackId } from '../ServerAudioTrack.js';
import type { WorkerOp, WorkerOps } from './protocol.js';

/** How a remote room reaches the worker process that owns it. */
export interface WorkerLink {
  call<K extends WorkerOp>(op: K, params: WorkerOps[K]['params']): Promise<WorkerOps[K]['result']>;
  readonly observer: TypedEmitter<MediaObserverEvents>;
  readonly logger: Logger;
  /** The room is gone (closed, or its worker died). */
  forget(room: RemoteRoom): void;
}

/**
 * A room that lives in a media worker process, as seen from the main process. Its
 * participants and their tracks are mirrored from the worker's events, which arrive in
 * order on one channel: by the time `join()` resolves, `participants` includes the joiner.
 */
export class RemoteRoom implements MediaRoom {
  readonly id: string;
  readonly #link: WorkerLink;
  readonly #events: TypedEmitter<RoomEvents>;
  readonly #participants = new Map<string, ParticipantInfo>();
  readonly #handles = new Map<string, RemoteParticipant>();
  #closed = false;
  #gone = false;
  #closing: Promise<void> | undefined;

  constructor(id: string, link: WorkerLink) {
    this.id = id;
    this.#link = link;
    this.#events = new TypedEmitter((event, error) =>
      link.logger.error({ err: error, event, roomId: id }, 'listener threw'),
    );
  }

  get closed(): boolean {
    return this.#closed;
  }

  get participants(): ParticipantInfo[] {
    return [...this.#participants.values()].map((p) => ({ ...p, tracks: [...p.tracks] }));
  }

  on<K extends keyof RoomEvents>(event: K, listener: (...args: RoomEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  async join(participantId: string, identity?: string): Promise<MediaParticipant> {
    this.#assertOpen();
    const handle = new RemoteParticipant(this.id, participantId, this.#link);
    this.#handles.set(participantId, handle);
    try {
      await this.#link.call('join', {
        roomId: this.id,
        participantId,
        ...(identity === undefined ? {} : { identity }),
      });
    } catch (error) {
      if (this.#handles.get(participantId) === handle) this.#handles.delete(participantId);
      throw error;
    }
    return handle;
  }

  async leave(participantId: string): Promise<void> {
    if (this.#closed) return;
    await this.#link.call('leave', { roomId: this.id, participantId });
  }

  async subscribe(participantId: string, trackId: string): Promise<void> {
    this.#assertOpen();
    await this.#link.call('subscribe', { roomId: this.id, participantId, trackId });
  }

  async unsubscribe(participantId: string, trackId: string): Promise<void> {
    this.#assertOpen();
    await this.#link.call('unsubscribe', { roomId: this.id, participantId, trackId });
  }

  quality(): Promise<RoomQuality> {
    this.#assertOpen();
    return this.#link.call('quality', { roomId: this.id });
  }

  playAudio(name: string, packets: readonly OpusPacket[], listeners?: readonly string[]): PlayingAudio {
    this.#assertOpen();
    const trackId = serverAudioTrackId(name);
    const roomId = this.id;
    const failed = (what: string) => (err: unknown) =>
      this.#link.logger.warn({ err, roomId, trackId }, `server audio: ${what} failed`);
    void this.#link
      .call('playAudio', { roomId, name, packets, ...(listeners ? { listeners } : {}) })
      .catch(failed('start'));
    let stopped = false;
    return {
      trackId,
      stop: () => {
        if (stopped || this.#closed) return;
        stopped = true;
        void this.#link.call('stopAudio', { roomId, trackId }).catch(failed('stop'));
      },
    };
  }

  close(): Promise<void> {
    this.#closed = true;
    // The worker's `closed` event comes before its answer; a dead worker already failed us.
    this.#closing ??= this.#link
      .call('closeRoom', { roomId: this.id })
      .catch(() => undefined)
      .then(() => this.#ended());
    return this.#closing;
  }

  /** An event of the worker's room: mirrored, then passed on. */
  deliver<K extends keyof RoomEvents>(event: K, args: RoomEvents[K]): void {
    switch (event) {
      case 'participantJoined': {
        const [info] = args as RoomEvents['participantJoined'];
        this.#participants.set(info.participantId, info);
        break;
      }
      case 'participantLeft': {
        const [{ participantId }] = args as RoomEvents['participantLeft'];
        this.#participants.delete(participantId);
        break;
      }
      case 'trackPublished':
      case 'trackUnpublished':
      case 'trackMuted': {
        const [track] = args as [TrackInfo];
        const p = this.#participants.get(track.participantId);
        if (!p) break;
        const others = p.tracks.filter((t) => t.trackId !== track.trackId);
        p.tracks = event === 'trackUnpublished' ? others : [...others, track];
        break;
      }
    }
    this.#events.emit(event, ...args);
    if (event === 'closed') this.#ended();
  }

  /** An event of one of the worker's participants. */
  deliverParticipant<K extends keyof ParticipantEvents>(
    participantId: string,
    event: K,
    args: ParticipantEvents[K],
  ): void {
    const handle = this.#handles.get(participantId);
    if (event === 'closed') this.#handles.delete(participantId);
    handle?.deliver(event, args);
  }

  /**
   * The worker process died: every participant is told it failed, the room closes. What the
   * worker would have said itself, so signalling and metrics need no second code path.
   */
  fail(): void {
    if (this.#gone) return;
    this.#closed = true;
    for (const participantId of [...this.#participants.keys()]) {
      this.#handles.get(participantId)?.deliver('closed', ['failed']);
      this.#participants.delete(participantId);
      this.#events.emit('participantLeft', { participantId, reason: 'failed' });
      this.#link.observer.emit('participantLeft', { roomId: this.id, participantId, reason: 'failed' });
    }
    for (const handle of this.#handles.values()) handle.deliver('closed', ['failed']);
    this.#events.emit('closed');
    this.#link.observer.emit('roomClosed', { roomId: this.id });
    this.#ended();
  }

  #ended(): void {
    if (this.#gone) return;
    this.#gone = true;
    this.#closed = true;
    this.#handles.clear();
    this.#participants.clear();
    this.#events.removeAllListeners();
    this.#link.forget(this);
  }

  #assertOpen(): void {
    if (this.#closed)
      throw new SwitchboardError('SB_ERR_CALL_NOT_FOUND', `room ${this.id} is closed`, { roomId: this.id });
  }
}

/** A participant whose peer connection lives in a media worker process. */
export class RemoteParticipant implements MediaParticipant {
  readonly roomId: string;
  readonly id: string;
  readonly #link: WorkerLink;
  readonly #events: TypedEmitter<ParticipantEvents>;

  constructor(roomId: string, id: string, link: WorkerLink) {
    this.roomId = roomId;
    this.id = id;
    this.#link = link;
    this.#events = new TypedEmitter((event, error) =>
      link.logger.error({ err: error, event, roomId, participantId: id }, 'listener threw'),
    );
  }

  on<K extends keyof ParticipantEvents>(
    event: K,
    listener: (...args: ParticipantEvents[K]) => void,
  ): () => void {
    return this.#events.on(event, listener);
  }

  handleOffer(sdp: string): Promise<string> {
    return this.#link.call('handleOffer', { roomId: this.roomId, participantId: this.id, sdp });
  }

  async handleAnswer(sdp: string, offerId: number): Promise<void> {
    await this.#link.call('handleAnswer', { roomId: this.roomId, participantId: this.id, sdp, offerId });
  }

  async addIceCandidate(candidate: string, sdpMid?: string): Promise<void> {
    await this.#link.call('addIceCandidate', {
      roomId: this.roomId,
      participantId: this.id,
      candidate,
      ...(sdpMid === undefined ? {} : { sdpMid }),
    });
  }

  setMuted(trackIdOrKind: string, muted: boolean): Promise<TrackInfo[]> {
    return this.#link.call('setMuted', {
      roomId: this.roomId,
      participantId: this.id,
      track: trackIdOrKind,
      muted,
    });
  }

  deliver<K extends keyof ParticipantEvents>(event: K, args: ParticipantEvents[K]): void {
    this.#events.emit(event, ...args);
    if (event === 'closed') this.#events.removeAllListeners();
  }
}
