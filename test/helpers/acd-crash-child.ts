// Child process for the ACD crash test: runs the ACD on a SQLite file, builds a scene with a
// call in progress, an offer pending and a contact waiting, reports it, then keeps enqueuing
// contacts (printing each id only after `enqueue` returned) until the parent kill -9s it.
import { AcdService, type Actor, SqliteAcdStore } from '@switchboard/server/acd';

const file = process.argv[2];
if (!file) throw new Error('usage: acd-crash-child <sqlite file>');
const acd = AcdService.open({ store: new SqliteAcdStore(file), options: { heartbeatTimeoutMs: 0 } });
const agent = (agentId: string): Actor => ({ kind: 'agent', agentId });
const user = (userId: string): Actor => ({ kind: 'user', userId });
const say = (msg: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(msg)}\n`);

let lastOffer = { offerId: '', agentId: '', contactId: '' };
acd.on('offerCreated', (o) => {
  lastOffer = o;
});

acd.configureQueue({ id: 'q1', wrapUpSeconds: 0, offerTimeoutSeconds: 600, serviceLevelSeconds: 20 });
for (const id of ['a1', 'a2', 'a3']) {
  acd.configureAgent({ id, queues: ['q1'] });
  acd.login(agent(id), id, { kind: 'Ready' });
}
// Finished history: three answered calls and one abandoned contact.
for (let i = 0; i < 3; i++) {
  const { contact } = acd.enqueue(user(`h${i}`), { queueId: 'q1', sessionId: `sh${i}` });
  acd.accept(agent(lastOffer.agentId), lastOffer.offerId);
  acd.mediaConnected(contact.id);
  acd.hangUp(agent(lastOffer.agentId), contact.id);
}
for (const id of ['a1', 'a2', 'a3']) acd.setStatus(agent(id), id, { kind: 'NotReady', reason: 'hold' });
const gone = acd.enqueue(user('gone'), { queueId: 'q1', sessionId: 'sg' });
acd.hangUp(user('gone'), gone.contact.id);

// Mid-call: a1 has u-call on a live call.
acd.setStatus(agent('a1'), 'a1', { kind: 'Ready' });
const call = acd.enqueue(user('u-call'), { queueId: 'q1', sessionId: 's-call' });
acd.accept(agent('a1'), lastOffer.offerId);
acd.mediaConnected(call.contact.id);
// Mid-offer: a2 holds a pending offer for u-offer.
acd.setStatus(agent('a2'), 'a2', { kind: 'Ready' });
const offered = acd.enqueue(user('u-offer'), { queueId: 'q1', sessionId: 's-offer' });
const offerId = lastOffer.offerId;
// Waiting: nobody is Ready for u-wait.
const waiting = acd.enqueue(user('u-wait'), { queueId: 'q1', sessionId: 's-wait' });

say({
  type: 'scene',
  callId: call.contact.id,
  offeredId: offered.contact.id,
  offerId,
  waitingId: waiting.contact.id,
  kpis: acd.queueKpis('q1'),
  records: acd.listRecords({ queueId: 'q1' }),
});

// Keep writing until killed; an id is printed only once its enqueue is durable.
let n = 0;
const burst = () => {
  for (let i = 0; i < 20; i++) {
    const t = acd.enqueue(user(`b${n}`), { queueId: 'q1', sessionId: `sb${n}` });
    n++;
    say({ type: 'acked', id: t.contact.id });
  }
  setImmediate(burst);
};
burst();
