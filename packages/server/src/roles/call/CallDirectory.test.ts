import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CallDirectory } from './CallDirectory.js';

describe('CallDirectory monitor approvals', () => {
  it('an approval lets only that session monitor only that call, until it lapses', () => {
    const d = new CallDirectory();
    d.allowMonitor('S1', 'acd-c1', 1000, 10_000);
    assert.equal(d.isMonitor('S1', 'acd-c1', 10_500), true);
    assert.equal(d.isMonitor('S2', 'acd-c1', 10_500), false, 'another session');
    assert.equal(d.isMonitor('S1', 'acd-c2', 10_500), false, 'another call');
    assert.equal(d.isMonitor('S1', 'acd-c1', 11_000), false, 'lapsed');
  });
  it('forgetMonitor withdraws an approval', () => {
    const d = new CallDirectory();
    d.allowMonitor('S1', 'acd-c1');
    d.forgetMonitor('S1', 'acd-c1');
    assert.equal(d.isMonitor('S1', 'acd-c1'), false);
  });
});
