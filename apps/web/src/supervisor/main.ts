// The supervisor dashboard: live queue KPIs with charts, agents with their state and live call
// quality judged against the spec, live contacts, and silent monitoring of a call.
// ?token=… signs in at once (a token with the `supervise` grant).
import { type EventData, mosFromSample, type RequestResult, SPEC_THRESHOLDS } from '@switchboard/protocol';
import { Call, type SignallingClient } from '@switchboard/sdk';
import { connectClient } from '../shared/platformClient.js';
import { Sparkline } from './Sparkline.js';

type Kpis = EventData<'acd.kpis'>;
type AgentView = EventData<'acd.agentState'>;
type ContactInfo = NonNullable<EventData<'acd.contact'>['contact']>;
type Quality = EventData<'acd.quality'>;

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);

interface QueueEntry {
  kpis: Kpis;
  name: string;
  row: HTMLTableRowElement;
  waiting: Sparkline;
  serviceLevel: Sparkline;
}

/** Exposed for tests and devtools. */
interface DashboardState {
  client?: SignallingClient;
  queues: Map<string, QueueEntry>;
  agents: Map<string, AgentView>;
  contacts: Map<string, ContactInfo>;
  /** contactId → the latest sample of each side. */
  quality: Map<string, { agent?: Quality; user?: Quality }>;
  monitor?: { contactId: string; call: Call };
  events: string[];
}
declare global {
  interface Window {
    switchboardSupervisor?: DashboardState;
  }
}
const state: DashboardState = {
  queues: new Map(),
  agents: new Map(),
  contacts: new Map(),
  quality: new Map(),
  events: [],
};
window.switchboardSupervisor = state;

/** MOS at the spec's limits (RTT 300 ms, jitter 50 ms, loss 1.5 %): below it is out of spec. */
const MOS_LIMIT = mosFromSample({
  rttMs: SPEC_THRESHOLDS.rttMs,
  jitterMs: SPEC_THRESHOLDS.jitterMs,
  lossPercent: SPEC_THRESHOLDS.lossPercent,
});

function say(text: string, failed = false): void {
  const el = $('status');
  el.textContent = text;
  el.classList.toggle('fail', failed);
}

function errorText(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return e.code ? `${e.code}: ${e.message}` : String(e.message ?? err);
}

const seconds = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`);
const percent = (r: number | null) => (r === null ? '—' : `${Math.round(r * 100)} %`);

function cell(row: HTMLTableRowElement, key: string, text: string, className = ''): HTMLTableCellElement {
  let td = row.querySelector<HTMLTableCellElement>(`td[data-k="${key}"]`);
  if (!td) {
    td = document.createElement('td');
    td.dataset.k = key;
    row.append(td);
  }
  td.textContent = text;
  td.className = className;
  return td;
}

/** A quality figure, highlighted (with words, not colour alone) when out of the spec. */
function qualityCell(
  row: HTMLTableRowElement,
  key: string,
  value: number | null | undefined,
  limit: number,
  unit: string,
  below = false,
): void {
  if (value === null || value === undefined) {
    cell(row, key, '—');
    return;
  }
  const out = below ? value < limit : value >= limit;
  const text = unit === '' ? value.toFixed(2) : `${value.toFixed(unit === '%' ? 1 : 0)} ${unit}`;
  const td = cell(row, key, text, `num${out ? ' out' : ''}`);
  if (out) {
    const note = document.createElement('span');
    note.className = 'visually-hidden';
    note.textContent = ` — out of spec (${below ? 'below' : 'limit'} ${limit.toFixed(unit === '' ? 2 : unit === '%' ? 1 : 0)}${unit ? ` ${unit}` : ''})`;
    td.append(note);
    td.title = `Out of the spec: ${below ? 'at least' : 'below'} ${limit}${unit ? ` ${unit}` : ''}`;
  }
}

// ------------------------------------------------------------------ queues
function renderQueue(k: Kpis): void {
  let entry = state.queues.get(k.queueId);
  if (!entry) {
    const row = document.createElement('tr');
    row.dataset.queue = k.queueId;
    const th = document.createElement('th');
    th.scope = 'row';
    row.append(th);
    entry = {
      kpis: k,
      name: k.queueId,
      row,
      waiting: new Sparkline(`Waiting contacts over time in ${k.queueId}`),
      serviceLevel: new Sparkline(`Service level over time in ${k.queueId}`, { max: 1 }),
    };
    state.queues.set(k.queueId, entry);
    $('queues').querySelector('tbody')?.append(row);
  }
  entry.kpis = k;
  const { row } = entry;
  (row.firstElementChild as HTMLElement).textContent = entry.name;
  cell(row, 'waiting', String(k.waiting), 'num');
  cell(row, 'longest', seconds(k.longestWaitingMs), 'num');
  cell(row, 'sl', percent(k.serviceLevel), 'num');
  cell(row, 'asa', seconds(k.asaMs), 'num');
  cell(row, 'abandoned', `${k.abandoned} (${percent(k.abandonmentRate)})`, 'num');
  cell(row, 'answered', String(k.answered), 'num');
  cell(
    row,
    'agents',
    Object.entries(k.agentsByState)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${s} ${n}`)
      .join(', ') || 'none',
  );
  entry.waiting.push(k.waiting);
  entry.serviceLevel.push(k.serviceLevel ?? 0);
  for (const [key, spark] of [
    ['waitingChart', entry.waiting],
    ['slChart', entry.serviceLevel],
  ] as const) {
    const td = cell(row, key, '');
    td.append(spark.element);
  }
}

