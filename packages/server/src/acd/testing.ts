/** Helpers for the ACD's unit tests (not part of the public API). */

import assert from 'node:assert/strict';
import { SwitchboardError } from '@switchboard/protocol';
import { AcdService } from './AcdService.js';
import type { AcdStore } from './AcdStore.js';
import type { AcdEventMap, AcdOptions, Actor } from './AcdTypes.js';
import { FakeClock } from './Clock.js';
import { MemoryAcdStore } from './MemoryAcdStore.js';
import type { QueueConfigInput } from './schemas.js';

export const agentActor = (agentId: string): Actor => ({ kind: 'agent', agentId });
export const userActor = (userId: string): Actor => ({ kind: 'user', userId });
export const supervisor: Actor = { kind: 'supervisor', id: 'sup' };

export interface Harness {
  acd: AcdService;
  clock: FakeClock;
  store: AcdStore;
  /** Every notification, in order. */
  events: { name: keyof AcdEventMap; payload: unknown }[];
  of<K extends keyof AcdEventMap>(name: K): AcdEventMap[K][0][];
}

export function harness(
  options: AcdOptions = {},
  init: { store?: AcdStore; clock?: FakeClock } = {},
): Harness {
  const clock = init.clock ?? new FakeClock();
  const store = init.store ?? new MemoryAcdStore();
  const acd = AcdService.open({
    store,
    clock,
    options: { heartbeatTimeoutMs: 0, ...options },
    idPrefix: 't',
  });
  const events: Harness['events'] = [];
  const names: (keyof AcdEventMap)[] = [
    'offerCreated',
    'offerRescinded',
    'offerExpired',
    'contactConnecting',
    'callbackDue',
    'callConnected',
    'callEnded',
    'contactQueued',
    'contactPosition',
    'contactOverflowed',
    'contactEnded',
    'recordFinal',
    'agentStateChanged',
    'recovered',
    'error',
  ];
  for (const name of names) acd.on(name, (payload: unknown) => events.push({ name, payload }));
  return {
    acd,
    clock,
    store,
    events,
    of: <K extends keyof AcdEventMap>(name: K) =>
      events.filter((e) => e.name === name).map((e) => e.payload as AcdEventMap[K][0]),
  };
}

export function setup(
  queue: Partial<QueueConfigInput> = {},
  agents: { id: string; skills?: Record<string, number>; queues?: string[] }[] = [{ id: 'a1' }],
  options: Parameters<typeof harness>[0] = {},
): Harness {
  const h = harness({ missCooldownMs: 0, ...options });
  h.acd.configureQueue({ id: 'q1', wrapUpSeconds: 0, ...queue });
  for (const a of agents) {
    h.acd.configureAgent({ id: a.id, queues: a.queues ?? ['q1'], skills: a.skills ?? {} });
    h.acd.login(agentActor(a.id), a.id, { kind: 'Ready' });
  }
  return h;
}

export function enqueue(h: Harness, user: string, extra: { priority?: number; queueId?: string } = {}) {
  return h.acd.enqueue(userActor(user), { queueId: extra.queueId ?? 'q1', sessionId: `s-${user}`, ...extra })
    .contact.id;
}

export function lastOffer(h: Harness, agentId?: string) {
  const offers = h.of('offerCreated').filter((o) => agentId === undefined || o.agentId === agentId);
  const offer = offers.at(-1);
  assert.ok(offer, 'an offer was made');
  return offer;
}

export function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof SwitchboardError, `expected SwitchboardError, got ${String(error)}`);
    return error.code;
  }
  assert.fail('expected the call to throw');
}
