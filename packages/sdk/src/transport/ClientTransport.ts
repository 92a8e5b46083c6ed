import type { ErrorBody, RequestFrame, ServerFrame, SessionInfo } from '@switchboard/protocol';

export type TransportKind = 'websocket' | 'longpoll';

/** How a transport opens: a new session from a token, or a resumed one. */
export type Handshake =
  | { kind: 'auth'; token: string }
  | { kind: 'resume'; sessionId: string; resumeKey: string; lastSeq: number };

export interface TransportHandlers {
  /** Every server frame, in `seq` order. */
  frame(frame: ServerFrame): void;
  /** The transport ended; `error` is the server's reason when it gave one. */
  lost(error: ErrorBody | null): void;
}

/** One way of carrying protocol frames (WebSocket or long-poll). */
export interface ClientTransport {
  readonly kind: TransportKind;
  /**
   * Opens and performs the handshake; resolves with the session, or with null when a
   * resume succeeded without new session details (long-poll).
   */
  open(handshake: Handshake, handlers: TransportHandlers): Promise<SessionInfo | null>;
  send(frame: RequestFrame): void;
  /** Tells the server what the client has processed (the client calls this as frames arrive). */
  acknowledge(seq: number): void;
  close(): void;
}

/** The subset of the WHATWG WebSocket the SDK uses (browsers, and `ws` in Node). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketFactory = (url: string) => WebSocketLike;
export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;
