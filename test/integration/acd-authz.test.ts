import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SignallingClient } from '@switchboard/sdk';
import { AGENT_EVENTS, Inbox, refused, rest } from '../helpers/acd.js';
import { startPlatform, type TestPlatform } from '../helpers/platform.js';

let t: TestPlatform;
let admin: ReturnType<typeof rest>;
const clients: SignallingClient[] = [];

async function connect(
  identity: string,
  grants: Parameters<TestPlatform['mint']>[1],
): Promise<SignallingClient> {
  const client = t.client(await t.mint(identity, grants));
  await client.connect();
  clients.push(client);
  return client;
}

const agentView = async (id: string) => (await admin.get(`/v1/agents/${id}`)).json;
const contactsOf = async (queueId: string) =>
  (await admin.get(`/v1/contacts?queueId=${queueId}`)).json.contacts as {
    contactId: string;
    state: string;
    agentId: string | null;
  }[];

before(async () => {
  t = await startPlatform({ acd: { sweepIntervalMs: 200 } });
  admin = rest(t, await t.mint('ops', { admin: true }));
  await admin.put('/v1/queues/q1', { offerTimeoutSeconds: 120 });
  for (const id of ['a1', 'a2']) await admin.put(`/v1/agents/${id}`, { queues: ['q1'] });
});
after(async () => {
  for (const c of clients) await c.close();
  await t.stop();
});

describe('ACD authorisation: refused with its own code, nothing changes', () => {
  it('an agent acting for another agent is refused with SB_ERR_NOT_YOUR_AGENT', async () => {
    const a1 = await connect('agent-one', { agent: 'a1' });
    const before = await agentView('a2');
    assert.deepEqual(before.status, { kind: 'Offline' });
    await refused(
      a1.request('agent.login', { agentId: 'a2', status: { kind: 'Ready' } }),
      'SB_ERR_NOT_YOUR_AGENT',
    );
    assert.deepEqual(await agentView('a2'), before);
    // Without any agent grant the message itself is forbidden.
    const user = await connect('someone', { queues: ['q1'] });
    await refused(user.request('agent.login', { agentId: 'a2' }), 'SB_ERR_FORBIDDEN');
    assert.deepEqual(await agentView('a2'), before);
  });

  it('a user touching another user’s contact is refused with SB_ERR_NOT_YOUR_CONTACT', async () => {
    const alice = await connect('alice', { queues: ['q1'] });
    const bob = await connect('bob', { queues: ['q1'] });
    const ticket = await alice.request('contact.enqueue', { queueId: 'q1', channel: 'audio' });
    const before = await contactsOf('q1');
    assert.ok(before.some((c) => c.contactId === ticket.contactId && c.state === 'waiting'));
    await refused(bob.request('contact.cancel', { contactId: ticket.contactId }), 'SB_ERR_NOT_YOUR_CONTACT');
    await refused(
      bob.request('contact.callback', { contactId: ticket.contactId }),
      'SB_ERR_NOT_YOUR_CONTACT',
    );
    await refused(bob.request('contact.resume', { contactId: ticket.contactId }), 'SB_ERR_NOT_YOUR_CONTACT');
    assert.deepEqual(await contactsOf('q1'), before);
    // A queue outside the token's grant is forbidden before the ACD is asked.
    await refused(
      bob.request('contact.enqueue', { queueId: 'q-other', channel: 'audio' }),
      'SB_ERR_FORBIDDEN',
    );
    await alice.request('contact.cancel', { contactId: ticket.contactId });
  });

  it('an offer answered by an agent it was not offered to is refused with SB_ERR_OFFER_NOT_YOURS', async () => {
    const one = await connect('agent-1', { agent: 'a1' });
    const two = await connect('agent-2', { agent: 'a2' });
    const box = new Inbox(one, AGENT_EVENTS);
    await two.request('agent.login', { agentId: 'a2' }); // NotReady: gets no offer
    await one.request('agent.login', { agentId: 'a1', status: { kind: 'Ready' } });
    const carol = await connect('carol', { queues: ['q1'] });
    const ticket = await carol.request('contact.enqueue', { queueId: 'q1', channel: 'audio' });
    const offer = await box.next('agent.offer', (o) => o.contact.contactId === ticket.contactId);
    const a1Before = await agentView('a1');
    assert.deepEqual(a1Before.state, { kind: 'Offered', offerId: offer.offerId });
    const contactsBefore = await contactsOf('q1');

    await refused(two.request('agent.accept', { offerId: offer.offerId }), 'SB_ERR_OFFER_NOT_YOURS');
    await refused(two.request('agent.reject', { offerId: offer.offerId }), 'SB_ERR_OFFER_NOT_YOURS');
    await refused(carol.request('agent.accept', { offerId: offer.offerId }), 'SB_ERR_FORBIDDEN');
    assert.deepEqual(await agentView('a1'), a1Before);
    assert.deepEqual(await contactsOf('q1'), contactsBefore);
    assert.equal((await agentView('a2')).pendingOfferId, null);

    // The right agent still can; then another agent cannot hang up its call.
    const accepted = await one.request('agent.accept', { offerId: offer.offerId });
    assert.equal(accepted.contact.contactId, ticket.contactId);
    await refused(two.request('agent.hangup', { contactId: ticket.contactId }), 'SB_ERR_NOT_YOUR_CONTACT');
    await carol.request('contact.cancel', { contactId: ticket.contactId });
  });

  it('an admin call without the admin grant is refused with SB_ERR_FORBIDDEN (or AUTH_REQUIRED)', async () => {
    const supervisor = rest(t, await t.mint('sup', { supervise: true }));
    const agentToken = rest(t, await t.mint('agent-1', { agent: 'a1' }));
    for (const who of [supervisor, agentToken]) {
      const put = await who.put('/v1/queues/q-new', { strategy: 'ring-all' });
      assert.equal(put.status, 403);
      assert.equal((put.json.error as { code: string }).code, 'SB_ERR_FORBIDDEN');
      const del = await who.delete('/v1/agents/a2');
      assert.equal(del.status, 403);
      const agentPut = await who.put('/v1/agents/a2', { queues: [] });
      assert.equal(agentPut.status, 403);
    }
    const anonymous = await t.fetch(`${t.urls.https}/v1/queues/q-new`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(anonymous.status, 401);
    // Nothing changed.
    const missing = await admin.get('/v1/queues/q-new');
    assert.equal(missing.status, 404);
    assert.equal((missing.json.error as { code: string }).code, 'SB_ERR_QUEUE_NOT_FOUND');
    assert.deepEqual((await agentView('a2')).queues, ['q1']);
    // Reading is the supervisor's right, records too; the agent's token reads nothing.
    assert.equal((await supervisor.get('/v1/queues/q1/kpis')).status, 200);
    assert.equal((await agentToken.get('/v1/records')).status, 403);
  });
});
