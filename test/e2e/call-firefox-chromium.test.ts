import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { launchChromium, type TestBrowser } from '../helpers/browser.js';
import { launchFirefox, type TestFirefox } from '../helpers/firefox.js';
import { startPlatform, type TestPlatform } from '../helpers/platform.js';
import { randomWindow, TEST_PORTS } from '../helpers/testPorts.js';

interface Inbound {
  frames: number;
  audio: number;
}

/** Runs in the page: what its call's peer connection receives. */
const INBOUND = `(async () => {
  const pc = window.switchboardDemo && window.switchboardDemo.call.pc;
  let frames = 0, audio = 0;
  if (pc) (await pc.getStats()).forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded || 0;
    if (s.type === 'inbound-rtp' && s.kind === 'audio') audio += s.packetsReceived || 0;
  });
  return { frames, audio };
})()`;

async function until(read: () => Promise<Inbound>, timeoutMs: number): Promise<Inbound> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!(last.frames > 0 && last.audio > 0)) {
    if (Date.now() > deadline) throw new Error(`timed out; last ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 250));
    last = await read();
  }
  return last;
}

describe('Firefox ESR and Chromium in one call, each with its own default offer', {
  timeout: 120_000,
}, () => {
  let t: TestPlatform;
  let chromium: TestBrowser;
  let firefox: TestFirefox;
  const skip = existsSync('/usr/bin/firefox-esr') ? false : 'firefox-esr is not installed';

  before(async () => {
    if (skip) return;
    const range = randomWindow(TEST_PORTS.platformMedia, 40);
    t = await startPlatform({ media: { listenAddress: '127.0.0.1', rtcPorts: range, acdPorts: range } });
    chromium = await launchChromium();
    firefox = await launchFirefox();
  });
  after(async () => {
    await firefox?.close();
    await chromium?.close();
    await t?.stop();
  });

  it('each decodes the other’s video and audio (Firefox offers bundle-only sections)', {
    skip,
  }, async () => {
    const url = `${t.urls.https}/demo/?call=cross&autojoin=1`;
    const ff = await firefox.browser.newPage();
    await ff.goto(url);
    const ch = await chromium.context.newPage();
    await ch.goto(url);
    const [fromChromium, fromFirefox] = await Promise.all([
      until(() => ff.evaluate(INBOUND) as Promise<Inbound>, 20_000),
      until(() => ch.evaluate(INBOUND) as Promise<Inbound>, 20_000),
    ]);
    console.log(
      `# firefox received ${JSON.stringify(fromChromium)}; chromium received ${JSON.stringify(fromFirefox)}`,
    );
    assert.ok(fromChromium.frames > 0 && fromFirefox.frames > 0);
  });
});
