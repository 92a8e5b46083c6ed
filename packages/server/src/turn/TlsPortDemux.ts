import { EventEmitter } from 'node:events';
import net from 'node:net';
import { type ClientHelloInfo, missingHelloBytes, parseClientHello } from './clientHello.js';

/** Where a connection on the shared port goes. */
export type DemuxRoute = 'turn' | 'turn-tcp' | 'https';

/** A TCP destination. */
export interface TcpTarget {
  host: string;
  port: number;
}

/** Options for {@link TlsPortDemux}. */
export interface TlsPortDemuxOptions {
  /**
   * The HTTPS side: a server object that takes connections in-process (an `https.Server`,
   * `tls.Server`, or fastify's `server`: receives the socket with the ClientHello put back,
   * so it sees the real client address), or a TCP address to pipe to.
   */
  https: net.Server | TcpTarget;
  /** coturn's TLS listener (`turn.managed.tlsPort`, loopback). */
  turn: TcpTarget;
  /** coturn's plain TCP listener: STUN/TURN over TCP sent to this port (no TLS) goes there. */
  turnTcp?: TcpTarget | undefined;
  /** SNI names whose connections go to coturn (e.g. `turn.example.com`). */
  turnServerNames?: string[] | undefined;
  /** Route for TLS that names neither side (no SNI match, no ALPN). Default `https`. */
  defaultRoute?: 'turn' | 'https' | undefined;
  /** A client must send its first TLS record within this time (default 5000 ms). */
  helloTimeoutMs?: number | undefined;
}

/** Events of a {@link TlsPortDemux}. */
export interface TlsPortDemuxEvents {
  /** A connection was handed on. */
  route: [route: DemuxRoute, hello: ClientHelloInfo | undefined, remote: string];
  /** A connection was dropped (timeout, oversize, target unreachable). */
  drop: [reason: string, remote: string];
}

/** ALPN IDs of STUN/TURN over TLS (RFC 7443). */
const TURN_ALPN = new Set(['stun.turn', 'stun.nat-discovery']);
const HTTP_ALPN = new Set(['h2', 'http/1.1', 'http/1.0']);

/**
 * One TCP listener (e.g. 443) in front of both HTTPS and coturn's TURN/TLS. It reads the
 * first TLS record without terminating TLS, decides by ALPN (`stun.turn` → TURN,
 * `h2`/`http/1.1` → HTTPS), then by SNI (`turnServerNames` → TURN), else `defaultRoute`;
 * and hands the untouched bytes on. Plain STUN (first bytes a STUN header) goes to
 * `turnTcp` when set. TURN connections reach coturn from loopback: coturn sees the
 * demux's address, not the client's (per-IP limits in coturn do not apply to them).
 */
export class TlsPortDemux extends EventEmitter<TlsPortDemuxEvents> {
  readonly server: net.Server;
  #options: TlsPortDemuxOptions;
  #names: Set<string>;
  #sockets = new Set<net.Socket>();
  #closing: Promise<void> | undefined;

  constructor(options: TlsPortDemuxOptions) {
    super();
    this.#options = options;
    this.#names = new Set((options.turnServerNames ?? []).map((n) => n.toLowerCase()));
    this.server = net.createServer((socket) => this.#accept(socket));
  }

  /** Listens (port 0: any free port) and resolves with the bound address. */
  listen(port: number, host?: string): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as net.AddressInfo);
      });
    });
  }

  /** Decides a route from a parsed ClientHello (exposed for tests and docs). */
  routeFor(hello: ClientHelloInfo | undefined): 'turn' | 'https' {
    if (hello) {
      if (hello.alpn.some((p) => TURN_ALPN.has(p))) return 'turn';
      if (hello.serverName && this.#names.has(hello.serverName)) return 'turn';
      if (hello.alpn.some((p) => HTTP_ALPN.has(p))) return 'https';
    }
    return this.#options.defaultRoute ?? 'https';
  }

  /** Stops listening and destroys every connection it accepted (piped or handed on). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= new Promise((resolve) => {
      for (const s of this.#sockets) s.destroy();
      this.server.close(() => resolve());
    });
    return this.#closing;
  }

  #accept(socket: net.Socket): void {
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    // Ours to destroy on close() wherever it went (also HTTPS, handed on in-process):
    // net.Server.close() waits for every connection it accepted.
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => {
      cleanup();
      socket.destroy();
      this.emit('drop', 'no ClientHello in time', remote);
    }, this.#options.helloTimeoutMs ?? 5000);
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
    };
    const onError = (): void => cleanup();
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const looksStun =
        buffered.length >= 8 && (buffered[0]! & 0xc0) === 0 && buffered.readUInt32BE(4) === 0x2112a442;
      if (buffered[0] !== 0x16 && (buffered.length >= 8 || buffered[0]! & 0xc0)) {
        cleanup();
        socket.pause();
        if (looksStun && this.#options.turnTcp)
          this.#pipe(socket, buffered, this.#options.turnTcp, 'turn-tcp', undefined, remote);
        else this.#toHttps(socket, buffered, undefined, remote);
        return;
      }
      const missing = missingHelloBytes(buffered);
      if (missing > 0 && buffered.length < 5 + 0xffff) return;
      cleanup();
      socket.pause();
      const hello = parseClientHello(buffered);
      if (this.routeFor(hello) === 'turn')
        this.#pipe(socket, buffered, this.#options.turn, 'turn', hello, remote);
      else this.#toHttps(socket, buffered, hello, remote);
    };
    socket.on('data', onData);
    socket.on('error', onError);
  }

  #toHttps(socket: net.Socket, head: Buffer, hello: ClientHelloInfo | undefined, remote: string): void {
    const target = this.#options.https;
    if (target instanceof net.Server) {
      // Put the peeked bytes back and let the HTTPS server take the socket as its own.
      socket.unshift(head);
      this.emit('route', 'https', hello, remote);
      target.emit('connection', socket);
      return;
    }
    this.#pipe(socket, head, target, 'https', hello, remote);
  }

  #pipe(
    socket: net.Socket,
    head: Buffer,
    target: TcpTarget,
    route: DemuxRoute,
    hello: ClientHelloInfo | undefined,
    remote: string,
  ): void {
    const upstream = net.connect({ host: target.host, port: target.port });
    this.#sockets.add(socket);
    this.#sockets.add(upstream);
    const end = (): void => {
      socket.destroy();
      upstream.destroy();
      this.#sockets.delete(socket);
      this.#sockets.delete(upstream);
    };
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      upstream.setNoDelay(true);
      socket.setNoDelay(true);
      upstream.write(head);
      socket.pipe(upstream);
      upstream.pipe(socket);
      socket.resume();
      this.emit('route', route, hello, remote);
    });
    upstream.on('error', () => {
      if (!connected) this.emit('drop', `${route} target ${target.host}:${target.port} unreachable`, remote);
      end();
    });
    socket.on('error', end);
    socket.on('close', end);
    upstream.on('close', end);
  }
}
