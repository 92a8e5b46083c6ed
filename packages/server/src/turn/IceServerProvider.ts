import type { TurnConfig } from './TurnConfigSchema.js';
import { mintTurnCredential } from './turnCredentials.js';

export { type IceConfiguration, IceConfigurationSchema, type IceServerEntry } from '@switchboard/protocol';

import type { IceConfiguration, IceServerEntry } from '@switchboard/protocol';

/** Per-call overrides for {@link IceServerProvider.iceServersFor}. */
export interface IceServersForOptions {
  /** Credential lifetime instead of `turn.credentialTtlSeconds` (capped by it). */
  ttlSeconds?: number | undefined;
  /** Force relay for this client even when the configured policy is `all`. */
  forceRelay?: boolean | undefined;
  /** Clock for tests. */
  nowMs?: number | undefined;
}

/** Options for {@link IceServerProvider}. */
export interface IceServerProviderOptions {
  turn: TurnConfig;
  /** Shared secret (managed: from config or generated; external: `turn.secret`). */
  secret: string | undefined;
  /** Default host in the URLs when `turn.host` is unset (the main config's `publicHost`). */
  publicHost: string;
  /**
   * The bound HTTPS port, read when a URL is built (`turn.shareHttpsPort`: the `turns:` URL
   * names it; it is known only once the platform listens, and may be 0 in the config).
   */
  httpsPort?: (() => number) | undefined;
}

function hostPart(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** Builds ICE server lists with per-identity, time-limited TURN credentials. */
export class IceServerProvider {
  #turn: TurnConfig;
  #secret: string | undefined;
  #publicHost: string;
  #httpsPort: (() => number) | undefined;

  constructor(options: IceServerProviderOptions) {
    this.#turn = options.turn;
    this.#httpsPort = options.httpsPort;
    this.#secret = options.secret;
    this.#publicHost = options.publicHost;
    if (options.turn.mode !== 'off' && !options.secret) throw new Error('turn: a shared secret is required');
  }

  /** The URLs handed out (without credentials), for the start-up banner and docs. */
  urls(): { stun: string[]; turn: string[] } {
    const t = this.#turn;
    if (t.mode === 'off') return { stun: [], turn: [] };
    if (t.mode === 'external') {
      const all = t.external?.urls ?? [];
      return {
        stun: all.filter((u) => u.startsWith('stun:')),
        turn: all.filter((u) => !u.startsWith('stun:')),
      };
    }
    const host = hostPart(t.host ?? this.#publicHost);
    const tlsHost = hostPart(t.publicTlsHost ?? t.host ?? this.#publicHost);
    const port = t.managed.port;
    const shared = t.shareHttpsPort ? this.#httpsPort?.() : undefined;
    const tlsPort = t.publicTlsPort ?? shared ?? t.managed.tlsPort;
    const turn: string[] = [];
    if (t.udp) turn.push(`turn:${host}:${port}?transport=udp`);
    if (t.tcp) turn.push(`turn:${host}:${port}?transport=tcp`);
    if (t.tls && t.managed.tls) turn.push(`turns:${tlsHost}:${tlsPort}?transport=tcp`);
    return { stun: t.stun ? [`stun:${host}:${port}`] : [], turn };
  }

  /**
   * The ICE configuration for one identity (user, agent, participant): STUN, TURN over
   * UDP/TCP/TLS with a credential `<expiry>:<identity>` / base64(HMAC-SHA1(secret, username))
   * and the transport policy. Call it for every join / enqueue / agent login; never cache
   * one answer across identities.
   */
  iceServersFor(identity: string, options: IceServersForOptions = {}): IceConfiguration {
    const t = this.#turn;
    if (t.mode === 'off' || !this.#secret)
      return { iceServers: [], iceTransportPolicy: 'all', expiresAt: null };
    const ttl = Math.min(options.ttlSeconds ?? t.credentialTtlSeconds, t.credentialTtlSeconds);
    const cred = mintTurnCredential(this.#secret, identity, ttl, options.nowMs);
    const { stun, turn } = this.urls();
    const iceServers: IceServerEntry[] = [];
    if (stun.length > 0) iceServers.push({ urls: stun });
    if (turn.length > 0)
      iceServers.push({ urls: turn, username: cred.username, credential: cred.credential });
    const relay = (options.forceRelay || t.iceTransportPolicy === 'relay') && turn.length > 0;
    return {
      iceServers,
      iceTransportPolicy: relay ? 'relay' : 'all',
      expiresAt: cred.expiresAt.toISOString(),
    };
  }
}
