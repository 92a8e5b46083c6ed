import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import type { TransportAddress } from './address.js';
import { StreamFramer } from './StreamFramer.js';
import { StunError } from './StunError.js';

/** How the client reaches the STUN/TURN server. */
export type StunTransportKind = 'udp' | 'tcp' | 'tls';

/** TLS options for `tls` (TURN over TLS, `turns:`). */
export interface StunTlsOptions {
  /** Verify the server certificate (default true). */
  rejectUnauthorized?: boolean | undefined;
  /** Extra trusted CA certificates (PEM), e.g. a self-signed server certificate. */
  ca?: string | Buffer | Array<string | Buffer> | undefined;
  /** SNI / certificate host name; defaults to `host` when it is a name. */
  servername?: string | undefined;
  /** ALPN protocols offered; default `['stun.turn']` (RFC 7443). Empty list: no ALPN. */
  alpn?: string[] | undefined;
}

/** Where and how to connect. */
export interface StunTransportOptions {
  transport: StunTransportKind;
  host: string;
  port: number;
  tls?: StunTlsOptions | undefined;
  /** Connect / handshake timeout for TCP and TLS (default 5000 ms). */
  connectTimeoutMs?: number | undefined;
}

/** Events of a transport: one whole frame (STUN message or ChannelData) per `frame`. */
export interface StunTransportEvents {
  frame: [frame: Buffer, from: TransportAddress];
  error: [error: StunError];
  close: [];
}

/** A connected path to the server that carries whole frames. */
export interface StunTransport extends EventEmitter<StunTransportEvents> {
  readonly kind: StunTransportKind;
  /** Stream transports (TCP/TLS) do not retransmit and pad ChannelData. */
  readonly reliable: boolean;
  /** The server address actually used (after DNS). */
  readonly server: TransportAddress;
  /** Our local address on this path. */
  readonly local: TransportAddress;
  /** Sends a frame; over UDP `to` picks another destination (e.g. a second STUN server). */
  send(frame: Buffer, to?: { address: string; port: number }): void;
  close(): void;
}

async function resolve(host: string): Promise<{ address: string; family: 'IPv4' | 'IPv6' }> {
  const bare = host.startsWith('[') ? host.slice(1, -1) : host;
  if (net.isIP(bare)) return { address: bare, family: net.isIPv6(bare) ? 'IPv6' : 'IPv4' };
  try {
    const r = await lookup(bare);
    return { address: r.address, family: r.family === 6 ? 'IPv6' : 'IPv4' };
  } catch (cause) {
    throw new StunError('transport', `cannot resolve ${host}`, { cause });
  }
}

class UdpStunTransport extends EventEmitter<StunTransportEvents> implements StunTransport {
  readonly kind = 'udp' as const;
  readonly reliable = false;
  readonly server: TransportAddress;
  #socket: dgram.Socket;
  #localIp: string;
  #closed = false;

  constructor(socket: dgram.Socket, server: TransportAddress, localIp: string) {
    super();
    this.#socket = socket;
    this.#localIp = localIp;
    this.server = server;
    socket.on('message', (msg, rinfo) => {
      this.emit('frame', msg, {
        family: rinfo.family === 'IPv6' ? 'IPv6' : 'IPv4',
        address: rinfo.address,
        port: rinfo.port,
      });
    });
    socket.on('error', (err) => this.emit('error', new StunError('transport', err.message, { cause: err })));
    socket.on('close', () => {
      this.#closed = true;
      this.emit('close');
    });
  }

