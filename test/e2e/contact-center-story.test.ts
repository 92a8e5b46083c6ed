import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { seriousViolations } from '../helpers/axe.js';
import { launchChromium, type TestBrowser } from '../helpers/browser.js';
import { startPlatform, type TestPlatform, until as waitUntil } from '../helpers/platform.js';
import { randomWindow, TEST_PORTS } from '../helpers/testPorts.js';
import { WIDGET_MEDIA, type WidgetMedia } from '../helpers/widget.js';

// The whole contact-center story in Chromium: supervisor dashboard, agent console, and a user
// calling a queue from the widget on the demo site. Screenshots go to docs/screenshots/ with SB_SCREENSHOTS=1, else to a tmp dir.

const SCREENSHOTS =
  process.env.SB_SCREENSHOTS === '1'
    ? fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url))
    : mkdtempSync(path.join(tmpdir(), 'sb-screens-'));

interface Received {
  audio: number;
  frames: number;
}

/** What the pages expose for tests (`window.switchboardAgent`, `switchboardAcd`, `switchboardSupervisor`). */
interface PageWindow {
  switchboardAgent?: { call?: { pc: RTCPeerConnection }; events: string[]; network?: unknown };
  switchboardAcd?: { call?: { pc: RTCPeerConnection }; contactId?: string };
  switchboardSupervisor?: {
    monitor?: { call: { pc: RTCPeerConnection; participantId: string } };
    events: string[];
  };
}

/** Inbound audio packets and decoded video frames of the page's call, from `getStats()`. */
async function received(page: Page, which: 'agent' | 'user' | 'monitor'): Promise<Received> {
  // The user is the <switchboard-call> widget: only what comes from the agent counts.
  if (which === 'user') return (await page.evaluate(WIDGET_MEDIA)) as WidgetMedia;
  return page.evaluate(async (w) => {
    const win = window as unknown as PageWindow;
    const pc = w === 'agent' ? win.switchboardAgent?.call?.pc : win.switchboardSupervisor?.monitor?.call.pc;
    const stats = await pc?.getStats();
    let audio = 0;
    let frames = 0;
    stats?.forEach((s: { type: string; kind?: string; packetsReceived?: number; framesDecoded?: number }) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') audio += s.packetsReceived ?? 0;
      if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0;
    });
    return { audio, frames };
  }, which);
}

/** This file's longer default wait. */
const until = <T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30000) =>
  waitUntil(what, read, ok, timeoutMs);

/** The user side's page, for its screenshot name. */
const USER_PAGE = 'widget';

/**
 * The user's side: the demo company site with the `<switchboard-call>` widget (its public
 * demo key calls queue "sales"); the user presses the widget's call button.
 */
async function startUserCall(page: Page, t: TestPlatform): Promise<() => Promise<string | undefined>> {
  await page.goto(`${t.urls.https}/demo-site/`);
  await page.locator('switchboard-call').getByRole('button', { name: 'Start video call' }).click();
  return () =>
    page.evaluate(
      () =>
        (document.querySelector('switchboard-call') as unknown as { contactId: string | null } | null)
          ?.contactId ?? undefined,
    );
}

