import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EventType } from '@switchboard/protocol';
import { Call, type SignallingClient } from '@switchboard/sdk';
import { AGENT_EVENTS, Inbox, refused, rest, SUPERVISOR_EVENTS, USER_EVENTS } from '../helpers/acd.js';
import { startPlatform, type TestPlatform, until } from '../helpers/platform.js';
import { randomWindow, TEST_PORTS } from '../helpers/testPorts.js';
import { syntheticStream, wrtc } from '../helpers/wrtc.js';

// The server side of the agent console and the supervisor dashboard: the console's
// connectivity report gates routing; a supervisor listens to a call without being seen.

let t: TestPlatform;
let admin: ReturnType<typeof rest>;
const clients: SignallingClient[] = [];

async function connect(
  identity: string,
  grants: Parameters<TestPlatform['mint']>[1],
): Promise<SignallingClient> {
  const client = t.client(await t.mint(identity, grants));
  await client.connect();
  clients.push(client);
  return client;
}

async function inboundAudioPackets(pc: RTCPeerConnection): Promise<number> {
  let packets = 0;
  (await pc.getStats()).forEach((s: { type: string; kind?: string; packetsReceived?: number }) => {
    if (s.type === 'inbound-rtp' && s.kind === 'audio') packets += s.packetsReceived ?? 0;
  });
  return packets;
}

/** The live state of a contact ('gone' once it ended), from the admin REST API. */
async function contactState(contactId: string): Promise<string> {
  const { contacts } = (await admin.get('/v1/contacts')).json as {
    contacts: { contactId: string; state: string }[];
  };
  return contacts.find((c) => c.contactId === contactId)?.state ?? 'gone';
}

before(async () => {
  const range = randomWindow(TEST_PORTS.platformMedia, 40);
  t = await startPlatform({
    acd: { kpiIntervalMs: 200, sweepIntervalMs: 200 },
    media: { listenAddress: '127.0.0.1', rtcPorts: range, acdPorts: range, qualityIntervalMs: 1000 },
  });
  admin = rest(t, await t.mint('ops', { admin: true }));
});
after(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await t.stop();
  // @roamhq/wrtc 0.10 crashes (SIGSEGV) at process teardown once a track of its nonstandard
  // sources was stopped, and hangs when none was: exit explicitly once every test reported
  // (stdout to the runner is a pipe, written synchronously). The runner sets exitCode on failure.
  setTimeout(() => process.exit(process.exitCode ?? 0), 200);
});

describe('agent.networkReport', () => {
  it('a failing report keeps a requireNetworkOk queue from offering to the agent; an ok report lets the offer through', async () => {
    assert.equal((await admin.put('/v1/queues/netq', { requireNetworkOk: true })).status, 200);
    assert.equal((await admin.put('/v1/agents/na1', { queues: ['netq'] })).status, 200);
    const agent = await connect('agent-na1', { agent: 'na1' });
    const box = new Inbox(agent, AGENT_EVENTS);
    await agent.request('agent.login', { agentId: 'na1', status: { kind: 'Ready' } });

    const bad = await agent.request('agent.networkReport', {
      ok: false,
      reason: 'udp-blocked',
      summary: 'UDP 10000–20000 blocked',
    });
    assert.deepEqual(bad.agent.network, { ok: false, reason: 'udp-blocked' });

    const user = await connect('user-net', { queues: ['netq'] });
    const ticket = await user.request('contact.enqueue', { queueId: 'netq', channel: 'audio' });
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(box.all('agent.offer').length, 0, 'no offer while the network verdict fails');
    assert.equal(await contactState(ticket.contactId), 'waiting');

    const good = await agent.request('agent.networkReport', { ok: true });
    assert.deepEqual(good.agent.network, { ok: true, reason: null });
    const offer = await box.next('agent.offer', (o) => o.contact.contactId === ticket.contactId);
    assert.equal(offer.queueId, 'netq');
    await agent.request('agent.reject', { offerId: offer.offerId });
    await user.request('contact.cancel', { contactId: ticket.contactId });
  });

  it('needs the agent grant', async () => {
    const user = await connect('user-nogrant', { queues: ['netq'] });
    await refused(user.request('agent.networkReport', { ok: true }), 'SB_ERR_FORBIDDEN');
  });
});

