import {
  type CheckGroup,
  type CheckResult,
  CouldNotRunError,
  describeRule,
  HttpProbeApi,
  type Report,
  runTester,
  testerCallId,
  withChecks,
} from '@switchboard/tester';
import { BrowserPlatform } from '@switchboard/tester/browser';
import { fetchJson } from '../shared/platformClient.js';
import { checkDevices } from './deviceCheck.js';
import { runWebRtcLeg } from './webrtcLeg.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const statusEl = $<HTMLParagraphElement>('status');
const progressEl = $<HTMLProgressElement>('progress');
const runButton = $<HTMLButtonElement>('run');
const downloadButton = $<HTMLButtonElement>('download');

/** Exposed for tests and for looking at the raw report from the console. */
declare global {
  interface Window {
    switchboardTester?: { report?: Report; error?: string };
  }
}

const GROUPS: { group: CheckGroup; title: string }[] = [
  { group: 'rtc', title: 'RTC — needed by Agents and Users' },
  { group: 'acd', title: 'ACD — needed by Agents' },
  { group: 'quality', title: 'Quality and bandwidth — needed by everyone' },
];
const VERDICT_TEXT = { pass: 'Pass', warn: 'Pass with warnings', fail: 'Fail', skipped: 'Skipped' } as const;

function say(text: string, percent?: number): void {
  statusEl.textContent = text;
  if (percent !== undefined) progressEl.value = percent;
}

/** A token from `?token=` (removed from the address bar), else the dev-only endpoint. */
async function obtainToken(): Promise<{ token: string; callId: string | undefined }> {
  const given = params.get('token');
  if (given) {
    params.delete('token');
    const query = params.toString();
    history.replaceState(null, '', `${location.pathname}${query ? `?${query}` : ''}`);
    return { token: given, callId: callIdOf(given) };
  }
  try {
    const r = await fetchJson<{ token: string; callId: string }>('/v1/tester/token');
    return { token: r.token, callId: r.callId };
  } catch {
    throw new CouldNotRunError(
      'token-required',
      'This page needs a tester token: ask your Switchboard administrator for a tester link (/tester?token=…, minted with POST /v1/probe/tokens).',
    );
  }
}

/** The tester's own call, from the token's identity (the server lets it join only that one). */
function callIdOf(token: string): string | undefined {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const sub = (JSON.parse(json) as { sub?: unknown }).sub;
    return typeof sub === 'string' ? testerCallId(sub) : undefined;
  } catch {
    return undefined;
  }
}

function cell(row: HTMLTableRowElement, text: string, className?: string): HTMLTableCellElement {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function fmt(n: number | null, unit: string): string {
  return n === null ? '—' : `${n}${unit ? ` ${unit}` : ''}`;
}

function thresholdText(c: CheckResult): string {
  if (c.threshold === null) return '—';
  return `${c.comparison === 'at-least' ? '≥' : '<'} ${c.threshold}${c.unit ? ` ${c.unit}` : ''}`;
}

/** One table per spec group; rows come in live and are redrawn in order at the end. */
function render(checks: readonly CheckResult[]): void {
  const container = $('groups');
  container.replaceChildren();
  for (const { group, title } of GROUPS) {
    const rows = checks.filter((c) => c.group === group);
    if (!rows.length) continue;
    const table = document.createElement('table');
    table.createCaption().textContent = title;
    const head = table.createTHead().insertRow();
    for (const h of ['Check', 'Verdict', 'Measured', 'Threshold', 'Margin', 'Details']) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = h;
      head.append(th);
    }
    const body = table.createTBody();
    for (const c of rows) {
      const row = body.insertRow();
      row.dataset.check = c.id;
      row.dataset.verdict = c.verdict;
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = c.title;
      row.append(th);
      cell(row, VERDICT_TEXT[c.verdict], `v-${c.verdict}`);
      cell(row, fmt(c.value, c.unit));
      cell(row, thresholdText(c));
      cell(row, fmt(c.margin, c.unit));
      const details = cell(row, c.summary);
      if (c.firewallRule) {
        const p = document.createElement('p');
        p.className = 'rule';
        p.textContent = describeRule(c.firewallRule);
        details.append(p);
      }
      if (c.recommendation) {
        const p = document.createElement('p');
        p.textContent = c.recommendation;
        details.append(p);
      }
    }
    container.append(table);
  }
}

