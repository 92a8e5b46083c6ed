import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { launchChromium, type TestBrowser } from '../helpers/browser.js';
import { launchFirefox, type TestFirefox } from '../helpers/firefox.js';
import { startPlatform, type TestPlatform } from '../helpers/platform.js';
import { randomWindow, TEST_PORTS } from '../helpers/testPorts.js';

/** Runs in the user's page: the widget's state and what its media call has decoded. */
const WIDGET = `(async () => {
  const widget = document.querySelector('switchboard-call');
  let frames = 0, audio = 0;
  const report = widget && (await widget.getStats());
  if (report) report.forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded || 0;
    if (s.type === 'inbound-rtp' && s.kind === 'audio') audio += s.packetsReceived || 0;
  });
  const status = widget && widget.shadowRoot.querySelector('[role=status]').textContent;
  return { state: widget && widget.state, position: widget && widget.snapshot.position, status, frames, audio };
})()`;

interface Seen {
  state: string;
  position: number | null;
  status: string;
  frames: number;
  audio: number;
}

async function until(what: string, read: () => Promise<Seen>, ok: (v: Seen) => boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let v = await read();
  while (!ok(v)) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}; last ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 250));
    v = await read();
  }
  return v;
}

describe('the call widget in Firefox ESR, the agent in Chromium', { timeout: 150_000 }, () => {
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
    t = await startPlatform({ media: { listenAddress: '127.0.0.1', rtcPorts: range, acdPorts: range } });
    admin = await t.mint('admin', { admin: true });
    await put('/v1/queues/sales', { name: 'Sales', wrapUpSeconds: 0 });
    await put('/v1/agents/a1', { name: 'Ann', queues: [] });
    chromium = await launchChromium();
    firefox = await launchFirefox();
  });
  after(async () => {
    await firefox?.close();
    await chromium?.close();
    await t?.stop();
  });

  it('a video call from the demo site: position, the agent answers, Firefox decodes video and audio, hang-up', {
    skip,
  }, async () => {
    const user = await firefox.browser.newPage();
    await user.goto(`${t.urls.https}/demo-site/`);
    const read = async () => (await user.evaluate(WIDGET)) as Seen;
    await user.locator('switchboard-call >>> button.start').click();
    const waiting = await until('the user waits first in line', read, (v) => v.state === 'waiting');
    assert.equal(waiting.position, 1);
    assert.equal(waiting.status, 'You are number 1 in the queue.');

    // The agent: the /acd-demo/ agent page in Chromium, added to the queue once the user waits
    // (that page only listens for offers after its login).
    const agent = await chromium.context.newPage();
    await agent.goto(
      `${t.urls.https}/acd-demo/?role=agent&agent=a1&autoaccept=1&token=${await t.mint('ann', { agent: 'a1' })}`,
    );
    await agent.getByText(/Ready/).waitFor();
    await put('/v1/agents/a1', { name: 'Ann', queues: ['sales'] });

    await until(
      'Firefox decodes the agent’s video and audio',
      read,
      (v) => v.state === 'in-call' && v.frames > 0 && v.audio > 0,
    );
    const agentDecodes = async () =>
      agent.evaluate(async () => {
        const pc = (window as unknown as { switchboardAcd?: { call?: { pc: RTCPeerConnection } } })
          .switchboardAcd?.call?.pc;
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

    await user.locator('switchboard-call >>> button.hangup').click();
    const ended = await until('the call ends', read, (v) => v.state === 'ended');
    assert.equal(ended.status, 'The call has ended. Thank you for calling!');
    await agent.close();
    await user.close();
  });
});