  get local(): TransportAddress {
    const a = this.#socket.address();
    return { family: a.family === 'IPv6' ? 'IPv6' : 'IPv4', address: this.#localIp, port: a.port };
  }

  send(frame: Buffer, to?: { address: string; port: number }): void {
    if (this.#closed) throw new StunError('state', 'transport closed');
    const dest = to ?? this.server;
    this.#socket.send(frame, dest.port, dest.address);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }
}

class StreamStunTransport extends EventEmitter<StunTransportEvents> implements StunTransport {
  readonly kind: 'tcp' | 'tls';
  readonly reliable = true;
  readonly server: TransportAddress;
  readonly local: TransportAddress;
  #socket: net.Socket;
  #framer = new StreamFramer();
  #closed = false;

  constructor(kind: 'tcp' | 'tls', socket: net.Socket, server: TransportAddress) {
    super();
    this.kind = kind;
    this.#socket = socket;
    this.server = server;
    this.local = {
      family: socket.localFamily === 'IPv6' ? 'IPv6' : 'IPv4',
      address: socket.localAddress ?? '',
      port: socket.localPort ?? 0,
    };
    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = this.#framer.push(chunk);
      } catch (err) {
        this.emit('error', err as StunError);
        this.close();
        return;
      }
      for (const f of frames) this.emit('frame', f, server);
    });
    socket.on('error', (err) => this.emit('error', new StunError('transport', err.message, { cause: err })));
    socket.on('close', () => {
      this.#closed = true;
      this.emit('close');
    });
  }

  send(frame: Buffer): void {
    if (this.#closed) throw new StunError('state', 'transport closed');
    this.#socket.write(frame);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.destroy();
  }
}

/**
 * The interface address the OS would use towards `server` (a connected UDP socket sends
 * nothing); the main socket is bound to the wildcard so it can reach other servers too.
 */
async function localAddressTowards(server: TransportAddress): Promise<string> {
  const probe = dgram.createSocket(server.family === 'IPv6' ? 'udp6' : 'udp4');
  try {
    return await new Promise<string>((resolve) => {
      probe.once('error', () => resolve(server.family === 'IPv6' ? '::' : '0.0.0.0'));
      probe.connect(server.port, server.address, () => resolve(probe.address().address));
    });
  } finally {
    probe.close();
  }
}

/** Opens a UDP socket, or connects TCP / TLS (completing the handshake) to the server. */
export async function openStunTransport(options: StunTransportOptions): Promise<StunTransport> {
  const { address, family } = await resolve(options.host);
  const server: TransportAddress = { family, address, port: options.port };
  if (options.transport === 'udp') {
    const socket = dgram.createSocket(family === 'IPv6' ? 'udp6' : 'udp4');
    await new Promise<void>((ok, fail) => {
      socket.once('error', (err) => fail(new StunError('transport', err.message, { cause: err })));
      socket.bind(0, () => ok());
    });
    return new UdpStunTransport(socket, server, await localAddressTowards(server));
  }
  const timeoutMs = options.connectTimeoutMs ?? 5000;
  const socket = await new Promise<net.Socket>((ok, fail) => {
    let s: net.Socket;
    const event = options.transport === 'tls' ? 'secureConnect' : 'connect';
    if (options.transport === 'tls') {
      const t = options.tls ?? {};
      const hostIsName = net.isIP(options.host.replace(/^\[|\]$/g, '')) === 0;
      const alpn = t.alpn ?? ['stun.turn'];
      s = tls.connect({
        host: address,
        port: options.port,
        servername: t.servername ?? (hostIsName ? options.host : undefined),
        rejectUnauthorized: t.rejectUnauthorized ?? true,
        ca: t.ca,
        ALPNProtocols: alpn.length > 0 ? alpn : undefined,
        // Certificate checks use the configured name, not the resolved IP.
        checkServerIdentity: (_host, cert) => tls.checkServerIdentity(t.servername ?? options.host, cert),
      });
    } else {
      s = net.connect({ host: address, port: options.port });
    }
    const timer = setTimeout(() => {
      s.destroy();
      fail(
        new StunError('timeout', `${options.transport} connect to ${options.host}:${options.port} timed out`),
      );
    }, timeoutMs);
    s.once(event, () => {
      clearTimeout(timer);
      s.removeAllListeners('error');
      s.setNoDelay(true);
      ok(s);
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      s.destroy();
      fail(new StunError('transport', `${options.transport} connect failed: ${err.message}`, { cause: err }));
    });
  });
  return new StreamStunTransport(options.transport, socket, server);
}
