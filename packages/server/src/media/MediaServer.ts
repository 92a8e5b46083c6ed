import { isIPv4 } from 'node:net';
import { SwitchboardError } from '@switchboard/protocol';
import { type Logger, pino } from 'pino';
import { TypedEmitter } from '../events/TypedEmitter.js';
import type { MediaPortSource, MediaService } from './MediaService.js';
import type { MediaObserverEvents, MediaServerOptions, RoomQuality } from './MediaTypes.js';
import type { ParticipantSettings } from './Participant.js';
import { PortAllocator, type PortLease } from './PortAllocator.js';
import { Room, type RoomOptions } from './Room.js';
import { SHARED_PORT_BUFFER_BYTES, SharedUdpPort, type SharedUdpPortCounters } from './SharedUdpPort.js';
import { installWeriftPatches, registerSharedPort } from './weriftPatches.js';

/** Ports tried for the shared port when others hold them (another program, a stale process). */
const SHARED_BIND_ATTEMPTS = 8;

/**
 * Media sockets bind IPv4 `listenAddress`; clients are told `announcedAddress` (1:1 NAT).
 * @throws RangeError naming the bad address.
 */
export function checkMediaAddresses(listenAddress: string, announcedAddress?: string): void {
  if (!isIPv4(listenAddress)) {
    throw new RangeError(`media listenAddress must be an IPv4 address, got ${listenAddress}`);
  }
  if (listenAddress === '0.0.0.0' && !announcedAddress) {
    throw new RangeError('media listenAddress 0.0.0.0 needs an announcedAddress');
  }
  if (announcedAddress !== undefined && !isIPv4(announcedAddress)) {
    throw new RangeError(`media announcedAddress must be an IPv4 address, got ${announcedAddress}`);
  }
}

/** The spec's video-gateway range. */
export const DEFAULT_VIDEO_RANGE = { min: 19099, max: 20099 } as const;

/**
 * The video gateway's media layer: an SFU on werift, transport-independent (signalling
 * calls it). Owns rooms; each participant gets one peer connection on one UDP port taken
 * from the shared {@link PortAllocator}, or, with `singlePort`, every participant shares
 * one port ({@link SharedUdpPort}).
 */
export class MediaServer implements MediaService {
  /** Monitoring taps (metrics, dashboards): never called on the per-packet path. */
  readonly observer: TypedEmitter<MediaObserverEvents>;
  readonly #allocator: PortAllocator | undefined;
  readonly #ports: MediaPortSource;
  readonly #rooms = new Map<string, Room>();
  readonly #settings: ParticipantSettings;
  readonly #log: Logger;
  readonly #qualityIntervalMs: number;
  #closed = false;

