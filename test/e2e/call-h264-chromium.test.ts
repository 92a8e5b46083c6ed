// H264 "when offered" (issue 3): two Chromium pages that prefer H264 publish it, the gateway
// forwards it without transcoding (subscribers are offered exactly the publisher's codec and
// fmtp), and each page decodes the other's H264 video.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchChromium, type TestBrowser } from '../helpers/browser.js';
import { untilDecoding } from '../helpers/demoPage.js';
import { startPlatform, type TestPlatform } from '../helpers/platform.js';
import { randomWindow, TEST_PORTS } from '../helpers/testPorts.js';

describe('two Chromium pages preferring H264', { timeout: 90_000 }, () => {
  let t: TestPlatform;
  let browser: TestBrowser;

  before(async () => {
    const range = randomWindow(TEST_PORTS.platformMedia, 40);
    t = await startPlatform({ media: { listenAddress: '127.0.0.1', rtcPorts: range, acdPorts: range } });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('each decodes the other’s H264 video, forwarded as H264', async (t2) => {
    const url = `${t.urls.https}/demo/?call=h264&autojoin=1&codec=h264`;
    const pages = [await browser.context.newPage(), await browser.context.newPage()];
    for (const page of pages) await page.goto(url);
    const seen = await Promise.all(pages.map((page) => untilDecoding(page, 30_000)));
    for (const s of seen) {
      assert.ok(s.frames > 0 && s.audio > 0, `media decoded: ${JSON.stringify(s)}`);
      assert.equal(s.videoCodec, 'video/H264', JSON.stringify(s));
    }
    t2.diagnostic(JSON.stringify(seen));
  });
});
