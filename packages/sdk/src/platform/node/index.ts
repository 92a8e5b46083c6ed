import { Agent, fetch as undiciFetch } from 'undici';
import WebSocket from 'ws';
import type { FetchLike, WebSocketFactory, WebSocketLike } from '../../transport/ClientTransport.js';

export interface NodePlatformOptions {
  /** Extra trusted CA / self-signed certificate (PEM). */
  ca?: string;
  /** Accept any certificate (development only; never in production). */
  insecure?: boolean;
}

/** WebSocket and fetch for Node, with the TLS trust the caller asks for. */
export function nodePlatform(options: NodePlatformOptions = {}): {
  WebSocket: WebSocketFactory;
  fetch: FetchLike;
} {
  const tls = { ...(options.ca ? { ca: options.ca } : {}), rejectUnauthorized: options.insecure !== true };
  const agent = new Agent({ connect: tls });
  return {
    WebSocket: (url) => new WebSocket(url, { ...tls }) as unknown as WebSocketLike,
    fetch: ((url: string, init?: RequestInit) =>
      undiciFetch(url, { ...(init as object), dispatcher: agent })) as unknown as FetchLike,
  };
}
