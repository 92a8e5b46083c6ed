import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TransportKind } from '@switchboard/sdk';
import type { AcdRoleHandle } from '@switchboard/server';
import { AGENT_EVENTS, Inbox, rest, SUPERVISOR_EVENTS, USER_EVENTS } from '../helpers/acd.js';
import { startPlatform, type TestPlatform } from '../helpers/platform.js';

let t: TestPlatform;
let admin: ReturnType<typeof rest>;

before(async () => {
  t = await startPlatform({
    signalling: { reclaimWindowMs: 3000, pollHoldMs: 1000 },
    acd: { kpiIntervalMs: 200, sweepIntervalMs: 200 },
  });
  admin = rest(t, await t.mint('ops', { admin: true }));
});
after(async () => {
  await t.stop();
});

/**
 * The whole ACD path without media, the test playing the media side (`mediaConnected`):
 * enqueue → offer → accept → callConnecting to both → hang-up → wrap-up → KPIs → record.
 */
async function fullFlow(transport: TransportKind, n: number): Promise<void> {
  const queueId = `q-${transport}`;
  const agentId = `a-${transport}`;
  assert.equal(
    (await admin.put(`/v1/queues/${queueId}`, { wrapUpSeconds: 60, offerTimeoutSeconds: 30 })).status,
    200,
  );
  const put = await admin.put(`/v1/agents/${agentId}`, { name: 'Ada', queues: [queueId] });
  assert.equal(put.status, 200, put.text);

  const options = { transports: [transport] };
  const supervisor = t.client(await t.mint('sup', { supervise: true }), options);
  await supervisor.connect();
  const sup = new Inbox(supervisor, SUPERVISOR_EVENTS);
  const snapshot = await supervisor.request('acd.subscribe', { queueIds: [queueId] });
  assert.equal(snapshot.kpis[0]?.queueId, queueId);
  assert.deepEqual(
    snapshot.agents.map((a) => a.id),
    [agentId],
  );

  const agent = t.client(await t.mint(`agent-${transport}`, { agent: agentId }), options);
  await agent.connect();
  assert.equal(agent.transportKind, transport);
  const agentBox = new Inbox(agent, AGENT_EVENTS);
  const login = await agent.request('agent.login', { agentId, status: { kind: 'Ready' } });
  assert.deepEqual(login.agent.status, { kind: 'Ready' });
  assert.ok(Array.isArray(login.ice.iceServers));

  const user = t.client(await t.mint(`user-${transport}`, { queues: [queueId] }), options);
  await user.connect();
  const userBox = new Inbox(user, USER_EVENTS);
  const ticket = await user.request('contact.enqueue', {
    queueId,
    channel: 'audio',
    data: { order: 42 },
  });
  assert.equal(ticket.queueId, queueId);
  assert.ok(Array.isArray(ticket.ice.iceServers));

  const offer = await agentBox.next('agent.offer');
  assert.equal(offer.contact.contactId, ticket.contactId);
  assert.deepEqual(offer.contact.data, { order: 42 });
  assert.ok(offer.deadline > Date.now());
  const accepted = await agent.request('agent.accept', { offerId: offer.offerId });

  const forAgent = await agentBox.next('acd.callConnecting');
  const forUser = await userBox.next('acd.callConnecting');
  assert.equal(forAgent.side, 'agent');
  assert.equal(forUser.side, 'user');
  assert.equal(forAgent.callId, accepted.callId);
  assert.equal(forUser.callId, accepted.callId);
  assert.equal(forUser.contactId, ticket.contactId);

  // The media side: both peers met in the call.
  const role = t.platform.role<AcdRoleHandle>('acd');
  assert.ok(role);
  assert.equal(role.callIdFor(ticket.contactId), accepted.callId);
  assert.equal(role.mayJoinCall(`user-${transport}`, {}, accepted.callId), true);
  assert.equal(role.mayJoinCall('mallory', {}, accepted.callId), false);
  role.acd.mediaConnected(ticket.contactId);
  await agentBox.next('agent.state', (s) => s.state.kind === 'OnCall');

  const hung = await agent.request('agent.hangup', { contactId: ticket.contactId });
  assert.equal(hung.record.outcome, 'answered');
  const ended = await userBox.next('contact.ended');
  assert.equal(ended.outcome, 'answered');
  await userBox.next('acd.callEnded');
  await agentBox.next('agent.state', (s) => s.state.kind === 'WrapUp');

  const wrapped = await agent.request('agent.wrapup', {
    contactId: ticket.contactId,
    disposition: 'sale',
    notes: 'renewal',
  });
  assert.equal(wrapped.record.disposition, 'sale: renewal');
  const done = await agent.request('agent.wrapupDone', { contactId: ticket.contactId });
  assert.equal(done.agent.state.kind, 'Idle');

  // Supervisor stream saw the contact's life and the agent's states, and gets KPIs.
  await sup.next('acd.contact', (e) => e.event === 'ended' && e.contactId === ticket.contactId);
  for (const step of ['queued', 'offered', 'connecting', 'connected'] as const) {
    assert.ok(
      sup.all('acd.contact').some((e) => e.event === step && e.contactId === ticket.contactId),
      step,
    );
  }
  await sup.next('acd.agentState', (a) => a.id === agentId && a.state.kind === 'WrapUp');
  await sup.next('acd.kpis', (k) => k.queueId === queueId && k.answered === 1);

  const kpis = await admin.get(`/v1/queues/${queueId}/kpis?windowMs=3600000`);
  assert.equal(kpis.status, 200, kpis.text);
  assert.equal(kpis.json.offered, 1);
  assert.equal(kpis.json.answered, 1);
  assert.equal(kpis.json.abandoned, 0);

  const records = await admin.get(`/v1/records?queueId=${queueId}&outcome=answered&agentId=${agentId}`);
  assert.equal(records.status, 200, records.text);
  const list = records.json.records as { contactId: string; disposition: string; final: boolean }[];
  assert.equal(list.length, 1);
  assert.equal(list[0]?.contactId, ticket.contactId);
  assert.equal(list[0]?.disposition, 'sale: renewal');
  assert.equal(list[0]?.final, true);
  assert.equal(
    ((await admin.get(`/v1/records?queueId=${queueId}&outcome=abandoned`)).json.records as unknown[]).length,
    0,
  );

  const csv = await admin.get(`/v1/records?queueId=${queueId}&format=csv`);
  assert.equal(csv.status, 200);
  assert.match(csv.type, /text\/csv/);
  const lines = csv.text.trim().split('\r\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^contactId,queueId,userId,/);
  assert.ok(lines[1]!.startsWith(`${ticket.contactId},${queueId},user-${transport},audio,`));
  assert.ok(lines[1]!.includes(',answered,'));

  const metrics = await (await t.fetch(`${t.urls.https}/metrics`)).text();
  assert.match(
    metrics,
    new RegExp(`switchboard_acd_contacts_ended_total\\{queue="${queueId}",outcome="answered"\\} 1`),
  );
  assert.match(metrics, new RegExp(`switchboard_acd_agents\\{queue="${queueId}",state="Idle"\\} 1`));
  assert.match(metrics, /switchboard_acd_offers_total\{result="accepted"\} \d+/);
  assert.ok(n > 0);

  await agent.request('agent.logout');
  for (const c of [agent, user, supervisor]) await c.close();
}

describe('ACD over signalling: the full agent/user flow without media', () => {
  it('works over WebSocket', async () => {
    await fullFlow('websocket', 1);
  });
  it('works over long-poll', async () => {
    await fullFlow('longpoll', 2);
  });
  it('the REST API is described in the OpenAPI document', async () => {
    const doc = (await (await t.fetch(`${t.urls.https}/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    for (const path of [
      '/v1/queues/{id}',
      '/v1/queues/{id}/kpis',
      '/v1/agents/{id}',
      '/v1/records',
      '/v1/contacts',
    ]) {
      assert.ok(doc.paths[path], path);
    }
    assert.ok(doc.paths['/v1/queues/{id}']?.put);
  });
  it('a user waiting alone gets its position and may cancel (abandoned, counted)', async () => {
    await admin.put('/v1/queues/q-wait', {});
    const user = t.client(await t.mint('waiter', { queues: ['q-wait'] }));
    await user.connect();
    const box = new Inbox(user, USER_EVENTS);
    const ticket = await user.request('contact.enqueue', { queueId: 'q-wait', channel: 'video' });
    assert.equal(ticket.position, 1);
    assert.equal(ticket.estimatedWaitMs, null);
    const pos = await box.next('contact.position');
    assert.equal(pos.position, 1);
    const contacts = await admin.get('/v1/contacts?queueId=q-wait');
    assert.equal((contacts.json.contacts as unknown[]).length, 1);
    const cancelled = await user.request('contact.cancel', { contactId: ticket.contactId });
    assert.equal(cancelled.record.outcome, 'abandoned');
    await box.next('contact.ended', (e) => e.outcome === 'abandoned');
    const kpis = await admin.get('/v1/queues/q-wait/kpis');
    assert.equal(kpis.json.abandoned, 1);
    assert.equal(kpis.json.offered, 1);
    await user.close();
  });
});
