import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { agentActor, setup } from '../../acd/testing.js';
import { AcdMetrics } from './AcdMetrics.js';

describe('AcdMetrics', () => {
  test('a scrape right after another sees queues and agent states changed in between', async () => {
    const h = setup();
    const registry = new Registry();
    new AcdMetrics(registry, h.acd, 60_000);
    const idle = (queue: string) => new RegExp(`switchboard_acd_agents\\{queue="${queue}",state="Idle"\\} 1`);

    const first = await registry.metrics();
    assert.match(first, idle('q1'));
    // Within the same few milliseconds: a new queue, and the agent serving it goes Ready.
    h.acd.configureQueue({ id: 'q2' });
    h.acd.configureAgent({ id: 'b1', queues: ['q2'] });
    h.acd.login(agentActor('b1'), 'b1', { kind: 'Ready' });
    const second = await registry.metrics();
    assert.match(second, idle('q2'));
  });
});
