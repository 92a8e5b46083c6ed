import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MemoryAcdStore } from './MemoryAcdStore.js';
import {
  agentActor,
  code,
  enqueue,
  type Harness,
  lastOffer,
  setup,
  supervisor,
  userActor,
} from './testing.js';

/** Asserts the call is refused with `expected` and that nothing changed (no event, same views). */
function refused(h: Harness, expected: string, fn: () => unknown): void {
  const store = h.store as MemoryAcdStore;
  const before = {
    events: store.eventCount,
    agents: h.acd.listAgents(),
    contacts: h.acd.listContacts(),
    offers: h.acd.listPendingOffers(),
  };
  const notifications = h.events.length;
  assert.equal(code(fn), expected);
  assert.equal(store.eventCount, before.events, 'no event appended');
  assert.deepEqual(h.acd.listAgents(), before.agents);
  assert.deepEqual(h.acd.listContacts(), before.contacts);
  assert.deepEqual(h.acd.listPendingOffers(), before.offers);
  assert.equal(h.events.length, notifications, 'nothing notified');
}

/** Two agents; a1 has u1's contact on a call, u2's contact is offered to a2. */
function scene() {
  const h = setup({}, [{ id: 'a1' }, { id: 'a2' }]);
  h.acd.setStatus(agentActor('a2'), 'a2', { kind: 'NotReady', reason: 'x' });
  const onCall = enqueue(h, 'u1');
  h.acd.accept(agentActor('a1'), lastOffer(h, 'a1').offerId);
  h.acd.mediaConnected(onCall);
  h.acd.setStatus(agentActor('a2'), 'a2', { kind: 'Ready' });
  const offered = enqueue(h, 'u2');
  const offer = lastOffer(h, 'a2');
  assert.equal(offer.contactId, offered);
  return { h, onCall, offered, offerId: offer.offerId };
}

describe('ACD authorisation: refused actions change nothing', () => {
  test('an agent setting another agent’s status is refused with SB_ERR_NOT_YOUR_AGENT', () => {
    const { h } = scene();
    refused(h, 'SB_ERR_NOT_YOUR_AGENT', () =>
      h.acd.setStatus(agentActor('a1'), 'a2', { kind: 'NotReady', reason: 'x' }),
    );
  });

  test('an agent logging another agent out is refused with SB_ERR_NOT_YOUR_AGENT', () => {
    const { h } = scene();
    refused(h, 'SB_ERR_NOT_YOUR_AGENT', () => h.acd.logout(agentActor('a2'), 'a1'));
  });

  test('a user acting as an agent is refused with SB_ERR_NOT_YOUR_AGENT', () => {
    const { h } = scene();
    refused(h, 'SB_ERR_NOT_YOUR_AGENT', () => h.acd.setNextStatus(userActor('u1'), 'a1', { kind: 'Ready' }));
  });

  test('an agent accepting an offer made to another agent is refused with SB_ERR_OFFER_NOT_YOURS', () => {
    const { h, offerId } = scene();
    refused(h, 'SB_ERR_OFFER_NOT_YOURS', () => h.acd.accept(agentActor('a1'), offerId));
  });

  test('an agent rejecting an offer made to another agent is refused with SB_ERR_OFFER_NOT_YOURS', () => {
    const { h, offerId } = scene();
    refused(h, 'SB_ERR_OFFER_NOT_YOURS', () => h.acd.reject(agentActor('a1'), offerId));
  });

  test('a user answering an offer is refused with SB_ERR_OFFER_NOT_YOURS', () => {
    const { h, offerId } = scene();
    refused(h, 'SB_ERR_OFFER_NOT_YOURS', () => h.acd.accept(userActor('u2'), offerId));
  });

  test('accepting an unknown offer is refused with SB_ERR_OFFER_NOT_FOUND', () => {
    const { h } = scene();
    refused(h, 'SB_ERR_OFFER_NOT_FOUND', () => h.acd.accept(agentActor('a2'), 'o-nope'));
  });

  test('a user hanging up another user’s contact is refused with SB_ERR_NOT_YOUR_CONTACT', () => {
    const { h, offered } = scene();
    refused(h, 'SB_ERR_NOT_YOUR_CONTACT', () => h.acd.hangUp(userActor('u1'), offered));
  });

  test('a user resuming another user’s contact is refused with SB_ERR_NOT_YOUR_CONTACT', () => {
    const { h, offered } = scene();
    refused(h, 'SB_ERR_NOT_YOUR_CONTACT', () => h.acd.resume(userActor('u1'), offered, 'stolen'));
  });

  test('a user asking a callback for another user’s contact is refused with SB_ERR_NOT_YOUR_CONTACT', () => {
    const { h, offered } = scene();
    refused(h, 'SB_ERR_NOT_YOUR_CONTACT', () => h.acd.requestCallback(userActor('u1'), offered));
  });

  test('an agent ending a call another agent handles is refused with SB_ERR_NOT_YOUR_CONTACT', () => {
    const { h, onCall } = scene();
    refused(h, 'SB_ERR_NOT_YOUR_CONTACT', () => h.acd.hangUp(agentActor('a2'), onCall));
  });

  test('an agent putting another agent’s call on hold is refused with SB_ERR_NOT_YOUR_CONTACT', () => {
    const { h, onCall } = scene();
    refused(h, 'SB_ERR_NOT_YOUR_CONTACT', () => h.acd.hold(agentActor('a2'), onCall, true));
  });

  test('a user setting a disposition is refused with SB_ERR_NOT_YOUR_CONTACT', () => {
    const { h, onCall } = scene();
    refused(h, 'SB_ERR_NOT_YOUR_CONTACT', () => h.acd.setDisposition(userActor('u1'), onCall, 'x'));
  });

  test('an unknown contact is SB_ERR_CONTACT_NOT_FOUND, an unknown agent SB_ERR_AGENT_NOT_FOUND', () => {
    const { h } = scene();
    refused(h, 'SB_ERR_CONTACT_NOT_FOUND', () => h.acd.hangUp(userActor('u1'), 'c-nope'));
    refused(h, 'SB_ERR_AGENT_NOT_FOUND', () => h.acd.setStatus(supervisor, 'ghost', { kind: 'Ready' }));
  });

  test('a supervisor may act for an agent', () => {
    const { h } = scene();
    h.acd.setStatus(supervisor, 'a1', { kind: 'NotReady', reason: 'coaching' });
    assert.deepEqual(h.acd.getAgent('a1').status, { kind: 'NotReady', reason: 'coaching' });
  });
});
