import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallRecord } from '../../acd/AcdTypes.js';
import { recordsToCsv } from './acdRoutes.js';
import { eventMatches } from './webhooks/webhookEvents.js';
import { callIdFor, contactIdOfCall } from './wire.js';

const record = (over: Partial<CallRecord>): CallRecord => ({
  contactId: 'c1',
  queueId: 'q1',
  userId: 'u1',
  channel: 'audio',
  priority: 0,
  enqueuedAt: 1,
  queuedAt: 1,
  offeredAt: null,
  answeredAt: null,
  endedAt: 5,
  agentId: null,
  outcome: 'abandoned',
  endReason: 'user-hangup',
  waitMs: 4,
  talkMs: null,
  holdMs: null,
  wrapUpMs: null,
  disposition: null,
  quality: null,
  offers: 0,
  overflowedFrom: null,
  overflowedTo: null,
  callback: false,
  final: true,
  ...over,
});

describe('ACD role helpers', () => {
  it('the CSV export quotes separators and defuses formula-looking cells', () => {
    const csv = recordsToCsv([
      record({ disposition: 'said "hi", left' }),
      record({ contactId: 'c2', disposition: '=cmd()' }),
    ]);
    const lines = csv.split('\r\n');
    assert.equal(lines.length, 4);
    assert.ok(lines[1]?.includes('"said ""hi"", left"'));
    assert.ok(lines[2]?.includes(",'=cmd(),"));
    assert.equal(lines[0]?.split(',').length, lines[2]?.split(',').length);
  });

  it('webhook filters accept exact types and `area.*` wildcards only', () => {
    assert.equal(eventMatches('contact.ended', undefined), true);
    assert.equal(eventMatches('contact.ended', ['contact.*']), true);
    assert.equal(eventMatches('agent.status', ['contact.*']), false);
    assert.equal(eventMatches('agent.status', ['agent.status']), true);
    assert.equal(eventMatches('agent.statusX', ['agent.status']), false);
    assert.equal(eventMatches('contacts.x', ['contact.*']), false);
  });

  it('call ids round-trip to contact ids and reject other calls', () => {
    assert.equal(contactIdOfCall(callIdFor('c-ab-1')), 'c-ab-1');
    assert.equal(contactIdOfCall('room-7'), undefined);
  });
});
