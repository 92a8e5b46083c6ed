/**
 * Everything the checks need from the host, so the same check logic runs in the CLI (Node)
 * and in the tester page (browser). A platform that cannot do something (a browser has no
 * raw UDP or TCP) leaves the member undefined and the check is reported as skipped.
 */

export interface DnsResult {
  addresses: string[];
}

export interface TlsResult {
  /** TCP connect time, ms. */
  connectMs: number;
  /** TLS handshake time after connect, ms. */
  handshakeMs: number;
  /** True when the chain verifies against the trusted roots for this host name. */
  authorized: boolean;
  /** Why it does not verify (e.g. SELF_SIGNED_CERT_IN_CHAIN, ERR_TLS_CERT_ALTNAME_INVALID). */
  authorizationError?: string | undefined;
  /** Issuer of the leaf certificate (TLS interception proxies show up here). */
  issuer: string;
  subject: string;
  validTo: string;
  protocol: string;
}

export interface HttpResult {
  status: number;
  location?: string | undefined;
  /** Time to the response head, ms. */
  elapsedMs: number;
}

/** A UDP socket: one per Tester run, every probe flows through it. */
export interface UdpSocket {
  send(data: Uint8Array, port: number, host: string): void;
  /** `receivedAt` is the platform clock ({@link Platform.now}) when the datagram was read. */
  onMessage(listener: (data: Uint8Array, receivedAt: number) => void): void;
  close(): void;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export interface HttpResponse {
  status: number;
  body: string;
}

export interface Platform {
  /** A JSON API call to the server (profile, probe session); honours the trust settings. */
  request(req: HttpRequest): Promise<HttpResponse>;
  readonly name: string;
  /** Monotonic milliseconds with sub-ms resolution. */
  now(): number;
  sleep(ms: number): Promise<void>;
  resolve?(host: string): Promise<DnsResult>;
  /** Plain TCP connect; resolves the connect time in ms. */
  tcpConnect?(host: string, port: number, timeoutMs: number): Promise<number>;
  /** TCP + TLS handshake with SNI `host`; never rejects on an untrusted chain (reports it). */
  tlsHandshake?(host: string, port: number, timeoutMs: number): Promise<TlsResult>;
  /** Plain-HTTP GET without following redirects. */
  httpGet?(host: string, port: number, path: string, timeoutMs: number): Promise<HttpResult>;
  /** HTTPS GET (honours the platform's trust settings), no redirects followed. */
  httpsGet?(url: string, timeoutMs: number): Promise<HttpResult>;
  /** Opens a WebSocket and closes it once upgraded; resolves the upgrade time in ms. */
  wsUpgrade?(url: string, timeoutMs: number): Promise<number>;
  createUdpSocket?(): Promise<UdpSocket>;
  /** True when the user asked to accept untrusted certificates (`--insecure`). */
  readonly insecure: boolean;
}