describe('The contact-center story in Chromium', { timeout: 240_000 }, () => {
  let t: TestPlatform;
  let browser: TestBrowser;
  let admin: string;

  before(async () => {
    const range = randomWindow(TEST_PORTS.platformMedia, 40);
    t = await startPlatform({
      // A short cooldown after a miss and no auto-pause: the offers test rings the same agent again.
      acd: { kpiIntervalMs: 500, missCooldownMs: 1500, missedOfferLimit: 10 },
      media: { listenAddress: '127.0.0.1', rtcPorts: range, acdPorts: range, qualityIntervalMs: 1000 },
    });
    browser = await launchChromium(['--autoplay-policy=no-user-gesture-required']);
    admin = await t.mint('admin', { admin: true });
    for (const [url, body] of [
      ['/v1/queues/sales', { name: 'Sales', wrapUpSeconds: 120 }],
      ['/v1/agents/a1', { name: 'Ann', queues: ['sales'] }],
      ['/v1/queues/desk', { name: 'Help desk', offerTimeoutSeconds: 2 }],
      ['/v1/agents/a2', { name: 'Bo', queues: ['desk'] }],
    ] as const) {
      const res = await t.fetch(`${t.urls.https}${url}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.ok(res.ok, `${url}: ${res.status} ${await res.text()}`);
    }
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('supervisor watches, agent logs in and answers a video call, media both ways, quality on the dashboard, hang-up, wrap-up, answered = 1', async () => {
    // The supervisor opens the dashboard (no trailing slash: the platform redirects).
    const supervisor = await browser.context.newPage();
    await supervisor.goto(`${t.urls.https}/supervisor?token=${await t.mint('sue', { supervise: true })}`);
    assert.match(supervisor.url(), /\/supervisor\/(\?|$)/);
    assert.doesNotMatch(supervisor.url(), /token=/, 'the token leaves the address bar');
    await supervisor.waitForSelector('tr[data-queue="sales"]');
    await supervisor.waitForSelector('tr[data-agent="a1"]');

    // The agent opens the console, logs in with the form and goes Ready.
    const agent = await browser.context.newPage();
    await agent.goto(`${t.urls.https}/agent`);
    assert.match(agent.url(), /\/agent\/$/);
    await agent.fill('#agent-id', 'a1');
    await agent.fill('#token', await t.mint('ann', { agent: 'a1', tester: true }));
    await agent.click('#login-button');
    await agent.waitForSelector('#console:not([hidden])');
    await until(
      'the connectivity check ran and was reported',
      () => agent.evaluate(() => (window as unknown as PageWindow).switchboardAgent?.events ?? []),
      (e) => e.some((x) => x.startsWith('network:')),
      60_000,
    );
    const network = await agent.evaluate(() =>
      (window as unknown as PageWindow).switchboardAgent?.events.find((x) => x.startsWith('network:')),
    );
    assert.equal(network, 'network:ok', `connectivity check: ${await agent.textContent('#network')}`);
    await agent.click('#ready');
    await until(
      'agent Ready',
      () => agent.textContent('#presence'),
      (s) => s === 'Ready',
    );
    await until(
      'the dashboard shows the agent Ready',
      () => supervisor.textContent('tr[data-agent="a1"] td[data-k="status"]'),
      (s) => s === 'Ready',
    );

    // A user starts a video call.
    const user = await browser.context.newPage();
    const contactIdOf = await startUserCall(user, t);

    // The agent sees the offer, with a countdown, and accepts.
    await agent.waitForSelector('#offer:not([hidden])', { timeout: 20_000 });
    const countdown = Number(await agent.textContent('#countdown'));
    assert.deepEqual(await seriousViolations(agent), [], 'the offer view is accessible');
    assert.ok(countdown > 0 && countdown <= 60, `countdown ${countdown}`);
    assert.ok(
      (await agent.evaluate(() => (window as unknown as PageWindow).switchboardAgent?.events ?? [])).includes(
        'ringing',
      ),
      'the offer rings',
    );
    await agent.click('#accept');

    const wanted = (v: Received) => v.audio > 0 && v.frames > 0;
    await until('the user decodes the agent', () => received(user, 'user'), wanted);
    await until('the agent decodes the user', () => received(agent, 'agent'), wanted);
    const contactId = await contactIdOf();
    assert.ok(contactId);

    // The dashboard shows the call and its quality.
    await supervisor.waitForSelector(`tr[data-contact="${contactId}"][data-state="oncall"]`, {
      timeout: 20_000,
    });
    await until(
      'the agent’s call and quality on the dashboard',
      async () => ({
        call: await supervisor.textContent('tr[data-agent="a1"] td[data-k="call"]'),
        mos: await supervisor.textContent('tr[data-agent="a1"] td[data-k="mos"]'),
        rtt: await supervisor.textContent('tr[data-agent="a1"] td[data-k="rtt"]'),
      }),
      (v) => v.call === contactId && /^\d\.\d\d/.test(v.mos ?? '') && v.rtt !== null,
      20_000,
    );

    // Silent monitoring from the dashboard: the supervisor hears the call.
    await supervisor.click(`tr[data-contact="${contactId}"] td[data-k="monitor"] button`);
    await until(
      'the supervisor hears the call',
      () => received(supervisor, 'monitor'),
      (v) => v.audio > 0,
    ).catch(async (err: Error) => {
      // Say what the monitor's side saw, so a failure explains itself.
      const seen = await supervisor.evaluate(async () => {
        const monitor = (window as unknown as PageWindow).switchboardSupervisor?.monitor;
        const pc = monitor?.call.pc;
        const inbound: unknown[] = [];
        (await pc?.getStats())?.forEach((r: { type: string }) => {
          if (r.type === 'inbound-rtp') inbound.push(r);
        });
        return {
          participantId: monitor?.call.participantId,
          status: document.getElementById('monitor-status')?.textContent,
          connection: pc?.connectionState,
          transceivers: pc?.getTransceivers().map((x) => `${x.mid}:${x.currentDirection}`),
          inbound,
        };
      });
      // And what the server saw of the monitor's peer connection (its log lines since the join).
      const joined = t.logs().lastIndexOf('"hidden":true');
      const serverSide = t
        .logs()
        .slice(joined === -1 ? 0 : t.logs().lastIndexOf('\n', joined))
        .split('\n')
        .filter((l) => /participant|connection state|monitor|inactive/i.test(l))
        .slice(0, 40)
        .join('\n');
      throw new Error(`${err.message}; monitor: ${JSON.stringify(seen)}\nserver:\n${serverSide}`);
    });

    assert.deepEqual(await seriousViolations(agent), [], 'the call view is accessible');
    assert.deepEqual(await seriousViolations(supervisor), [], 'the dashboard with a call is accessible');
    await agent.screenshot({ path: path.join(SCREENSHOTS, 'agent.png'), fullPage: true });
    await supervisor.screenshot({ path: path.join(SCREENSHOTS, 'supervisor.png'), fullPage: true });
    await user.screenshot({ path: path.join(SCREENSHOTS, `${USER_PAGE}.png`), fullPage: true });

    // The agent puts the customer on hold: the widget plays the queue's hold audio; Resume stops it.
    await agent.click('#hold');
    await until(
      'the user hears hold audio while the agent holds',
      async () => ((await user.evaluate(WIDGET_MEDIA)) as WidgetMedia).holdEnergy,
      (energy) => energy > 0,
    );
    await agent.click('#hold');
    await until(
      'the hold audio stops on resume',
      async () => ((await user.evaluate(WIDGET_MEDIA)) as WidgetMedia).holdEnergy,
      (energy) => energy === 0,
    );

    // The agent hangs up and wraps up.
    await agent.click('#hangup');
    await agent.waitForSelector('#wrapup:not([hidden])');
    assert.deepEqual(await seriousViolations(agent), [], 'the wrap-up view is accessible');
    await agent.selectOption('#disposition', 'resolved');
    await agent.fill('#notes', 'Order 1234 shipped.');
    await agent.click('#wrapup-done');
    await until(
      'wrapped up',
      () => agent.evaluate(() => (window as unknown as PageWindow).switchboardAgent?.events ?? []),
      (e) => e.includes('wrappedUp'),
    );
    await until(
      'the dashboard counts the answered call',
      () => supervisor.textContent('tr[data-queue="sales"] td[data-k="answered"]'),
      (s) => s === '1',
    );
    assert.equal(await agent.textContent('#kpi-handled'), '1');

    const records = (await (
      await t.fetch(`${t.urls.https}/v1/records?queueId=sales`, {
        headers: { authorization: `Bearer ${admin}` },
      })
    ).json()) as {
      records: { contactId: string; outcome: string; disposition: string | null; quality: unknown }[];
    };
    const record = records.records.find((r) => r.contactId === contactId);
    assert.equal(record?.outcome, 'answered');
    assert.equal(record?.disposition, 'resolved: Order 1234 shipped.');
    assert.ok(record?.quality, 'the record carries the call quality');
    await supervisor.screenshot({ path: path.join(SCREENSHOTS, 'supervisor-after.png'), fullPage: true });
  });

  it('offers in the console: rejected, left to expire (missed), withdrawn when the user hangs up', async () => {
    const agent = await browser.context.newPage();
    const token = await t.mint('bo', { agent: 'a2' });
    await agent.goto(`${t.urls.https}/agent/?agent=a2&autologin=1&token=${token}`);
    await agent.waitForSelector('#console:not([hidden])');
    await agent.click('#ready');
    await until(
      'agent Ready',
      () => agent.textContent('#presence'),
      (s) => s === 'Ready',
    );
    const events = () =>
      agent.evaluate(() => (window as unknown as PageWindow).switchboardAgent?.events ?? []);
    const offers = async () => (await events()).filter((e) => e === 'offer').length;

    const user = await browser.context.newPage();
    await user.goto(
      `${t.urls.https}/acd-demo/?role=user&queue=desk&channel=audio&token=${await t.mint('customer-2', { queues: ['desk'] })}`,
    );
    await agent.waitForSelector('#offer:not([hidden])');
    await agent.click('#reject');
    await until(
      'rejected',
      () => agent.textContent('#kpi-rejected'),
      (s) => s === '1',
    );

    // The same contact rings again after the cooldown: this time nobody answers.
    await until('offered again', offers, (n) => n >= 2);
    await until('the offer expires', events, (e) => e.includes('offerExpired'), 10_000);
    assert.equal(await agent.isHidden('#offer'), true);
    assert.equal(await agent.textContent('#kpi-missed'), '1');
    assert.match((await agent.textContent('#status')) ?? '', /missed/);

    // Ringing again; the user hangs up while it rings: the offer is withdrawn.
    const before = await offers();
    await until('offered a third time', offers, (n) => n > before);
    await agent.waitForSelector('#offer:not([hidden])');
    // The bare user page has no leave-the-queue button while waiting; its client cancels.
    await user.evaluate(async () => {
      const w = window as unknown as {
        switchboardAcd: { client: { request(t: string, d: object): Promise<unknown> }; contactId: string };
      };
      await w.switchboardAcd.client.request('contact.cancel', { contactId: w.switchboardAcd.contactId });
    });
    await until('withdrawn', events, (e) => e.includes('offerRescinded'));
    assert.equal(await agent.isHidden('#offer'), true);
    assert.match((await agent.textContent('#status')) ?? '', /withdrawn/);
    await user.close();
    await agent.close();
  });
});
