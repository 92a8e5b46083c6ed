import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { launchChromium, type TestBrowser } from '../helpers/browser.js';
import { startPlatform, type TestPlatform } from '../helpers/platform.js';

interface WidgetLike extends HTMLElement {
  snapshot: { state: string; error: { code: string } | null };
}

/** A loopback TCP port nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the call widget explains what went wrong, in Chromium', { timeout: 120_000 }, () => {
  let t: TestPlatform;
  let browser: TestBrowser;
  let admin: string;

  before(async () => {
    t = await startPlatform();
    browser = await launchChromium();
    admin = await t.mint('admin', { admin: true });
    for (const [id, body] of [
      ['closed', { name: 'Closed', open: false }],
      ['full', { name: 'Full', maxLength: 1 }],
    ] as const) {
      const res = await t.fetch(`${t.urls.https}/v1/queues/${id}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.ok(res.ok, `${id}: ${res.status} ${await res.text()}`);
    }
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  /** The demo site with one more widget, configured by `attributes`, whose call is started. */
  async function startWidget(page: Page, attributes: Record<string, string>): Promise<Locator> {
    await page.goto(`${t.urls.https}/demo-site/`);
    await page.evaluate((attrs) => {
      const el = document.createElement('switchboard-call');
      el.id = 'under-test';
      for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
      document.body.append(el);
    }, attributes);
    const widget = page.locator('#under-test');
    await widget.getByRole('button', { name: /^Start (audio|video) call$/ }).click();
    await widget.getByRole('alert').waitFor({ timeout: 20_000 });
    return widget;
  }

  async function shown(widget: Locator) {
    return {
      alert: (await widget.getByRole('alert').textContent()) ?? '',
      state: await widget.evaluate((el) => (el as unknown as WidgetLike).snapshot.state),
      code: await widget.evaluate((el) => (el as unknown as WidgetLike).snapshot.error?.code),
      testerLink: await widget.getByRole('link', { name: /network tester/ }).isVisible(),
      startAgain: await widget.getByRole('button', { name: /^Call again/ }).isVisible(),
    };
  }

  async function liveContacts(): Promise<number> {
    const res = await t.fetch(`${t.urls.https}/v1/contacts`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    return ((await res.json()) as { contacts: unknown[] }).contacts.length;
  }

  it('permission denied: says the browser blocked the microphone/camera, and does not queue the user', async () => {
    const page = await browser.context.newPage();
    await page.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    });
    const widget = await startWidget(page, {
      queue: 'sales',
      channel: 'video',
      'widget-key': 'sb-demo-widget',
    });
    const s = await shown(widget);
    assert.match(s.alert, /Your browser blocked the microphone or camera/);
    assert.equal(s.code, 'WIDGET_PERMISSION_DENIED');
    assert.equal(s.state, 'error');
    assert.equal(s.testerLink, false);
    assert.equal(s.startAgain, true, 'the user can try again');
    assert.equal(await liveContacts(), 0);
    await page.close();
  });

  it('no device: says no microphone or camera was found', async () => {
    const page = await browser.context.newPage();
    await page.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new DOMException('Requested device not found', 'NotFoundError'));
    });
    const widget = await startWidget(page, {
      queue: 'sales',
      channel: 'audio',
      'widget-key': 'sb-demo-widget',
    });
    const s = await shown(widget);
    assert.match(s.alert, /No microphone \(or camera, for a video call\) was found/);
    assert.equal(s.code, 'WIDGET_NO_DEVICE');
    await page.close();
  });

  it('queue closed: says we are closed (SB_ERR_QUEUE_CLOSED)', async () => {
    const page = await browser.context.newPage();
    const token = await t.mint('visitor-closed', { queues: ['closed'] });
    const widget = await startWidget(page, { queue: 'closed', channel: 'audio', token });
    const s = await shown(widget);
    assert.match(s.alert, /We are closed right now/);
    assert.match(s.alert, /Error code: SB_ERR_QUEUE_CLOSED/);
    assert.equal(s.code, 'SB_ERR_QUEUE_CLOSED');
    await page.close();
  });

  it('queue full: says the queue is full (SB_ERR_QUEUE_FULL)', async () => {
    // Someone else already holds the only place.
    const first = t.client(await t.mint('visitor-first', { queues: ['full'] }));
    await first.connect();
    await first.request('contact.enqueue', { queueId: 'full', channel: 'audio' });
    const page = await browser.context.newPage();
    const token = await t.mint('visitor-second', { queues: ['full'] });
    const widget = await startWidget(page, { queue: 'full', channel: 'audio', token });
    const s = await shown(widget);
    assert.match(s.alert, /the queue is full/);
    assert.equal(s.code, 'SB_ERR_QUEUE_FULL');
    await first.close();
    await page.close();
  });

  it('network blocked (server unreachable): says so and links to the network tester', async () => {
    const page = await browser.context.newPage();
    const server = `https://127.0.0.1:${await closedPort()}`;
    const widget = await startWidget(page, {
      queue: 'sales',
      channel: 'audio',
      'widget-key': 'sb-demo-widget',
      server,
    });
    const s = await shown(widget);
    assert.match(s.alert, /We cannot reach the call service from your network/);
    assert.equal(s.code, 'WIDGET_NETWORK_BLOCKED');
    assert.equal(s.testerLink, true);
    assert.equal(
      await widget.getByRole('link', { name: /network tester/ }).getAttribute('href'),
      `${server}/tester/`,
    );
    await page.close();
  });

  it('network blocked (signalling blocked, web reachable): says so and links to the tester', async () => {
    const before = await liveContacts();
    const page = await browser.context.newPage();
    // A firewall that lets HTTPS pages through but no WebSocket and not the API port.
    await page.routeWebSocket(/.*/, (ws) => ws.close());
    await page.route(`${t.urls.api}/**`, (route) => route.abort('connectionrefused'));
    const widget = await startWidget(page, {
      queue: 'sales',
      channel: 'audio',
      'widget-key': 'sb-demo-widget',
    });
    const s = await shown(widget);
    assert.equal(s.code, 'WIDGET_NETWORK_BLOCKED');
    assert.equal(s.testerLink, true);
    assert.equal(
      await widget.getByRole('link', { name: /network tester/ }).getAttribute('href'),
      `${t.urls.https}/tester/`,
    );
    assert.equal(await liveContacts(), before, 'nobody was queued');
    await page.close();
  });
});
