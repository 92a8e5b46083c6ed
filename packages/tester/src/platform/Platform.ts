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

export interface Platform extends StunTurnPlatform {
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

/** A UDP address (IP or host name) and port. */
export interface UdpTarget {
  host: string;
  port: number;
  /** STUN USERNAME to send (the probe responders answer Binding only with the session token). */
  username?: string | undefined;
}

/** STUN Binding results of ONE local UDP socket towards several server ports. */
export interface StunBindingOutcome {
  /** Our socket's local address (compare with the mapped ones: equal means no NAT). */
  local: { address: string; port: number } | undefined;
  results: {
    target: UdpTarget;
    /** Our address as that server port saw it (absent when it did not answer). */
    mapped?: { address: string; port: number } | undefined;
    rttMs?: number | undefined;
    error?: string | undefined;
  }[];
}

/** One TURN run over one transport: allocate, permit the peer, relay probes to it and back. */
export interface TurnRelayRequest {
  transport: 'udp' | 'tcp' | 'tls';
  host: string;
  port: number;
  username: string;
  credential: string;
  peer: { address: string; port: number };
  /** Datagrams sent to the peer through the relay, `intervalMs` apart. */
  probes: Uint8Array[];
  intervalMs: number;
  /** Which probe a datagram relayed back from the peer answers (its index), if any. */
  matchReply(data: Uint8Array): number | undefined;
  /** Per step (connect, each TURN transaction) and for the last reply. */
  timeoutMs: number;
}

export interface TurnRelayOutcome {
  /** How far it got: `done` when the probes went out (replies may still be missing). */
  stage: 'connect' | 'allocate' | 'permission' | 'relay' | 'done';
  /** Why it stopped before `done`. */
  error?: string | undefined;
  /** STUN error status (401 credentials refused, 403 peer forbidden, 486 quota, 508 capacity). */
  status?: number | undefined;
  /** The failure was a timeout (a silent firewall) rather than a refusal. */
  timedOut?: boolean | undefined;
  /** The TLS certificate did not verify. */
  tlsUntrusted?: boolean | undefined;
  allocateMs?: number | undefined;
  relayed?: { address: string; port: number } | undefined;
  /** Round trips of the answered probes, ms. */
  rttMs: number[];
  sent: number;
}

/** STUN/TURN operations (Node only: browsers get TURN through WebRTC, not raw sockets). */
export interface StunTurnPlatform {
  stunBindings?(targets: UdpTarget[], timeoutMs: number): Promise<StunBindingOutcome>;
  turnRelay?(request: TurnRelayRequest): Promise<TurnRelayOutcome>;
}
