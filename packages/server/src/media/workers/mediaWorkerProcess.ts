/**
 * A media worker process: one {@link MediaServer} owning whole calls, driven over IPC by the
 * main process's `MediaWorkerPool`. Its sockets, SRTP and forwarding stay here; only control
 * messages and events cross. Ports are booked from the main process's allocator, so one
 * allocator still owns every port of the overlapping ranges.
 */
import { SwitchboardError } from '@switchboard/protocol';
import { createLogger } from '../../observability/logger.js';
import { MediaServer } from '../MediaServer.js';
import type { MediaPortSource } from '../MediaService.js';
import type { Participant } from '../Participant.js';
import type { PortLease } from '../PortAllocator.js';
import type { Room } from '../Room.js';
import { serverAudioTrackId } from '../ServerAudioTrack.js';
import {
  errorBody,
  type FromWorker,
  observerEventNames,
  participantEventNames,
  revivePackets,
  roomEventNames,
  type ToWorker,
  type WorkerMediaOptions,
  type WorkerOp,
  type WorkerOps,
} from './protocol.js';

function send(message: FromWorker): void {
  // The main process is gone when the channel is: nothing to tell, exit below handles it.
  if (process.connected) process.send?.(message);
}

/** Ports from the main process's allocator (each booking is one IPC round trip, at join). */
class MainProcessPorts implements MediaPortSource {
  #nextId = 1;
  readonly #pending = new Map<
    number,
    { resolve: (l: PortLease) => void; reject: (e: Error) => void; range: string }
  >();

  acquire(range: string): Promise<PortLease> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, range });
      send({ type: 'acquirePort', id, range });
    });
  }

  answer(id: number, port: number | undefined, error: SwitchboardError | undefined): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    if (port === undefined) {
      pending.reject(error ?? new SwitchboardError('SB_ERR_PORTS_EXHAUSTED'));
      return;
    }
    let released = false;
    pending.resolve({
      port,
      range: pending.range,
      release: () => {
        if (released) return;
        released = true;
        send({ type: 'releasePort', port });
      },
    });
  }
}

class MediaWorker {
  readonly #server: MediaServer;
  readonly #ports: MainProcessPorts;
  readonly #audio = new Map<string, { stop(): void }>();

  constructor(options: WorkerMediaOptions, index: number) {
    const logger = createLogger({ level: options.logLevel }).child({ mediaWorker: index });
    this.#ports = new MainProcessPorts();
    this.#server = new MediaServer({
      listenAddress: options.listenAddress,
      announcedAddress: options.announcedAddress,
      portSource: this.#ports,
      rangeName: options.rangeName,
      inactivityTimeoutMs: options.inactivityTimeoutMs,
      qualityIntervalMs: options.qualityIntervalMs,
      h264: options.h264,
      forwarding: options.forwarding,
      iceTcp: options.iceTcp,
      singlePort: options.singlePort,
      logger,
    });
    for (const event of observerEventNames) {
      this.#server.observer.on(event, (...args) => send({ type: 'observer', event, args } as FromWorker));
    }
  }

  get ports(): MainProcessPorts {
    return this.#ports;
  }

  #room(roomId: string): Room {
    return this.#server.room(roomId);
  }

  #participant(roomId: string, participantId: string): Participant {
    return this.#room(roomId).participant(participantId);
  }

  readonly ops: { [K in WorkerOp]: (p: WorkerOps[K]['params']) => Promise<WorkerOps[K]['result']> } = {
    createRoom: async ({ roomId, autoSubscribe }) => {
      const room = this.#server.createRoom(roomId, { autoSubscribe });
      for (const event of roomEventNames) {
        room.on(event, (...args) => send({ type: 'room', roomId, event, args } as FromWorker));
      }
      return null;
    },
    closeRoom: async ({ roomId }) => {
      await this.#server.findRoom(roomId)?.close();
      return null;
    },
    join: async ({ roomId, participantId, identity }) => {
      const participant = await this.#room(roomId).join(participantId, identity);
      for (const event of participantEventNames) {
        participant.on(event, (...args) =>
          send({ type: 'participant', roomId, participantId, event, args } as FromWorker),
        );
      }
      return null;
    },
    leave: async ({ roomId, participantId }) => {
      await this.#server.findRoom(roomId)?.leave(participantId);
      return null;
    },
    subscribe: async ({ roomId, participantId, trackId }) => {
      this.#room(roomId).subscribe(participantId, trackId);
      return null;
    },
    unsubscribe: async ({ roomId, participantId, trackId }) => {
      this.#room(roomId).unsubscribe(participantId, trackId);
      return null;
    },
    quality: async ({ roomId }) => this.#room(roomId).quality(),
    handleOffer: ({ roomId, participantId, sdp }) =>
      this.#participant(roomId, participantId).handleOffer(sdp),
    handleAnswer: async ({ roomId, participantId, sdp, offerId }) => {
      await this.#participant(roomId, participantId).handleAnswer(sdp, offerId);
      return null;
    },
    addIceCandidate: async ({ roomId, participantId, candidate, sdpMid }) => {
      await this.#participant(roomId, participantId).addIceCandidate(candidate, sdpMid);
      return null;
    },
    setMuted: async ({ roomId, participantId, track, muted }) =>
      this.#participant(roomId, participantId).setMuted(track, muted),
    playAudio: async ({ roomId, name, packets, listeners }) => {
      const room = this.#room(roomId);
      const key = `${roomId}\n${serverAudioTrackId(name)}`;
      // Played again under the same name: the old track goes first (one id, one track).
      this.#audio.get(key)?.stop();
      const playing = room.playAudio(name, revivePackets(packets), listeners);
      this.#audio.set(key, playing);
      room.on('closed', () => this.#audio.delete(key));
      return null;
    },
    stopAudio: async ({ roomId, trackId }) => {
      const key = `${roomId}\n${trackId}`;
      this.#audio.get(key)?.stop();
      this.#audio.delete(key);
      return null;
    },
    sharedPortCounters: async () => {
      const counters = this.#server.sharedPortCounters();
      return counters ? { ...counters } : null;
    },
    shutdown: async () => {
      await this.#server.close();
      return null;
    },
  };
}

let worker: MediaWorker | undefined;

process.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'init':
      worker = new MediaWorker(message.options, message.index);
      send({ type: 'ready' });
      return;
    case 'port':
      worker?.ports.answer(
        message.id,
        message.port,
        message.error && SwitchboardError.fromBody(message.error),
      );
      return;
    case 'request': {
      const { id, op, params } = message;
      const handler = worker?.ops[op] as ((p: typeof params) => Promise<unknown>) | undefined;
      if (!handler) {
        send({ type: 'response', id, error: { code: 'SB_ERR_INTERNAL', message: `media worker: no ${op}` } });
        return;
      }
      handler(params).then(
        (value) => {
          send({ type: 'response', id, value });
          if (op === 'shutdown') process.disconnect();
        },
        (error: unknown) => send({ type: 'response', id, error: errorBody(error) }),
      );
      return;
    }
  }
});

// The main process died or let go: nothing here may outlive it (sockets, ports).
process.on('disconnect', () => {
  void (worker ? worker.ops.shutdown({}) : Promise.resolve()).finally(() => process.exit(0));
});
