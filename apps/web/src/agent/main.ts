// The agent console: log in, Ready / NotReady, offers with a ring and a countdown, the call
// (SDK `Call`), wrap-up, the agent's own figures, and the connectivity check reported to the ACD.
// ?agent=a1&token=… logs in at once (tokens come from the site's back-end or `switchboard token`).
import type { EventData } from '@switchboard/protocol';
import { Call, HOLD_AUDIO_PARTICIPANT_ID, type SignallingClient } from '@switchboard/sdk';
import { connectClient } from '../shared/platformClient.js';
import { checkAgentNetwork, type NetworkVerdict } from './networkCheck.js';
import { Ringer } from './Ringer.js';

type AgentView = EventData<'agent.state'>;
type Offer = EventData<'agent.offer'>;

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);

/** Exposed for tests and for looking at the console's state from devtools. */
interface AgentConsoleState {
  client?: SignallingClient;
  call?: Call;
  agent?: AgentView;
  offer?: Offer;
  contactId?: string;
  network?: NetworkVerdict | null;
  events: string[];
}
declare global {
  interface Window {
    switchboardAgent?: AgentConsoleState;
  }
}
const state: AgentConsoleState = { events: [] };
window.switchboardAgent = state;

/** Figures this page counts since login (the ACD sends no per-agent KPI message). */
const session = { offers: 0, accepted: 0, rejected: 0, missed: 0, handled: [] as number[] };
let callStartedAt = 0;
const ringer = new Ringer();
let countdownTimer: ReturnType<typeof setInterval> | null = null;

function say(text: string, failed = false): void {
  const el = $('status');
  el.textContent = text;
  el.classList.toggle('fail', failed);
}

function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function errorText(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return e.code ? `${e.code}: ${e.message}` : String(e.message ?? err);
}

function stateText(a: AgentView): string {
  switch (a.state.kind) {
    case 'Idle':
      return a.status.kind === 'Ready' ? 'waiting for a call' : 'idle';
    case 'Offered':
      return 'call offered';
    case 'Connecting':
      return 'connecting the call';
    case 'OnCall':
      return 'on a call';
    case 'WrapUp':
      return 'in wrap-up';
    case 'Disconnected':
      return 'connection lost';
  }
}

function renderAgent(a: AgentView): void {
  state.agent = a;
  const status = a.status.kind === 'NotReady' ? `Not ready (${a.status.reason})` : a.status.kind;
  $('presence').textContent = status;
  $('agent-state').textContent = stateText(a);
  $<HTMLButtonElement>('ready').disabled = a.status.kind === 'Ready';
  $<HTMLButtonElement>('not-ready').disabled = a.status.kind === 'NotReady';
  $('kpi-handled').textContent = String(a.callsHandled);
  $('kpi-talk').textContent = clock(a.talkMs);
  if (!a.network.ok && state.network?.ok !== false) {
    $('network').textContent =
      `The ACD marks your network as failing (${a.network.reason ?? 'network'}): queues that require a good network will not offer you calls.`;
    $('network').className = 'fail';
  }
  if (a.state.kind === 'WrapUp') showWrapUp(a.state.contactId);
}

function renderSessionKpis(): void {
  $('kpi-offers').textContent = String(session.offers);
  $('kpi-accepted').textContent = String(session.accepted);
  $('kpi-rejected').textContent = String(session.rejected);
  $('kpi-missed').textContent = String(session.missed);
  const n = session.handled.length;
  $('kpi-aht').textContent = n === 0 ? '—' : clock(session.handled.reduce((s, v) => s + v, 0) / n);
}

