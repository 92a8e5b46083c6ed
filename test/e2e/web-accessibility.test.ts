import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { seriousViolations } from '../helpers/axe.js';
import { launchChromium, type TestBrowser } from '../helpers/browser.js';
import { startPlatform, type TestPlatform } from '../helpers/platform.js';

// axe-core run inside each page (Chromium): no `serious` or `critical` violations.

describe('Accessibility of the web pages (axe-core)', { timeout: 120_000 }, () => {
  let t: TestPlatform;
  let browser: TestBrowser;

  before(async () => {
    t = await startPlatform();
    browser = await launchChromium();
    const admin = await t.mint('admin', { admin: true });
    for (const [url, body] of [
      ['/v1/queues/support', { name: 'Support' }],
      // The demo site's widget key (non-production default) calls queue "sales".
      ['/v1/queues/sales', { name: 'Sales' }],
      ['/v1/agents/ax1', { name: 'Axel', queues: ['support'] }],
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

  async function check(url: string, ready: (page: Page) => Promise<unknown>): Promise<void> {
    const page = await browser.context.newPage();
    try {
      await page.goto(`${t.urls.https}${url}`);
      await ready(page);
      assert.deepEqual(await seriousViolations(page), []);
    } finally {
      await page.close();
    }
  }

  it('/agent/ login form has no serious violations', () =>
    check('/agent/', (p) => p.waitForSelector('#login')));

  it('/agent/ logged in has no serious violations', async () => {
    const token = await t.mint('axel', { agent: 'ax1' });
    await check(`/agent/?agent=ax1&autologin=1&token=${token}`, (p) =>
      p.waitForSelector('#console:not([hidden])'),
    );
  });

  it('/supervisor/ sign-in form has no serious violations', () =>
    check('/supervisor/', (p) => p.waitForSelector('#login')));

  it('/supervisor/ dashboard has no serious violations', async () => {
    const token = await t.mint('sue', { supervise: true });
    await check(`/supervisor/?token=${token}`, (p) => p.waitForSelector('tr[data-agent="ax1"]'));
  });

  it('the widget on /demo-site/ has no serious violations, idle and while waiting in the queue', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(`${t.urls.https}/demo-site/`);
      const widget = page.locator('switchboard-call');
      const start = widget.getByRole('button', { name: 'Start video call' });
      await start.waitFor();
      assert.deepEqual(await seriousViolations(page), [], 'idle');
      await start.click();
      await page.waitForFunction(
        () =>
          (document.querySelector('switchboard-call') as unknown as { snapshot?: { state: string } })
            ?.snapshot?.state === 'waiting',
      );
      assert.deepEqual(await seriousViolations(page), [], 'waiting');
    } finally {
      await page.close();
    }
  });

  it('/tester/ has no serious violations', () => check('/tester/', (p) => p.waitForSelector('#run')));

  it('/acd-demo/ has no serious violations', async () => {
    const token = await t.mint('visitor', { queues: ['support'] });
    await check(`/acd-demo/?role=user&queue=support&channel=audio&token=${token}`, (p) =>
      p.waitForFunction(() =>
        /Waiting|Error|unavailable/.test(document.getElementById('status')?.textContent ?? ''),
      ),
    );
  });
});