  constructor(options: MediaServerOptions) {
    checkMediaAddresses(options.listenAddress, options.announcedAddress);
    installWeriftPatches();
    this.#log = (options.logger ?? pino({ level: 'silent' })).child({ subsystem: 'media' });
    this.observer = new TypedEmitter((event, error) =>
      this.#log.error({ err: error, event }, 'observer threw'),
    );
    const rangeName = options.rangeName ?? 'video';
    if (options.portSource) {
      this.#ports = options.portSource;
    } else {
      const allocator =
        options.portAllocator ??
        new PortAllocator({ [rangeName]: options.videoRange ?? DEFAULT_VIDEO_RANGE });
      allocator.range(rangeName); // fails early on an unknown range name
      this.#allocator = allocator;
      this.#ports = allocator;
    }
    this.#qualityIntervalMs = options.qualityIntervalMs ?? 5000;
    this.#settings = {
      listenAddress: options.listenAddress,
      announcedAddress: options.announcedAddress ?? options.listenAddress,
      ports: this.#ports,
      rangeName,
      inactivityTimeoutMs: options.inactivityTimeoutMs ?? 20_000,
      h264: options.h264 ?? true,
      forwarding: options.forwarding ?? 'fast',
      iceTcp: options.iceTcp ?? false,
      ...(options.singlePort ? { sharedPort: () => this.#openSharedPort(rangeName) } : {}),
    };
  }

  /**
   * The process's port allocator.
   * @throws Error in a media worker process, whose ports come from the main process.
   */
  get allocator(): PortAllocator {
    if (!this.#allocator) throw new Error('this media server books its ports in another process');
    return this.#allocator;
  }

  sharedPortCounters(): SharedUdpPortCounters | undefined {
    return this.#shared?.port.counters;
  }

  /** Single-port mode: the shared UDP port, once the first participant opened it. */
  get sharedPort(): SharedUdpPort | undefined {
    return this.#shared?.port;
  }

  #sharedOpening: Promise<SharedUdpPort> | undefined;
  #shared: { port: SharedUdpPort; lease: PortLease } | undefined;

  #openSharedPort(rangeName: string): Promise<SharedUdpPort> {
    this.#sharedOpening ??= (async () => {
      const busy: PortLease[] = [];
      try {
        for (let i = 0; i < SHARED_BIND_ATTEMPTS; i++) {
          const lease = await this.#ports.acquire(rangeName);
          try {
            const port = await SharedUdpPort.open(this.#settings.listenAddress, lease.port);
            registerSharedPort(lease.port, port);
            this.#shared = { port, lease };
            this.#log.info({ port: lease.port }, 'single-port media: one UDP port for every participant');
            if (port.receiveBufferBytes < SHARED_PORT_BUFFER_BYTES) {
              this.#log.warn(
                { granted: port.receiveBufferBytes, wanted: SHARED_PORT_BUFFER_BYTES },
                'single-port media: the kernel capped the UDP receive buffer; a burst of joins may drop packets. Raise net.core.rmem_max (sysctl -w net.core.rmem_max=4194304 net.core.wmem_max=4194304)',
              );
            }
            return port;
          } catch (error) {
            this.#log.warn(
              { err: error, port: lease.port },
              'shared media port not bindable; trying another',
            );
            busy.push(lease);
          }
        }
        throw new SwitchboardError('SB_ERR_PORTS_EXHAUSTED', 'no bindable UDP port in the media range', {
          range: rangeName,
        });
      } finally {
        for (const lease of busy) lease.release();
      }
    })();
    // A failed open is retried by the next participant.
    this.#sharedOpening.catch(() => {
      this.#sharedOpening = undefined;
    });
    return this.#sharedOpening;
  }

  /**
   * Creates a room (one per call).
   * @throws SwitchboardError SB_ERR_INVALID_PARAMS when the id is taken.
   */
  createRoom(roomId: string, options?: RoomOptions): Room {
    if (this.#closed) throw new SwitchboardError('SB_ERR_SERVER_DRAINING', 'media server is closed');
    if (this.#rooms.has(roomId)) {
      throw new SwitchboardError('SB_ERR_INVALID_PARAMS', `room ${roomId} exists`, { roomId });
    }
    const room = new Room(
      roomId,
      {
        logger: this.#log,
        settings: this.#settings,
        qualityIntervalMs: this.#qualityIntervalMs,
        observer: this.observer,
        onClosed: (id) => {
          if (this.#rooms.get(id) === room) this.#rooms.delete(id);
          this.observer.emit('roomClosed', { roomId: id });
        },
      },
      options,
    );
    this.#rooms.set(roomId, room);
    this.observer.emit('roomCreated', { roomId });
    return room;
  }

  /** A room, or throws SB_ERR_CALL_NOT_FOUND. */
  room(roomId: string): Room {
    const room = this.#rooms.get(roomId);
    if (!room) throw new SwitchboardError('SB_ERR_CALL_NOT_FOUND', `no call ${roomId}`, { roomId });
    return room;
  }

  /** A room if it exists. */
  findRoom(roomId: string): Room | undefined {
    return this.#rooms.get(roomId);
  }

  get rooms(): Room[] {
    return [...this.#rooms.values()];
  }

  /** Quality snapshot of one call (`GET /v1/calls/:id/quality`). */
  quality(roomId: string): RoomQuality {
    return this.room(roomId).quality();
  }

  /** Closes every room (every participant, every socket). Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#rooms.values()].map((r) => r.close()));
    const shared = this.#shared;
    if (shared) {
      this.#shared = undefined;
      registerSharedPort(shared.lease.port, undefined);
      await shared.port.close();
      shared.lease.release();
    }
  }
}