function renderNetwork(v: NetworkVerdict | null): void {
  const el = $('network');
  const list = $('network-problems');
  list.replaceChildren();
  if (v === null) {
    el.textContent =
      'The connectivity check could not run (your token has no tester grant and this platform gives no tester token). Calls may still work.';
    el.className = 'warn';
    return;
  }
  el.textContent = v.summary;
  el.className = v.ok ? 'ok' : 'fail';
  for (const p of v.problems) {
    const li = document.createElement('li');
    li.textContent = p;
    list.append(li);
  }
  if (!v.ok) {
    const li = document.createElement('li');
    li.innerHTML =
      'Open the <a href="/tester/">connectivity tester</a> for details and send the report to your IT team.';
    list.append(li);
  }
}

async function runNetworkCheck(client: SignallingClient, token: string): Promise<void> {
  $<HTMLButtonElement>('recheck').disabled = true;
  $('network').textContent = 'Checking your connection to the RTC and ACD services…';
  $('network').className = '';
  try {
    const verdict = await checkAgentNetwork(token);
    state.network = verdict;
    renderNetwork(verdict);
    if (verdict) {
      const r = await client.request('agent.networkReport', {
        ok: verdict.ok,
        ...(verdict.reason ? { reason: verdict.reason } : {}),
        summary: verdict.summary.slice(0, 2000),
      });
      renderAgent(r.agent);
      state.events.push(`network:${verdict.ok ? 'ok' : 'fail'}`);
    } else state.events.push('network:not-run');
  } catch (err) {
    $('network').textContent = `The connectivity check failed to run: ${errorText(err)}`;
    $('network').className = 'warn';
    state.events.push('network:error');
  } finally {
    $<HTMLButtonElement>('recheck').disabled = false;
  }
}

// ------------------------------------------------------------------ offers
function clearOffer(): void {
  ringer.stop();
  if (countdownTimer) clearInterval(countdownTimer);
  countdownTimer = null;
  state.offer = undefined;
  $('offer').hidden = true;
}

function showOffer(offer: Offer): void {
  state.offer = offer;
  session.offers++;
  renderSessionKpis();
  const c = offer.contact;
  const waited = clock(Date.now() - c.enqueuedAt);
  const extra = Object.entries(c.data)
    .slice(0, 4)
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(', ');
  $('offer-text').textContent =
    `A ${c.channel} call from ${c.userId} in queue ${offer.queueId}, waiting ${waited}${c.callback ? ' (callback)' : ''}${extra ? ` — ${extra}` : ''}.`;
  $('offer').hidden = false;
  const tick = () => {
    const left = Math.max(0, Math.ceil((offer.deadline - Date.now()) / 1000));
    $('countdown').textContent = String(left);
  };
  tick();
  countdownTimer = setInterval(tick, 250);
  ringer.start();
  state.events.push(ringer.ringing ? 'ringing' : 'ring-unavailable');
  $('accept').focus();
  say(`Incoming ${c.channel} call from queue ${offer.queueId}.`);
}

// ------------------------------------------------------------------ the call
async function startCall(client: SignallingClient, e: EventData<'acd.callConnecting'>): Promise<void> {
  state.contactId = e.contactId;
  callStartedAt = Date.now();
  $('call').hidden = false;
  $('wrapup').hidden = true;
  $('call-text').textContent = `Connecting the ${e.channel} call from queue ${e.queueId}…`;
  $<HTMLButtonElement>('mute').setAttribute('aria-pressed', 'false');
  $<HTMLButtonElement>('hold').setAttribute('aria-pressed', 'false');
  let stream: MediaStream | undefined;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: e.channel === 'video' });
    $<HTMLVideoElement>('local').srcObject = stream;
  } catch (err) {
    say(
      `Your microphone${e.channel === 'video' ? ' or camera' : ''} is unavailable: ${errorText(err)}. Allow it in the browser and reload.`,
      true,
    );
  }
  const call = await Call.join(client, e.callId, stream ? { stream } : {});
  state.call = call;
  call.on('track', ({ track, streams, participantId }) => {
    // The hold audio the customer hears while the agent holds the call is not for the agent.
    if (participantId === HOLD_AUDIO_PARTICIPANT_ID) return;
    $<HTMLVideoElement>('remote').srcObject = streams[0] ?? new MediaStream([track]);
  });
  call.on('ended', () => {
    for (const t of stream?.getTracks() ?? []) t.stop();
  });
  $('call-text').textContent = `In a ${e.channel} call from queue ${e.queueId}.`;
  say('On call.');
  $('hangup').focus();
}

