import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { launchChromium, type TestBrowser } from '../helpers/browser.js';
import { startPlatform, type TestPlatform, until } from '../helpers/platform.js';
import { randomWindow, TEST_PORTS } from '../helpers/testPorts.js';
import { WIDGET_MEDIA, type WidgetMedia } from '../helpers/widget.js';

interface WidgetLike extends HTMLElement {
  state: string;
  snapshot: { state: string; position: number | null; estimatedWaitMs: number | null };
  getStats(): Promise<RTCStatsReport | null>;
}

/** What the widget has received from the agent and from the queue's hold audio. */
function decoded(page: Page): Promise<WidgetMedia> {
  return page.evaluate(WIDGET_MEDIA) as Promise<WidgetMedia>;
}

describe('the call widget on the demo site, in Chromium', { timeout: 150_000 }, () => {
  let t: TestPlatform;
  let browser: TestBrowser;
  let admin: string;
  let put: (url: string, body: object) => Promise<void>;

  before(async () => {
    const range = randomWindow(TEST_PORTS.platformMedia, 40);
    t = await startPlatform({ media: { listenAddress: '127.0.0.1', rtcPorts: range, acdPorts: range } });
    browser = await launchChromium();
    admin = await t.mint('admin', { admin: true });
    put = async (url, body) => {
      const res = await t.fetch(`${t.urls.https}${url}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.ok(res.ok, `${url}: ${res.status} ${await res.text()}`);
    };
    // No wrap-up: the next test's call can go to the same agent at once.
    await put('/v1/queues/sales', { name: 'Sales', wrapUpSeconds: 0 });
    // Not in "sales" yet: each test adds her once the user waits (see below).
    await put('/v1/agents/a1', { name: 'Ann', queues: [] });
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  for (const channel of ['video', 'audio'] as const) {
    it(`a ${channel} call: the user waits with a position, an agent answers, media is decoded, hang-up ends it`, async () => {
      const user = await browser.context.newPage();
      await user.goto(`${t.urls.https}/demo-site/`);
      const widget = user.locator('switchboard-call');
      if (channel === 'audio') await widget.evaluate((el) => el.setAttribute('channel', 'audio'));
      const states: string[] = [];
      await user.exposeFunction('recordState', (s: string) => states.push(s));
      await widget.evaluate((el) =>
        el.addEventListener('switchboard-state', (e) =>
          (window as unknown as { recordState: (s: string) => void }).recordState(
            JSON.stringify((e as CustomEvent).detail),
          ),
        ),
      );
      await widget.getByRole('button', { name: `Start ${channel} call` }).click();

      // No agent yet: the user waits first in line and is told so.
      await until(
        'the widget says the user is first in the queue',
        () => widget.evaluate((el) => el.shadowRoot?.querySelector('[role=status]')?.textContent ?? ''),
        (text) => text === 'You are number 1 in the queue.',
        10_000,
      ).catch(async (err) => {
        throw new Error(`${err.message}; states: ${states.join(' ')}`);
      });
      const waiting = await widget.evaluate((el) => (el as unknown as WidgetLike).snapshot);
      assert.equal(waiting.state, 'waiting');
      assert.equal(waiting.position, 1);
      assert.ok(
        states.some((s) => JSON.parse(s).state === 'waiting'),
        'a switchboard-state event said so',
      );
      await widget.getByRole('button', { name: 'Call me back instead' }).waitFor();
      await widget.getByRole('button', { name: 'Hold music', pressed: true }).waitFor();
      // The queue's hold clip, streamed by the server into the contact's call, is heard.
      await until(
        'the widget plays the queue’s hold audio',
        () => decoded(user),
        (v) => v.holdEnergy > 0,
      );

      // The agent: the /acd-demo/ page in agent mode, logged in Ready but not yet serving "sales"
      // (the page subscribes to offers only after its login, so an offer at login would be lost);
      // adding her to the queue then routes the waiting user to her.
      const agent = await browser.context.newPage();
      await agent.goto(
        `${t.urls.https}/acd-demo/?role=agent&agent=a1&autoaccept=1&token=${await t.mint('ann', { agent: 'a1' })}`,
      );
      await until(
        'the agent is ready',
        async () => (await agent.textContent('#status')) ?? '',
        (s) => /Ready/.test(s),
      );
      await put('/v1/agents/a1', { name: 'Ann', queues: ['sales'] });
      await until(
        'the widget is in the call',
        () => widget.evaluate((el) => (el as unknown as WidgetLike).state),
        (s) => s === 'in-call',
      );
      await widget.getByRole('status').filter({ hasText: 'You are connected to an agent.' }).waitFor();
      await widget.getByRole('button', { name: 'Mute microphone' }).waitFor();
      assert.equal(
        await widget.getByRole('button', { name: 'Turn camera off' }).isVisible(),
        channel === 'video',
      );

      await until(
        `the widget decodes the agent's ${channel === 'video' ? 'audio and video' : 'audio'}`,
        () => decoded(user),
        (v) => v.audio > 0 && (channel === 'audio' || v.frames > 0),
      );
      // Device choice: Chromium's fake devices are listed by name (three microphones, one
      // camera); picking another microphone replaces the sending track on the same peer
      // connection (no renegotiation).
      await widget.getByText('Microphone and camera').click();
      const mics = await widget
        .getByLabel('Microphone')
        .locator('option')
        .evaluateAll((os) => os.map((o) => ({ id: (o as HTMLOptionElement).value, label: o.textContent })));
      assert.ok(mics.length > 1 && mics.every((m) => m.label), `microphones listed: ${JSON.stringify(mics)}`);
      const other = mics.at(-1)?.id ?? '';
      await widget.getByLabel('Microphone').selectOption(other);
      await until(
        'the microphone track is replaced',
        () =>
          user.evaluate(async () => {
            const widget = document.querySelector('switchboard-call') as unknown as WidgetLike;
            let sent = '';
            (await widget.getStats())?.forEach(
              (s: { type: string; kind?: string; trackIdentifier?: string }) => {
                if (s.type === 'media-source' && s.kind === 'audio') sent = s.trackIdentifier ?? '';
              },
            );
            const local = widget.shadowRoot?.querySelector<HTMLVideoElement>('video.local');
            const track = (local?.srcObject as MediaStream | null)?.getAudioTracks()[0];
            return { sent, track: track?.id, deviceId: track?.getSettings().deviceId };
          }),
        (v) => v.deviceId === other && v.sent === v.track,
      );
      // Mute is a toggle with its state announced.
      await widget.getByRole('button', { name: 'Mute microphone' }).click();
      await widget.getByRole('button', { name: 'Unmute microphone', pressed: true }).waitFor();

      await widget.getByRole('button', { name: 'Hang up' }).click();
      await widget.getByRole('status').filter({ hasText: 'The call has ended.' }).waitFor();
      assert.equal(await widget.evaluate((el) => (el as unknown as WidgetLike).state), 'ended');
      await until(
        'the agent page sees the call end',
        async () => (await agent.textContent('#status')) ?? '',
        (s) => /ended/i.test(s),
      );
      const record = (await (
        await t.fetch(`${t.urls.https}/v1/records?queueId=sales`, {
          headers: { authorization: `Bearer ${admin}` },
        })
      ).json()) as { records: { contactId: string; outcome: string; endReason: string | null }[] };
      assert.ok(
        record.records.some((r) => r.outcome === 'answered' && r.endReason !== null),
        `an answered call record: ${JSON.stringify(record.records)}`,
      );
      const contacts = (await (
        await t.fetch(`${t.urls.https}/v1/contacts`, { headers: { authorization: `Bearer ${admin}` } })
      ).json()) as { contacts: unknown[] };
      assert.equal(contacts.contacts.length, 0, 'no live contact is left');
      await put('/v1/agents/a1', { name: 'Ann', queues: [] });
      await agent.close();
      await user.close();
    });
  }
});
