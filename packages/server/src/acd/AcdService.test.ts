import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { agentActor, code, enqueue, lastOffer, setup, userActor } from './testing.js';

describe('AcdService: a call from queue to record', () => {
  test('enqueue, offer, accept, media, hang-up and wrap-up produce one final record', () => {
    const h = setup({ wrapUpSeconds: 10 });
    const cid = enqueue(h, 'u1');
    const offer = lastOffer(h, 'a1');
    assert.equal(offer.contactId, cid);
    assert.equal(h.acd.getAgent('a1').state.kind, 'Offered');
    h.clock.advance(2000);
    h.acd.accept(agentActor('a1'), offer.offerId);
    assert.equal(h.acd.getAgent('a1').state.kind, 'Connecting');
    assert.equal(h.of('contactConnecting').length, 1);
    h.clock.advance(500);
    h.acd.mediaConnected(cid);
    assert.equal(h.acd.getAgent('a1').state.kind, 'OnCall');
    h.clock.advance(60_000);
    h.acd.hangUp(agentActor('a1'), cid);
    assert.equal(h.acd.getAgent('a1').state.kind, 'WrapUp');
    h.acd.setDisposition(agentActor('a1'), cid, 'sale');
    h.clock.advance(10_000);
    assert.equal(h.acd.getAgent('a1').state.kind, 'Idle');
    const record = h.acd.getRecord(cid)!;
    assert.equal(record.outcome, 'answered');
    assert.equal(record.agentId, 'a1');
    assert.equal(record.waitMs, 2500);
    assert.equal(record.talkMs, 60_000);
    assert.equal(record.wrapUpMs, 10_000);
    assert.equal(record.disposition, 'sale');
    assert.equal(record.final, true);
    const kpis = h.acd.queueKpis('q1');
    assert.equal(kpis.answered, 1);
    assert.equal(kpis.ahtMs, 70_000);
    assert.equal(kpis.asaMs, 2500);
  });

  test('a throwing listener does not break routing', () => {
    const h = setup();
    h.acd.on('offerCreated', () => {
      throw new Error('bad listener');
    });
    enqueue(h, 'u1');
    assert.equal(h.acd.getAgent('a1').state.kind, 'Offered');
    assert.ok(h.of('error').length >= 1);
  });
});

