import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { launchChromium, type TestBrowser } from '../helpers/browser.js';
import { launchFirefox, type TestFirefox } from '../helpers/firefox.js';
import { startPlatform, type TestPlatform, until as waitUntil } from '../helpers/platform.js';
import { randomWindow, TEST_PORTS } from '../helpers/testPorts.js';
import { WIDGET_MEDIA, type WidgetMedia } from '../helpers/widget.js';

type Seen = WidgetMedia;

/** This file's longer default wait. */
const until = <T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30000) =>
  waitUntil(what, read, ok, timeoutMs);

describe('the contact-center story with the user’s widget in Firefox ESR, agent and supervisor in Chromium', {
  timeout: 150_000,
}, () => {
  let t: TestPlatform;
  let chromium: TestBrowser;
  let firefox: TestFirefox;
  let admin: string;
  const skip = existsSync('/usr/bin/firefox-esr') ? false : 'firefox-esr is not installed';

  const put = async (url: string, body: object) => {
    const res = await t.fetch(`${t.urls.https}${url}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.ok(res.ok, `${url}: ${res.status} ${await res.text()}`);
  };

  before(async () => {
    if (skip) return;
    const range = randomWindow(TEST_PORTS.platformMedia, 40);
    t = await startPlatform({
      acd: { kpiIntervalMs: 500 },
      media: { listenAddress: '127.0.0.1', rtcPorts: range, acdPorts: range },
    });
    admin = await t.mint('admin', { admin: true });
    await put('/v1/queues/sales', { name: 'Sales', wrapUpSeconds: 0 });
    await put('/v1/agents/a1', { name: 'Ann', queues: ['sales'] });
    chromium = await launchChromium();
    firefox = await launchFirefox();
  });
  after(async () => {
    await firefox?.close();
    await chromium?.close();
    await t?.stop();
  });

  it('the story with the user in Firefox: dashboard, console login and Ready, widget video call, accept, media both ways, hang-up, wrap-up, answered = 1', {
    skip,
  }, async () => {
    // The supervisor's dashboard and the agent's console, in Chromium.
    const supervisor = await chromium.context.newPage();
    await supervisor.goto(`${t.urls.https}/supervisor/?token=${await t.mint('sue', { supervise: true })}`);
    await supervisor.waitForSelector('tr[data-queue="sales"]');
    const agent = await chromium.context.newPage();
    await agent.goto(
      `${t.urls.https}/agent/?agent=a1&autologin=1&token=${await t.mint('ann', { agent: 'a1', tester: true })}`,
    );
    await agent.waitForSelector('#console:not([hidden])');
    await agent.click('#ready');
    await agent.waitForFunction(() => document.getElementById('presence')?.textContent === 'Ready');

    // The user, in Firefox, calls from the widget on the demo site.
    const user = await firefox.browser.newPage();
    await user.goto(`${t.urls.https}/demo-site/`);
    const read = async () => (await user.evaluate(WIDGET_MEDIA)) as Seen;
    await user.locator('switchboard-call >>> button.start').click();

    // The agent is offered the call; before she accepts, Firefox plays the queue's hold audio
    // (a server track in the contact's call, which the agent's media then replaces).
    await agent.waitForSelector('#offer:not([hidden])', { timeout: 30_000 });
    await until('Firefox plays the hold audio', read, (v) => v.holdEnergy > 0);
    await agent.click('#accept');
    await until(
      'Firefox decodes the agent’s video and audio',
      read,
      (v) => v.state === 'in-call' && v.frames > 0 && v.audio > 0,
    );
    const agentDecodes = async () =>
      agent.evaluate(async () => {
        const pc = (window as unknown as { switchboardAgent?: { call?: { pc: RTCPeerConnection } } })
          .switchboardAgent?.call?.pc;
        let frames = 0;
        let audio = 0;
        (await pc?.getStats())?.forEach(
          (s: { type: string; kind?: string; packetsReceived?: number; framesDecoded?: number }) => {
            if (s.type === 'inbound-rtp' && s.kind === 'audio') audio += s.packetsReceived ?? 0;
            if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0;
          },
        );
        return { state: 'in-call', position: null, status: '', frames, audio };
      });
    await until(
      'Chromium (the agent) decodes Firefox’s video and audio',
      agentDecodes,
      (v) => v.frames > 0 && v.audio > 0,
    );

    // The agent hangs up and wraps up; the user's widget says the call ended.
    await agent.click('#hangup');
    await agent.waitForSelector('#wrapup:not([hidden])');
    await agent.selectOption('#disposition', 'resolved');
    await agent.click('#wrapup-done');
    const ended = await until('the widget sees the call end', read, (v) => v.state === 'ended');
    assert.match(ended.status, /ended/);
    await supervisor.waitForFunction(
      () => document.querySelector('tr[data-queue="sales"] td[data-k="answered"]')?.textContent === '1',
      undefined,
      { timeout: 20_000 },
    );
    await user.close();
    await agent.close();
    await supervisor.close();
  });
});
