import { z } from 'zod';

const port = z.number().int().min(1).max(65535);
const portOrZero = z.number().int().min(0).max(65535).describe('TCP port; 0 lets the OS choose (tests).');

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
        handshakeTimeoutMs: z.number().int().min(1000).default(10_000),
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
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
        pretty: z.boolean().default(false).describe('Human-readable lines instead of JSON.'),
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