describe('AcdService: failure cases', () => {
  test('user hangs up during the offer: offer rescinded, contact abandoned, agent not penalised', () => {
    const h = setup({}, [{ id: 'a1' }], { missCooldownMs: 5000 });
    const cid = enqueue(h, 'u1');
    const offer = lastOffer(h);
    h.acd.hangUp(userActor('u1'), cid);
    assert.deepEqual(
      h.of('offerRescinded').map((o) => o.reason),
      ['user-hangup'],
    );
    const agent = h.acd.getAgent('a1');
    assert.equal(agent.consecutiveMisses, 0);
    assert.equal(agent.cooldownUntil, 0);
    assert.equal(agent.state.kind, 'Idle');
    assert.equal(h.acd.getRecord(cid)!.outcome, 'abandoned');
    assert.equal(
      code(() => h.acd.accept(agentActor('a1'), offer.offerId)),
      'SB_ERR_OFFER_RESCINDED',
    );
  });

  test('user hangs up while the call is being set up: agent freed without wrap-up', () => {
    const h = setup({ wrapUpSeconds: 30 });
    const cid = enqueue(h, 'u1');
    h.acd.accept(agentActor('a1'), lastOffer(h).offerId);
    h.acd.hangUp(userActor('u1'), cid);
    assert.equal(h.acd.getAgent('a1').state.kind, 'Idle');
    assert.equal(h.of('callEnded').length, 1);
    assert.equal(h.acd.getRecord(cid)!.outcome, 'abandoned');
    assert.equal(
      code(() => h.acd.mediaConnected(cid)),
      'SB_ERR_CONTACT_ENDED',
    );
  });

  test('user hangs up during the call: answered, agent goes to wrap-up', () => {
    const h = setup({ wrapUpSeconds: 30 });
    const cid = enqueue(h, 'u1');
    h.acd.accept(agentActor('a1'), lastOffer(h).offerId);
    h.acd.mediaConnected(cid);
    h.acd.hangUp(userActor('u1'), cid);
    assert.equal(h.acd.getAgent('a1').state.kind, 'WrapUp');
    assert.equal(h.acd.getRecord(cid)!.outcome, 'answered');
  });

  test('accept after the deadline is refused with SB_ERR_OFFER_EXPIRED and the contact keeps its place', () => {
    const h = setup({ offerTimeoutSeconds: 10 }, [{ id: 'a1' }, { id: 'a2' }], { missCooldownMs: 60_000 });
    h.acd.setStatus(agentActor('a2'), 'a2', { kind: 'NotReady', reason: 'break' });
    const first = enqueue(h, 'u1');
    h.clock.advance(1);
    enqueue(h, 'u2');
    const offer = lastOffer(h, 'a1');
    assert.equal(offer.contactId, first);
    // Time passes the deadline before the timer runs: the accept itself must see it.
    h.clock.jump(10_000);
    assert.equal(
      code(() => h.acd.accept(agentActor('a1'), offer.offerId)),
      'SB_ERR_OFFER_EXPIRED',
    );
    assert.equal(h.acd.getOffer(offer.offerId).state, 'expired');
    assert.equal(h.acd.getAgent('a1').consecutiveMisses, 1);
    h.acd.setStatus(agentActor('a2'), 'a2', { kind: 'Ready' });
    assert.equal(lastOffer(h, 'a2').contactId, first, 'the expired contact is still first');
  });

  test('duplicate accept is idempotent; accept of a contact won by another agent is refused', () => {
    const h = setup({ strategy: 'ring-all' }, [{ id: 'a1' }, { id: 'a2' }]);
    const cid = enqueue(h, 'u1');
    const o1 = lastOffer(h, 'a1');
    const o2 = lastOffer(h, 'a2');
    const r1 = h.acd.accept(agentActor('a1'), o1.offerId);
    const r2 = h.acd.accept(agentActor('a1'), o1.offerId);
    assert.deepEqual(r1.contact.id, r2.contact.id);
    assert.equal(h.of('contactConnecting').length, 1);
    assert.equal(
      code(() => h.acd.accept(agentActor('a2'), o2.offerId)),
      'SB_ERR_OFFER_RESCINDED',
    );
    assert.equal(h.acd.getContact(cid).agentId, 'a1');
    assert.equal(h.acd.getAgent('a2').state.kind, 'Idle');
  });

  test('status change while offered withdraws the offer without penalty and re-routes the contact', () => {
    const h = setup({}, [{ id: 'a1' }, { id: 'a2' }]);
    const cid = enqueue(h, 'u1');
    const offer = lastOffer(h);
    const offeredTo = offer.agentId;
    const other = offeredTo === 'a1' ? 'a2' : 'a1';
    h.acd.setStatus(agentActor(offeredTo), offeredTo, { kind: 'NotReady', reason: 'lunch' });
    assert.equal(h.of('offerRescinded')[0]!.reason, 'agent-status');
    assert.equal(h.acd.getAgent(offeredTo).consecutiveMisses, 0);
    assert.equal(lastOffer(h, other).contactId, cid);
  });

  test('a reject storm sets the agent NotReady("missed") after the limit', () => {
    const h = setup({}, [{ id: 'a1' }], { missedOfferLimit: 3, missCooldownMs: 1000 });
    enqueue(h, 'u1');
    for (let i = 0; i < 3; i++) {
      const offer = lastOffer(h);
      h.acd.reject(agentActor('a1'), offer.offerId);
      if (i < 2) {
        assert.equal(h.of('offerCreated').length, i + 1, 'cool-down: no immediate re-offer');
        h.clock.advance(1000);
        assert.equal(h.of('offerCreated').length, i + 2, 're-offered after the cool-down');
      }
    }
    const agent = h.acd.getAgent('a1');
    assert.deepEqual(agent.status, { kind: 'NotReady', reason: 'missed' });
    h.clock.advance(5000);
    assert.equal(h.of('offerCreated').length, 3);
    h.acd.setStatus(agentActor('a1'), 'a1', { kind: 'Ready' });
    assert.equal(h.of('offerCreated').length, 4);
    assert.equal(h.acd.getAgent('a1').consecutiveMisses, 0);
  });

  test('offer timeouts count as misses too', () => {
    const h = setup({ offerTimeoutSeconds: 5 }, [{ id: 'a1' }], { missedOfferLimit: 2 });
    enqueue(h, 'u1');
    h.clock.advance(5000);
    h.clock.advance(5000);
    assert.deepEqual(h.acd.getAgent('a1').status, { kind: 'NotReady', reason: 'missed' });
    assert.equal(h.of('offerExpired').length, 2);
  });

  test('agent socket drop while idle: no offers; Offline after the grace', () => {
    const h = setup({}, [{ id: 'a1' }], { agentGraceMs: 10_000 });
    h.acd.agentDisconnected('a1');
    assert.equal(h.acd.getAgent('a1').state.kind, 'Disconnected');
    enqueue(h, 'u1');
    assert.equal(h.of('offerCreated').length, 0);
    h.clock.advance(10_000);
    assert.equal(h.acd.getAgent('a1').status.kind, 'Offline');
  });

  test('agent reconnecting within the grace gets offers again', () => {
    const h = setup({}, [{ id: 'a1' }], { agentGraceMs: 10_000 });
    h.acd.agentDisconnected('a1');
    const cid = enqueue(h, 'u1');
    h.clock.advance(5000);
    h.acd.agentReconnected('a1');
    assert.equal(lastOffer(h).contactId, cid);
  });

  test('agent socket drop while offered: offer withdrawn, contact goes to another agent', () => {
    const h = setup({}, [{ id: 'a1' }, { id: 'a2' }]);
    const cid = enqueue(h, 'u1');
    const first = lastOffer(h).agentId;
    h.acd.agentDisconnected(first);
    assert.equal(h.of('offerRescinded')[0]!.reason, 'agent-disconnected');
    const second = lastOffer(h);
    assert.notEqual(second.agentId, first);
    assert.equal(second.contactId, cid);
  });

  test('agent socket drop on a call: the call survives a reconnect within the grace', () => {
    const h = setup({}, [{ id: 'a1' }], { agentGraceMs: 10_000 });
    const cid = enqueue(h, 'u1');
    h.acd.accept(agentActor('a1'), lastOffer(h).offerId);
    h.acd.mediaConnected(cid);
    h.acd.agentDisconnected('a1');
    h.clock.advance(9000);
    h.acd.agentReconnected('a1');
    h.clock.advance(10_000);
    assert.equal(h.acd.getAgent('a1').state.kind, 'OnCall');
    assert.equal(h.acd.getContact(cid).state, 'oncall');
  });

  test('agent socket drop on a call: after the grace the call ends and the agent is Offline', () => {
    const h = setup({}, [{ id: 'a1' }], { agentGraceMs: 10_000 });
    const cid = enqueue(h, 'u1');
    h.acd.accept(agentActor('a1'), lastOffer(h).offerId);
    h.acd.mediaConnected(cid);
    h.acd.agentDisconnected('a1');
    h.clock.advance(10_000);
    assert.equal(h.acd.getAgent('a1').status.kind, 'Offline');
    const record = h.acd.getRecord(cid)!;
    assert.equal(record.outcome, 'answered');
    assert.equal(record.endReason, 'agent-lost');
  });

  test('heartbeat timeout disconnects the agent', () => {
    const h = setup({}, [{ id: 'a1' }], { heartbeatTimeoutMs: 5000, sweepIntervalMs: 1000 });
    h.clock.advance(3000);
    h.acd.heartbeat('a1');
    h.clock.advance(4000);
    assert.equal(h.acd.getAgent('a1').connected, true);
    h.clock.advance(3000);
    assert.equal(h.acd.getAgent('a1').connected, false);
    h.acd.heartbeat('a1');
    assert.equal(h.acd.getAgent('a1').connected, true);
  });

  test('all agents log out while contacts wait: contacts keep their order for the next agent', () => {
    const h = setup({}, [{ id: 'a1' }, { id: 'a2' }]);
    h.acd.setStatus(agentActor('a1'), 'a1', { kind: 'NotReady', reason: 'x' });
    h.acd.setStatus(agentActor('a2'), 'a2', { kind: 'NotReady', reason: 'x' });
    const c1 = enqueue(h, 'u1');
    h.clock.advance(10);
    const c2 = enqueue(h, 'u2');
    h.acd.logout(agentActor('a1'), 'a1');
    h.acd.logout(agentActor('a2'), 'a2');
    h.clock.advance(60_000);
    assert.deepEqual(
      h.acd.listContacts('q1').map((c) => c.id),
      [c1, c2],
    );
    assert.equal(h.acd.queueKpis('q1').longestWaitingMs, 60_010);
    h.acd.login(agentActor('a2'), 'a2', { kind: 'Ready' });
    assert.equal(lastOffer(h).contactId, c1);
  });

  test('media failure after accept: contact back at its original age, agent NotReady("media")', () => {
    const h = setup({}, [{ id: 'a1' }, { id: 'a2' }]);
    h.acd.setStatus(agentActor('a2'), 'a2', { kind: 'NotReady', reason: 'x' });
    const c1 = enqueue(h, 'u1');
    h.clock.advance(10);
    const c2 = enqueue(h, 'u2');
    h.acd.accept(agentActor('a1'), lastOffer(h, 'a1').offerId);
    h.acd.mediaFailed(c1, 'ice-failed');
    assert.deepEqual(h.acd.getAgent('a1').status, { kind: 'NotReady', reason: 'media' });
    assert.equal(h.acd.position(c1), 1);
    assert.equal(h.acd.position(c2), 2);
    h.acd.setStatus(agentActor('a2'), 'a2', { kind: 'Ready' });
    assert.equal(lastOffer(h, 'a2').contactId, c1);
  });

  test('logout is refused while on a call', () => {
    const h = setup();
    const cid = enqueue(h, 'u1');
    h.acd.accept(agentActor('a1'), lastOffer(h).offerId);
    h.acd.mediaConnected(cid);
    assert.equal(
      code(() => h.acd.logout(agentActor('a1'), 'a1')),
      'SB_ERR_AGENT_BUSY',
    );
    assert.equal(h.acd.getAgent('a1').status.kind, 'Ready');
  });
});

