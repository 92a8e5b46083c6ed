import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type ErrorBody,
  httpStatusOf,
  PROTOCOL_VERSION,
  type RequestParams,
  SwitchboardError,
} from '@switchboard/protocol';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { closeCodeFor } from './closeCodes.js';
import { parseFrame, type ValidRequest } from './parseFrame.js';
import type { SignallingService } from './SignallingService.js';
import type { SessionTransport, SignallingSession } from './SignallingSession.js';
import { TokenBucket } from './TokenBucket.js';

/** Consecutive rate-limited frames after which the connection is closed. */
const MAX_LIMITED_IN_A_ROW = 50;

export interface WebSocketGatewayOptions {
  /** URL paths that accept an upgrade on this listener. */
  paths: readonly string[];
  /** Label for logs and metrics ("wss:8989", "voip:8089"). */
  listener: string;
}

function rejectUpgrade(socket: Duplex, code: Exclude<ErrorBody['code'], never>, message: string): void {
  const status = httpStatusOf(code);
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${code}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * Serves the signalling protocol over WebSocket on one HTTPS listener (8989, and the
 * agents' VoIP path on 8089). The first frame must be `auth` or `session.resume`.
 */
export class WebSocketGateway {
  readonly #service: SignallingService;
  readonly #options: WebSocketGatewayOptions;
  readonly #wss: WebSocketServer;
  readonly #connections = new Set<WebSocketConnection>();

  constructor(service: SignallingService, server: Server, options: WebSocketGatewayOptions) {
    this.#service = service;
    this.#options = options;
    this.#wss = new WebSocketServer({
      noServer: true,
      // Frames above maxFrameBytes get a typed error; far larger ones are cut off by ws (1009).
      maxPayload: Math.max(service.config.maxFrameBytes * 4, 1024 * 1024),
      perMessageDeflate: false,
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.#onUpgrade(req, socket, head),
    );
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (!this.#options.paths.includes(path)) {
      rejectUpgrade(
        socket,
        'SB_ERR_NOT_FOUND',
        `No WebSocket endpoint at ${path}; use ${this.#options.paths.join(' or ')}.`,
      );
      return;
    }
    if (this.#service.sessions.draining) {
      rejectUpgrade(socket, 'SB_ERR_SERVER_DRAINING', 'The server is shutting down.');
      return;
    }
    const address = req.socket.remoteAddress ?? 'unknown';
    if (!this.#service.connectionLimiter.acquire(address)) {
      this.#service.dispatcher.countError('SB_ERR_TOO_MANY_CONNECTIONS');
      rejectUpgrade(socket, 'SB_ERR_TOO_MANY_CONNECTIONS', 'Too many connections from this address.');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = new WebSocketConnection(ws, address, this.#service, this.#options.listener);
      this.#connections.add(connection);
      this.#service.metrics.connections.inc({ transport: 'websocket' });
      ws.once('close', () => {
        this.#connections.delete(connection);
        this.#service.connectionLimiter.release(address);
        this.#service.metrics.connections.dec({ transport: 'websocket' });
      });
    });
  }

  /** Closes every connection (shutdown); sessions are ended by the session manager. */
  close(): void {
    for (const connection of this.#connections) {
      connection.close({ code: 'SB_ERR_SERVER_DRAINING', message: 'The server is shutting down.' });
    }
    this.#wss.close();
  }
}

/** One WebSocket: a session transport once authenticated. */
class WebSocketConnection implements SessionTransport {
  readonly kind = 'websocket' as const;
  readonly #ws: WebSocket;
  readonly #address: string;
  readonly #service: SignallingService;
  readonly #listener: string;
  readonly #bucket: TokenBucket;
  #session: SignallingSession | null = null;
  #sentSeq = 0;
  #authTimer: NodeJS.Timeout | null;
  #pingTimer: NodeJS.Timeout | null = null;
  #chain: Promise<void> = Promise.resolve();
  #limitedInARow = 0;
  #closed = false;

  constructor(ws: WebSocket, address: string, service: SignallingService, listener: string) {
    this.#ws = ws;
    this.#address = address;
    this.#service = service;
    this.#listener = listener;
    const { messagesPerSecond, messageBurst, authTimeoutMs } = service.config;
    this.#bucket = new TokenBucket(messagesPerSecond, messageBurst);
    this.#authTimer = setTimeout(
      () =>
        this.#refuse(
          null,
          null,
          new SwitchboardError('SB_ERR_AUTH_TIMEOUT', `Authenticate within ${authTimeoutMs} ms.`),
          true,
        ),
      authTimeoutMs,
    );
    ws.on('message', (data, isBinary) => this.#onFrame(data, isBinary));
    ws.on('pong', () => this.#session?.touch());
    ws.on('error', (err) => service.log.debug({ err, address }, 'websocket error'));
    ws.on('close', () => this.#onClose());
  }

  #onFrame(data: RawData, isBinary: boolean): void {
    if (this.#closed) return;
    this.#session?.touch();
    if (!this.#bucket.take()) {
      this.#limitedInARow++;
      const error = new SwitchboardError('SB_ERR_RATE_LIMITED', 'Slow down.', {
        retryAfterMs: this.#bucket.retryAfterMs(),
      });
      this.#service.dispatcher.countMessage('websocket', 'rate_limited');
      this.#refuse(null, null, error, this.#limitedInARow >= MAX_LIMITED_IN_A_ROW);
      return;
    }
    this.#limitedInARow = 0;
    const raw = isBinary
      ? null
      : Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : data.toString('utf8');
    this.#chain = this.#chain
      .then(() => this.#process(raw))
      .catch((err) => {
        this.#service.log.error({ err }, 'websocket frame processing failed');
      });
  }

  async #process(raw: string | null): Promise<void> {
    if (this.#closed) return;
    if (raw === null) {
      this.#service.dispatcher.countMessage('websocket', 'invalid');
      this.#refuse(
        null,
        null,
        new SwitchboardError('SB_ERR_BAD_FRAME', 'Binary frames are not part of the protocol.'),
        false,
      );
      return;
    }
    const outcome = parseFrame(raw, this.#service.config.maxFrameBytes);
    if (!outcome.ok) {
      this.#service.dispatcher.countMessage('websocket', 'invalid');
      // Before authentication every failure closes the connection; after it, the session goes on.
      this.#refuse(outcome.re, outcome.type, outcome.error, this.#session === null);
      return;
    }
    const { request } = outcome;
    this.#service.dispatcher.countMessage('websocket', request.type);
    if (this.#session) {
      await this.#service.dispatcher.dispatch(this.#session, request, 'websocket');
      return;
    }
    await this.#handshake(request);
  }

  async #handshake(request: ValidRequest): Promise<void> {
    try {
      if (request.type === 'auth') {
        const { token } = request.params as RequestParams<'auth'>;
        const session = await this.#service.authenticate(token, this.#address);
        this.#establish(session, 0);
        session.respond(request.id, request.type, this.#service.info(session, false));
      } else if (request.type === 'session.resume') {
        const { sessionId, resumeKey, lastSeq } = request.params as RequestParams<'session.resume'>;
        const session = this.#service.sessions.lookup(sessionId, resumeKey);
        const { missed } = session.framesAfter(lastSeq);
        session.ack(lastSeq);
        this.#establish(session, lastSeq);
        this.#service.metrics.sessionsResumed.inc();
        session.respond(request.id, request.type, this.#service.info(session, true, missed));
      } else {
        throw new SwitchboardError('SB_ERR_AUTH_REQUIRED', 'Send "auth" (or "session.resume") first.');
      }
    } catch (err) {
      const error =
        err instanceof SwitchboardError
          ? err
          : new SwitchboardError('SB_ERR_INTERNAL', 'Authentication failed.');
      if (!(err instanceof SwitchboardError)) this.#service.log.error({ err }, 'handshake failed');
      this.#refuse(request.id, request.type, error, true);
    }
  }

  #establish(session: SignallingSession, sentSeq: number): void {
    if (this.#authTimer) clearTimeout(this.#authTimer);
    this.#authTimer = null;
    this.#session = session;
    this.#sentSeq = sentSeq;
    session.attach(this);
    const interval = this.#service.config.keepAliveMs;
    this.#pingTimer = setInterval(() => {
      if (this.#ws.readyState === this.#ws.OPEN) this.#ws.ping();
    }, interval);
    this.#pingTimer.unref();
    this.#service.log.debug({ sessionId: session.id, listener: this.#listener }, 'websocket attached');
  }

  /** Sends an error frame outside any session (seq 0) and optionally closes. */
  #refuse(re: string | null, type: string | null, error: SwitchboardError, close: boolean): void {
    this.#service.dispatcher.countError(error.code);
    if (this.#session && !close) {
      this.#session.fail(re, type, error.toBody());
      return;
    }
    this.#send({ v: PROTOCOL_VERSION, seq: 0, re, type, error: error.toBody() });
    if (close) this.close(error.toBody());
  }

  #send(frame: object): void {
    if (this.#ws.readyState === this.#ws.OPEN) this.#ws.send(JSON.stringify(frame));
  }

  deliver(): void {
    const session = this.#session;
    if (!session || this.#closed) return;
    for (const frame of session.framesAfter(this.#sentSeq).frames) {
      this.#send(frame);
      this.#sentSeq = frame.seq;
    }
  }

  close(error: ErrorBody | null): void {
    if (this.#closed) return;
    this.#closed = true;
    const session = this.#session;
    if (session && error?.code !== 'SB_ERR_SESSION_REPLACED') session.detach(this);
    this.#stopTimers();
    if (error) this.#ws.close(closeCodeFor(error.code), error.code);
    else this.#ws.close(1000, 'session closed');
    // A peer that never completes the closing handshake is cut off.
    setTimeout(() => this.#ws.terminate(), 2000).unref();
  }

  #onClose(): void {
    this.#stopTimers();
    this.#closed = true;
    this.#session?.detach(this);
  }

  #stopTimers(): void {
    if (this.#authTimer) clearTimeout(this.#authTimer);
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    this.#authTimer = null;
    this.#pingTimer = null;
  }
}
