import type { ErrorBody, RequestFrame, ServerFrame, SessionInfo } from '@switchboard/protocol';
import { PROTOCOL_VERSION, SwitchboardError } from '@switchboard/protocol/runtime';
import type {
  ClientTransport,
  Handshake,
  TransportHandlers,
  WebSocketFactory,
  WebSocketLike,
} from './ClientTransport.js';

const OPEN = 1;
/** Acknowledge at most this often; the server keeps unacknowledged frames for resume. */
const ACK_DELAY_MS = 250;

/** Signalling over WSS (8989 recommended; 8089 `/v1/voip` for agents). */
export class WebSocketClientTransport implements ClientTransport {
  readonly kind = 'websocket' as const;
  readonly #url: string;
  readonly #factory: WebSocketFactory;
  readonly #openTimeoutMs: number;
  #ws: WebSocketLike | null = null;
  #ackTimer: ReturnType<typeof setTimeout> | null = null;
  #ackSeq = 0;
  #closedByUs = false;

  constructor(url: string, factory: WebSocketFactory, openTimeoutMs = 10_000) {
    this.#url = url;
    this.#factory = factory;
    this.#openTimeoutMs = openTimeoutMs;
  }

  open(handshake: Handshake, handlers: TransportHandlers): Promise<SessionInfo> {
    return new Promise((resolve, reject) => {
      const ws = this.#factory(this.#url);
      this.#ws = ws;
      const handshakeId = `hs-${Math.random().toString(36).slice(2)}`;
      let established = false;
      const timer = setTimeout(() => {
        ws.close(4408, 'handshake timeout');
        reject(
          new SwitchboardError(
            'SB_ERR_UNREACHABLE',
            `No answer from ${this.#url} in ${this.#openTimeoutMs} ms.`,
          ),
        );
      }, this.#openTimeoutMs);
      ws.onopen = () => {
        const frame: RequestFrame =
          handshake.kind === 'auth'
            ? { v: PROTOCOL_VERSION, id: handshakeId, type: 'auth', data: { token: handshake.token } }
            : {
                v: PROTOCOL_VERSION,
                id: handshakeId,
                type: 'session.resume',
                data: {
                  sessionId: handshake.sessionId,
                  resumeKey: handshake.resumeKey,
                  lastSeq: handshake.lastSeq,
                },
              };
        ws.send(JSON.stringify(frame));
      };
      ws.onmessage = (event) => {
        let frame: ServerFrame;
        try {
          frame = JSON.parse(String(event.data)) as ServerFrame;
        } catch {
          return;
        }
        if (!established && 're' in frame && frame.re === handshakeId) {
          clearTimeout(timer);
          if (frame.error) {
            reject(SwitchboardError.fromBody(frame.error));
            return;
          }
          established = true;
          resolve(frame.result as SessionInfo);
        }
        if (!established && 're' in frame && frame.error && frame.seq === 0) {
          clearTimeout(timer);
          reject(SwitchboardError.fromBody(frame.error));
          return;
        }
        handlers.frame(frame);
      };
      ws.onerror = () => {};
      ws.onclose = (event) => {
        clearTimeout(timer);
        this.#stopAck();
        const error: ErrorBody | null = /^SB_ERR_/.test(event.reason)
          ? { code: event.reason as ErrorBody['code'], message: `closed ${event.code}` }
          : null;
        if (!established) {
          reject(
            error
              ? SwitchboardError.fromBody(error)
              : // Not SESSION_NOT_FOUND: a resume would take that as final and stop retrying.
                new SwitchboardError(
                  'SB_ERR_UNREACHABLE',
                  `Could not connect to ${this.#url} (close ${event.code}).`,
                ),
          );
          return;
        }
        if (!this.#closedByUs) handlers.lost(error);
      };
    });
  }

  send(frame: RequestFrame): void {
    if (this.#ws?.readyState === OPEN) this.#ws.send(JSON.stringify(frame));
  }

  acknowledge(seq: number): void {
    this.#ackSeq = seq;
    if (this.#ackTimer) return;
    this.#ackTimer = setTimeout(() => {
      this.#ackTimer = null;
      this.send({
        v: PROTOCOL_VERSION,
        id: `ack-${this.#ackSeq}`,
        type: 'session.ack',
        data: { seq: this.#ackSeq },
      });
    }, ACK_DELAY_MS);
  }

  #stopAck(): void {
    if (this.#ackTimer) clearTimeout(this.#ackTimer);
    this.#ackTimer = null;
  }

  close(): void {
    this.#closedByUs = true;
    this.#stopAck();
    this.#ws?.close(1000, 'client closed');
  }
}
