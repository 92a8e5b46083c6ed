import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Call, HOLD_AUDIO_PARTICIPANT_ID, type SignallingClient } from '@switchboard/sdk';
import { AGENT_EVENTS, Inbox, rest } from '../helpers/acd.js';
import { startPlatform, type TestPlatform, waitFor } from '../helpers/platform.js';
import { randomWindow, TEST_PORTS } from '../helpers/testPorts.js';
import { type WrtcSink, wrtc } from '../helpers/wrtc.js';

/** Counts decoded samples of a received track, and how many of them are not silence. */
class Meter {
  samples = 0;
  loud = 0;
  readonly #sink: WrtcSink;
  #stopped = false;

  constructor(track: MediaStreamTrack) {
    this.#sink = new wrtc.nonstandard.RTCAudioSink(track);
    this.#sink.ondata = (e) => {
      const { samples } = e as { samples: Int16Array };
      this.samples += samples.length;
      for (const s of samples) if (s > 300 || s < -300) this.loud++;
    };
  }

  /** Detaches the sink; call it before the peer connection closes (libwebrtc crashes otherwise). */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#sink.stop();
  }
}

/** A microphone: a 48 kHz tone (the agent's voice, the user's voice). */
function microphone(hz: number): { stream: MediaStream; stop(): void } {
  const source = new wrtc.nonstandard.RTCAudioSource();
  const track = source.createTrack();
  let t = 0;
  const timer = setInterval(() => {
    const samples = new Int16Array(480);
    for (let i = 0; i < 480; i++) samples[i] = Math.round(8000 * Math.sin((t++ * 2 * Math.PI * hz) / 48_000));
    source.onData({ samples, sampleRate: 48_000, numberOfFrames: 480 });
  }, 10);
  return {
    stream: new wrtc.MediaStream([track]),
    stop() {
      if (track.readyState === 'ended') return;
      clearInterval(timer);
      track.stop();
    },
  };
}

const USER_EVENTS = [
  'contact.position',
  'contact.ended',
  'acd.callConnecting',
  'acd.callEnded',
  'call.trackPublished',
  'call.trackUnpublished',
] as const;

