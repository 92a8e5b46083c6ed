import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SignallingClient } from '@switchboard/sdk';
import { AGENT_EVENTS, Inbox, rest, USER_EVENTS } from '../helpers/acd.js';
import { startPlatform, type TestPlatform } from '../helpers/platform.js';
import { RawSocket } from '../helpers/rawSocket.js';

let t: TestPlatform;
let admin: ReturnType<typeof rest>;
const clients: SignallingClient[] = [];

const agentView = async (id: string) => (await admin.get(`/v1/agents/${id}`)).json;

before(async () => {
  t = await startPlatform({
    signalling: { reclaimWindowMs: 2000 },
    acd: { agentGraceMs: 60_000, sweepIntervalMs: 200 },
  });
  admin = rest(t, await t.mint('ops', { admin: true }));
  await admin.put('/v1/queues/q1', { offerTimeoutSeconds: 120 });
  for (const id of ['a1', 'a2']) await admin.put(`/v1/agents/${id}`, { queues: ['q1'] });
});
after(async () => {
  for (const c of clients) await c.close();
  await t.stop();
});

describe('ACD presence follows the signalling session', () => {
  it('an agent whose socket drops while offered loses the offer, which goes to the next agent; no agent is stuck', async () => {
    const raw = await RawSocket.open(t.urls.websocket, t.ca);
    assert.ok((await raw.auth(await t.mint('agent-1', { agent: 'a1' }))).result);
    const login = await raw.request('l1', 'agent.login', { agentId: 'a1', status: { kind: 'Ready' } });
    assert.ok(login.result, JSON.stringify(login));

    const user = t.client(await t.mint('carol', { queues: ['q1'] }));
    clients.push(user);
    await user.connect();
    const ticket = await user.request('contact.enqueue', { queueId: 'q1', channel: 'audio' });
    const offer = await raw.next((f) => f.event === 'agent.offer');
    const offerId = (offer.data as { offerId: string }).offerId;
    assert.deepEqual((await agentView('a1')).state, { kind: 'Offered', offerId });

    raw.ws.terminate();
    await raw.closed;
    // The session is only detached (reclaim window), yet the offer is released at once.
    let a1: Record<string, unknown> = {};
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      a1 = await agentView('a1');
      if ((a1.state as { kind: string }).kind === 'Disconnected') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal((a1.state as { kind: string }).kind, 'Disconnected');
    assert.equal(a1.pendingOfferId, null);
    assert.equal(a1.connected, false);
    const contacts = (await admin.get('/v1/contacts?queueId=q1')).json.contacts as { state: string }[];
    assert.deepEqual(
      contacts.map((c) => c.state),
      ['waiting'],
    );

    // The next Ready agent gets the contact.
    const two = t.client(await t.mint('agent-2', { agent: 'a2' }));
    clients.push(two);
    await two.connect();
    const box = new Inbox(two, AGENT_EVENTS);
    await two.request('agent.login', { agentId: 'a2', status: { kind: 'Ready' } });
    const second = await box.next('agent.offer');
    assert.equal(second.contact.contactId, ticket.contactId);
    assert.notEqual(second.offerId, offerId);

    // a1 comes back on a new session: logged in still (within the grace), connected again.
    const again = t.client(await t.mint('agent-1', { agent: 'a1' }));
    clients.push(again);
    await again.connect();
    const back = await again.request('agent.login', { agentId: 'a1' });
    assert.equal(back.agent.connected, true);
    assert.deepEqual(back.agent.status, { kind: 'Ready' });
    assert.equal(back.agent.state.kind, 'Idle');
    await two.request('agent.reject', { offerId: second.offerId });
    await user.request('contact.cancel', { contactId: ticket.contactId });
    await again.request('agent.logout');
    await two.request('agent.logout');
  });

  it('a waiting user whose session ends keeps the place and resumes it from a new session', async () => {
    const first = t.client(await t.mint('dave', { queues: ['q1'] }), { reconnect: false });
    await first.connect();
    const ticket = await first.request('contact.enqueue', { queueId: 'q1', channel: 'audio' });
    await first.request('session.close');
    await first.close();
    const deadline = Date.now() + 5000;
    let contact: { userConnected: boolean } | undefined;
    while (Date.now() < deadline) {
      const list = (await admin.get('/v1/contacts?queueId=q1')).json.contacts as {
        contactId: string;
        userConnected: boolean;
      }[];
      contact = list.find((c) => c.contactId === ticket.contactId);
      if (contact && !contact.userConnected) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(contact?.userConnected, false);

    const second = t.client(await t.mint('dave', { queues: ['q1'] }));
    clients.push(second);
    await second.connect();
    const box = new Inbox(second, USER_EVENTS);
    const resumed = await second.request('contact.resume', { contactId: ticket.contactId });
    assert.equal(resumed.position, 1);
    const cancelled = await second.request('contact.cancel', { contactId: ticket.contactId });
    assert.equal(cancelled.record.outcome, 'abandoned');
    await box.next('contact.ended');
  });
});
