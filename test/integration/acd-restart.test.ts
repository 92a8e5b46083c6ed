import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { AGENT_EVENTS, Inbox } from '../helpers/acd.js';
import { api, client, mint, type Running, start } from '../helpers/realServer.js';

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
