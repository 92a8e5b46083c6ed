// A bare contact-center page for both sides, driven by query parameters — the seed of the
// widget and the agent console: ?role=user&queue=sales&channel=audio|video&token=…  or
// ?role=agent&agent=a1&token=… (tokens come from the site's back-end or `switchboard token`).
import { Call, HOLD_AUDIO_PARTICIPANT_ID, type SignallingClient } from '@switchboard/sdk';
import { connectClient } from '../shared/platformClient.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const role = params.get('role') === 'agent' ? 'agent' : 'user';
const token = params.get('token') ?? '';
const transport = (params.get('transport') ?? 'auto') as 'websocket' | 'longpoll' | 'auto';

declare global {
  interface Window {
    switchboardAcd?: {
      client: SignallingClient;
      call?: Call;
      contactId?: string;
      events: string[];
      /** The agent was connected (the user's page stops showing hold). */
      connected?: boolean;
    };
  }
}

function say(text: string, failed = false): void {
  const status = $<HTMLParagraphElement>('status');
  status.textContent = text;
  status.classList.toggle('fail', failed);
}

async function joinMedia(
  client: SignallingClient,
  callId: string,
  channel: 'audio' | 'video',
): Promise<Call> {
  let stream: MediaStream | undefined;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: channel === 'video' });
    $<HTMLVideoElement>('local').srcObject = stream;
  } catch (err) {
    say(`Microphone${channel === 'video' ? '/camera' : ''} unavailable: ${(err as Error).message}`, true);
  }
  const call = await Call.join(client, callId, stream ? { stream } : {});
  const remote = $<HTMLVideoElement>('remote');
  let onHold = role === 'user' && window.switchboardAcd?.connected !== true;
  call.on('track', ({ track, streams }) => {
    // While waiting, the only remote track is the server's hold audio; then the agent's.
    remote.srcObject = streams[0] ?? new MediaStream([track]);
    $('remote-label').textContent = onHold ? 'Hold music' : role === 'user' ? 'Agent' : 'Customer';
  });
  client.on('call.trackUnpublished', (e) => {
    if (e.callId === callId && e.track.participantId === HOLD_AUDIO_PARTICIPANT_ID) {
      onHold = false;
      $('remote-label').textContent = 'Agent';
    }
  });
  return call;
}

async function main(): Promise<void> {
  if (!token) {
    say('Missing ?token= (mint one with `switchboard token`).', true);
    return;
  }
  const client = await connectClient(token, transport);
  const state: NonNullable<Window['switchboardAcd']> = { client, events: [] };
  window.switchboardAcd = state;
  const hangup = $<HTMLButtonElement>('hangup');

  client.on('acd.callConnecting', async (e) => {
    state.events.push('callConnecting');
    state.connected = true;
    say(`Connecting the ${e.channel} call…`);
    // A waiting user is in the call already (hold audio): the agent's media arrives there.
    if (state.call?.callId !== e.callId) state.call = await joinMedia(client, e.callId, e.channel);
    state.contactId = e.contactId;
    hangup.disabled = false;
    say(`In call (${e.channel}).`);
  });
  client.on('acd.callEnded', (e) => {
    state.events.push('callEnded');
    void state.call?.leave();
    hangup.disabled = true;
    say(`Call ended (${e.reason ?? e.endedBy ?? 'ended'}).`);
  });

  if (role === 'agent') {
    const agentId = params.get('agent') ?? '';
    $('title').textContent = `Agent ${agentId}`;
    // Listen before logging in: a contact already waiting is offered at login.
    client.on('agent.offer', async (offer) => {
      state.events.push('offer');
      say(`Incoming call from queue ${offer.queueId}…`);
      if (params.get('autoaccept') === '1') await client.request('agent.accept', { offerId: offer.offerId });
    });
    await client.request('agent.login', { agentId, status: { kind: 'Ready' } });
    if (!state.events.includes('offer')) say('Ready — waiting for a call.');
    hangup.onclick = async () => {
      if (!state.contactId) return;
      await client.request('agent.hangup', { contactId: state.contactId });
      await client.request('agent.wrapup', { contactId: state.contactId, disposition: 'resolved' });
      await client.request('agent.wrapupDone', { contactId: state.contactId });
      state.events.push('wrappedUp');
    };
  } else {
    const queueId = params.get('queue') ?? 'default';
    const channel = params.get('channel') === 'video' ? 'video' : 'audio';
    const queued = await client.request('contact.enqueue', { queueId, channel });
    state.contactId = queued.contactId;
    say(`Waiting in queue ${queueId}: position ${queued.position}.`);
    // Join the contact's call at once: the queue's hold audio plays there while waiting, and
    // the agent's media arrives without another negotiation from this side.
    state.call = await joinMedia(client, queued.callId, channel);
    client.on('contact.position', (p) => say(`Waiting: position ${p.position}.`));
    hangup.onclick = () => client.request('contact.cancel', { contactId: queued.contactId });
    // Hanging up while waiting leaves the queue (and its hold audio).
    hangup.disabled = false;
    client.on('contact.ended', (e) => {
      if (e.contactId !== queued.contactId || state.connected) return;
      void state.call?.leave();
      hangup.disabled = true;
      say(`Left the queue (${e.reason ?? e.outcome ?? 'ended'}).`);
    });
  }
}

main().catch((err: Error) => say(`Error: ${err.message}`, true));
