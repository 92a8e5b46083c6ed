import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { EventEmitter, once } from 'node:events';

/** STUN (RFC 8489 §5): Binding request type, magic cookie, USERNAME attribute. */
const STUN_BINDING_REQUEST = 0x0001;
const STUN_MAGIC_COOKIE = 0x2112a442;
const STUN_USERNAME = 0x0006;
const STUN_HEADER = 20;

/**
 * Source addresses one participant's socket keeps. A client checks from each of its
 * candidates (host addresses, server-reflexive, relayed); beyond this the oldest goes.
 */
const MAX_ADDRESSES_PER_SOCKET = 16;

/**
 * Kernel buffers asked for the shared socket. All participants' datagrams queue on this one
 * socket while the event loop is busy (a burst of joins: DTLS handshakes, SDP): with Linux's
 * default 208 KiB, `bench:sfu` (16 peers joining at once) overflowed it, lost DTLS handshake
 * records and left subscribers without media. `net.core.rmem_max` / `wmem_max` cap what is
 * granted; the media server warns when they do.
 */
export const SHARED_PORT_BUFFER_BYTES = 4 * 1024 * 1024;

/** Counters of datagrams the port could not hand to any participant. */
export interface SharedUdpPortCounters {
  /** Not STUN, from an address no participant has been reached from: dropped. */
  unknownSource: number;
  /** A STUN Binding request whose USERNAME names no participant: dropped. */
  unknownUsername: number;
}

/**
 * One UDP socket for every participant of the process (issue item 4), as mediasoup's
 * WebRtcServer or LiveKit's `udp_port`: a datagram goes to the participant its source address
 * is bound to; from a new address, only an ICE connectivity check is accepted, and goes to the
 * participant whose local username fragment starts its USERNAME (RFC 8445 §7.2.2:
 * `ourUfrag:theirUfrag`), which then owns that address. Lifts the one-port-per-peer cap of a
 * range (1001 ports ≈ 1000 peers) and lets a firewall open a single port.
 *
 * werift still authenticates every check (MESSAGE-INTEGRITY with the participant's password):
 * a forged check only binds an address to the participant it names, whose ICE then ignores it.
 */
