// Callback ring-back in a real browser (issue 4, item 6): a user waiting in the widget asks to be
// called back and leaves the queue; the contact keeps its place; when an agent accepts it, the
// user's widget session is rung back and joins the call: media flows both ways.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { launchChromium, type TestBrowser } from '../helpers/browser.js';
import { startPlatform, type TestPlatform, until } from '../helpers/platform.js';
import { randomWindow, TEST_PORTS } from '../helpers/testPorts.js';
import { WIDGET_MEDIA, type WidgetMedia } from '../helpers/widget.js';

interface WidgetLike extends HTMLElement {
  state: string;
  contactId: string | null;
  getStats(): Promise<RTCStatsReport | null>;
}

async function audioReceived(page: Page, read: 'widget' | 'acd-demo'): Promise<number> {
  if (read === 'widget') return ((await page.evaluate(WIDGET_MEDIA)) as WidgetMedia).audio;
  return page.evaluate(async () => {
    const stats = await (
      window as unknown as { switchboardAcd?: { call?: { pc: RTCPeerConnection } } }
    ).switchboardAcd?.call?.pc.getStats();
    let audio = 0;
    stats?.forEach((s: { type: string; kind?: string; packetsReceived?: number }) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') audio += s.packetsReceived ?? 0;
    });
    return audio;
  });
}

describe('callback ring-back through the widget, in Chromium', { timeout: 120_000 }, () => {
  let t: TestPlatform;
  let browser: TestBrowser;
  let admin: string;

  before(async () => {
    const range = randomWindow(TEST_PORTS.platformMedia, 40);
    t = await startPlatform({ media: { listenAddress: '127.0.0.1', rtcPorts: range, acdPorts: range } });
    browser = await launchChromium();
    admin = await t.mint('admin', { admin: true });
    for (const [url, body] of [
      ['/v1/queues/sales', { name: 'Sales', wrapUpSeconds: 0 }],
      ['/v1/agents/a1', { name: 'Ann', queues: ['sales'] }],
    ] as const) {
      const res = await t.fetch(`${t.urls.https}${url}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.ok(res.ok, `${url}: ${res.status}`);
    }
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('the user asks for a callback, no agent yet; the agent logs in and accepts; the widget is rung back and both hear each other', async () => {
    const user = await browser.context.newPage();
    await user.goto(`${t.urls.https}/demo-site/`);
    const widget = user.locator('switchboard-call');
    await widget.evaluate((el) => el.setAttribute('channel', 'audio'));
    await widget.getByRole('button', { name: 'Start audio call' }).click();
    await widget.getByRole('button', { name: 'Call me back instead' }).click();
    const contactId = await until(
      'the callback is registered',
      () => widget.evaluate((el) => ({ state: (el as WidgetLike).state, id: (el as WidgetLike).contactId })),
      (v) => v.state !== 'waiting' && v.id !== null,
    );
    // The contact keeps its place while the user is not waiting on the line.
    const contacts = (await (
      await t.fetch(`${t.urls.https}/v1/contacts`, { headers: { authorization: `Bearer ${admin}` } })
    ).json()) as { contacts: { contactId: string; callback: boolean }[] };
    const queued = contacts.contacts.find((c) => c.contactId === contactId.id);
    assert.ok(queued, `the contact is still queued: ${JSON.stringify(contacts.contacts)}`);
    assert.equal(queued.callback, true);

    // An agent logs in Ready and accepts the offer: the user is rung back in the widget.
    const agent = await browser.context.newPage();
    await agent.goto(
      `${t.urls.https}/acd-demo/?role=agent&agent=a1&autoaccept=1&token=${await t.mint('ann', { agent: 'a1' })}`,
    );
    await until(
      'the widget joins the call it was rung back for',
      () => widget.evaluate((el) => (el as WidgetLike).state),
      (s) => s === 'in-call',
    );
    await until(
      'the user hears the agent',
      () => audioReceived(user, 'widget'),
      (n) => n > 0,
    );
    await until(
      'the agent hears the user',
      () => audioReceived(agent, 'acd-demo'),
      (n) => n > 0,
    );

    await widget.getByRole('button', { name: 'Hang up' }).click();
    const records = (await (
      await until(
        'the call record',
        () =>
          t.fetch(`${t.urls.https}/v1/records?queueId=sales`, {
            headers: { authorization: `Bearer ${admin}` },
          }),
        (r) => r.ok,
      )
    ).json()) as {
      records: { contactId: string; outcome: string; callback: boolean; answeredAt: number | null }[];
    };
    const record = records.records.find((r) => r.contactId === contactId.id);
    // A call-back that reached the user: outcome "callback", with an answer time.
    assert.equal(record?.callback, true, JSON.stringify(record));
    assert.equal(record?.outcome, 'callback', JSON.stringify(record));
    assert.ok(record?.answeredAt, JSON.stringify(record));
  });
});
