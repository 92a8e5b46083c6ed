// Shared set-up for the turn-* integration tests: loads the built turn and stun modules,
// starts a managed coturn on free loopback ports with its own relay range and state dir.
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomWindow, TEST_PORTS } from '../helpers/testPorts.js';

type TurnModule = typeof import('../../packages/server/src/turn/index.js');
type StunModule = typeof import('../../packages/tester/src/stun/index.js');
type TlsModule = typeof import('../../packages/server/src/tls/certificate.js');

// The package indexes do not export these areas yet; load the built files directly.
const root = new URL('../../../', import.meta.url);
export const turnLib = (await import(new URL('packages/server/dist/turn/index.js', root).href)) as TurnModule;
export const stunLib = (await import(new URL('packages/tester/dist/stun/index.js', root).href)) as StunModule;
const tlsLib = (await import(new URL('packages/server/dist/tls/certificate.js', root).href)) as TlsModule;

export const SECRET = 'integration-test-secret-0123456789abcdef';

async function udpFree(port: number): Promise<boolean> {
  const s = dgram.createSocket('udp4');
  return new Promise((resolve) => {
    s.once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A loopback port free for TCP and UDP (coturn listens on both). */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    if (await udpFree(port)) return port;
  }
  throw new Error('no free port');
}

/** A relay window of `size` ports at a random offset in the TURN tests' area (see testPorts.ts). */
export async function relayRange(size = 100): Promise<{ minPort: number; maxPort: number }> {
  // Random start, then the first window whose first port is free; bounded attempts.
  for (let i = 0; i < 20; i++) {
    const minPort = randomWindow(TEST_PORTS.turn, size).min;
    if (await udpFree(minPort)) return { minPort, maxPort: minPort + size - 1 };
  }
  throw new Error('no relay range');
}

export interface RunningCoturn {
  service: Awaited<ReturnType<TurnModule['TurnService']['start']>>;
  port: number;
  tlsPort: number;
  cert: string;
  /** PEM key of `cert` (for an HTTPS server in the demux test). */
  key: string;
  stateDir: string;
  close(): Promise<void>;
}

/** Starts a managed coturn on loopback. `loopbackPeers` uses the test profile. */
export async function startCoturn(options: {
  profile: 'test' | 'production';
  loopbackPeers?: boolean;
  ipv6?: boolean;
}): Promise<RunningCoturn> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sb-turn-'));
  const material = await tlsLib.loadOrCreateTls({ dataDir: dir, publicHost: 'localhost' });
  const port = await freePort();
  const tlsPort = await freePort();
  const range = await relayRange();
  const ips = options.ipv6 ? ['127.0.0.1', '::1'] : ['127.0.0.1'];
  const turn = turnLib.TurnConfigSchema.parse({
    mode: 'managed',
    secret: SECRET,
    host: '127.0.0.1',
    managed: {
      stateDir: path.join(dir, 'turn'),
      listeningIps: ips,
      relayIps: ips,
      port,
      tlsPort,
      ...range,
      allowLoopbackPeers: options.loopbackPeers ?? false,
      restart: { minDelayMs: 100, maxDelayMs: 1000 },
    },
  });
  const service = await turnLib.TurnService.start({
    turn,
    profile: options.profile,
    dataDir: dir,
    publicHost: '127.0.0.1',
    tls: { cert: material.cert, key: material.key },
  }).catch((err: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  return {
    service,
    port,
    tlsPort,
    cert: material.cert,
    key: material.key,
    stateDir: path.join(dir, 'turn'),
    async close() {
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A UDP echo peer on loopback. */
export async function startEchoPeer(): Promise<{ port: number; received: () => number; close: () => void }> {
  const s = dgram.createSocket('udp4');
  let count = 0;
  s.on('message', (msg, rinfo) => {
    count++;
    s.send(msg, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return { port: s.address().port, received: () => count, close: () => s.close() };
}
