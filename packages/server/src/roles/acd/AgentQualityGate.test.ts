import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AgentQualityGate, CALL_QUALITY_REASON } from './AgentQualityGate.js';

const OK = { ok: true, reason: null };
const BAD = { ok: false, reason: CALL_QUALITY_REASON };

describe('AgentQualityGate', () => {
  it('one failing sample changes nothing; two in a row mark the network failing', () => {
    const gate = new AgentQualityGate(2);
    assert.equal(gate.sample('a1', 'fail', OK), null);
    assert.deepEqual(gate.sample('a1', 'fail', OK), { ok: false, reason: CALL_QUALITY_REASON });
  });
  it('a passing sample breaks a failing streak', () => {
    const gate = new AgentQualityGate(2);
    gate.sample('a1', 'fail', OK);
    assert.equal(gate.sample('a1', 'pass', OK), null);
    assert.equal(gate.sample('a1', 'fail', OK), null);
  });
  it('passing samples clear a verdict the gate set, but not one the connectivity check set', () => {
    const gate = new AgentQualityGate(2);
    gate.sample('a1', 'warn', BAD);
    assert.deepEqual(gate.sample('a1', 'pass', BAD), { ok: true });
    const other = new AgentQualityGate(2);
    other.sample('a2', 'pass', { ok: false, reason: 'udp.acd' });
    assert.equal(other.sample('a2', 'pass', { ok: false, reason: 'udp.acd' }), null);
  });
  it('agents are judged apart, and forget() starts afresh', () => {
    const gate = new AgentQualityGate(2);
    gate.sample('a1', 'fail', OK);
    assert.equal(gate.sample('a2', 'fail', OK), null);
    gate.forget('a1');
    assert.equal(gate.sample('a1', 'fail', OK), null);
  });
});
