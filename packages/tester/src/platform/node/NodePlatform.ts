import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import WebSocket from 'ws';
import type {
  DnsResult,
  HttpRequest,
  HttpResponse,
  HttpResult,
  Platform,
  StunBindingOutcome,
  TlsResult,
  TurnRelayOutcome,
  TurnRelayRequest,
  UdpSocket,
  UdpTarget,
} from '../Platform.js';
import { stunBindings, turnRelay } from './stunTurn.js';

export interface NodePlatformOptions {
  /** Accept certificates that do not verify (the `--insecure` flag). */
  insecure?: boolean;
  /** Extra trusted CA certificates (PEM), e.g. a test's self-signed certificate. */
  ca?: string | string[];
}

function timeoutError(what: string, ms: number): Error {
  return Object.assign(new Error(`${what} timed out after ${ms} ms`), { code: 'ETIMEDOUT' });
}

function dnFirst(dn: Record<string, string | string[] | undefined> | undefined): string {
  if (!dn) return '';
  const pick = (k: string): string | undefined => {
    const v = dn[k];
    return Array.isArray(v) ? v[0] : v;
  };
  return [pick('CN'), pick('O')].filter(Boolean).join(', ');
}

/** The Node implementation: dns, net, tls, http(s), ws and dgram. */
export class NodePlatform implements Platform {
  readonly name = `node ${process.version}`;
  readonly insecure: boolean;
  readonly #ca: string[] | undefined;

  constructor(options: NodePlatformOptions = {}) {
    this.insecure = options.insecure ?? false;
    this.#ca = options.ca === undefined ? undefined : [options.ca].flat();
  }

  now(): number {
    return performance.now();
  }

  stunBindings(targets: UdpTarget[], timeoutMs: number): Promise<StunBindingOutcome> {
    return stunBindings(targets, timeoutMs);
  }

  turnRelay(request: TurnRelayRequest): Promise<TurnRelayOutcome> {
    return turnRelay(request, { insecure: this.insecure, ca: this.#ca });
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  async resolve(host: string): Promise<DnsResult> {
    if (net.isIP(host)) return { addresses: [host] };
    const found = await lookup(host, { all: true });
    return { addresses: found.map((a) => a.address) };
  }

  #trust(): { ca?: string[] } {
    // Extra CAs add to Node's roots rather than replace them.
    return this.#ca ? { ca: [...tls.rootCertificates, ...this.#ca] } : {};
  }

  tcpConnect(host: string, port: number, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const start = this.now();
      const socket = net.connect({ host, port });
      socket.setTimeout(timeoutMs, () => {
        socket.destroy();
        reject(timeoutError(`TCP connect to ${host}:${port}`, timeoutMs));
      });
      socket.once('connect', () => {
        const ms = this.now() - start;
        socket.destroy();
        resolve(ms);
      });
      socket.once('error', reject);
    });
  }

  tlsHandshake(host: string, port: number, timeoutMs: number): Promise<TlsResult> {
    return new Promise((resolve, reject) => {
      const start = this.now();
      let connectMs = 0;
      const socket = tls.connect({
        host,
        port,
        servername: net.isIP(host) ? undefined : host,
        // Never abort: the check reports an untrusted chain (and its issuer) itself.
        rejectUnauthorized: false,
        ...this.#trust(),
      });
      socket.setTimeout(timeoutMs, () => {
        socket.destroy();
        reject(timeoutError(`TLS handshake with ${host}:${port}`, timeoutMs));
      });
      socket.once('connect', () => {
        connectMs = this.now() - start;
      });
      socket.once('secureConnect', () => {
        const handshakeMs = this.now() - start - connectMs;
        const cert = socket.getPeerCertificate();
        let authorized = socket.authorized;
        let authorizationError = socket.authorizationError ? String(socket.authorizationError) : undefined;
        // Node checks the chain; the host name check is ours because SNI may be an IP.
        if (authorized && cert.raw) {
          const hostError = tls.checkServerIdentity(host, cert);
          if (hostError) {
            authorized = false;
            authorizationError = (hostError as NodeJS.ErrnoException).code ?? hostError.message;
          }
        }
        resolve({
          connectMs,
          handshakeMs,
          authorized,
          authorizationError,
          issuer: dnFirst(cert.issuer as unknown as Record<string, string>),
          subject: dnFirst(cert.subject as unknown as Record<string, string>),
          validTo: cert.valid_to ?? '',
          protocol: socket.getProtocol() ?? '',
        });
        socket.destroy();
      });
      socket.once('error', reject);
    });
  }

