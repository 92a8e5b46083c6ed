import { isIP } from 'node:net';
import { z } from 'zod';

const port = z.number().int().min(0).max(65535);
const ip = z.string().refine((s) => isIP(s) !== 0, 'an IPv4 or IPv6 address');
const cidrOrIp = z
  .string()
  .regex(/^[0-9A-Fa-f:.]+(\/\d{1,3})?$/, 'an IP address or CIDR block')
  .describe('IP address or CIDR block.');

/** Settings for the coturn that Switchboard runs and supervises (`turn.mode: managed`). */
export const ManagedTurnSchema = z
  .object({
    binary: z.string().min(1).default('/usr/bin/turnserver').describe('Path of coturn\u2019s turnserver.'),
    stateDir: z
      .string()
      .optional()
      .describe(
        'Where the generated turnserver.conf, its user DB and the secret live (mode 0700). Default: <dataDir>/turn.',
      ),
    listeningIps: z
      .array(ip)
      .default([])
      .describe('Addresses coturn listens on (UDP/TCP/TLS). Empty: all addresses.'),
    relayIps: z
      .array(ip)
      .default([])
      .describe('Addresses relayed traffic leaves from. Empty: coturn picks the listening addresses.'),
    externalIp: z
      .string()
      .optional()
      .describe('coturn external-ip, "public" or "public/private", when coturn sits behind 1:1 NAT.'),
    port: port.default(3478).describe('STUN/TURN over UDP and TCP.'),
    tlsPort: port
      .default(5349)
      .describe(
        'TURN over TLS. Behind TlsPortDemux a loopback-only port; 443 when coturn has an address of its own (docs/turn.md).',
      ),
    tls: z
      .boolean()
      .default(true)
      .describe('Enable TURN over TLS (needs tls.certFile/keyFile or the generated pair).'),
    minPort: port.min(1024).default(49152).describe('First UDP relay port.'),
    maxPort: port.min(1024).default(65535).describe('Last UDP relay port.'),
    userQuota: z
      .number()
      .int()
      .min(1)
      .default(12)
      .describe('Concurrent allocations per TURN username (one identity, one call: a few per transport).'),
    totalQuota: z.number().int().min(1).default(2000).describe('Concurrent allocations on this server.'),
    maxBps: z
      .number()
      .int()
      .min(0)
      .default(3_000_000)
      .describe('Bandwidth cap per allocation, bytes/s (0: none).'),
    allowedPeerIps: z
      .array(cidrOrIp)
      .default([])
      .describe(
        'Exceptions to the denied ranges, e.g. the private address of your own media server when clients must relay to it.',
      ),
    extraDeniedPeerIps: z
      .array(cidrOrIp)
      .default([])
      .describe('More ranges to deny, on top of the built-in list.'),
    allowLoopbackPeers: z
      .boolean()
      .default(false)
      .describe('Relay to loopback. Only honoured with profile "test" (integration tests on one machine).'),
    verbose: z
      .boolean()
      .default(false)
      .describe('Pass coturn\u2019s log lines to the Switchboard log at info level.'),
    restart: z
      .object({
        minDelayMs: z.number().int().min(10).default(500),
        maxDelayMs: z.number().int().min(10).default(30_000),
        stableAfterMs: z
          .number()
          .int()
          .min(100)
          .default(60_000)
          .describe('A run this long resets the back-off.'),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .refine((m) => m.minPort <= m.maxPort, { message: 'minPort must not exceed maxPort', path: ['minPort'] });

/** Settings for a TURN service run elsewhere (`turn.mode: external`). */
export const ExternalTurnSchema = z
  .object({
    urls: z
      .array(z.string().regex(/^(stun|turns?):/, 'a stun:, turn: or turns: URL'))
      .min(1)
      .describe('ICE URLs handed to clients, e.g. turn:turn.example.com:3478?transport=udp.'),
  })
  .strict();

/**
 * The `turn` section of the configuration. The lead merges it into the main schema as
 * `turn: TurnConfigSchema`.
 */
export const TurnConfigSchema = z
  .object({
    mode: z
      .enum(['off', 'managed', 'external'])
      .default('off')
      .describe(
        'off: no TURN (clients get no ICE servers). managed: Switchboard writes a hardened coturn config and supervises turnserver. external: clients get `external.urls` with credentials for a TURN server you run.',
      ),
    secret: z
      .string()
      .min(32)
      .optional()
      .describe(
        'Shared secret for TURN REST credentials (coturn static-auth-secret). managed: generated once under stateDir when absent. external: required.',
      ),
    realm: z.string().min(1).default('switchboard').describe('TURN realm.'),
    host: z
      .string()
      .optional()
      .describe('Host name or IP in the ICE URLs handed to clients. Default: publicHost.'),
    credentialTtlSeconds: z
      .number()
      .int()
      .min(60)
      .max(24 * 3600)
      .default(4 * 3600)
      .describe(
        'Lifetime of minted credentials. coturn refuses refreshes after it, so it bounds the longest relayed call; keep it near a long call, not days.',
      ),
    iceTransportPolicy: z
      .enum(['all', 'relay'])
      .default('all')
      .describe('relay forces every client through TURN (hides client addresses; test restrictive paths).'),
    stun: z.boolean().default(true).describe('Include the stun: URL.'),
    udp: z.boolean().default(true).describe('Include turn: over UDP.'),
    tcp: z.boolean().default(true).describe('Include turn: over TCP.'),
    tls: z.boolean().default(true).describe('Include turns: over TLS.'),
    publicTlsPort: port
      .optional()
      .describe(
        'Port in the turns: URL. Default: ports.https with shareHttpsPort, else managed.tlsPort; set 443 when coturn has an address of its own on 443.',
      ),
    publicTlsHost: z
      .string()
      .optional()
      .describe(
        'Host in the turns: URL when TURN/TLS has its own name or address (deployment A, or SNI routing). Default: host.',
      ),
    shareHttpsPort: z
      .boolean()
      .default(false)
      .describe(
        'One machine, one address: TURN/TLS shares the HTTPS port (443). The platform listens with TlsPortDemux on ports.https, hands HTTPS to the web server in-process and TURN/TLS (ALPN stun.turn, or SNI = publicTlsHost when that is a name of its own) to coturn\u2019s tlsPort; the turns: URL then names ports.https. Needs mode managed with managed.tls.',
      ),
    managed: ManagedTurnSchema.prefault({}),
    external: ExternalTurnSchema.optional(),
  })
  .strict()
  .refine((t) => !t.shareHttpsPort || (t.mode === 'managed' && t.managed.tls), {
    message: 'shareHttpsPort needs mode "managed" with managed.tls',
    path: ['shareHttpsPort'],
  })
  .refine((t) => t.mode !== 'external' || (t.external !== undefined && t.secret !== undefined), {
    message: 'mode "external" needs external.urls and secret',
    path: ['external'],
  })
  .prefault({});

export type TurnConfigInput = z.input<typeof TurnConfigSchema>;
export type TurnConfig = z.output<typeof TurnConfigSchema>;
export type ManagedTurnConfig = z.output<typeof ManagedTurnSchema>;