// Once with media in the main process, once in worker processes (the hold track is played
// by the worker that owns the call; only the waiting user's identity hears it).
for (const workers of [0, 2])
  describe(`ACD hold audio over WebRTC${workers ? ` (media in ${workers} worker processes)` : ''}`, {
    timeout: 90_000,
  }, () => {
    let t: TestPlatform;
    let admin: ReturnType<typeof rest>;
    const cleanup: (() => unknown)[] = [];

    before(async () => {
      const range = randomWindow(TEST_PORTS.platformMedia, 40);
      t = await startPlatform({
        media: { listenAddress: '127.0.0.1', rtcPorts: range, acdPorts: range, workers },
      });
      admin = rest(t, await t.mint('ops', { admin: true }));
      assert.equal((await admin.put('/v1/queues/support', { offerTimeoutSeconds: 60 })).status, 200);
      assert.equal((await admin.put('/v1/queues/silent', { holdAudio: null })).status, 200);
      assert.equal((await admin.put('/v1/agents/a1', { queues: ['support'] })).status, 200);
    });
    after(async () => {
      for (const fn of cleanup.reverse()) await fn();
      await t.stop();
    });

    async function connect(
      identity: string,
      grants: Parameters<TestPlatform['mint']>[1],
    ): Promise<SignallingClient> {
      const client = t.client(await t.mint(identity, grants));
      await client.connect();
      cleanup.push(() => client.close());
      return client;
    }

    it('a waiting user hears the hold audio; when the agent answers it stops and the agent is heard', async () => {
      const user = await connect('caller-1', { queues: ['support'] });
      const userBox = new Inbox(user, [...USER_EVENTS]);
      const ticket = await user.request('contact.enqueue', { queueId: 'support', channel: 'audio' });
      const callId = `acd-${ticket.contactId}`;

      // The user joins the contact's call while waiting, microphone on from the start.
      const mic = microphone(300);
      cleanup.push(() => mic.stop());
      const call = await Call.join(user, callId, {
        stream: mic.stream,
        RTCPeerConnection: wrtc.RTCPeerConnection,
      });
      cleanup.push(() => call.leave());
      const meters: Meter[] = [];
      call.on('track', ({ track }) => {
        if (track.kind === 'audio') meters.push(new Meter(track));
      });
      cleanup.push(() => {
        for (const m of meters) m.stop();
      });

      const published = await userBox.next('call.trackPublished', (e) => e.callId === callId, 10_000);
      assert.equal(published.track.participantId, 'server-hold');
      assert.equal(published.track.kind, 'audio');
      assert.equal(published.track.mimeType, 'audio/opus');
      await waitFor(() => meters.length >= 1, 15_000, 'the hold track at the user');
      const hold = meters[0]!;
      // About a second of decoded, non-silent hold music (48 kHz).
      await waitFor(
        () => hold.loud > 48_000,
        20_000,
        `non-silent hold audio (loud ${hold.loud} of ${hold.samples})`,
      );

      // An agent answers.
      const agent = await connect('agent-1', { agent: 'a1' });
      const agentBox = new Inbox(agent, AGENT_EVENTS);
      await agent.request('agent.login', { agentId: 'a1', status: { kind: 'Ready' } });
      const offer = await agentBox.next(
        'agent.offer',
        (o) => o.contact.contactId === ticket.contactId,
        10_000,
      );
      const accepted = await agent.request('agent.accept', { offerId: offer.offerId });
      assert.equal(accepted.callId, callId);
      const connecting = await userBox.next('acd.callConnecting', () => true, 10_000);
      assert.equal(connecting.callId, callId);

      const unpublished = await userBox.next('call.trackUnpublished', (e) => e.callId === callId, 10_000);
      assert.equal(unpublished.track.trackId, published.track.trackId);

      const agentMic = microphone(600);
      cleanup.push(() => agentMic.stop());
      const agentCall = await Call.join(agent, callId, {
        stream: agentMic.stream,
        RTCPeerConnection: wrtc.RTCPeerConnection,
      });
      cleanup.push(() => agentCall.leave());
      const agentMeters: Meter[] = [];
      agentCall.on('track', ({ track }) => {
        if (track.kind === 'audio') agentMeters.push(new Meter(track));
      });
      cleanup.push(() => {
        for (const m of agentMeters) m.stop();
      });
      const agentHeardUser = () => Math.max(0, ...agentMeters.map((m) => m.loud));

      // The user's own media was counted while on hold: the call connects without the user
      // renegotiating (no second publish).
      await waitFor(
        () => meters.length >= 2,
        15_000,
        'the agent audio track at the user (a second audio track after the hold track)',
      );
      const voice = meters[1]!;
      await waitFor(() => voice.loud > 24_000, 20_000, `the agent's audio at the user (loud ${voice.loud})`);
      await waitFor(() => agentHeardUser() > 24_000, 20_000, "the user's audio at the agent");
      const contacts = (await admin.get('/v1/contacts?queueId=support')).json.contacts as {
        contactId: string;
        state: string;
      }[];
      assert.equal(contacts.find((c) => c.contactId === ticket.contactId)?.state, 'oncall');

      // The hold track is gone: no more hold audio after the decoder's tail has played out.
      await sleep(1000);
      const before = hold.loud;
      await sleep(1500);
      assert.ok(
        hold.loud - before < 4800,
        `hold audio still arriving: ${hold.loud - before} loud samples in 1.5 s`,
      );
      assert.ok(voice.loud > 0);

      // The agent holds the call: the user hears the hold audio again (a new server track), the
      // agent does not get it as the customer's voice; resuming stops it.
      const tracksBefore = meters.length;
      const holds = () =>
        userBox
          .all('call.trackPublished')
          .filter((e) => e.callId === callId && e.track.participantId === HOLD_AUDIO_PARTICIPANT_ID).length;
      const unpublishedHolds = () =>
        userBox
          .all('call.trackUnpublished')
          .filter((e) => e.callId === callId && e.track.participantId === HOLD_AUDIO_PARTICIPANT_ID).length;
      assert.equal(holds(), 1);
      await agent.request('agent.hold', { contactId: ticket.contactId, on: true });
      await waitFor(() => holds() === 2, 10_000, 'the hold track published again on agent hold');
      await waitFor(() => meters.length > tracksBefore, 15_000, 'the hold track at the user, on agent hold');
      const onHold = meters.at(-1)!;
      await waitFor(() => onHold.loud > 48_000, 20_000, `hold audio during agent hold (loud ${onHold.loud})`);
      assert.equal(agentMeters.length, 1, 'the agent is not given the hold audio as a voice track');
      await agent.request('agent.hold', { contactId: ticket.contactId, on: false });
      await waitFor(() => unpublishedHolds() === 2, 10_000, 'the hold track unpublished on resume');
      for (const m of [...meters, ...agentMeters]) m.stop();
      mic.stop();
      agentMic.stop();
      await Promise.all([call.leave(), agentCall.leave()]);
    });

    it('hold audio comes back when a waiting user joins again, and stops when they cancel (the hold room closes)', async () => {
      const user = await connect('caller-2', { queues: ['support'] });
      const userBox = new Inbox(user, [...USER_EVENTS]);
      const ticket = await user.request('contact.enqueue', { queueId: 'support', channel: 'audio' });
      const callId = `acd-${ticket.contactId}`;
      // With a microphone: a receive-only first offer gets every m-line rejected (port 0) by the
      // media layer, and libwebrtc then receives the later server offer's audio only sometimes.
      const mic = microphone(300);
      cleanup.push(() => mic.stop());
      const meters: Meter[] = [];
      cleanup.push(() => {
        for (const m of meters) m.stop();
      });
      const join = async () => {
        const call = await Call.join(user, callId, {
          stream: mic.stream,
          RTCPeerConnection: wrtc.RTCPeerConnection,
        });
        cleanup.push(() => call.leave());
        call.on('track', ({ track }) => {
          if (track.kind === 'audio') meters.push(new Meter(track));
        });
        return call;
      };
      const first = await join();
      await waitFor(() => meters.some((m) => m.loud > 24_000), 20_000, 'hold audio at the user');
      // Leaving the call and joining again (a page reload) brings the hold audio back.
      for (const m of meters.splice(0)) m.stop();
      await first.leave();
      const call = await join();
      const ended = new Promise<string>((resolve) => call.on('ended', ({ reason }) => resolve(reason)));
      await waitFor(() => meters.some((m) => m.loud > 24_000), 20_000, 'hold audio after joining again');
      // libwebrtc (wrtc) crashes at exit when a peer connection closed under a live source.
      for (const m of meters) m.stop();
      mic.stop();
      await user.request('contact.cancel', { contactId: ticket.contactId });
      await userBox.next('contact.ended', () => true, 5000);
      assert.equal(await ended, 'room-closed');
    });

    it('a queue with holdAudio null plays nothing, and another user may not join the contact call', async () => {
      const user = await connect('caller-3', { queues: ['silent'] });
      const userBox = new Inbox(user, [...USER_EVENTS]);
      const ticket = await user.request('contact.enqueue', { queueId: 'silent', channel: 'audio' });
      const callId = `acd-${ticket.contactId}`;
      const intruder = await connect('caller-4', { queues: ['silent'] });
      await assert.rejects(Call.join(intruder, callId, { RTCPeerConnection: wrtc.RTCPeerConnection }), {
        code: 'SB_ERR_FORBIDDEN',
      });
      const call = await Call.join(user, callId, { RTCPeerConnection: wrtc.RTCPeerConnection });
      cleanup.push(() => call.leave());
      await sleep(2000);
      assert.equal(userBox.all('call.trackPublished').filter((e) => e.callId === callId).length, 0);
    });
  });