export class SharedUdpPort {
  readonly counters: SharedUdpPortCounters = { unknownSource: 0, unknownUsername: 0 };
  readonly #socket: Socket;
  readonly #byAddress = new Map<string, Map<number, MuxedSocket>>();
  readonly #sockets = new Set<MuxedSocket>();
  #closed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('message', (data: Buffer, rinfo: RemoteInfo) => this.#onMessage(data, rinfo));
    // A send error (e.g. ICMP unreachable surfacing) must not take the process down.
    socket.on('error', () => {});
  }

  /** Binds `address:port` (IPv4). */
  static async open(address: string, port: number): Promise<SharedUdpPort> {
    const socket = createSocket({
      type: 'udp4',
      recvBufferSize: SHARED_PORT_BUFFER_BYTES,
      sendBufferSize: SHARED_PORT_BUFFER_BYTES,
    });
    const listening = once(socket, 'listening');
    socket.bind({ address, port });
    await listening;
    return new SharedUdpPort(socket);
  }

  /** The bound address. */
  address(): { address: string; family: string; port: number } {
    return this.#socket.address();
  }

  /**
   * The receive buffer the kernel granted, in bytes of payload it holds (Linux reports twice
   * the size asked, half of it for bookkeeping). Below {@link SHARED_PORT_BUFFER_BYTES} when
   * `net.core.rmem_max` capped it.
   */
  get receiveBufferBytes(): number {
    return this.#socket.getRecvBufferSize() / (process.platform === 'linux' ? 2 : 1);
  }

  /** The underlying socket (patch 10 applies to it). */
  get socket(): Socket {
    return this.#socket;
  }

  /** Participants' sockets open on this port. */
  get size(): number {
    return this.#sockets.size;
  }

  /** A new participant socket on this port (what werift's UdpTransport uses as its socket). */
  createSocket(): MuxedSocket {
    if (this.#closed) throw new Error('shared UDP port is closed');
    const socket = new MuxedSocket(this);
    this.#sockets.add(socket);
    return socket;
  }

  /** @internal */
  send(data: Buffer, port: number, address: string, callback?: (error: Error | null) => void): void {
    if (this.#closed) return;
    this.#socket.send(data, port, address, callback);
  }

  /** @internal Forgets a closed participant socket and every address bound to it. */
  remove(socket: MuxedSocket): void {
    this.#sockets.delete(socket);
    for (const key of socket.boundAddresses) this.#unbind(key, socket);
  }

  /** Closes the socket. Participants' sockets stop receiving. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closed = once(this.#socket, 'close');
    this.#socket.close();
    await closed;
  }

  #onMessage(data: Buffer, rinfo: RemoteInfo): void {
    let owner = this.#byAddress.get(rinfo.address)?.get(rinfo.port);
    if (!owner) {
      const ufrag = bindingRequestUfrag(data);
      if (ufrag === undefined) {
        this.counters.unknownSource++;
        return;
      }
      owner = this.#ownerOf(ufrag);
      if (!owner) {
        this.counters.unknownUsername++;
        return;
      }
      this.#bind(rinfo, owner);
    }
    owner.emit('message', data, rinfo);
  }

  #ownerOf(ufrag: string): MuxedSocket | undefined {
    // Only on a check from a new address: a scan over the participants is cheap enough.
    for (const socket of this.#sockets) if (socket.iceUsername() === ufrag) return socket;
    return undefined;
  }

  #bind(rinfo: RemoteInfo, socket: MuxedSocket): void {
    const key = `${rinfo.address}|${rinfo.port}`;
    const bound = socket.boundAddresses;
    if (bound.size >= MAX_ADDRESSES_PER_SOCKET) {
      const oldest = bound.values().next().value as string;
      this.#unbind(oldest, socket);
    }
    let ports = this.#byAddress.get(rinfo.address);
    if (!ports) {
      ports = new Map();
      this.#byAddress.set(rinfo.address, ports);
    }
    const previous = ports.get(rinfo.port);
    if (previous && previous !== socket) previous.boundAddresses.delete(key);
    ports.set(rinfo.port, socket);
    bound.add(key);
  }

  #unbind(key: string, socket: MuxedSocket): void {
    socket.boundAddresses.delete(key);
    const split = key.lastIndexOf('|');
    const address = key.slice(0, split);
    const port = Number(key.slice(split + 1));
    const ports = this.#byAddress.get(address);
    if (ports?.get(port) === socket) {
      ports.delete(port);
      if (ports.size === 0) this.#byAddress.delete(address);
    }
  }
}

/**
 * One participant's view of a {@link SharedUdpPort}: the subset of `dgram.Socket` werift's
 * `UdpTransport` and the fast path use (`message` events, `send`, `address`, `close`).
 */
export class MuxedSocket extends EventEmitter {
  /** `address|port` keys bound to this socket. */
  readonly boundAddresses = new Set<string>();
  /**
   * The local ICE username fragment this socket answers checks for; set by the participant
   * once its ICE agent exists (and read again after an ICE restart changes it).
   */
  iceUsername: () => string | undefined = () => undefined;
  readonly #port: SharedUdpPort;
  #closed = false;

  /** @internal */
  constructor(port: SharedUdpPort) {
    super();
    this.#port = port;
  }

  send(
    data: Buffer,
    port: number,
    address: string,
    callback?: (error: Error | null, bytes?: number) => void,
  ): void {
    if (this.#closed) {
      callback?.(new Error('socket is closed'));
      return;
    }
    this.#port.send(data, port, address, callback);
  }

  address(): { address: string; family: string; port: number } {
    return this.#port.address();
  }

  close(callback?: () => void): this {
    if (!this.#closed) {
      this.#closed = true;
      this.#port.remove(this);
      queueMicrotask(() => {
        this.emit('close');
        callback?.();
      });
    }
    return this;
  }

  get closed(): boolean {
    return this.#closed;
  }
}

/**
 * The local username fragment (before the colon of USERNAME) of a STUN Binding request, or
 * undefined when `data` is not one. Only the header and attribute framing are read.
 */
export function bindingRequestUfrag(data: Buffer): string | undefined {
  if (data.length < STUN_HEADER || (data[0]! & 0xc0) !== 0) return undefined;
  if (data.readUInt16BE(0) !== STUN_BINDING_REQUEST || data.readUInt32BE(4) !== STUN_MAGIC_COOKIE) {
    return undefined;
  }
  const end = Math.min(data.length, STUN_HEADER + data.readUInt16BE(2));
  let at = STUN_HEADER;
  while (at + 4 <= end) {
    const type = data.readUInt16BE(at);
    const length = data.readUInt16BE(at + 2);
    if (at + 4 + length > end) return undefined;
    if (type === STUN_USERNAME) {
      const username = data.toString('utf8', at + 4, at + 4 + length);
      const colon = username.indexOf(':');
      return colon > 0 ? username.slice(0, colon) : undefined;
    }
    at += 4 + ((length + 3) & ~3);
  }
  return undefined;
}
