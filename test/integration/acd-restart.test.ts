import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { Grants } from '@switchboard/protocol';
import { SignallingClient } from '@switchboard/sdk';
import { nodePlatform } from '@switchboard/sdk/node';
import { AGENT_EVENTS, Inbox } from '../helpers/acd.js';
import { type ServerProcess, startServerProcess } from '../helpers/serverProcess.js';

const ARGS = [
  ...['ports.http=0', 'ports.https=0', 'ports.websocket=0', 'ports.api=0'].flatMap((s) => ['--set', s]),
  '--set',
  'publicHost=127.0.0.1',
  '--set',
  'listenHost=127.0.0.1',
  '--set',
  'acd.agentGraceMs=120000',
];

/** A real `switchboard start` and what a client needs to talk to it. */
interface Running {
  server: ServerProcess;
  https: string;
  websocket: string;
  fetch: ReturnType<typeof nodePlatform>['fetch'];
  ws: ReturnType<typeof nodePlatform>['WebSocket'];
  basic: string;
}

async function start(dataDir?: string): Promise<Running> {
  const server = startServerProcess(ARGS, dataDir ? { dataDir } : {});
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

async function mint(r: Running, identity: string, grants: Grants): Promise<string> {
  const res = await r.fetch(`${r.https}/v1/tokens`, {
    method: 'POST',
    headers: { authorization: `Basic ${r.basic}`, 'content-type': 'application/json' },
    body: JSON.stringify({ identity, grants }),
  });
  assert.equal(res.status, 201);
  return ((await res.json()) as { token: string }).token;
}

async function api(r: Running, token: string, method: string, url: string, body?: unknown) {
  const res = await r.fetch(`${r.https}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json()) as Record<string, unknown>;
  assert.ok(res.status < 300, `${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function client(r: Running, identity: string, grants: Grants): Promise<SignallingClient> {
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

const running: Running[] = [];
after(() => {
  for (const r of running) r.server.child.kill('SIGKILL');
  if (running[0]) rmSync(running[0].server.dataDir, { recursive: true, force: true });
});

const counts = (k: Record<string, unknown>) => ({
  offered: k.offered,
  answered: k.answered,
  abandoned: k.abandoned,
  callbacks: k.callbacks,
  abandonedWithinT: k.abandonedWithinT,
});

describe('kill -9 of the real server mid-offer, restart on the same data directory', () => {
  it('leaves no stuck agent (NotReady recovery), loses no record or contact, keeps the KPIs', async () => {
    const one = await start();
    running.push(one);
    const adminToken = await mint(one, 'ops', { admin: true });
    await api(one, adminToken, 'PUT', '/v1/queues/q1', { offerTimeoutSeconds: 300 });
    await api(one, adminToken, 'PUT', '/v1/agents/a1', { queues: ['q1'] });

    // History: one abandoned contact (a final record).
    const early = await client(one, 'gina', { queues: ['q1'] });
    const gone = await early.request('contact.enqueue', { queueId: 'q1', channel: 'audio' });
    await early.request('contact.cancel', { contactId: gone.contactId });

    // Mid-offer: a1 Ready is offered Hank's contact.
    const agent = await client(one, 'agent-1', { agent: 'a1' });
    const box = new Inbox(agent, AGENT_EVENTS);
    await agent.request('agent.login', { agentId: 'a1', status: { kind: 'Ready' } });
    const user = await client(one, 'hank', { queues: ['q1'] });
    const ticket = await user.request('contact.enqueue', { queueId: 'q1', channel: 'audio' });
    const offer = await box.next('agent.offer');
    assert.equal(offer.contact.contactId, ticket.contactId);
    const kpisBefore = await api(one, adminToken, 'GET', '/v1/queues/q1/kpis');
    const recordsBefore = (await api(one, adminToken, 'GET', '/v1/records')).records as {
      contactId: string;
    }[];
    assert.deepEqual(
      recordsBefore.map((r) => r.contactId),
      [gone.contactId, ticket.contactId],
    );

    one.server.child.kill('SIGKILL');
    assert.equal(await one.server.exited, 'SIGKILL');
    for (const c of [early, agent, user]) await c.close().catch(() => undefined);

    const two = await start(one.server.dataDir);
    running.push(two);
    const admin2 = await mint(two, 'ops', { admin: true });
    const a1 = await api(two, admin2, 'GET', '/v1/agents/a1');
    assert.deepEqual(a1.status, { kind: 'NotReady', reason: 'recovery' });
    assert.equal((a1.state as { kind: string }).kind, 'Disconnected');
    assert.equal(a1.pendingOfferId, null);
    assert.deepEqual(a1.contacts, []);
    const contacts = (await api(two, admin2, 'GET', '/v1/contacts?queueId=q1')).contacts as {
      contactId: string;
      state: string;
    }[];
    assert.deepEqual(contacts, [{ ...contacts[0], contactId: ticket.contactId, state: 'waiting' }]);
    const recordsAfter = (await api(two, admin2, 'GET', '/v1/records')).records as { contactId: string }[];
    assert.deepEqual(
      recordsAfter.map((r) => r.contactId),
      recordsBefore.map((r) => r.contactId),
    );
    const kpisAfter = await api(two, admin2, 'GET', '/v1/queues/q1/kpis');
    assert.deepEqual(counts(kpisAfter), counts(kpisBefore));

    // Both come back: the user resumes the place, the agent logs in again and gets the offer.
    const hank = await client(two, 'hank', { queues: ['q1'] });
    const resumed = await hank.request('contact.resume', { contactId: ticket.contactId });
    assert.equal(resumed.position, 1);
    const agent2 = await client(two, 'agent-1', { agent: 'a1' });
    const box2 = new Inbox(agent2, AGENT_EVENTS);
    const login = await agent2.request('agent.login', { agentId: 'a1' });
    assert.equal(login.agent.connected, true);
    assert.deepEqual(login.agent.status, { kind: 'NotReady', reason: 'recovery' });
    await agent2.request('agent.status', { status: 'Ready' });
    const again = await box2.next('agent.offer');
    assert.equal(again.contact.contactId, ticket.contactId);
    assert.notEqual(again.offerId, offer.offerId);
    await hank.request('contact.cancel', { contactId: ticket.contactId });
    for (const c of [hank, agent2]) await c.close();
  });
});