describe('AcdService: routing', () => {
  test('priority first, then age', () => {
    const h = setup({}, [{ id: 'a1' }]);
    h.acd.setStatus(agentActor('a1'), 'a1', { kind: 'NotReady', reason: 'x' });
    const old = enqueue(h, 'u1');
    h.clock.advance(10);
    const vip = enqueue(h, 'u2', { priority: 5 });
    h.clock.advance(10);
    enqueue(h, 'u3');
    h.acd.setStatus(agentActor('a1'), 'a1', { kind: 'Ready' });
    assert.equal(lastOffer(h).contactId, vip);
    h.acd.reject(agentActor('a1'), lastOffer(h).offerId);
    assert.equal(lastOffer(h).contactId, vip, 'returned at its place');
    void old;
  });

  test('no head-of-line blocking: a contact no agent can take does not hold up the next', () => {
    const h = setup({}, [{ id: 'a1', skills: { en: 3 }, queues: ['q1', 'fr'] }]);
    h.acd.configureQueue({ id: 'fr', requiredSkills: [{ skill: 'fr', minLevel: 2 }] });
    h.acd.setStatus(agentActor('a1'), 'a1', { kind: 'NotReady', reason: 'x' });
    enqueue(h, 'u1', { queueId: 'fr' });
    h.clock.advance(10);
    const en = enqueue(h, 'u2');
    h.acd.setStatus(agentActor('a1'), 'a1', { kind: 'Ready' });
    assert.equal(lastOffer(h).contactId, en);
  });

  test('escalation relaxes the skill requirement after N seconds and the contact keeps its place', () => {
    const h = setup(
      {
        requiredSkills: [{ skill: 'billing', minLevel: 4 }],
        escalation: [{ afterSeconds: 30, requiredSkills: [{ skill: 'billing', minLevel: 1 }] }],
      },
      [{ id: 'junior', skills: { billing: 2 } }],
    );
    const cid = enqueue(h, 'u1');
    h.clock.advance(29_000);
    assert.equal(h.of('offerCreated').length, 0);
    h.clock.advance(1000);
    assert.equal(lastOffer(h).contactId, cid);
  });

  test('longest-idle picks the agent free the longest; ties break by agent id', () => {
    const h = setup({}, [{ id: 'b' }, { id: 'a' }, { id: 'c' }]);
    h.clock.advance(100);
    h.acd.setStatus(agentActor('a'), 'a', { kind: 'NotReady', reason: 'x' });
    h.acd.setStatus(agentActor('a'), 'a', { kind: 'Ready' });
    enqueue(h, 'u1');
    assert.equal(lastOffer(h).agentId, 'b', 'b and c tie on idle time; b sorts first');
  });

  test('round-robin rotates through the agents', () => {
    const h = setup({ strategy: 'round-robin' }, [{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
    const got: string[] = [];
    for (let i = 0; i < 6; i++) {
      const cid = enqueue(h, `u${i}`);
      const offer = lastOffer(h);
      got.push(offer.agentId);
      h.acd.accept(agentActor(offer.agentId), offer.offerId);
      h.acd.mediaConnected(cid);
      h.acd.hangUp(agentActor(offer.agentId), cid);
    }
    assert.deepEqual(got, ['a', 'b', 'c', 'a', 'b', 'c']);
  });

  test('fewest-calls prefers the agent with fewer answered calls', () => {
    const h = setup({ strategy: 'fewest-calls' }, [{ id: 'a' }, { id: 'b' }]);
    const cid = enqueue(h, 'u1');
    const first = lastOffer(h);
    h.acd.accept(agentActor(first.agentId), first.offerId);
    h.acd.mediaConnected(cid);
    h.clock.advance(1000);
    h.acd.hangUp(agentActor(first.agentId), cid);
    h.clock.advance(1000);
    enqueue(h, 'u2');
    assert.notEqual(lastOffer(h).agentId, first.agentId);
  });

  test('skills strategy prefers the most skilled eligible agent', () => {
    const h = setup({ strategy: 'skills', requiredSkills: [{ skill: 'x', minLevel: 2 }] }, [
      { id: 'a', skills: { x: 2 } },
      { id: 'b', skills: { x: 5 } },
      { id: 'c', skills: { x: 1 } },
    ]);
    enqueue(h, 'u1');
    assert.equal(lastOffer(h).agentId, 'b');
  });

  test('overflow after max wait keeps the original enqueue time', () => {
    const h = setup({ maxWaitSeconds: 60, overflowTarget: 'q2' }, []);
    h.acd.configureQueue({ id: 'q2' });
    const cid = enqueue(h, 'u1');
    const enqueuedAt = h.acd.getContact(cid).enqueuedAt;
    h.clock.advance(60_000);
    const moved = h.of('contactOverflowed')[0]!;
    assert.equal(moved.toQueueId, 'q2');
    assert.equal(h.acd.getContact(moved.newContactId).enqueuedAt, enqueuedAt);
    assert.equal(h.acd.getRecord(cid)!.outcome, 'overflowed');
    assert.equal(h.acd.queueKpis('q1').overflowed, 1);
  });

  test('a full queue refuses with SB_ERR_QUEUE_FULL; a closed one with SB_ERR_QUEUE_CLOSED', () => {
    const h = setup({ maxLength: 1 }, []);
    enqueue(h, 'u1');
    assert.equal(
      code(() => enqueue(h, 'u2')),
      'SB_ERR_QUEUE_FULL',
    );
    h.acd.configureQueue({ id: 'q1', open: false });
    assert.equal(
      code(() => enqueue(h, 'u3')),
      'SB_ERR_QUEUE_CLOSED',
    );
    assert.equal(
      code(() => enqueue(h, 'u3', { queueId: 'nope' })),
      'SB_ERR_QUEUE_NOT_FOUND',
    );
  });

  test('agents failing the network requirements get no offers from a gated queue until they pass', () => {
    const h = setup({ requireNetworkOk: true }, [{ id: 'a1' }]);
    h.acd.setAgentNetworkVerdict('a1', { ok: false, reason: 'loss 3%' });
    const cid = enqueue(h, 'u1');
    assert.equal(h.of('offerCreated').length, 0);
    assert.equal(h.acd.getAgent('a1').network.reason, 'loss 3%');
    h.acd.setAgentNetworkVerdict('a1', { ok: true });
    assert.equal(lastOffer(h).contactId, cid);
  });

  test('the pre-selected status is taken when wrap-up ends', () => {
    const h = setup({ wrapUpSeconds: 5 });
    const cid = enqueue(h, 'u1');
    h.acd.accept(agentActor('a1'), lastOffer(h).offerId);
    h.acd.mediaConnected(cid);
    h.acd.setNextStatus(agentActor('a1'), 'a1', { kind: 'NotReady', reason: 'lunch' });
    h.acd.hangUp(agentActor('a1'), cid);
    assert.equal(h.acd.getAgent('a1').status.kind, 'Ready');
    h.clock.advance(5000);
    assert.deepEqual(h.acd.getAgent('a1').status, { kind: 'NotReady', reason: 'lunch' });
  });

  test('login can start NotReady atomically: no offer in between', () => {
    const h = setup({}, []);
    h.acd.configureAgent({ id: 'a1', queues: ['q1'] });
    enqueue(h, 'u1');
    h.acd.login(agentActor('a1'), 'a1', { kind: 'NotReady', reason: 'setup' });
    assert.equal(h.of('offerCreated').length, 0);
  });
});

describe('AcdService: callbacks and resume', () => {
  test('a callback keeps the place; when its turn comes the agent is offered it and the user is rung back', () => {
    const h = setup({}, [{ id: 'a1' }]);
    h.acd.setStatus(agentActor('a1'), 'a1', { kind: 'NotReady', reason: 'x' });
    const cid = enqueue(h, 'u1');
    h.acd.requestCallback(userActor('u1'), cid, { number: '+3412345678' });
    h.acd.userDisconnected(cid);
    h.clock.advance(600_000);
    assert.equal(h.acd.getContact(cid).state, 'waiting');
    h.acd.setStatus(agentActor('a1'), 'a1', { kind: 'Ready' });
    const offer = lastOffer(h);
    assert.equal(offer.callback, true);
    h.acd.accept(agentActor('a1'), offer.offerId);
    const due = h.of('callbackDue')[0]!;
    assert.equal(due.number, '+3412345678');
    assert.equal(due.userId, 'u1');
    h.acd.mediaConnected(cid);
    h.acd.hangUp(agentActor('a1'), cid);
    assert.equal(h.acd.getRecord(cid)!.outcome, 'callback');
  });

  test('a dropped user resumes within the grace and keeps their place; after it the contact is abandoned', () => {
    const h = setup({}, [{ id: 'a1' }], { userResumeGraceMs: 30_000 });
    h.acd.setStatus(agentActor('a1'), 'a1', { kind: 'NotReady', reason: 'x' });
    const c1 = enqueue(h, 'u1');
    const c2 = enqueue(h, 'u2');
    h.acd.userDisconnected(c1);
    h.acd.userDisconnected(c2);
    h.clock.advance(20_000);
    const ticket = h.acd.resume(userActor('u1'), c1, 's-new');
    assert.equal(ticket.position, 1);
    assert.equal(ticket.contact.sessionId, 's-new');
    h.clock.advance(10_000);
    assert.equal(h.acd.getRecord(c2)!.outcome, 'abandoned');
    assert.equal(
      code(() => h.acd.resume(userActor('u2'), c2, 's')),
      'SB_ERR_CONTACT_ENDED',
    );
  });

  test('a disconnected user is skipped, not blocking those behind', () => {
    const h = setup({}, [{ id: 'a1' }]);
    h.acd.setStatus(agentActor('a1'), 'a1', { kind: 'NotReady', reason: 'x' });
    const c1 = enqueue(h, 'u1');
    const c2 = enqueue(h, 'u2');
    h.acd.userDisconnected(c1);
    h.acd.setStatus(agentActor('a1'), 'a1', { kind: 'Ready' });
    assert.equal(lastOffer(h).contactId, c2);
  });

  test('waiting users receive position and estimated-wait events', () => {
    const h = setup({}, [{ id: 'a1' }], { sweepIntervalMs: 1000 });
    h.acd.setStatus(agentActor('a1'), 'a1', { kind: 'NotReady', reason: 'x' });
    const c1 = enqueue(h, 'u1');
    const c2 = enqueue(h, 'u2');
    assert.equal(h.of('contactPosition').find((p) => p.contactId === c2)!.position, 2);
    h.acd.hangUp(userActor('u1'), c1);
    h.clock.advance(1000);
    const last = h
      .of('contactPosition')
      .filter((p) => p.contactId === c2)
      .at(-1)!;
    assert.equal(last.position, 1);
    assert.equal(last.estimatedWaitMs, null, 'no staffed agent: no estimate');
  });
});

describe('AcdService: KPIs', () => {
  test('service level, Asterisk SL/SL2, abandonment rate and ASA follow their formulas', () => {
    const h = setup({ serviceLevelSeconds: 20 }, [{ id: 'a1' }]);
    h.acd.setStatus(agentActor('a1'), 'a1', { kind: 'NotReady', reason: 'x' });
    const answer = (cid: string) => {
      h.acd.setStatus(agentActor('a1'), 'a1', { kind: 'Ready' });
      h.acd.accept(agentActor('a1'), lastOffer(h).offerId);
      h.acd.mediaConnected(cid);
      h.acd.hangUp(agentActor('a1'), cid);
      h.acd.setStatus(agentActor('a1'), 'a1', { kind: 'NotReady', reason: 'x' });
    };
    // answered in 10 s, answered in 30 s, abandoned at 5 s, abandoned at 40 s
    const a = enqueue(h, 'u1');
    h.clock.advance(10_000);
    answer(a);
    const b = enqueue(h, 'u2');
    h.clock.advance(30_000);
    answer(b);
    const c = enqueue(h, 'u3');
    h.clock.advance(5000);
    h.acd.hangUp(userActor('u3'), c);
    const d = enqueue(h, 'u4');
    h.clock.advance(40_000);
    h.acd.hangUp(userActor('u4'), d);
    const k = h.acd.queueKpis('q1');
    assert.equal(k.offered, 4);
    assert.equal(k.answered, 2);
    assert.equal(k.abandoned, 2);
    assert.equal(k.serviceLevel, 1 / 3);
    assert.equal(k.serviceLevelAsteriskSL, 1 / 2);
    assert.equal(k.serviceLevelAsteriskSL2, 2 / 4);
    assert.equal(k.abandonmentRate, 0.5);
    assert.equal(k.asaMs, 20_000);
    const windowed = h.acd.queueKpis('q1', { windowMs: 50_000 });
    assert.equal(windowed.offered, 3, 'only contacts that left in the last 50 s (at 40, 45 and 85 s)');
  });
});
