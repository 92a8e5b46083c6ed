import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Report, ReportSchema, testerCallId } from '@switchboard/tester';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, launchChromium, type TestBrowser } from '../helpers/browser.js';
import { startPlatform, type TestPlatform } from '../helpers/platform.js';
import { randomWindow, TEST_PORTS } from '../helpers/testPorts.js';

/** Runs the page to its end and returns the overall verdict it shows and the report behind it. */
async function runPage(page: Page, url: string): Promise<{ verdict: string; report: Report }> {
  await page.goto(url);
  await page.getByRole('button', { name: 'Run the test' }).click();
  const verdict = page.locator('#verdict[data-verdict]');
  await verdict.waitFor({ state: 'visible', timeout: 60_000 });
  const report = await page.evaluate(
    () => (window as { switchboardTester?: { report?: Report } }).switchboardTester?.report,
  );
  assert.ok(report, 'the page exposes its report');
  return { verdict: (await verdict.getAttribute('data-verdict')) ?? '', report };
}

function row(report: Report, id: string) {
  const c = report.checks.find((x) => x.id === id);
  assert.ok(c, `check ${id} is in the report (${report.checks.map((x) => x.id).join(', ')})`);
  return c;
}

describe('the /tester page in Chromium', { timeout: 180_000 }, () => {
  let t: TestPlatform;
  let browser: TestBrowser;

  before(async () => {
    const range = randomWindow(TEST_PORTS.platformMedia, 40);
    t = await startPlatform({
      media: { listenAddress: '127.0.0.1', rtcPorts: range, acdPorts: range, qualityIntervalMs: 1000 },
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('runs the browser checks, shows a pass verdict per group, and downloads a report valid against the schema', async (ctx) => {
    const page = await browser.context.newPage();
    const { verdict, report } = await runPage(page, `${t.urls.https}/tester/`);
    for (const c of report.checks)
      ctx.diagnostic(`${c.id} ${c.verdict} ${c.value ?? '-'} ${c.unit}: ${c.summary}`);
    const notPassed = report.checks.filter((c) => c.verdict === 'warn' || c.verdict === 'fail');
    assert.equal(verdict, 'pass', `overall verdict; not passed: ${JSON.stringify(notPassed, null, 1)}`);
    assert.equal(report.audiences.agent, 'pass');
    assert.equal(report.audiences.user, 'pass');
    assert.equal(report.platform, 'browser');

    // What a browser can check, measured for real.
    const devices = row(report, 'media.devices');
    assert.equal(devices.verdict, 'pass');
    assert.ok((devices.value ?? 0) >= 2, 'a fake camera and microphone are seen');
    const connect = row(report, 'webrtc.connect');
    assert.equal(connect.verdict, 'pass');
    assert.match(connect.summary, /Connected directly \(host → host over UDP\)/);
    const rtt = row(report, 'webrtc.rtt');
    assert.equal(rtt.verdict, 'pass');
    assert.ok(rtt.value !== null && rtt.value >= 0 && rtt.threshold === 300, JSON.stringify(rtt));
    for (const id of ['webrtc.jitter', 'webrtc.loss']) {
      const c = row(report, id);
      assert.equal(c.verdict, 'pass', `${id}: ${c.summary}`);
      assert.ok(c.margin !== null && c.margin > 0);
    }
    const bitrate = row(report, 'webrtc.bitrate');
    assert.equal(bitrate.verdict, 'pass', bitrate.summary);
    assert.equal(bitrate.threshold, 80);
    assert.ok((bitrate.value ?? 0) > 80);
    for (const c of report.checks.filter((x) => x.id.startsWith('tcp.'))) {
      assert.notEqual(c.verdict, 'fail', `${c.id}: ${c.summary}`);
    }
    const wss = report.checks.find(
      (c) => c.id.startsWith('tcp.rtc.') && /WebSocket upgrade OK/.test(c.summary),
    );
    assert.ok(wss, 'the WebSocket port was upgraded from the browser');

    // What a browser cannot check is skipped with the reason, and does not fail the verdict.
    for (const id of ['udp.rtc', 'udp.acd', 'dns.rtc', 'quality.rtt']) {
      const c = row(report, id);
      assert.equal(c.verdict, 'skipped');
      assert.ok(c.summary.length > 10, `${id} says why it was skipped`);
    }
    const skippedRow = page.locator('tr[data-check="udp.rtc"]');
    assert.match((await skippedRow.textContent()) ?? '', /Skipped.*A web browser cannot send UDP probes/);

    // Groups as the spec groups them, each a table with its caption.
    const captions = await page.locator('table caption').allTextContents();
    assert.deepEqual(
      captions.map((c) => c.split(' ')[0]),
      ['RTC', 'ACD', 'Quality'],
    );
    assert.match((await page.locator('#verdict').textContent()) ?? '', /^Overall: Pass —/);

    // The download is the same report, valid against the published schema.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download the JSON report' }).click();
    const file = await (await download).path();
    const parsed = ReportSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    assert.equal(parsed.verdict, 'pass');
    assert.deepEqual(
      parsed.checks.map((c) => c.id),
      report.checks.map((c) => c.id),
    );
    await page.close();
  });

  it('accepts ?token= (a tester-only token) and joins only its own tester call', async () => {
    const identity = 'helpdesk-pc-17';
    const token = await t.mint(identity, { tester: true });
    const page = await browser.context.newPage();
    const { report } = await runPage(page, `${t.urls.https}/tester/?token=${encodeURIComponent(token)}`);
    assert.equal(row(report, 'webrtc.connect').verdict, 'pass', row(report, 'webrtc.connect').summary);
    assert.ok(!page.url().includes('token='), 'the token is removed from the address bar');
    await page.close();
  });

  it('a tester token may join tester-<its identity> and no other call', async () => {
    const token = await t.mint('pc-9', { tester: true });
    const client = t.client(token);
    await client.connect();
    try {
      const own = testerCallId('pc-9');
      assert.equal(own, 'tester-pc-9');
      const joined = await client.request('call.join', { callId: own as string });
      assert.equal(joined.callId, own);
      await client.request('call.leave', { callId: own as string });
      for (const callId of ['tester-pc-10', 'demo', 'tester-']) {
        await assert.rejects(client.request('call.join', { callId }), (err: { code?: string }) => {
          assert.equal(err.code, 'SB_ERR_FORBIDDEN', callId);
          return true;
        });
      }
    } finally {
      await client.close();
    }
    // A token without the tester grant gets nothing from the policy.
    const plain = t.client(await t.mint('pc-9', { calls: ['other'] }));
    await plain.connect();
    try {
      await assert.rejects(plain.request('call.join', { callId: 'tester-pc-9' }), /calls/);
    } finally {
      await plain.close();
    }
  });

  it('denied camera and microphone permission is a failed check that says what to do', async () => {
    const profile = mkdtempSync(path.join(tmpdir(), 'sb-chromium-deny-'));
    let context: BrowserContext | undefined;
    try {
      // No fake-UI flag and no granted permission: headless Chromium denies the prompt.
      context = await chromium.launchPersistentContext(profile, {
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: CHROMIUM_ARGS.filter((a) => a !== '--use-fake-ui-for-media-stream'),
        ignoreHTTPSErrors: true,
      });
      const page = await context.newPage();
      const { verdict, report } = await runPage(page, `${t.urls.https}/tester/`);
      const devices = row(report, 'media.devices');
      assert.equal(devices.verdict, 'fail');
      assert.match(devices.summary, /denied/);
      assert.match(devices.recommendation ?? '', /Allow camera and microphone/);
      assert.equal(verdict, 'fail');
      assert.match(
        (await page.locator('tr[data-check="media.devices"]').textContent()) ?? '',
        /Fail.*denied/,
      );
    } finally {
      await context?.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
