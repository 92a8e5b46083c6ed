import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SwitchboardError } from '@switchboard/protocol';
import type { AgentView, ContactView, QueueConfig } from './AcdTypes.js';
import type { QueueConfigInput } from './schemas.js';
import { agentActor, harness, userActor } from './testing.js';

/** mulberry32: a small seeded PRNG so a failing run can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const QUEUES: QueueConfigInput[] = [
  { id: 'q1', strategy: 'longest-idle', wrapUpSeconds: 0 },
  {
    id: 'q2',
    strategy: 'round-robin',
    requiredSkills: [{ skill: 'fr', minLevel: 3 }],
    escalation: [{ afterSeconds: 20, requiredSkills: [{ skill: 'fr', minLevel: 1 }] }],
    wrapUpSeconds: 3,
  },
  { id: 'q3', strategy: 'ring-all', wrapUpSeconds: 0, requireNetworkOk: true },
  {
    id: 'q4',
    strategy: 'skills',
    requiredSkills: [{ skill: 'x', minLevel: 2 }],
    maxWaitSeconds: 45,
    overflowTarget: 'q1',
    wrapUpSeconds: 2,
  },
  { id: 'q5', strategy: 'least-talk-time', maxWaitSeconds: 30, wrapUpSeconds: 0 },
  { id: 'q6', strategy: 'fewest-calls', wrapUpSeconds: 1 },
];

function runSeed(seed: number, steps: number): void {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T | undefined =>
    xs.length === 0 ? undefined : xs[Math.floor(rnd() * xs.length)];
  const h = harness({
    missedOfferLimit: 3,
    missCooldownMs: 2000,
    agentGraceMs: 8000,
    userResumeGraceMs: 12_000,
  });
  const { acd, clock } = h;
  for (const q of QUEUES) acd.configureQueue({ offerTimeoutSeconds: 8, ...q });
  const queues = new Map<string, QueueConfig>(acd.listQueues().map((q) => [q.id, q]));
  const agentIds: string[] = [];
  for (let i = 0; i < 9; i++) {
    const id = `a${i}`;
    agentIds.push(id);
    const qs = QUEUES.map((q) => q.id).filter(() => rnd() < 0.5);
    acd.configureAgent({
      id,
      queues: qs.length > 0 ? qs : ['q1'],
      skills: { fr: 1 + Math.floor(rnd() * 5), x: 1 + Math.floor(rnd() * 5) },
      capacity: { audio: rnd() < 0.3 ? 2 : 1, video: 1 },
    });
    acd.login(agentActor(id), id, { kind: 'Ready' });
  }
  const created = new Set<string>();
  acd.on('contactOverflowed', (o) => created.add(o.newContactId));
  let users = 0;

  const rank = (a: ContactView, b: ContactView): number =>
    b.priority - a.priority || a.enqueuedAt - b.enqueuedAt;
  const routable = (c: ContactView) => c.state === 'waiting' && (c.userConnected || c.callback !== null);
  const required = (c: ContactView, now: number) => {
    const q = queues.get(c.queueId)!;
    let skills = q.requiredSkills;
    for (const step of q.escalation)
      if ((now - c.queuedAt) / 1000 >= step.afterSeconds) skills = step.requiredSkills;
    return skills;
  };
  /** Independent eligibility; `minusChannel` removes one unit of load (the offer being judged). */
  const eligible = (a: AgentView, c: ContactView, now: number, minus: ContactView | null = null) => {
    const q = queues.get(c.queueId)!;
    if (!a.queues.includes(q.id)) return false;
    if (q.requireNetworkOk && !a.network.ok) return false;
    const load = a.load[c.channel] - (minus !== null && minus.channel === c.channel ? 1 : 0);
    if (load >= a.capacity[c.channel]) return false;
    return required(c, now).every((r) => (a.skills[r.skill] ?? 0) >= r.minLevel);
  };
  const open = (a: AgentView, now: number) =>
    a.status.kind === 'Ready' &&
    a.connected &&
    a.pendingOfferId === null &&
    a.wrapUps.length === 0 &&
    a.cooldownUntil <= now &&
    (a.load.audio < a.capacity.audio || a.load.video < a.capacity.video);

  // Priority then age, judged right after the transaction that made the offer (listeners run
  // after its commit): no better-ranked routable contact the agent could take was waiting.
  let orderViolation: string | null = null;
  acd.on('offerCreated', (o) => {
    const now = clock.now();
    const a = acd.getAgent(o.agentId);
    const c = acd.getContact(o.contactId);
    for (const d of acd.listContacts()) {
      if (routable(d) && rank(d, c) < 0 && eligible(a, d, now, c)) {
        orderViolation ??= `${c.id} offered to ${a.id} before better-ranked ${d.id}`;
      }
    }
  });

  const check = (step: number, action: string) => {
    const where = `seed ${seed} step ${step} (${action})`;
    assert.equal(orderViolation, null, `${where}: order`);
    const now = clock.now();
    const agents = acd.listAgents();
    const contacts = acd.listContacts();
    const offers = acd.listPendingOffers();
    const byContact = new Map<string, number>();
    const byAgent = new Map<string, number>();
    for (const o of offers) {
      byContact.set(o.contactId, (byContact.get(o.contactId) ?? 0) + 1);
      byAgent.set(o.agentId, (byAgent.get(o.agentId) ?? 0) + 1);
    }
    for (const c of contacts) {
      const n = byContact.get(c.id) ?? 0;
      if (queues.get(c.queueId)!.strategy !== 'ring-all')
        assert.ok(n <= 1, `${where}: ${c.id} offered to ${n} agents`);
      if (c.state === 'offered') assert.ok(n >= 1, `${where}: ${c.id} offered without an offer`);
      else assert.equal(n, 0, `${where}: ${c.id} in ${c.state} still has offers`);
      if (c.state === 'connecting' || c.state === 'oncall') {
        const holders = agents.filter((a) => a.contacts.includes(c.id));
        assert.equal(holders.length, 1, `${where}: ${c.id} held by ${holders.length} agents`);
      }
    }
    for (const a of agents) {
      assert.ok((byAgent.get(a.id) ?? 0) <= 1, `${where}: ${a.id} has several pending offers`);
      for (const ch of ['audio', 'video'] as const) {
        assert.ok(a.load[ch] <= a.capacity[ch], `${where}: ${a.id} over ${ch} capacity`);
      }
    }
    // No contact lost: each is active or has an ended record with a known outcome.
    const active = new Set(contacts.map((c) => c.id));
    for (const id of created) {
      if (active.has(id)) continue;
      const record = acd.getRecord(id);
      assert.ok(record, `${where}: ${id} vanished`);
      assert.ok(
        ['answered', 'abandoned', 'callback', 'overflowed'].includes(record.outcome ?? ''),
        `${where}: ${id} ended as ${record.outcome}`,
      );
    }
    // Work-conserving, no head-of-line blocking: no open agent can take a routable contact.
    const waiting = contacts.filter(routable);
    for (const a of agents) {
      if (!open(a, now)) continue;
      for (const c of waiting) {
        assert.ok(!eligible(a, c, now), `${where}: open agent ${a.id} could take waiting ${c.id}`);
      }
    }
  };

  const tryIt = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      if (!(error instanceof SwitchboardError)) throw error;
    }
  };

  for (let step = 0; step < steps; step++) {
    const r = rnd();
    const contacts = acd.listContacts();
    const offers = acd.listPendingOffers();
    let action = '';
    if (r < 0.2) {
      action = 'enqueue';
      const user = `u${users++}`;
      tryIt(() => {
        const t = acd.enqueue(userActor(user), {
          queueId: pick(QUEUES)!.id,
          sessionId: `s-${user}`,
          channel: rnd() < 0.8 ? 'audio' : 'video',
          priority: rnd() < 0.2 ? 1 + Math.floor(rnd() * 3) : 0,
        });
        created.add(t.contact.id);
      });
    } else if (r < 0.36) {
      action = 'accept';
      const o = pick(offers);
      if (o) {
        const wrong = rnd() < 0.1;
        tryIt(() => acd.accept(agentActor(wrong ? pick(agentIds)! : o.agentId), o.id));
      }
    } else if (r < 0.42) {
      action = 'reject';
      const o = pick(offers);
      if (o) tryIt(() => acd.reject(agentActor(o.agentId), o.id));
    } else if (r < 0.54) {
      action = 'advance';
      clock.advance(Math.floor(rnd() * 6000));
    } else if (r < 0.64) {
      action = 'media';
      const c = pick(contacts.filter((x) => x.state === 'connecting'));
      if (c) tryIt(() => (rnd() < 0.85 ? acd.mediaConnected(c.id) : acd.mediaFailed(c.id)));
    } else if (r < 0.72) {
      action = 'user-hangup';
      const c = pick(contacts);
      if (c) tryIt(() => acd.hangUp(userActor(c.userId), c.id));
    } else if (r < 0.8) {
      action = 'agent-hangup';
      const c = pick(contacts.filter((x) => x.state === 'oncall'));
      if (c) tryIt(() => acd.hangUp(agentActor(c.agentId!), c.id));
    } else if (r < 0.86) {
      action = 'status';
      const id = pick(agentIds)!;
      const s = rnd();
      tryIt(() => {
        if (s < 0.5) acd.setStatus(agentActor(id), id, { kind: 'Ready' });
        else if (s < 0.75) acd.setStatus(agentActor(id), id, { kind: 'NotReady', reason: 'break' });
        else if (s < 0.88) acd.logout(agentActor(id), id);
        else if (s < 0.94) acd.login(agentActor(id), id, { kind: 'Ready' });
        else acd.setNextStatus(agentActor(id), id, { kind: 'Ready' });
      });
    } else if (r < 0.9) {
      action = 'agent-presence';
      const id = pick(agentIds)!;
      tryIt(() => (rnd() < 0.5 ? acd.agentDisconnected(id) : acd.agentReconnected(id)));
    } else if (r < 0.95) {
      action = 'user-presence';
      const c = pick(contacts);
      if (c) {
        const s = rnd();
        tryIt(() => {
          if (s < 0.45) acd.userDisconnected(c.id);
          else if (s < 0.8) acd.resume(userActor(c.userId), c.id, `s2-${c.userId}`);
          else acd.requestCallback(userActor(c.userId), c.id);
        });
      }
    } else if (r < 0.98) {
      action = 'network';
      const id = pick(agentIds)!;
      tryIt(() => acd.setAgentNetworkVerdict(id, rnd() < 0.5 ? { ok: false, reason: 'rtt' } : { ok: true }));
    } else {
      action = 'wrapup';
      const a = pick(acd.listAgents().filter((x) => x.wrapUps.length > 0));
      if (a) tryIt(() => acd.endWrapUp(agentActor(a.id), a.id));
    }
    check(step, action);
  }

  // Wind down: every user hangs up; every contact must end with a known outcome.
  for (const c of acd.listContacts()) tryIt(() => acd.hangUp(userActor(c.userId), c.id));
  clock.advance(120_000);
  check(steps, 'wind-down');
  assert.equal(acd.listContacts().length, 0);
  assert.ok(created.size > steps / 10, 'the run created contacts');
  assert.equal(h.of('error').length, 0, 'no internal error');
}

for (const seed of [1, 2, 42]) {
  test(`randomised routing keeps its invariants (seed ${seed}, 2000 steps)`, () => runSeed(seed, 2000));
}
