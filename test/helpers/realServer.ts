import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Grants } from '@switchboard/protocol';
import { SignallingClient } from '@switchboard/sdk';
import { nodePlatform } from '@switchboard/sdk/node';
import { type ServerProcess, startServerProcess } from './serverProcess.js';

/** Ephemeral ports on loopback, and an agent grace long enough to outlive a restart. */
export const ARGS = [
  ...['ports.http=0', 'ports.https=0', 'ports.websocket=0', 'ports.api=0'].flatMap((s) => ['--set', s]),
  '--set',
  'publicHost=127.0.0.1',
  '--set',
  'listenHost=127.0.0.1',
  '--set',
  'acd.agentGraceMs=120000',
];

/** A real `switchboard start` and what a client needs to talk to it. */
export interface Running {
  server: ServerProcess;
  https: string;
  websocket: string;
  fetch: ReturnType<typeof nodePlatform>['fetch'];
  ws: ReturnType<typeof nodePlatform>['WebSocket'];
  basic: string;
}

/** Starts the real `switchboard start` (optionally on an existing data directory). */
export async function start(dataDir?: string, extraArgs: string[] = []): Promise<Running> {
  const server = startServerProcess([...ARGS, ...extraArgs], dataDir ? { dataDir } : {});
  await server.waitForOutput(/^Ready\. /m, 30_000);
  const out = server.output();
  const https = Number(out.match(/HTTPS web \+ REST API\s+https:\/\/127\.0\.0\.1:(\d+)/)?.[1]);
  const websocket = Number(out.match(/wss:\/\/127\.0\.0\.1:(\d+)\/v1\/signalling/)?.[1]);
  const key = out.match(/Development API key: (\S+)/)?.[1];
  const secret = out.match(/Development API secret: (\S+)/)?.[1];
  assert.ok(https && websocket && key && secret, out);
  const ca = readFileSync(path.join(server.dataDir, 'tls', 'self-signed.crt'), 'utf8');
  const node = nodePlatform({ ca });
  return {
    server,
    https: `https://127.0.0.1:${https}`,
    websocket: `wss://127.0.0.1:${websocket}/v1/signalling`,
    fetch: node.fetch,
    ws: node.WebSocket,
    basic: Buffer.from(`${key}:${secret}`).toString('base64'),
  };
}

export async function mint(r: Running, identity: string, grants: Grants): Promise<string> {
  const res = await r.fetch(`${r.https}/v1/tokens`, {
    method: 'POST',
    headers: { authorization: `Basic ${r.basic}`, 'content-type': 'application/json' },
    body: JSON.stringify({ identity, grants }),
  });
  assert.equal(res.status, 201);
  return ((await res.json()) as { token: string }).token;
}

export async function api(r: Running, token: string, method: string, url: string, body?: unknown) {
  const res = await r.fetch(`${r.https}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json()) as Record<string, unknown>;
  assert.ok(res.status < 300, `${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export async function client(r: Running, identity: string, grants: Grants): Promise<SignallingClient> {
  const c = new SignallingClient({
    token: await mint(r, identity, grants),
    websocketUrl: r.websocket,
    WebSocket: r.ws,
    fetch: r.fetch,
    transports: ['websocket'],
    reconnect: false,
    requestTimeoutMs: 5000,
  });
  await c.connect();
  return c;
}