function showVerdict(report: Report): void {
  $('summary').hidden = false;
  const v = $<HTMLParagraphElement>('verdict');
  v.dataset.verdict = report.verdict;
  v.className = `verdict v-${report.verdict}`;
  const failed = report.checks.filter((c) => c.verdict === 'fail').length;
  const warned = report.checks.filter((c) => c.verdict === 'warn').length;
  const skipped = report.checks.filter((c) => c.verdict === 'skipped').length;
  v.textContent = `Overall: ${VERDICT_TEXT[report.verdict]} — ${failed} failed, ${warned} warnings, ${skipped} skipped (not measurable in a browser or not configured).`;
  const list = $<HTMLUListElement>('audiences');
  list.replaceChildren();
  for (const [who, verdict] of [
    ['Agents (RTC + ACD)', report.audiences.agent],
    ['Users (RTC)', report.audiences.user],
  ] as const) {
    const li = document.createElement('li');
    li.dataset.audience = who;
    li.textContent = `${who}: ${VERDICT_TEXT[verdict]}`;
    li.className = `v-${verdict}`;
    list.append(li);
  }
}

function download(report: Report): void {
  const blob = new Blob([`${JSON.stringify(report, null, 2)}\n`], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `switchboard-test-${report.startedAt.replace(/[:.]/g, '-')}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

async function run(): Promise<void> {
  runButton.disabled = true;
  downloadButton.disabled = true;
  $('summary').hidden = true;
  window.switchboardTester = {};
  const live: CheckResult[] = [];
  const platform = new BrowserPlatform();
  try {
    say('Getting a tester token…', 2);
    const { token, callId } = await obtainToken();
    const api = new HttpProbeApi(platform, { server: location.origin, token });
    const mode = params.get('mode') === 'full' ? 'full' : 'quick';
    const phasePercent = { profile: 5, session: 10, tcp: 15, udp: 30, turn: 35, quality: 40, bandwidth: 45 };
    const base = await runTester({
      api,
      platform,
      server: location.origin,
      mode,
      onProgress: (e) => {
        if (e.kind === 'phase') say(e.message, phasePercent[e.phase]);
        else {
          live.push(e.check);
          render(live);
        }
      },
    });
    say('Asking for the camera and microphone…', 50);
    const devices = await checkDevices(() => platform.now());
    live.push(devices.check);
    render(live);
    const profile = await api.profile();
    let leg: CheckResult[];
    if (callId) {
      leg = await runWebRtcLeg({
        token,
        callId,
        profile,
        stream: devices.stream,
        now: () => platform.now(),
        onPhase: (m) => say(m, m.includes('measuring') ? 75 : 60),
      });
    } else {
      leg = [
        {
          id: 'webrtc.connect',
          group: 'rtc',
          audiences: ['agent', 'user'],
          title: 'WebRTC media to the video gateway',
          verdict: 'skipped',
          value: null,
          unit: '',
          threshold: null,
          comparison: null,
          margin: null,
          summary: 'The token names no tester call (its identity is too long for a call id).',
          metrics: [],
          durationMs: 0,
        },
      ];
    }
    for (const t of devices.stream?.getTracks() ?? []) t.stop();
    // Say why in a browser's terms: a page has no raw sockets, the WebRTC leg stands in for UDP.
    base.checks = base.checks.map((c) =>
      c.verdict === 'skipped' && c.summary.startsWith('This platform cannot')
        ? {
            ...c,
            summary: `${c.summary.replace('This platform', 'A web browser')}${c.id.startsWith('udp.rtc') ? ' The WebRTC check tests the video gateway path instead.' : ''}`,
          }
        : c,
    );
    const report = withChecks(base, [devices.check, ...leg]);
    // The whole run, the page's own checks included.
    report.durationMs = Date.now() - Date.parse(base.startedAt);
    window.switchboardTester = { report };
    render(report.checks);
    showVerdict(report);
    say(`Done: ${VERDICT_TEXT[report.verdict]}.`, 100);
    downloadButton.disabled = false;
    downloadButton.onclick = () => download(report);
  } catch (err) {
    const message =
      err instanceof CouldNotRunError ? err.message : `The test could not run: ${(err as Error).message}`;
    window.switchboardTester = { error: message };
    say(message, 0);
  } finally {
    runButton.disabled = false;
  }
}

runButton.onclick = () => void run();
if (params.get('autorun') === '1') void run();