function endCallView(): void {
  if (callStartedAt > 0) session.handled.push(Date.now() - callStartedAt);
  callStartedAt = 0;
  const call = state.call;
  state.call = undefined;
  void call?.leave();
  $('call').hidden = true;
  renderSessionKpis();
}

function showWrapUp(contactId: string): void {
  state.contactId = contactId;
  if (!$('wrapup').hidden) return;
  $('wrapup').hidden = false;
  $<HTMLSelectElement>('disposition').focus();
}

// ------------------------------------------------------------------ wiring
async function login(agentId: string, token: string): Promise<void> {
  ringer.unlock();
  $<HTMLButtonElement>('login-button').disabled = true;
  say('Connecting…');
  let client: SignallingClient;
  try {
    client = await connectClient(token, 'auto');
  } catch (err) {
    say(`Could not connect: ${errorText(err)}`, true);
    $<HTMLButtonElement>('login-button').disabled = false;
    return;
  }
  state.client = client;
  client.on('agent.state', (a: AgentView) => renderAgent(a));
  client.on('agent.offer', (offer: Offer) => {
    state.events.push('offer');
    showOffer(offer);
  });
  client.on('agent.offerRescinded', (e: EventData<'agent.offerRescinded'>) => {
    if (state.offer?.offerId !== e.offerId) return;
    state.events.push('offerRescinded');
    clearOffer();
    say(`The call was withdrawn (${e.reason}).`);
  });
  client.on('agent.offerExpired', (e: EventData<'agent.offerExpired'>) => {
    if (state.offer?.offerId !== e.offerId) return;
    state.events.push('offerExpired');
    session.missed++;
    renderSessionKpis();
    clearOffer();
    say('You missed a call: the offer expired.', true);
  });
  client.on('acd.callConnecting', (e: EventData<'acd.callConnecting'>) => {
    if (e.side !== 'agent') return;
    state.events.push('callConnecting');
    startCall(client, e).catch((err) => say(`The call could not start: ${errorText(err)}`, true));
  });
  client.on('acd.callEnded', (e: EventData<'acd.callEnded'>) => {
    state.events.push('callEnded');
    endCallView();
    if (e.endedBy === 'system' && e.reason.startsWith('media')) {
      // Media never came up: the customer went back to the queue; there is nothing to wrap up.
      say(
        `The call could not be connected (${e.reason}); the customer keeps their place. Check your microphone and network, then press Ready.`,
        true,
      );
      return;
    }
    say(`The call ended (${e.endedBy === 'agent' ? 'you hung up' : e.reason}). Wrap it up.`);
    showWrapUp(e.contactId);
  });
  client.on('reconnecting', () => say('Connection lost — reconnecting…', true));
  client.on('connected', ({ resumed }) => {
    if (resumed) say('Reconnected.');
  });
  client.on('closed', ({ error }) => {
    ringer.stop();
    say(`Disconnected${error ? ` (${error.code})` : ''}. Reload the page to log in again.`, true);
  });

  try {
    const r = await client.request('agent.login', { agentId });
    renderAgent(r.agent);
  } catch (err) {
    say(`Login refused: ${errorText(err)}`, true);
    $<HTMLButtonElement>('login-button').disabled = false;
    await client.close();
    return;
  }
  $('login').hidden = true;
  $('console').hidden = false;
  $('title').textContent = `Agent console — ${agentId}`;
  say('Logged in. Press Ready to take calls.');
  state.events.push('loggedIn');
  $('ready').focus();

  const act = (id: string, fn: () => Promise<unknown>) => {
    $<HTMLButtonElement>(id).onclick = () => {
      fn().catch((err) => say(errorText(err), true));
    };
  };
  act('ready', async () => {
    renderAgent((await client.request('agent.status', { status: 'Ready' })).agent);
    say('Ready — waiting for a call.');
  });
  act('not-ready', async () => {
    const reason = $<HTMLSelectElement>('reason').value;
    renderAgent((await client.request('agent.status', { status: 'NotReady', reason })).agent);
    say(`Not ready (${reason}).`);
  });
  act('logout', async () => {
    await client.request('agent.logout', undefined);
    await client.close();
    location.reload();
  });
  act('accept', async () => {
    const offer = state.offer;
    if (!offer) return;
    clearOffer();
    try {
      await client.request('agent.accept', { offerId: offer.offerId });
      session.accepted++;
      state.events.push('accepted');
    } finally {
      renderSessionKpis();
    }
  });
  act('reject', async () => {
    const offer = state.offer;
    if (!offer) return;
    clearOffer();
    await client.request('agent.reject', { offerId: offer.offerId, reason: 'rejected' });
    session.rejected++;
    renderSessionKpis();
    say('Call rejected.');
  });
  act('mute', async () => {
    const button = $('mute');
    const muted = button.getAttribute('aria-pressed') !== 'true';
    await state.call?.mute('audio', muted);
    button.setAttribute('aria-pressed', String(muted));
    button.textContent = muted ? 'Unmute' : 'Mute';
  });
  act('hold', async () => {
    const button = $('hold');
    const on = button.getAttribute('aria-pressed') !== 'true';
    if (!state.contactId) return;
    await client.request('agent.hold', { contactId: state.contactId, on });
    // On hold the customer hears the hold audio, not us.
    await state.call?.mute('audio', on);
    button.setAttribute('aria-pressed', String(on));
    button.textContent = on ? 'Resume' : 'Hold';
  });
  act('hangup', async () => {
    if (!state.contactId) return;
    await client.request('agent.hangup', { contactId: state.contactId });
  });
  $<HTMLFormElement>('wrapup').onsubmit = (ev) => {
    ev.preventDefault();
    const contactId = state.contactId;
    if (!contactId) return;
    const disposition = $<HTMLSelectElement>('disposition').value;
    const notes = $<HTMLTextAreaElement>('notes').value.trim();
    (async () => {
      await client.request('agent.wrapup', { contactId, disposition, ...(notes ? { notes } : {}) });
      try {
        renderAgent((await client.request('agent.wrapupDone', { contactId })).agent);
      } catch (err) {
        // A queue without wrap-up time ended it already; the disposition is saved all the same.
        if ((err as { code?: string }).code !== 'SB_ERR_INVALID_TRANSITION') throw err;
      }
      $('wrapup').hidden = true;
      $<HTMLTextAreaElement>('notes').value = '';
      state.contactId = undefined;
      state.events.push('wrappedUp');
      say('Wrap-up saved.');
      $('ready').focus();
    })().catch((err) => say(errorText(err), true));
  };
  act('recheck', () => runNetworkCheck(client, token));
  void runNetworkCheck(client, token);
}

const agentField = $<HTMLInputElement>('agent-id');
const tokenField = $<HTMLInputElement>('token');
agentField.value = params.get('agent') ?? '';
const given = params.get('token');
if (given) {
  tokenField.value = given;
  // Keep the token out of the address bar (history, screenshots, shoulder-surfing).
  params.delete('token');
  const rest = params.toString();
  history.replaceState(null, '', `${location.pathname}${rest ? `?${rest}` : ''}`);
}
$<HTMLFormElement>('login').onsubmit = (ev) => {
  ev.preventDefault();
  void login(agentField.value.trim(), tokenField.value.trim());
};
renderSessionKpis();
if (params.get('autologin') === '1' && agentField.value && tokenField.value)
  void login(agentField.value, tokenField.value);
