import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { Call } from '@switchboard/sdk';
import { AGENT_EVENTS, Inbox } from '../helpers/acd.js';
import { until as waitUntil } from '../helpers/platform.js';
import { api, client, mint, type Running, start } from '../helpers/realServer.js';
import { randomWindow, TEST_PORTS } from '../helpers/testPorts.js';
import { syntheticStream, wrtc } from '../helpers/wrtc.js';

const running: Running[] = [];
after(() => {
  for (const r of running) r.server.child.kill('SIGKILL');
  if (running[0]) rmSync(running[0].server.dataDir, { recursive: true, force: true });
});

const counts = (k: Record<string, unknown>) => ({
  offered: k.offered,
  answered: k.answered,
  abandoned: k.abandoned,
  callbacks: k.callbacks,
});

/** This file's longer default wait. */
const until = <T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15000) =>
  waitUntil(what, read, ok, timeoutMs);

describe('kill -9 of the real server mid-call (media flowing), restart on the same data directory', {
  timeout: 120_000,
}, () => {
  it('ends the call in its record, leaves no stuck agent, and the KPIs do not move on further replays', async () => {
    const range = randomWindow(TEST_PORTS.platformMedia, 40);
    const media = [
      '--set',
      'media.listenAddress=127.0.0.1',
      '--set',
      `media.rtcPorts={"min":${range.min},"max":${range.max}}`,
      '--set',
      `media.acdPorts={"min":${range.min},"max":${range.max}}`,
    ];
    const one = await start(undefined, media);
    running.push(one);
    const admin = await mint(one, 'ops', { admin: true });
    await api(one, admin, 'PUT', '/v1/queues/q1', {});
    await api(one, admin, 'PUT', '/v1/agents/a1', { queues: ['q1'] });

    const agent = await client(one, 'agent-1', { agent: 'a1' });
    const inbox = new Inbox(agent, AGENT_EVENTS);
    await agent.request('agent.login', { agentId: 'a1', status: { kind: 'Ready' } });
    const user = await client(one, 'ivy', { queues: ['q1'] });
    const ticket = await user.request('contact.enqueue', { queueId: 'q1', channel: 'audio' });
    const offer = await inbox.next('agent.offer');
    const accepted = await agent.request('agent.accept', { offerId: offer.offerId });

    // Both sides join the ACD call with real libwebrtc media.
    const streams = [syntheticStream(), syntheticStream()];
    const calls = await Promise.all([
      Call.join(agent, accepted.callId, {
        stream: streams[0]!.stream,
        RTCPeerConnection: wrtc.RTCPeerConnection,
      }),
      Call.join(user, accepted.callId, {
        stream: streams[1]!.stream,
        RTCPeerConnection: wrtc.RTCPeerConnection,
      }),
    ]);
    await until(
      'on call',
      async () => (await api(one, admin, 'GET', '/v1/contacts?queueId=q1')).contacts as { state: string }[],
      (c) => c[0]?.state === 'oncall',
    );

    one.server.child.kill('SIGKILL');
    assert.equal(await one.server.exited, 'SIGKILL');
    for (const s of streams) s.stop();
    for (const c of calls) c.pc.close();
    for (const c of [agent, user]) await c.close().catch(() => undefined);

    const two = await start(one.server.dataDir, media);
    running.push(two);
    const admin2 = await mint(two, 'ops', { admin: true });
    const a1 = await api(two, admin2, 'GET', '/v1/agents/a1');
    assert.deepEqual(a1.status, { kind: 'NotReady', reason: 'recovery' });
    assert.deepEqual(a1.contacts, [], 'the agent is not stuck in the dead call');
    assert.equal(a1.pendingOfferId, null);
    const records = (await api(two, admin2, 'GET', '/v1/records')).records as {
      contactId: string;
      outcome: string;
      answeredAt?: number | null;
    }[];
    const record = records.find((r) => r.contactId === ticket.contactId);
    assert.ok(record, 'the call record survived');
    assert.equal(record.outcome, 'answered');
    assert.ok(record.answeredAt, 'with its answer time');
    const kpis = counts(await api(two, admin2, 'GET', '/v1/queues/q1/kpis'));
    assert.deepEqual(kpis, { offered: 1, answered: 1, abandoned: 0, callbacks: 0 });

    // A further crash and replay changes nothing.
    two.server.child.kill('SIGKILL');
    await two.server.exited;
    const three = await start(one.server.dataDir, media);
    running.push(three);
    const admin3 = await mint(three, 'ops', { admin: true });
    assert.deepEqual(counts(await api(three, admin3, 'GET', '/v1/queues/q1/kpis')), kpis);
    const again = (await api(three, admin3, 'GET', '/v1/records')).records as unknown[];
    assert.equal(again.length, records.length);
  });
});
