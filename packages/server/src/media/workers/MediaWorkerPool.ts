import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SwitchboardError } from '@switchboard/protocol';
import type { Logger } from 'pino';
import { TypedEmitter } from '../../events/TypedEmitter.js';
import { checkMediaAddresses } from '../MediaServer.js';
import type { MediaService } from '../MediaService.js';
import type { MediaObserverEvents } from '../MediaTypes.js';
import type { PortAllocator, PortLease } from '../PortAllocator.js';
import type { SharedUdpPortCounters } from '../SharedUdpPort.js';
import {
  errorBody,
  type FromWorker,
  type ToWorker,
  type WorkerMediaOptions,
  type WorkerOp,
  type WorkerOps,
} from './protocol.js';
import { RemoteRoom, type WorkerLink } from './RemoteRoom.js';

export interface MediaWorkerPoolOptions {
  /** Worker processes (≥ 1). */
  workers: number;
  media: WorkerMediaOptions;
  /** The process's allocator: workers book their ports here, over IPC. */
  ports: PortAllocator;
  logger: Logger;
  /** Where the workers' log lines go (the platform's destination); stdout by default. */
  logDestination?: NodeJS.WritableStream;
  /** Longest wait for a worker to start, or to close its calls and exit. Default 10 s. */
  timeoutMs?: number;
}

/** A dead worker is started again after this, doubling while it keeps dying young. */
const RESPAWN_BASE_MS = 500;
const RESPAWN_MAX_MS = 30_000;
/** A worker that lived this long is considered healthy again (backoff resets). */
const HEALTHY_AFTER_MS = 60_000;

const ENTRY = fileURLToPath(new URL('./mediaWorkerProcess.js', import.meta.url));

interface Pending {
  resolve: (value: never) => void;
  reject: (error: Error) => void;
}

function workerLost(slot: WorkerSlot): SwitchboardError {
  return new SwitchboardError('SB_ERR_MEDIA_WORKER_LOST', 'the media worker holding this call stopped', {
    worker: slot.index,
  });
}

/** One worker process and what it holds. */
class WorkerSlot {
  readonly index: number;
  child: ChildProcess | undefined;
  ready = false;
  startedAt = 0;
  failures = 0;
  respawnTimer: NodeJS.Timeout | undefined;
  readonly rooms = new Map<string, RemoteRoom>();
  readonly leases = new Map<number, PortLease>();
  readonly pending = new Map<number, Pending>();
  nextId = 1;

  constructor(index: number) {
    this.index = index;
  }

  get load(): number {
    let load = 0;
    for (const room of this.rooms.values()) load += 1 + room.participants.length;
    return load;
  }
}

/**
 * Media in worker processes, one per core: each call lives whole in one worker (its
 * participants' sockets, SRTP and forwarding), placed on the least-loaded worker when it is
 * created. The main process keeps signalling, the port allocator and a mirror of each
 * room. A worker that dies ends its calls (participants leave with reason `failed`, their
 * ports are freed) and is started again; the other workers' calls go on.
 */
export class MediaWorkerPool implements MediaService {
  readonly observer: TypedEmitter<MediaObserverEvents>;
  readonly #options: MediaWorkerPoolOptions;
  readonly #log: Logger;
  readonly #slots: WorkerSlot[];
  readonly #rooms = new Map<string, RemoteRoom>();
  readonly #timeoutMs: number;
  #closed = false;
  #restarts = 0;

