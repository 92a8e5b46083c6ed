import { SignallingClient, type TransportKind } from '@switchboard/sdk';

/** Where this platform's signalling endpoints are, as served by `GET /v1/client-config`. */
export interface ClientConfig {
  websocketUrl: string;
  apiUrl: string;
  fallbackWebsocketUrl: string;
}

export async function fetchJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  const body = (await res.json()) as T & { error?: { code: string; message: string } };
  if (!res.ok)
    throw new Error(body.error ? `${body.error.code}: ${body.error.message}` : `HTTP ${res.status}`);
  return body;
}

/** A signalling client for this platform; `transport` forces one transport (tests, diagnosis). */
export async function connectClient(
  token: string,
  transport: TransportKind | 'auto',
): Promise<SignallingClient> {
  const config = await fetchJson<ClientConfig>('/v1/client-config');
  const client = new SignallingClient({
    token,
    websocketUrl: config.websocketUrl,
    apiUrl: config.apiUrl,
    fallbackWebsocketUrl: config.fallbackWebsocketUrl,
    ...(transport === 'auto' ? {} : { transports: [transport] }),
  });
  await client.connect();
  return client;
}
