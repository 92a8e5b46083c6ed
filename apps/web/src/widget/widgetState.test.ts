import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  INITIAL_SNAPSHOT,
  isLive,
  transition,
  type WidgetEvent,
  type WidgetSnapshot,
} from './widgetState.js';

const run = (...events: WidgetEvent[]): WidgetSnapshot => events.reduce(transition, INITIAL_SNAPSHOT);

describe('widget state machine', () => {
  it('goes idle → starting → waiting → connecting → in-call → ended on the happy path', () => {
    const seen: string[] = [];
    let s = INITIAL_SNAPSHOT;
    for (const e of [
      { type: 'start' },
      { type: 'queued', position: 2, estimatedWaitMs: 60_000 },
      { type: 'position', position: 1, estimatedWaitMs: 30_000 },
      { type: 'agentConnecting' },
      { type: 'mediaUp' },
      { type: 'ended', reason: 'agent: hangup' },
    ] satisfies WidgetEvent[]) {
      s = transition(s, e);
      seen.push(s.state);
    }
    assert.deepEqual(seen, ['starting', 'waiting', 'waiting', 'connecting', 'in-call', 'ended']);
    assert.equal(s.endReason, 'agent: hangup');
  });

  it('keeps position and estimated wait while waiting, and drops them once an agent answers', () => {
    const waiting = run({ type: 'start' }, { type: 'queued', position: 3, estimatedWaitMs: null });
    assert.equal(waiting.position, 3);
    const moved = transition(waiting, { type: 'position', position: 2, estimatedWaitMs: 45_000 });
    assert.deepEqual([moved.position, moved.estimatedWaitMs], [2, 45_000]);
    const answering = transition(moved, { type: 'agentConnecting' });
    assert.deepEqual([answering.position, answering.estimatedWaitMs], [null, null]);
  });

  it('ignores events that do not apply (same object back)', () => {
    const idle = INITIAL_SNAPSHOT;
    for (const e of [
      { type: 'queued', position: 1, estimatedWaitMs: null },
      { type: 'position', position: 1, estimatedWaitMs: null },
      { type: 'mediaUp' },
      { type: 'ended', reason: 'x' },
      { type: 'callbackRequested' },
    ] satisfies WidgetEvent[])
      assert.equal(transition(idle, e), idle, e.type);
    const inCall = run({ type: 'start' }, { type: 'agentConnecting' }, { type: 'mediaUp' });
    assert.equal(transition(inCall, { type: 'position', position: 4, estimatedWaitMs: 1 }), inCall);
    assert.equal(transition(inCall, { type: 'start' }), inCall, 'no second call while one is live');
  });

  it('a callback request keeps the place and still receives positions; the callback connects', () => {
    const s = run(
      { type: 'start' },
      { type: 'queued', position: 2, estimatedWaitMs: null },
      { type: 'callbackRequested' },
      { type: 'position', position: 1, estimatedWaitMs: 10_000 },
    );
    assert.equal(s.state, 'callback');
    assert.equal(s.position, 1);
    assert.equal(transition(s, { type: 'agentConnecting' }).state, 'connecting');
  });

  it('the first failure is kept; later failures and ends do not overwrite it; start retries', () => {
    const failed = run(
      { type: 'start' },
      { type: 'failed', error: { code: 'SB_ERR_QUEUE_CLOSED', message: 'm' } },
    );
    assert.equal(failed.state, 'error');
    const again = transition(failed, {
      type: 'failed',
      error: { code: 'WIDGET_NETWORK_BLOCKED', message: 'n' },
    });
    assert.equal(again.error?.code, 'SB_ERR_QUEUE_CLOSED');
    assert.equal(transition(failed, { type: 'ended', reason: 'x' }), failed);
    const retry = transition(failed, { type: 'start' });
    assert.deepEqual([retry.state, retry.error], ['starting', null]);
  });

  it('isLive is true exactly for the states that hold a session or media', () => {
    const live = (
      ['idle', 'starting', 'waiting', 'callback', 'connecting', 'in-call', 'ended', 'error'] as const
    ).filter(isLive);
    assert.deepEqual(live, ['starting', 'waiting', 'callback', 'connecting', 'in-call']);
  });
});
