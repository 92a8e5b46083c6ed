import { type ErrorBody, SwitchboardError } from '@switchboard/protocol';
import type { ForwardingMode } from '../Forwarder.js';
import type { OpusPacket } from '../hold/OggOpusReader.js';
import type {
  MediaObserverEvents,
  ParticipantEvents,
  RoomEvents,
  RoomQuality,
  TrackInfo,
} from '../MediaTypes.js';
import type { SharedUdpPortCounters } from '../SharedUdpPort.js';

/**
 * The IPC between the main process (`MediaWorkerPool`) and a media worker process
 * (`mediaWorkerProcess`). Node's `advanced` serialization carries it, so Buffers cross as
 * Uint8Arrays. Only the control plane crosses: packets never leave the worker that owns
 * the call.
 */

/** Everything a worker needs to build its {@link MediaServer}. */
export interface WorkerMediaOptions {
  listenAddress: string;
  announcedAddress: string;
  rangeName: string;
  inactivityTimeoutMs: number;
  qualityIntervalMs: number;
  h264: boolean;
  forwarding: ForwardingMode;
  iceTcp: boolean;
  singlePort: boolean;
  logLevel: string;
}

/** Operations the main process asks of a worker: params and result of each. */
export interface WorkerOps {
  createRoom: { params: { roomId: string; autoSubscribe: boolean }; result: null };
  closeRoom: { params: { roomId: string }; result: null };
  join: { params: { roomId: string; participantId: string; identity?: string }; result: null };
  leave: { params: { roomId: string; participantId: string }; result: null };
  subscribe: { params: { roomId: string; participantId: string; trackId: string }; result: null };
  unsubscribe: { params: { roomId: string; participantId: string; trackId: string }; result: null };
  quality: { params: { roomId: string }; result: RoomQuality };
  handleOffer: { params: { roomId: string; participantId: string; sdp: string }; result: string };
  handleAnswer: {
    params: { roomId: string; participantId: string; sdp: string; offerId: number };
    result: null;
  };
  addIceCandidate: {
    params: { roomId: string; participantId: string; candidate: string; sdpMid?: string };
    result: null;
  };
  setMuted: {
    params: { roomId: string; participantId: string; track: string; muted: boolean };
    result: TrackInfo[];
  };
  playAudio: {
    params: { roomId: string; name: string; packets: readonly OpusPacket[]; listeners?: readonly string[] };
    result: null;
  };
  stopAudio: { params: { roomId: string; trackId: string }; result: null };
  sharedPortCounters: { params: Record<string, never>; result: SharedUdpPortCounters | null };
  /** Closes every room and exits. */
  shutdown: { params: Record<string, never>; result: null };
}

export type WorkerOp = keyof WorkerOps;

/** main → worker */
export type ToWorker =
  | { type: 'init'; index: number; options: WorkerMediaOptions }
  | { [K in WorkerOp]: { type: 'request'; id: number; op: K; params: WorkerOps[K]['params'] } }[WorkerOp]
  | { type: 'port'; id: number; port?: number; error?: ErrorBody };

type EventMessage<Events, Extra> = {
  [K in keyof Events]: { event: K; args: Events[K] } & Extra;
}[keyof Events];

/** worker → main */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'response'; id: number; value?: unknown; error?: ErrorBody }
  | ({ type: 'room'; roomId: string } & EventMessage<RoomEvents, unknown>)
  | ({ type: 'participant'; roomId: string; participantId: string } & EventMessage<
      ParticipantEvents,
      unknown
    >)
  | ({ type: 'observer' } & EventMessage<MediaObserverEvents, unknown>)
  /** Books a port from the main process's allocator; answered by a `port` message. */
  | { type: 'acquirePort'; id: number; range: string }
  | { type: 'releasePort'; port: number };

/** An error as it crosses the IPC: a SwitchboardError keeps its code, anything else is internal. */
export function errorBody(error: unknown): ErrorBody {
  if (error instanceof SwitchboardError) return error.toBody();
  return { code: 'SB_ERR_INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

/** An Opus packet after IPC (Buffers arrive as Uint8Arrays). */
export function revivePackets(packets: readonly OpusPacket[]): OpusPacket[] {
  return packets.map((p) => {
    const data: Uint8Array = p.data;
    return {
      samples: p.samples,
      data: Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    };
  });
}

// Every event of each emitter, checked complete by the compiler: the worker forwards them all.
const ROOM_EVENTS: Record<keyof RoomEvents, true> = {
  participantJoined: true,
  participantLeft: true,
  trackPublished: true,
  trackUnpublished: true,
  trackMuted: true,
  quality: true,
  closed: true,
};
const PARTICIPANT_EVENTS: Record<keyof ParticipantEvents, true> = {
  negotiationNeeded: true,
  connectionState: true,
  closed: true,
};
const OBSERVER_EVENTS: Record<keyof MediaObserverEvents, true> = {
  roomCreated: true,
  roomClosed: true,
  participantJoined: true,
  participantLeft: true,
  trackPublished: true,
  trackUnpublished: true,
  quality: true,
  keyframeRequested: true,
};

export const roomEventNames = Object.keys(ROOM_EVENTS) as (keyof RoomEvents)[];
export const participantEventNames = Object.keys(PARTICIPANT_EVENTS) as (keyof ParticipantEvents)[];
export const observerEventNames = Object.keys(OBSERVER_EVENTS) as (keyof MediaObserverEvents)[];
