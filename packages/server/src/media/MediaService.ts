import type { TypedEmitter } from '../events/TypedEmitter.js';
import type { OpusPacket } from './hold/OggOpusReader.js';
import type {
  MediaObserverEvents,
  ParticipantEvents,
  ParticipantInfo,
  RoomEvents,
  RoomQuality,
  TrackInfo,
} from './MediaTypes.js';
import type { PortLease } from './PortAllocator.js';
import type { SharedUdpPortCounters } from './SharedUdpPort.js';

/**
 * What signalling needs from the media layer. Two implementations: {@link MediaServer} runs
 * every call in this process; `MediaWorkerPool` runs each call whole in one of several worker
 * processes (one per core) and forwards these calls to it. Methods that may cross a process
 * boundary return promises (or values a caller can `await`).
 */
export interface MediaService {
  /** Monitoring taps (metrics, dashboards), from every process. */
  readonly observer: TypedEmitter<MediaObserverEvents>;
  /**
   * Creates a room (one per call).
   * @throws SwitchboardError SB_ERR_INVALID_PARAMS when the id is taken (also while a room of
   *   that id is still closing), SB_ERR_SERVER_DRAINING once closed.
   */
  createRoom(roomId: string, options?: { autoSubscribe?: boolean }): MediaRoom;
  findRoom(roomId: string): MediaRoom | undefined;
  readonly rooms: readonly MediaRoom[];
  /** Single-port mode's datagrams given to no participant, summed over processes. */
  sharedPortCounters(): SharedUdpPortCounters | undefined | Promise<SharedUdpPortCounters | undefined>;
  /** Worker processes, when media runs in them (`media.workers`): how many run, restarts so far. */
  workerCounts?(): { configured: number; running: number; restarts: number };
  /** Closes every room and frees every port. Idempotent. */
  close(): Promise<void>;
}

/** A call's media as signalling sees it (implemented by {@link Room}). */
export interface MediaRoom {
  readonly id: string;
  readonly closed: boolean;
  readonly participants: ParticipantInfo[];
  on<K extends keyof RoomEvents>(event: K, listener: (...args: RoomEvents[K]) => void): () => void;
  /**
   * Adds a participant (books its UDP port). `identity` is who it is (the token's subject):
   * server audio can be played to some identities only.
   * @throws SwitchboardError SB_ERR_PORTS_EXHAUSTED, or SB_ERR_CALL_NOT_FOUND when closed.
   */
  join(participantId: string, identity?: string): Promise<MediaParticipant>;
  /** Removes a participant (as if it had left). */
  leave(participantId: string): Promise<void>;
  /** @throws SwitchboardError SB_ERR_TRACK_NOT_FOUND, SB_ERR_PARTICIPANT_NOT_FOUND */
  subscribe(participantId: string, trackId: string): void | Promise<void>;
  unsubscribe(participantId: string, trackId: string): void | Promise<void>;
  /** The latest quality sample of every participant. */
  quality(): RoomQuality | Promise<RoomQuality>;
  /**
   * Plays Opus packets in a loop into the room as a server track (hold audio), paced in real
   * time, without transcoding. Every participant hears it, or only those whose identity is in
   * `listeners` (present and joining later). It stops with `stop()` or when the room closes.
   * @throws SwitchboardError SB_ERR_CALL_NOT_FOUND when the room is closed.
   */
  playAudio(name: string, packets: readonly OpusPacket[], listeners?: readonly string[]): PlayingAudio;
  /** Removes every participant and frees their ports. Idempotent. */
  close(): Promise<void>;
}

/** Server-made audio playing into a room. */
export interface PlayingAudio {
  readonly trackId: string;
  /** Idempotent. */
  stop(): void;
}

/** One participant's peer connection as signalling sees it (implemented by {@link Participant}). */
export interface MediaParticipant {
  on<K extends keyof ParticipantEvents>(
    event: K,
    listener: (...args: ParticipantEvents[K]) => void,
  ): () => void;
  /** Applies the client's offer; resolves to the server's answer (complete candidates). */
  handleOffer(sdp: string): Promise<string>;
  handleAnswer(sdp: string, offerId: number): Promise<void>;
  addIceCandidate(candidate: string, sdpMid?: string): Promise<void>;
  /** Mutes or unmutes published tracks (by track id or kind); returns those changed. */
  setMuted(trackIdOrKind: string, muted: boolean): TrackInfo[] | Promise<TrackInfo[]>;
}

/**
 * Where participants' UDP ports come from: the process's {@link PortAllocator}, or in a media
 * worker process, the main process's allocator (over IPC), so that one allocator still owns
 * every port of the overlapping ranges.
 */
export interface MediaPortSource {
  acquire(rangeName: string): PortLease | Promise<PortLease>;
}