// ------------------------------------------------------------------ agents
function currentContact(a: AgentView): string | null {
  const s = a.state;
  if (s.kind === 'OnCall' || s.kind === 'Connecting') return s.contactId;
  return null;
}

function renderAgents(): void {
  const body = $('agents').querySelector('tbody');
  if (!body) return;
  const rows: HTMLTableRowElement[] = [];
  for (const a of [...state.agents.values()].sort((x, y) => x.id.localeCompare(y.id))) {
    const row =
      body.querySelector<HTMLTableRowElement>(`tr[data-agent="${CSS.escape(a.id)}"]`) ??
      document.createElement('tr');
    row.dataset.agent = a.id;
    if (!row.firstElementChild) {
      const th = document.createElement('th');
      th.scope = 'row';
      row.append(th);
    }
    (row.firstElementChild as HTMLElement).textContent =
      a.name && a.name !== a.id ? `${a.name} (${a.id})` : a.id;
    cell(row, 'status', a.status.kind === 'NotReady' ? `Not ready: ${a.status.reason}` : a.status.kind);
    cell(row, 'state', a.connected ? a.state.kind : `${a.state.kind} (disconnected)`);
    const contactId = currentContact(a);
    cell(row, 'call', contactId ?? '—');
    cell(
      row,
      'network',
      a.network.ok ? 'OK' : `Failing: ${a.network.reason ?? 'network'}`,
      a.network.ok ? 'ok' : 'out',
    );
    const q = contactId ? state.quality.get(contactId)?.agent : undefined;
    qualityCell(row, 'rtt', q?.rttMs, SPEC_THRESHOLDS.rttMs, 'ms');
    qualityCell(row, 'jitter', q?.jitterMs, SPEC_THRESHOLDS.jitterMs, 'ms');
    qualityCell(row, 'loss', q?.lossPercent, SPEC_THRESHOLDS.lossPercent, '%');
    qualityCell(row, 'mos', q?.mos, MOS_LIMIT, '', true);
    rows.push(row);
  }
  body.replaceChildren(...rows);
}

// ------------------------------------------------------------------ contacts and monitoring
function renderContacts(): void {
  const body = $('calls').querySelector('tbody');
  if (!body) return;
  const rows: HTMLTableRowElement[] = [];
  for (const c of state.contacts.values()) {
    // Rows are updated in place so a focused Listen button keeps the keyboard focus.
    const row =
      body.querySelector<HTMLTableRowElement>(`tr[data-contact="${CSS.escape(c.contactId)}"]`) ??
      document.createElement('tr');
    row.dataset.contact = c.contactId;
    row.dataset.state = c.state;
    if (!row.firstElementChild) {
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = c.contactId;
      row.append(th);
    }
    cell(row, 'queue', c.queueId);
    cell(row, 'channel', c.channel);
    cell(row, 'state', c.state);
    cell(row, 'agent', c.agentId ?? '—');
    cell(row, 'waited', seconds(Date.now() - c.enqueuedAt), 'num');
    qualityCell(row, 'userMos', state.quality.get(c.contactId)?.user?.mos, MOS_LIMIT, '', true);
    const live = c.state === 'oncall' || c.state === 'connecting';
    const listening = state.monitor?.contactId === c.contactId;
    const mode = live ? (listening ? 'listening' : 'can-listen') : 'none';
    let td = row.querySelector<HTMLTableCellElement>('td[data-k="monitor"]');
    if (td?.dataset.mode === mode) {
      rows.push(row);
      continue;
    }
    td = cell(row, 'monitor', '');
    td.dataset.mode = mode;
    if (live) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = listening ? 'danger' : 'secondary';
      button.textContent = listening ? 'Stop listening' : 'Listen';
      button.setAttribute(
        'aria-label',
        `${listening ? 'Stop listening to' : 'Listen to'} contact ${c.contactId}`,
      );
      button.onclick = () => void (listening ? stopMonitor() : startMonitor(c.contactId));
      td.append(button);
    }
    rows.push(row);
  }
  body.replaceChildren(...rows);
}