describe('supervisor.monitor', { timeout: 90_000 }, () => {
  it('is refused without the supervise grant, for an unknown contact, and for a contact not on a call', async () => {
    const agentOnly = await connect('agent-x', { agent: 'x' });
    await refused(agentOnly.request('supervisor.monitor', { contactId: 'nope' }), 'SB_ERR_FORBIDDEN');
    const sup = await connect('sup-refused', { supervise: true });
    await refused(sup.request('supervisor.monitor', { contactId: 'nope' }), 'SB_ERR_CONTACT_NOT_FOUND');

    assert.equal((await admin.put('/v1/queues/idleq', {})).status, 200);
    const user = await connect('user-idle', { queues: ['idleq'] });
    const ticket = await user.request('contact.enqueue', { queueId: 'idleq', channel: 'audio' });
    await refused(
      sup.request('supervisor.monitor', { contactId: ticket.contactId }),
      'SB_ERR_CALL_NOT_FOUND',
    );
    await user.request('contact.cancel', { contactId: ticket.contactId });
  });

  it('a monitor receives the call’s audio, is not announced to the agent or the user, and cannot publish', async () => {
    assert.equal((await admin.put('/v1/queues/monq', { requireNetworkOk: false })).status, 200);
    assert.equal((await admin.put('/v1/agents/ma1', { queues: ['monq'] })).status, 200);
    const supervisor = await connect('sup-1', { supervise: true });
    const supBox = new Inbox(supervisor, [...SUPERVISOR_EVENTS, 'acd.quality']);
    await supervisor.request('acd.subscribe', { queueIds: ['monq'] });

    const callEvents: EventType[] = ['call.participantJoined', 'call.participantLeft'];
    const agent = await connect('agent-ma1', { agent: 'ma1' });
    const agentBox = new Inbox(agent, [...AGENT_EVENTS, ...callEvents]);
    await agent.request('agent.login', { agentId: 'ma1', status: { kind: 'Ready' } });
    const user = await connect('user-mon', { queues: ['monq'] });
    const userBox = new Inbox(user, [...USER_EVENTS, ...callEvents]);
    const ticket = await user.request('contact.enqueue', { queueId: 'monq', channel: 'audio' });
    const offer = await agentBox.next('agent.offer');
    const accepted = await agent.request('agent.accept', { offerId: offer.offerId });

    const streams = [syntheticStream(), syntheticStream()];
    const join = (client: SignallingClient, stream?: MediaStream) =>
      Call.join(client, accepted.callId, {
        RTCPeerConnection: wrtc.RTCPeerConnection,
        ...(stream ? { stream } : {}),
      });
    const [agentCall, userCall] = await Promise.all([
      join(agent, streams[0]!.stream),
      join(user, streams[1]!.stream),
    ]);
    try {
      await until(
        'on call',
        () => contactState(ticket.contactId),
        (s) => s === 'oncall',
      );

      // Without the approval, the supervisor's own session cannot join; another session
      // (even with the supervise grant) is not let in by someone else's approval.
      await refused(supervisor.request('call.join', { callId: accepted.callId }), 'SB_ERR_FORBIDDEN');
      const monitor = await supervisor.request('supervisor.monitor', { contactId: ticket.contactId });
      assert.deepEqual(monitor, { contactId: ticket.contactId, callId: accepted.callId, agentId: 'ma1' });
      const other = await connect('sup-2', { supervise: true });
      await refused(other.request('call.join', { callId: accepted.callId }), 'SB_ERR_FORBIDDEN');

      const listening = await join(supervisor);
      assert.equal(listening.participants.size, 2, 'the monitor sees both parties');
      await until(
        'the monitor hears the call',
        () => inboundAudioPackets(listening.pc),
        (n) => n > 50,
      ).catch((err: Error) => {
        // Intermittent (about 1 run in 10 under load): say what the receive-only side negotiated.
        const seen = listening.pc
          .getTransceivers()
          .map((x) => `${x.mid}:${x.direction}/${x.currentDirection}`)
          .join(' ');
        throw new Error(`${err.message}; ${listening.pc.connectionState}; transceivers ${seen}`);
      });

      // Not announced: no participantJoined for it, and not in the parties' lists.
      assert.equal(
        agentBox
          .all('call.participantJoined')
          .filter((e) => e.participant.participantId === listening.participantId).length,
        0,
      );
      assert.equal(
        userBox
          .all('call.participantJoined')
          .filter((e) => e.participant.participantId === listening.participantId).length,
        0,
      );
      assert.equal(agentCall.participants.has(listening.participantId), false);
      assert.equal(userCall.participants.has(listening.participantId), false);
      const late = await connect('sup-late', { calls: [accepted.callId] });
      const lateJoin = await late.request('call.join', { callId: accepted.callId });
      assert.deepEqual(
        lateJoin.participants.map((p) => p.participantId).sort(),
        [agentCall.participantId, userCall.participantId].sort(),
        'a later participant is not told about the monitor either',
      );
      await late.request('call.leave', { callId: accepted.callId });

      // Listen-only: no mute, no offer that sends.
      await refused(
        supervisor.request('call.mute', { callId: accepted.callId, track: 'audio', muted: true }),
        'SB_ERR_LISTEN_ONLY',
      );
      const probe = new wrtc.RTCPeerConnection();
      const mic = syntheticStream();
      try {
        for (const track of mic.stream.getTracks()) probe.addTransceiver(track, { direction: 'sendonly' });
        const sending = await probe.createOffer();
        await refused(
          supervisor.request('call.publish', { callId: accepted.callId, sdp: sending.sdp ?? '' }),
          'SB_ERR_LISTEN_ONLY',
        );
      } finally {
        mic.stop();
        probe.close();
      }
      assert.equal(await contactState(ticket.contactId), 'oncall', 'the call is untouched by the monitor');

      // Live quality of both sides reaches the supervisor.
      const agentQ = await supBox.next(
        'acd.quality',
        (q) => q.side === 'agent' && q.contactId === ticket.contactId,
        15_000,
      );
      await supBox.next('acd.quality', (q) => q.side === 'user', 15_000);
      assert.equal(agentQ.agentId, 'ma1');
      assert.ok(agentQ.mos >= 1 && agentQ.mos <= 4.5);

      // The monitor leaving is not announced either; the call goes on.
      await listening.leave();
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(
        agentBox.all('call.participantLeft').filter((e) => e.participantId === listening.participantId)
          .length,
        0,
      );
      assert.equal(await contactState(ticket.contactId), 'oncall');
    } finally {
      for (const s of streams) s.stop();
      await agent.request('agent.hangup', { contactId: ticket.contactId }).catch(() => undefined);
      await agentCall.leave();
      await userCall.leave();
      // libwebrtc tears its threads down asynchronously; exiting mid-teardown crashes wrtc.
      await new Promise((r) => setTimeout(r, 500));
    }
  });
});
