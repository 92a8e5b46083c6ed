import type {
  ErrorBody,
  EventData,
  EventType,
  RequestParams,
  RequestResult,
  RequestType,
  ServerFrame,
  SessionInfo,
} from '@switchboard/protocol';
import { isEventFrame, PROTOCOL_VERSION, SwitchboardError } from '@switchboard/protocol/runtime';
import type {
  ClientTransport,
  FetchLike,
  TransportKind,
  WebSocketFactory,
} from './transport/ClientTransport.js';
import { LongPollClientTransport } from './transport/LongPollClientTransport.js';
import { WebSocketClientTransport } from './transport/WebSocketClientTransport.js';

export interface SignallingClientOptions {
  /** An access token, or a function that fetches a fresh one (called on every new session). */
  token: string | (() => Promise<string>);
  /** WSS endpoint, e.g. `wss://rtc.example.com:8989/v1/signalling`. */
  websocketUrl?: string;
  /**
   * WSS on the HTTPS port (`wss://rtc.example.com/v1/signalling`), tried after the other
   * transports: the way in for networks that open nothing but TCP 443.
   */
  fallbackWebsocketUrl?: string;
  /** Long-poll API origin, e.g. `https://rtc.example.com:8089`. */
  apiUrl?: string;
  /** Transports in order of preference; the next is tried when one fails. Default: websocket, longpoll. */
  transports?: TransportKind[];
  /** Browser: omitted (globals). Node: from `@switchboard/sdk/node`. */
  WebSocket?: WebSocketFactory;
  fetch?: FetchLike;
  /** A request without an answer in this time rejects (the server may still apply it). */
  requestTimeoutMs?: number;
  /**
   * How long one transport may take to open before the next is tried (default 10 s): a
   * firewall that silently drops 8989 and 8089 costs this twice before WSS on 443.
   */
  openTimeoutMs?: number;
  /** Resume automatically after a dropped transport (default true). */
  reconnect?: boolean;
}

/** Events of the client itself, beside the protocol's server-pushed events. */
export interface ClientEvents {
  /** Connected (first time or after a resume); `resumed` tells which. */
  connected: { transport: TransportKind; resumed: boolean };
  /** The transport dropped; the client is trying to resume. */
  reconnecting: { error: ErrorBody | null };
  /** The session is gone (expired, closed, or resume impossible). */
  closed: { error: ErrorBody | null };
}

type Listener<T> = (data: T) => void;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: SwitchboardError) => void;
  timer: ReturnType<typeof setTimeout>;
  frame: { v: number; id: string; type: string; data: unknown };
}

function defaultWebSocket(url: string) {
  const Ctor = (globalThis as { WebSocket?: new (url: string) => unknown }).WebSocket;
  if (!Ctor) throw new Error('No WebSocket available: pass options.WebSocket (see @switchboard/sdk/node).');
  return new Ctor(url) as ReturnType<WebSocketFactory>;
}

/**
 * A signalling session with a Switchboard server over WebSocket or long-poll — the same
 * messages and meaning on both. Resumes its session after a dropped connection (falling
 * back to the other transport), so responses and events are neither lost nor repeated.
 */
export class SignallingClient {
  readonly #options: SignallingClientOptions;
  readonly #listeners = new Map<string, Set<Listener<never>>>();
  readonly #pending = new Map<string, Pending>();
  #transport: ClientTransport | null = null;
  #session: SessionInfo | null = null;
  #lastSeq = 0;
  #nextId = 1;
  #closed = false;
  #reconnecting = false;

  constructor(options: SignallingClientOptions) {
    this.#options = options;
  }

  get session(): SessionInfo | null {
    return this.#session;
  }

  get transportKind(): TransportKind | null {
    return this.#transport?.kind ?? null;
  }