async function startMonitor(contactId: string): Promise<void> {
  const client = state.client;
  if (!client) return;
  await stopMonitor();
  try {
    const { callId } = await client.request('supervisor.monitor', { contactId });
    const call = await Call.join(client, callId);
    state.monitor = { contactId, call };
    const audio = $<HTMLAudioElement>('monitor-audio');
    call.on('track', ({ track }) => {
      if (track.kind !== 'audio') return;
      const stream = (audio.srcObject as MediaStream | null) ?? new MediaStream();
      stream.addTrack(track);
      audio.srcObject = stream;
    });
    call.on('ended', () => {
      if (state.monitor?.call === call) state.monitor = undefined;
      audio.srcObject = null;
      $('monitor-status').textContent = 'The monitored call ended.';
      renderContacts();
    });
    $('monitor-status').textContent =
      `Listening to contact ${contactId} (the agent and the customer are not told).`;
    state.events.push('monitoring');
  } catch (err) {
    $('monitor-status').textContent = `Could not listen: ${errorText(err)}`;
  }
  renderContacts();
}

async function stopMonitor(): Promise<void> {
  const m = state.monitor;
  state.monitor = undefined;
  if (!m) return;
  await m.call.leave();
  $<HTMLAudioElement>('monitor-audio').srcObject = null;
  $('monitor-status').textContent = 'Listening to no call.';
  renderContacts();
}

// ------------------------------------------------------------------ sign-in and streams
async function authorizedJson<T>(token: string, url: string): Promise<T | null> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return res.ok ? ((await res.json()) as T) : null;
}

async function signIn(token: string): Promise<void> {
  say('Connecting…');
  let client: SignallingClient;
  try {
    client = await connectClient(token, 'auto');
  } catch (err) {
    say(`Could not connect: ${errorText(err)}`, true);
    return;
  }
  state.client = client;
  client.on('reconnecting', () => say('Connection lost — reconnecting…', true));
  client.on('connected', ({ resumed }) => {
    if (resumed) say('Reconnected.');
  });
  client.on('closed', ({ error }) =>
    say(`Disconnected${error ? ` (${error.code})` : ''}. Reload to sign in again.`, true),
  );
  client.on('acd.kpis', (k) => renderQueue(k));
  client.on('acd.agentState', (a) => {
    state.agents.set(a.id, a);
    renderAgents();
  });
  client.on('acd.contact', (e) => {
    state.events.push(`contact:${e.event}`);
    if (e.event === 'ended' || e.event === 'overflowed' || e.contact === null) {
      state.contacts.delete(e.contactId);
      state.quality.delete(e.contactId);
    } else state.contacts.set(e.contactId, e.contact);
    renderContacts();
  });
  client.on('acd.quality', (q) => {
    const entry = state.quality.get(q.contactId) ?? {};
    entry[q.side] = q;
    state.quality.set(q.contactId, entry);
    renderAgents();
    renderContacts();
  });
  let snapshot: RequestResult<'acd.subscribe'>;
  try {
    snapshot = await client.request('acd.subscribe', {});
  } catch (err) {
    say(`Sign-in refused: ${errorText(err)}`, true);
    await client.close();
    return;
  }
  // Names and the contacts already live come from the REST API (the stream sends changes).
  const [queues, contacts] = await Promise.all([
    authorizedJson<{ queues: { id: string; name?: string }[] }>(token, '/v1/queues').catch(() => null),
    authorizedJson<{ contacts: ContactInfo[] }>(token, '/v1/contacts').catch(() => null),
  ]);
  for (const k of snapshot.kpis) renderQueue(k);
  for (const q of queues?.queues ?? []) {
    const entry = state.queues.get(q.id);
    if (entry && q.name) {
      entry.name = `${q.name} (${q.id})`;
      (entry.row.firstElementChild as HTMLElement).textContent = entry.name;
    }
  }
  for (const a of snapshot.agents) state.agents.set(a.id, a);
  for (const c of contacts?.contacts ?? []) state.contacts.set(c.contactId, c);
  renderAgents();
  renderContacts();
  $('quality-note').textContent =
    `Live call quality of the agent’s side, measured by the server every few seconds. Spec limits: RTT below ${SPEC_THRESHOLDS.rttMs} ms, jitter below ${SPEC_THRESHOLDS.jitterMs} ms, loss below ${SPEC_THRESHOLDS.lossPercent} %, MOS at least ${MOS_LIMIT.toFixed(2)} (the MOS at those limits). Out-of-spec values are marked.`;
  $('login').hidden = true;
  $('dashboard').hidden = false;
  say(`Watching ${snapshot.kpis.length} queue(s) and ${snapshot.agents.length} agent(s).`);
  state.events.push('subscribed');
  // The waited column ages between events.
  setInterval(renderContacts, 5000);
}

const tokenField = $<HTMLInputElement>('token');
const given = params.get('token');
$<HTMLFormElement>('login').onsubmit = (ev) => {
  ev.preventDefault();
  void signIn(tokenField.value.trim());
};
if (given) {
  params.delete('token');
  const rest = params.toString();
  history.replaceState(null, '', `${location.pathname}${rest ? `?${rest}` : ''}`);
  tokenField.value = given;
  void signIn(given);
}