  private constructor(options: MediaWorkerPoolOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1) {
      throw new RangeError(`media workers must be a positive integer, got ${options.workers}`);
    }
    // Here, not in a worker: a bad address must fail the start, not crash-loop the workers.
    checkMediaAddresses(options.media.listenAddress, options.media.announcedAddress);
    this.#options = options;
    this.#log = options.logger.child({ subsystem: 'media-workers' });
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.observer = new TypedEmitter((event, error) =>
      this.#log.error({ err: error, event }, 'observer threw'),
    );
    this.#slots = Array.from({ length: options.workers }, (_, i) => new WorkerSlot(i));
  }

  /** Starts every worker; resolves when all are ready. */
  static async start(options: MediaWorkerPoolOptions): Promise<MediaWorkerPool> {
    const pool = new MediaWorkerPool(options);
    try {
      await Promise.all(pool.#slots.map((slot) => pool.#spawn(slot)));
    } catch (error) {
      await pool.close();
      throw error;
    }
    pool.#log.info({ workers: options.workers }, 'media worker processes ready');
    return pool;
  }

  /** Process ids of the running workers, by index (undefined while one restarts). */
  get workerPids(): (number | undefined)[] {
    return this.#slots.map((s) => (s.ready ? s.child?.pid : undefined));
  }

  workerCounts(): { configured: number; running: number; restarts: number } {
    return {
      configured: this.#slots.length,
      running: this.#slots.filter((s) => s.ready).length,
      restarts: this.#restarts,
    };
  }

  /** Which worker (index) holds a room. */
  workerOf(roomId: string): number | undefined {
    return this.#slots.find((s) => s.rooms.has(roomId))?.index;
  }

  get rooms(): RemoteRoom[] {
    return [...this.#rooms.values()];
  }

  findRoom(roomId: string): RemoteRoom | undefined {
    return this.#rooms.get(roomId);
  }

  createRoom(roomId: string, options: { autoSubscribe?: boolean } = {}): RemoteRoom {
    if (this.#closed) throw new SwitchboardError('SB_ERR_SERVER_DRAINING', 'media server is closed');
    if (this.#rooms.has(roomId)) {
      throw new SwitchboardError('SB_ERR_INVALID_PARAMS', `room ${roomId} exists`, { roomId });
    }
    const ready = this.#slots.filter((s) => s.ready);
    if (ready.length === 0) {
      throw new SwitchboardError('SB_ERR_MEDIA_WORKER_LOST', 'no media worker is running; retry shortly');
    }
    const slot = ready.reduce((best, s) => (s.load < best.load ? s : best));
    const room = new RemoteRoom(roomId, this.#link(slot));
    slot.rooms.set(roomId, room);
    this.#rooms.set(roomId, room);
    this.#call(slot, 'createRoom', { roomId, autoSubscribe: options.autoSubscribe ?? true }).catch(
      (err: unknown) => {
        this.#log.error({ err, roomId, worker: slot.index }, 'media worker could not create the room');
        room.fail();
      },
    );
    return room;
  }

  async sharedPortCounters(): Promise<SharedUdpPortCounters | undefined> {
    const all = await Promise.all(
      this.#slots
        .filter((s) => s.ready)
        .map((s) => this.#call(s, 'sharedPortCounters', {}).catch(() => null)),
    );
    let sum: SharedUdpPortCounters | undefined;
    for (const c of all) {
      if (!c) continue;
      sum ??= { unknownSource: 0, unknownUsername: 0 };
      sum.unknownSource += c.unknownSource;
      sum.unknownUsername += c.unknownUsername;
    }
    return sum;
  }

  /** Closes every call and stops every worker (killed if it does not exit in time). Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(
      this.#slots.map(async (slot) => {
        clearTimeout(slot.respawnTimer);
        const child = slot.child;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        const timer = setTimeout(() => child.kill('SIGKILL'), this.#timeoutMs);
        this.#call(slot, 'shutdown', {}).catch(() => child.kill('SIGKILL'));
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  #link(slot: WorkerSlot): WorkerLink {
    return {
      call: (op, params) => this.#call(slot, op, params),
      observer: this.observer,
      logger: this.#log,
      forget: (room) => {
        if (slot.rooms.get(room.id) === room) slot.rooms.delete(room.id);
        if (this.#rooms.get(room.id) === room) this.#rooms.delete(room.id);
      },
    };
  }

  #call<K extends WorkerOp>(
    slot: WorkerSlot,
    op: K,
    params: WorkerOps[K]['params'],
  ): Promise<WorkerOps[K]['result']> {
    const child = slot.child;
    if (!slot.ready || !child?.connected) {
      return Promise.reject(workerLost(slot));
    }
    const id = slot.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve: resolve as (v: never) => void, reject });
      this.#send(slot, { type: 'request', id, op, params } as ToWorker);
    });
  }

  #send(slot: WorkerSlot, message: ToWorker): void {
    const child = slot.child;
    if (!child?.connected) return;
    child.send(message, (err) => {
      if (err) this.#log.warn({ err, worker: slot.index }, 'message to media worker not sent');
    });
  }

  #spawn(slot: WorkerSlot): Promise<void> {
    const child = fork(ENTRY, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      // Flags of the main process (e.g. --test) are not for the worker; NODE_OPTIONS still apply.
      execArgv: [],
    });
    slot.child = child;
    slot.ready = false;
    child.stdout?.pipe(this.#options.logDestination ?? process.stdout, { end: false });
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`media worker ${slot.index} did not start within ${this.#timeoutMs} ms`));
        child.kill('SIGKILL');
      }, this.#timeoutMs);
      child.on('message', (message: FromWorker) => {
        // One message per macrotask: promise continuations of a response (a caller registering
        // listeners after `join`) run before the next event is delivered, as in one process.
        setImmediate(() => {
          if (message.type === 'ready') {
            clearTimeout(timer);
            slot.ready = true;
            slot.startedAt = Date.now();
            this.#log.info({ worker: slot.index, pid: child.pid }, 'media worker started');
            resolve();
            return;
          }
          this.#onMessage(slot, message);
        });
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`media worker ${slot.index} exited before it was ready (${signal ?? code})`));
        this.#onExit(slot, child, code, signal);
      });
      child.once('error', (err) =>
        this.#log.error({ err, worker: slot.index }, 'media worker process error'),
      );
      this.#send(slot, { type: 'init', index: slot.index, options: this.#options.media });
    });
  }

  #onMessage(slot: WorkerSlot, message: FromWorker): void {
    switch (message.type) {
      case 'response': {
        const pending = slot.pending.get(message.id);
        if (!pending) return;
        slot.pending.delete(message.id);
        if (message.error) pending.reject(SwitchboardError.fromBody(message.error));
        else pending.resolve(message.value as never);
        return;
      }
      case 'room':
        slot.rooms.get(message.roomId)?.deliver(message.event, message.args as never);
        return;
      case 'participant':
        slot.rooms
          .get(message.roomId)
          ?.deliverParticipant(message.participantId, message.event, message.args as never);
        return;
      case 'observer':
        this.observer.emit(message.event, ...(message.args as [never]));
        return;
      case 'acquirePort':
        try {
          const lease = this.#options.ports.acquire(message.range);
          slot.leases.set(lease.port, lease);
          this.#send(slot, { type: 'port', id: message.id, port: lease.port });
        } catch (error) {
          this.#send(slot, { type: 'port', id: message.id, error: errorBody(error) });
        }
        return;
      case 'releasePort':
        slot.leases.get(message.port)?.release();
        slot.leases.delete(message.port);
        return;
      case 'ready':
        return;
    }
  }

  #onExit(slot: WorkerSlot, child: ChildProcess, code: number | null, signal: string | null): void {
    if (slot.child !== child) return;
    const wasReady = slot.ready;
    slot.ready = false;
    slot.child = undefined;
    const lost = workerLost(slot);
    for (const pending of slot.pending.values()) pending.reject(lost);
    slot.pending.clear();
    for (const lease of slot.leases.values()) lease.release();
    slot.leases.clear();
    const rooms = [...slot.rooms.values()];
    for (const room of rooms) room.fail();
    if (this.#closed) return;
    this.#log.error(
      { worker: slot.index, pid: child.pid, code, signal, calls: rooms.length },
      'media worker died; its calls ended; restarting it',
    );
    if (wasReady && Date.now() - slot.startedAt > HEALTHY_AFTER_MS) slot.failures = 0;
    const delay = Math.min(RESPAWN_MAX_MS, RESPAWN_BASE_MS * 2 ** slot.failures);
    slot.failures++;
    slot.respawnTimer = setTimeout(() => {
      if (this.#closed) return;
      this.#restarts++;
      this.#spawn(slot).catch((err: unknown) =>
        this.#log.error({ err, worker: slot.index }, 'media worker failed to restart'),
      );
    }, delay);
    slot.respawnTimer.unref();
  }
}
