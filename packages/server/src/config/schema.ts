import { z } from 'zod';
import { TurnConfigSchema } from '../turn/TurnConfigSchema.js';

const portOrZero = z.number().int().min(0).max(65535).describe('TCP port; 0 lets the OS choose (tests).');

const portRange = z
  .object({ min: z.number().int().min(1024).max(65535), max: z.number().int().min(1024).max(65535) })
  .strict()
  .refine((r) => r.min <= r.max, { message: 'min must be ≤ max' });

/**
 * The whole configuration: one schema gives the TypeScript type, the defaults and the
 * start-up check. `config.schema.json` (for editors) is generated from it.
 */
export const ConfigSchema = z
  .object({
    profile: z
      .enum(['development', 'production', 'test'])
      .default('development')
      .describe(
        'development: embedded defaults, a generated API key printed at start-up. production: refuses development keys and weak secrets. test: like development, quiet.',
      ),
    dataDir: z
      .string()
      .min(1)
      .default('./data')
      .describe('Directory for durable state (SQLite) and the generated TLS certificate.'),
    store: z
      .object({
        synchronous: z
          .enum(['normal', 'full'])
          .default('normal')
          .describe(
            'When a SQLite commit (an ACD state change, a webhook) is acknowledged. normal: once written to the OS (WAL, fsync at checkpoints) — survives kill -9 and crashes of the process, not an OS crash or power loss, which may lose the last changes. full: once fsynced — survives power loss too, at ~0.5–5 ms per commit.',
          ),
      })
      .prefault({})
      .describe('The embedded SQLite store.'),
    publicHost: z
      .string()
      .min(1)
      .default('localhost')
      .describe(
        'Host name clients use to reach this server; used in printed URLs, redirects and the self-signed certificate.',
      ),
    listenHost: z.string().min(1).default('0.0.0.0').describe('Address every TCP listener binds to.'),
    ports: z
      .object({
        privileged: z
          .enum(['auto', 'spec', 'shifted'])
          .default('auto')
          .describe(
            'spec: HTTP 80 / HTTPS 443 as in the spec. shifted: 8080 / 8443 (a non-root developer). auto: spec when running as root, else shifted. Ignored for a port set explicitly.',
          ),
        http: portOrZero.optional().describe('HTTP, answers every request with a 301 to HTTPS. Spec: 80.'),
        https: portOrZero.optional().describe('HTTPS web and REST API. Spec: 443.'),
        websocket: portOrZero
          .default(8989)
          .describe('WSS signalling, the recommended transport. Spec: 8989.'),
        api: portOrZero
          .default(8089)
          .describe(
            'HTTPS long-poll API (the alternative transport) and the agents\u2019 VoIP WSS. Spec: 8089.',
          ),
      })
      .strict()
      .prefault({}),
    tls: z
      .object({
        certFile: z
          .string()
          .optional()
          .describe(
            'PEM certificate chain. Without it a self-signed certificate is generated once under dataDir.',
          ),
        keyFile: z.string().optional().describe('PEM private key matching certFile.'),
        handshakeTimeoutMs: z
          .number()
          .int()
          .min(1000)
          .default(10_000)
          .describe('A TLS client must finish its handshake within this time (slow-loris guard).'),
      })
      .strict()
      .refine((t) => (t.certFile === undefined) === (t.keyFile === undefined), {
        message: 'certFile and keyFile must be given together',
      })
      .prefault({}),
    auth: z
      .object({
        apiKeys: z
          .array(
            z
              .object({
                key: z
                  .string()
                  .min(3)
                  .max(64)
                  .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only'),
                secret: z.string().min(16).max(512),
              })
              .strict(),
          )
          .default([])
          .describe(
            'API key/secret pairs that mint access tokens. Empty in development: one is generated and printed.',
          ),
        tokenTtlSeconds: z
          .number()
          .int()
          .min(10)
          .max(86_400)
          .default(600)
          .describe('Default access-token lifetime.'),
        maxTokenTtlSeconds: z
          .number()
          .int()
          .min(10)
          .max(86_400)
          .default(3600)
          .describe('Longest lifetime a caller may ask for.'),
      })
      .strict()
      .prefault({}),
    signalling: z
      .object({
        maxFrameBytes: z
          .number()
          .int()
          .min(256)
          .max(4 * 1024 * 1024)
          .default(64 * 1024)
          .describe('Largest accepted signalling frame or request body.'),
        authTimeoutMs: z
          .number()
          .int()
          .min(100)
          .default(5000)
          .describe('A WebSocket must authenticate within this time.'),
        keepAliveMs: z
          .number()
          .int()
          .min(1000)
          .default(20_000)
          .describe('Clients send something at least this often.'),
        idleTimeoutMs: z
          .number()
          .int()
          .min(1000)
          .default(45_000)
          .describe('A connection silent this long is closed (SB_ERR_IDLE_TIMEOUT).'),
        pollHoldMs: z
          .number()
          .int()
          .min(0)
          .max(60_000)
          .default(30_000)
          .describe('How long a long-poll is held open when there is nothing to deliver.'),
        reclaimWindowMs: z
          .number()
          .int()
          .min(0)
          .default(60_000)
          .describe('How long a session outlives its transport, so a client can resume it.'),
        maxBufferedFrames: z
          .number()
          .int()
          .min(16)
          .default(1000)
          .describe('Unacknowledged frames kept per session for replay; beyond it the session is closed.'),
        messagesPerSecond: z.number().min(1).default(50).describe('Per-connection sustained message rate.'),
        messageBurst: z
          .number()
          .int()
          .min(1)
          .default(100)
          .describe('Per-connection burst above the sustained rate.'),
        maxConnectionsPerIp: z
          .number()
          .int()
          .min(1)
          .default(200)
          .describe('Concurrent signalling connections plus sessions per client address.'),
      })
      .strict()
      .refine((s) => s.pollHoldMs < s.idleTimeoutMs, {
        message: 'pollHoldMs must be shorter than idleTimeoutMs, or held polls would count as idle',
        path: ['pollHoldMs'],
      })
      .prefault({}),
    http: z
      .object({
        requestsPerMinute: z
          .number()
          .int()
          .min(1)
          .default(600)
          .describe('Per-address rate limit on public REST endpoints.'),
        tokenRequestsPerMinute: z
          .number()
          .int()
          .min(1)
          .default(120)
          .describe('Per-address rate limit on token minting and session creation.'),
        headersTimeoutMs: z
          .number()
          .int()
          .min(1000)
          .default(10_000)
          .describe('A request must send its headers within this time (slow-loris guard).'),
        requestTimeoutMs: z
          .number()
          .int()
          .min(1000)
          .default(30_000)
          .describe('A request must be fully received within this time.'),
      })
      .strict()
      .prefault({}),
    web: z
      .object({
        root: z
          .string()
          .optional()
          .describe(
            'Directory of the built web pages (apps/web/dist). Default: the one next to this installation.',
          ),
        demoTokens: z
          .boolean()
          .optional()
          .describe(
            'Serve GET /v1/demo/token (a 15-minute token for one call) and GET /v1/tester/token (a 15-minute tester-only token) without an API key, for the demo and tester pages. Default: on except in production.',
          ),
        widgetKeys: z
          .array(
            z
              .object({
                key: z
                  .string()
                  .min(8)
                  .max(128)
                  .regex(/^[\w.-]+$/)
                  .describe(
                    'The public key a page puts in `widget-key` (not a secret: it is visible in the page).',
                  ),
                origins: z
                  .array(z.string().regex(/^(self|\*|https?:\/\/[^/\s]+)$/))
                  .min(1)
                  .max(64)
                  .describe(
                    'Origins allowed to use the key, e.g. "https://shop.example.com"; "self" is this platform’s own origin; "*" any origin (demos only).',
                  ),
                queues: z
                  .array(
                    z
                      .string()
                      .min(1)
                      .max(128)
                      .regex(/^[^*]+$/),
                  )
                  .min(1)
                  .max(64)
                  .describe('Queues a token minted with this key may enqueue to ("*" is not allowed).'),
              })
              .strict(),
          )
          .max(256)
          .optional()
          .describe(
            'Public widget keys: POST /v1/widget/token?key=… mints a 10-minute user token for these queues when the request’s Origin is allowed (rate-limited per address by http.tokenRequestsPerMinute). Default: none in production; otherwise one demo key, "sb-demo-widget", for the queue "sales" from the platform’s own origin (see docs/widget.md).',
          ),
      })
      .strict()
      .prefault({}),
    media: z
      .object({
        listenAddress: z
          .string()
          .default('auto')
          .describe(
            'IPv4 address media sockets bind to and announce as the host candidate. auto: the first non-loopback IPv4 address of this machine (else 127.0.0.1).',
          ),
        announcedAddress: z
          .string()
          .optional()
          .describe(
            'Public IPv4 address announced instead of listenAddress (1:1 NAT, like Janus nat_1_1_mapping).',
          ),
        rtcPorts: portRange
          .default({ min: 19099, max: 20099 })
          .describe('UDP range of the video gateway (spec: 19099–20099).'),
        acdPorts: portRange
          .default({ min: 10000, max: 20000 })
          .describe(
            'UDP range of ACD audio (spec: 10000–20000); it overlaps rtcPorts and shares one allocator.',
          ),
        inactivityTimeoutMs: z
          .number()
          .int()
          .min(1000)
          .default(20_000)
          .describe('A participant with no authentic media for this long is removed and its port freed.'),
        qualityIntervalMs: z
          .number()
          .int()
          .min(500)
          .default(5000)
          .describe('How often call quality (RTT, jitter, loss, bitrate, MOS) is sampled and published.'),
        h264: z.boolean().default(true).describe('Accept H264 besides VP8 when a client offers it.'),
        iceTcp: z
          .boolean()
          .default(false)
          .describe(
            "Also offer a passive ICE-TCP candidate (RFC 6544) on each participant's port number, for networks that drop UDP but allow TCP to the media ranges. Off by default: one more listening socket per participant; TURN over TCP/TLS covers most such networks.",
          ),
        singlePort: z
          .boolean()
          .default(false)
          .describe(
            'One UDP port (from rtcPorts) for every participant, demultiplexed by source address and ICE username (as mediasoup WebRtcServer / LiveKit udp_port), instead of one port per participant: lifts the ~1 peer per port cap and lets a firewall open one port.',
          ),
        workers: z
          .union([z.literal('auto'), z.number().int().min(0).max(64)])
          .default(0)
          .describe(
            "Media worker processes. 0: calls' media runs in the main process (one process, the embedded default). N: N worker processes, each owning whole calls (placed on the least-loaded), with signalling and the port allocator in the main process; a worker that dies ends only its calls and is restarted. 'auto': one per CPU core.",
          ),
        forwarding: z
          .enum(['werift', 'fast'])
          .default('fast')
          .describe(
            "fast (the default): Buffer-level RTP rewrite with our own SRTP and RTCP reports as bytes (docs/media.md, 'Forwarding fast path'); ≈ 1.5× werift's packets per core-second. werift: werift's own sendRtp per subscriber (the naive baseline bench:sfu compares against).",
          ),
      })
      .strict()
      .prefault({}),
    turn: TurnConfigSchema.describe(
      'TURN for restrictive networks (coturn, managed or external); see docs/turn.md.',
    ),
    acd: z
      .object({
        agentGraceMs: z
          .number()
          .int()
          .min(0)
          .default(30_000)
          .describe(
            'A disconnected agent keeps its calls this long, then goes Offline (a pending offer is withdrawn at once).',
          ),
        userResumeGraceMs: z
          .number()
          .int()
          .min(0)
          .default(60_000)
          .describe('A disconnected waiting user keeps their place this long (`contact.resume`).'),
        missedOfferLimit: z
          .number()
          .int()
          .min(1)
          .default(3)
          .describe('Consecutive rejected or expired offers before the agent goes NotReady("missed").'),
        missCooldownMs: z
          .number()
          .int()
          .min(0)
          .default(5000)
          .describe('Pause before the next offer to an agent who missed one.'),
        sweepIntervalMs: z
          .number()
          .int()
          .min(100)
          .default(2000)
          .describe('Safety sweep of the ACD (timers, re-routing, position updates).'),
        kpiIntervalMs: z
          .number()
          .int()
          .min(100)
          .default(2000)
          .describe('How often subscribed supervisors get `acd.kpis`.'),
        metricsWindowMs: z
          .number()
          .int()
          .min(60_000)
          .default(3_600_000)
          .describe('Window of the KPI gauges on /metrics (service level, ASA, AHT, abandonment).'),
      })
      .strict()
      .prefault({})
      .describe('The ACD role: agent and user graces, missed offers, supervisor stream (docs/acd.md).'),
    webhooks: z
      .object({
        endpoints: z
          .array(
            z
              .object({
                url: z.url().describe('http(s) URL that receives POSTed events.'),
                secret: z
                  .string()
                  .regex(
                    /^(whsec_)?[A-Za-z0-9+/=]{24,}$/,
                    'a Standard Webhooks secret: whsec_ + base64 (≥ 18 bytes)',
                  )
                  .describe('Signing secret (Standard Webhooks, `whsec_<base64>`).'),
                events: z
                  .array(z.string().min(1))
                  .optional()
                  .describe('Event types to send (`contact.*`, `agent.status`, …); default: all.'),
              })
              .strict(),
          )
          .default([])
          .describe('Receivers of ACD contact and agent events.'),
        maxAttempts: z
          .number()
          .int()
          .min(1)
          .default(12)
          .describe('Deliveries tried per event and endpoint before it is marked failed.'),
        initialBackoffMs: z
          .number()
          .int()
          .min(10)
          .default(1000)
          .describe('Wait after the first failed attempt; doubles per attempt (with jitter).'),
        maxBackoffMs: z.number().int().min(10).default(600_000).describe('Longest wait between attempts.'),
        timeoutMs: z
          .number()
          .int()
          .min(100)
          .default(10_000)
          .describe('A receiver must answer within this time (else the attempt failed).'),
        pollIntervalMs: z
          .number()
          .int()
          .min(10)
          .default(1000)
          .describe('How often the durable outbox is checked for due deliveries.'),
        retentionMs: z
          .number()
          .int()
          .min(60_000)
          .default(7 * 24 * 3_600_000)
          .describe('Delivered or failed outbox rows are deleted after this long.'),
      })
      .strict()
      .prefault({})
      .describe(
        'Signed webhooks (Standard Webhooks) for ACD events, from a durable outbox: at-least-once, retried with back-off, across restarts.',
      ),
    log: z
      .object({
        level: z
          .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
          .default('info')
          .describe('Log level; logs are JSON lines on stdout and never contain tokens or secrets.'),
      })
      .strict()
      .prefault({}),
    shutdown: z
      .object({
        drainTimeoutMs: z
          .number()
          .int()
          .min(0)
          .default(10_000)
          .describe('On SIGTERM, how long to wait for clients to leave before closing.'),
        reconnectAfterMs: z
          .number()
          .int()
          .min(0)
          .default(2000)
          .describe('Hint given to clients in the `server.draining` event.'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** Configuration as written by a user (every key optional). */
export type ConfigInput = z.input<typeof ConfigSchema>;
/** Validated configuration with every default filled in. */
export type ParsedConfig = z.output<typeof ConfigSchema>;

/** Validated configuration after the privileged-port profile is resolved. */
export type Config = Omit<ParsedConfig, 'ports'> & {
  ports: Omit<ParsedConfig['ports'], 'http' | 'https'> & {
    http: number;
    https: number;
    /** True when 80/443 were moved to 8080/8443 for a non-root user. */
    shifted: boolean;
  };
};
