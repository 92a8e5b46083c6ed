import { PROTOCOL_VERSION, type SessionInfo } from '@switchboard/protocol';
import type { Logger } from 'pino';
import type { TokenService } from '../auth/TokenService.js';
import type { Config } from '../config/schema.js';
import type { Metrics } from '../observability/metrics.js';
import { AddressLimiter } from './AddressLimiter.js';
import { MessageDispatcher } from './MessageDispatcher.js';
import { SessionManager } from './SessionManager.js';
import type { SignallingSession } from './SignallingSession.js';

export interface ServerIdentity {
  version: string;
  node: string;
}

/**
 * The transport-independent core of signalling: authentication into sessions, resume,
 * dispatch, and the protocol's own messages (ping, ack, echo, close, stats). The
 * WebSocket gateway and the long-poll routes are thin adapters over it.
 */
export class SignallingService {
  readonly sessions: SessionManager;
  readonly dispatcher: MessageDispatcher;
  /** Counts WebSocket connections (incl. not yet authenticated) per address. */
  readonly connectionLimiter: AddressLimiter;
  readonly config: Config['signalling'];
  readonly tokens: TokenService;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly #server: ServerIdentity;
  readonly #startedAt = Date.now();

  constructor(
    config: Config['signalling'],
    tokens: TokenService,
    server: ServerIdentity,
    log: Logger,
    metrics: Metrics,
  ) {
    this.config = config;
    this.tokens = tokens;
    this.log = log;
    this.metrics = metrics;
    this.#server = server;
    this.connectionLimiter = new AddressLimiter(config.maxConnectionsPerIp);
    this.sessions = new SessionManager(
      {
        reclaimWindowMs: config.reclaimWindowMs,
        idleTimeoutMs: config.idleTimeoutMs,
        maxBufferedFrames: config.maxBufferedFrames,
      },
      new AddressLimiter(config.maxConnectionsPerIp),
      log,
      metrics,
    );
    this.dispatcher = new MessageDispatcher(log, metrics);
    this.#registerCoreHandlers();
  }

  /** Verifies a token and opens a session for it. */
  async authenticate(token: string | undefined, address: string): Promise<SignallingSession> {
    const verified = await this.tokens.verify(token);
    return this.sessions.create(verified, address);
  }

  info(session: SignallingSession, resumed: boolean, missedFrames = 0): SessionInfo {
    return {
      sessionId: session.id,
      resumeKey: session.resumeKey,
      identity: session.identity,
      grants: session.grants,
      protocolVersion: PROTOCOL_VERSION,
      reclaimWindowMs: this.config.reclaimWindowMs,
      keepAliveMs: this.config.keepAliveMs,
      pollHoldMs: this.config.pollHoldMs,
      resumed,
      missedFrames,
      server: this.#server,
    };
  }

  #registerCoreHandlers(): void {
    const d = this.dispatcher;
    d.handle('ping', (params) => ({
      ...(params?.t === undefined ? {} : { t: params.t }),
      serverTime: Date.now(),
    }));
    d.handle('session.ack', (params, { session }) => {
      session.ack(params.seq);
      return {};
    });
    d.handle('diag.echo', (params, { session }) => {
      // The event is queued after the response: the client sees the answer first.
      if (params.asEvent) queueMicrotask(() => session.emit('diag.echo', { payload: params.payload }));
      return { payload: params.payload, serverTime: Date.now() };
    });
    d.handle('session.close', (_params, { session }) => {
      // Close after the response is delivered.
      setImmediate(() => session.close('client'));
      return {};
    });
    d.handle('server.stats', () => {
      const connections: Record<string, number> = { websocket: 0, longpoll: 0, detached: 0 };
      for (const s of this.sessions.all()) {
        const kind = s.transport?.kind ?? 'detached';
        connections[kind] = (connections[kind] ?? 0) + 1;
      }
      return {
        sessions: this.sessions.size,
        connections,
        uptimeSeconds: (Date.now() - this.#startedAt) / 1000,
      };
    });
  }

  close(): void {
    this.sessions.close();
  }
}