  /** Opens a new session on the first transport that works. */
  async connect(): Promise<SessionInfo> {
    const token = typeof this.#options.token === 'string' ? this.#options.token : await this.#options.token();
    let lastError: unknown = null;
    for (const route of this.#routes()) {
      const kind = route.kind;
      const transport = this.#create(route);
      try {
        const info = await transport.open({ kind: 'auth', token }, this.#handlers(transport));
        if (!info) throw new Error('no session');
        this.#transport = transport;
        this.#session = info;
        this.#lastSeq = Math.max(this.#lastSeq, 0);
        this.#emit('connected', { transport: kind, resumed: false });
        return info;
      } catch (err) {
        transport.close();
        lastError = err;
        // A refused token will be refused on every transport: stop here.
        if (err instanceof SwitchboardError && /TOKEN|AUTH|FORBIDDEN|CREDENTIALS/.test(err.code)) throw err;
      }
    }
    throw lastError instanceof Error ? lastError : new Error('No transport could connect.');
  }

  /** Sends a request and resolves with its typed result, or rejects with a `SwitchboardError`. */
  request<T extends RequestType>(type: T, data?: RequestParams<T>): Promise<RequestResult<T>> {
    if (this.#closed)
      return Promise.reject(new SwitchboardError('SB_ERR_SESSION_EXPIRED', 'The client is closed.'));
    const id = `r${this.#nextId++}`;
    const frame = { v: PROTOCOL_VERSION, id, type, data };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new SwitchboardError('SB_ERR_INTERNAL', `No answer to "${type}" in time.`));
      }, this.#options.requestTimeoutMs ?? 15_000);
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer, frame });
      if (!this.#reconnecting) this.#transport?.send(frame);
    });
  }

  /** Subscribes to a server event or a client event; returns an unsubscribe function. */
  on<E extends EventType>(event: E, listener: Listener<EventData<E>>): () => void;
  on<E extends keyof ClientEvents>(event: E, listener: Listener<ClientEvents[E]>): () => void;
  on(event: string, listener: Listener<never>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  #emit(event: string, data: unknown): void {
    for (const listener of this.#listeners.get(event) ?? []) {
      try {
        (listener as Listener<unknown>)(data);
      } catch (err) {
        console.error(`[switchboard] listener for "${event}" threw`, err);
      }
    }
  }

  /** Where to try, in order: the preferred transports, then WSS on the HTTPS port. */
  #routes(): { kind: TransportKind; url: string }[] {
    const o = this.#options;
    const wanted = o.transports ?? ['websocket', 'longpoll'];
    const routes: { kind: TransportKind; url: string | undefined }[] = wanted.map((kind) => ({
      kind,
      url: kind === 'websocket' ? o.websocketUrl : o.apiUrl,
    }));
    if (wanted.includes('websocket')) routes.push({ kind: 'websocket', url: o.fallbackWebsocketUrl });
    return routes.filter((r): r is { kind: TransportKind; url: string } => Boolean(r.url));
  }

  #create(route: { kind: TransportKind; url: string }): ClientTransport {
    if (route.kind === 'websocket') {
      return new WebSocketClientTransport(
        route.url,
        this.#options.WebSocket ?? defaultWebSocket,
        this.#options.openTimeoutMs,
      );
    }
    const fetchImpl =
      this.#options.fetch ?? ((url: string, init?: RequestInit) => globalThis.fetch(url, init));
    return new LongPollClientTransport(route.url, fetchImpl, this.#options.openTimeoutMs);
  }

  #handlers(transport: ClientTransport) {
    return {
      frame: (frame: ServerFrame) => this.#onFrame(transport, frame),
      lost: (error: ErrorBody | null) => {
        if (transport === this.#transport) void this.#onLost(error);
      },
    };
  }

  #onFrame(transport: ClientTransport, frame: ServerFrame): void {
    if (frame.seq > 0) {
      if (frame.seq <= this.#lastSeq) return; // a replay we already processed
      this.#lastSeq = frame.seq;
      transport.acknowledge(frame.seq);
    }
    if (isEventFrame(frame)) {
      this.#emit(frame.event, frame.data);
      return;
    }
    if (frame.re === null) {
      this.#emit('error', frame.error);
      return;
    }
    const pending = this.#pending.get(frame.re);
    if (!pending) return;
    this.#pending.delete(frame.re);
    clearTimeout(pending.timer);
    if (frame.error) pending.reject(SwitchboardError.fromBody(frame.error));
    else pending.resolve(frame.result);
  }

  async #onLost(error: ErrorBody | null): Promise<void> {
    const terminal =
      error?.code === 'SB_ERR_SESSION_EXPIRED' ||
      error?.code === 'SB_ERR_SESSION_REPLACED' ||
      this.#options.reconnect === false;
    if (this.#closed || terminal || !this.#session) {
      this.#finish(error);
      return;
    }
    this.#reconnecting = true;
    this.#emit('reconnecting', { error });
    const deadline = Date.now() + this.#session.reclaimWindowMs;
    let delay = 250;
    while (!this.#closed && Date.now() < deadline) {
      for (const route of this.#routes()) {
        const kind = route.kind;
        const transport = this.#create(route);
        try {
          const info = await transport.open(
            {
              kind: 'resume',
              sessionId: this.#session.sessionId,
              resumeKey: this.#session.resumeKey,
              lastSeq: this.#lastSeq,
            },
            this.#handlers(transport),
          );
          this.#transport = transport;
          if (info) this.#session = info;
          this.#reconnecting = false;
          // Requests the server never answered are sent again; ids make duplicates harmless to us.
          for (const pending of this.#pending.values()) transport.send(pending.frame);
          this.#emit('connected', { transport: kind, resumed: true });
          return;
        } catch (err) {
          transport.close();
          if (err instanceof SwitchboardError && /SESSION_(EXPIRED|NOT_FOUND)/.test(err.code)) {
            this.#finish(err.toBody());
            return;
          }
        }
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5000);
    }
    this.#finish(error);
  }

  #finish(error: ErrorBody | null): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reconnecting = false;
    this.#transport?.close();
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(
        new SwitchboardError(error?.code ?? 'SB_ERR_SESSION_EXPIRED', error?.message ?? 'Session closed.'),
      );
    }
    this.#pending.clear();
    this.#emit('closed', { error });
  }

  /** Ends the session on the server and closes the transport. */
  async close(): Promise<void> {
    if (this.#closed) return;
    const transport = this.#transport;
    if (transport instanceof LongPollClientTransport) await transport.deleteSession();
    else if (transport) await this.request('session.close').catch(() => undefined);
    this.#finish(null);
  }

  /** Drops the transport without ending the session (tests, and switching networks). */
  dropTransport(): void {
    this.#transport?.close();
    void this.#onLost(null);
  }
}
