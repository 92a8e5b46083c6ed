import { isIP, type Server } from 'node:net';
import { TlsPortDemux } from './TlsPortDemux.js';
import type { TurnConfig } from './TurnConfigSchema.js';

/** Options for {@link createSharedHttpsDemux}. */
export interface SharedHttpsDemuxOptions {
  turn: TurnConfig;
  /** The main config's publicHost (the HTTPS name). */
  publicHost: string;
  /** The HTTPS server that takes connections in-process (fastify's `server`); it does not listen itself. */
  https: Server;
  /** A client must send its ClientHello within this time. */
  helloTimeoutMs?: number | undefined;
}

/** Where coturn's listeners are reachable from this process: a wildcard or empty list means loopback. */
function coturnHost(turn: TurnConfig): string {
  const ip = turn.managed.listeningIps[0];
  if (!ip || ip === '0.0.0.0') return '127.0.0.1';
  if (ip === '::') return '::1';
  return ip;
}

/**
 * The names whose SNI goes to coturn. The `turns:` host counts when it is a name of its own
 * (the HTTPS name cannot be one: browsers send it for HTTPS too), and when it is an IP
 * address: HTTPS clients never send an address as SNI (RFC 6066 forbids it) but libwebrtc
 * does, without ALPN (measured with @roamhq/wrtc 0.10).
 */
export function turnServerNamesFor(turn: TurnConfig, publicHost: string): string[] {
  const tlsHost = turn.publicTlsHost ?? turn.host ?? publicHost;
  const bare = tlsHost.replace(/^\[|\]$/g, '');
  return isIP(bare) !== 0 || bare.toLowerCase() !== publicHost.toLowerCase() ? [bare] : [];
}

/**
 * The demultiplexer of `turn.shareHttpsPort`: one listener on the HTTPS port, HTTPS to
 * `https` in-process, TURN/TLS to coturn's TLS port, plain STUN/TURN over TCP to coturn's
 * TCP port. The caller binds it (`demux.listen(ports.https, listenHost)`) and closes it.
 */
export function createSharedHttpsDemux(options: SharedHttpsDemuxOptions): TlsPortDemux {
  const { turn } = options;
  const host = coturnHost(turn);
  return new TlsPortDemux({
    https: options.https,
    turn: { host, port: turn.managed.tlsPort },
    turnTcp: { host, port: turn.managed.port },
    turnServerNames: turnServerNamesFor(turn, options.publicHost),
    helloTimeoutMs: options.helloTimeoutMs,
  });
}