  request(r: HttpRequest): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const url = new URL(r.url);
      const mod = url.protocol === 'https:' ? https : http;
      const req = mod.request(
        url,
        {
          method: r.method,
          headers: {
            accept: 'application/json',
            ...(r.body ? { 'content-type': 'application/json' } : {}),
            ...r.headers,
          },
          timeout: r.timeoutMs,
          agent: false,
          ...(url.protocol === 'https:' ? { rejectUnauthorized: !this.insecure, ...this.#trust() } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.once('timeout', () => req.destroy(timeoutError(`${r.method} ${r.url}`, r.timeoutMs)));
      req.once('error', reject);
      req.end(r.body);
    });
  }

  httpGet(host: string, port: number, path: string, timeoutMs: number): Promise<HttpResult> {
    return new Promise((resolve, reject) => {
      const start = this.now();
      const req = http.get({ host, port, path, timeout: timeoutMs, agent: false }, (res) => {
        res.resume();
        resolve({
          status: res.statusCode ?? 0,
          location: res.headers.location,
          elapsedMs: this.now() - start,
        });
      });
      req.once('timeout', () => req.destroy(timeoutError(`HTTP GET ${host}:${port}${path}`, timeoutMs)));
      req.once('error', reject);
    });
  }

  httpsGet(url: string, timeoutMs: number): Promise<HttpResult> {
    return new Promise((resolve, reject) => {
      const start = this.now();
      const req = https.get(
        url,
        { timeout: timeoutMs, agent: false, rejectUnauthorized: !this.insecure, ...this.#trust() },
        (res) => {
          res.resume();
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location,
            elapsedMs: this.now() - start,
          });
        },
      );
      req.once('timeout', () => req.destroy(timeoutError(`HTTPS GET ${url}`, timeoutMs)));
      req.once('error', reject);
    });
  }

  wsUpgrade(url: string, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const start = this.now();
      const ws = new WebSocket(url, {
        handshakeTimeout: timeoutMs,
        rejectUnauthorized: !this.insecure,
        ...this.#trust(),
      });
      ws.once('open', () => {
        const ms = this.now() - start;
        ws.terminate();
        resolve(ms);
      });
      ws.once('unexpected-response', (_req, res) => {
        ws.terminate();
        reject(new Error(`WebSocket upgrade refused with HTTP ${res.statusCode}`));
      });
      ws.once('error', (err) => {
        ws.terminate();
        reject(err);
      });
    });
  }

  createUdpSocket(): Promise<UdpSocket> {
    return new Promise((resolve, reject) => {
      const socket = createSocket('udp4');
      socket.once('error', reject);
      socket.bind(0, () => {
        socket.off('error', reject);
        // A send error (ICMP unreachable surfacing as ECONNREFUSED) is a lost probe, not a crash.
        socket.on('error', () => undefined);
        let closed = false;
        resolve({
          send: (data, port, host) => {
            if (!closed) socket.send(data, port, host, () => undefined);
          },
          onMessage: (listener) => {
            socket.on('message', (msg) =>
              listener(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), this.now()),
            );
          },
          close: () => {
            if (closed) return;
            closed = true;
            socket.close();
          },
        });
      });
    });
  }
}
