import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { Grants } from '@switchboard/protocol';
import { SignallingClient, type SignallingClientOptions } from '@switchboard/sdk';
import { nodePlatform } from '@switchboard/sdk/node';
import { type ConfigInput, loadConfig, Platform } from '@switchboard/server';

/** A platform started in-process on ephemeral ports with a throw-away data directory. */
export interface TestPlatform {
  platform: Platform;
  dataDir: string;
  urls: { https: string; http: string; websocket: string; api: string; voip: string };
  /** The self-signed certificate, to trust in clients. */
  ca: string;
  /** Everything the platform logged (JSON lines). */
  logs: () => string;
  mint(identity: string, grants: Grants, ttlSeconds?: number): Promise<string>;
  client(token: string, options?: Partial<SignallingClientOptions>): SignallingClient;
  fetch: ReturnType<typeof nodePlatform>['fetch'];
  stop(): Promise<void>;
}

export async function startPlatform(overrides: ConfigInput = {}): Promise<TestPlatform> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sb-test-'));
  const config = loadConfig({
    overrides: {
      profile: 'test',
      dataDir,
      listenHost: '127.0.0.1',
      publicHost: '127.0.0.1',
      log: { level: 'debug' },
      shutdown: { drainTimeoutMs: 300, reconnectAfterMs: 100 },
      ...overrides,
      ports: { http: 0, https: 0, websocket: 0, api: 0, ...overrides.ports },
    },
  });
  const logStream = new PassThrough();
  let logText = '';
  logStream.on('data', (chunk: Buffer) => {
    logText += chunk.toString('utf8');
  });
  const platform = new Platform(config, { logDestination: logStream });
  await platform.start();
  const p = platform.ports;
  const ca = platform.tls.cert;
  const node = nodePlatform({ ca });
  const urls = {
    https: `https://127.0.0.1:${p.https}`,
    http: `http://127.0.0.1:${p.http}`,
    websocket: `wss://127.0.0.1:${p.websocket}/v1/signalling`,
    api: `https://127.0.0.1:${p.api}`,
    voip: `wss://127.0.0.1:${p.api}/v1/voip`,
  };
  const devKey = platform.devKey!;
  return {
    platform,
    dataDir,
    urls,
    ca,
    logs: () => logText,
    fetch: node.fetch,
    mint: async (identity, grants, ttlSeconds) =>
      (await platform.tokens.mint({ apiKey: devKey.key, identity, grants, ttlSeconds })).token,
    client: (token, options = {}) =>
      new SignallingClient({
        token,
        websocketUrl: urls.websocket,
        apiUrl: urls.api,
        WebSocket: node.WebSocket,
        fetch: node.fetch,
        requestTimeoutMs: 5000,
        ...options,
      }),
    stop: async () => {
      await platform.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resolves when `predicate` holds, polling; rejects after `timeoutMs`. */
/**
 * Polls `read` until `ok` accepts its value; returns that value, or throws naming `what` and
 * the last value seen once `timeoutMs` passed.
 */
export async function until<T>(
  what: string,
  read: () => Promise<T> | T,
  ok: (v: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let v = await read();
  while (!ok(v)) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}; last ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
    v = await read();
  }
  return v;
}

export async function waitFor(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
