import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Call, SignallingClient } from '@switchboard/sdk';
import type { Page } from 'playwright-core';
import { launchChromium, type TestBrowser } from '../helpers/browser.js';
import { untilDecoding } from '../helpers/demoPage.js';
import { startPlatform, type TestPlatform } from '../helpers/platform.js';
import { randomWindow, TEST_PORTS } from '../helpers/testPorts.js';

declare global {
  interface Window {
    switchboardDemo?: { client: SignallingClient; call: Call };
  }
}

interface InboundStats {
  videoFramesDecoded: number;
  audioPacketsReceived: number;
}

/** What the page's peer connection says it receives from the other participant. */
async function inbound(page: Page): Promise<InboundStats> {
  return page.evaluate(async () => {
    const call = window.switchboardDemo?.call;
    if (!call) return { videoFramesDecoded: 0, audioPacketsReceived: 0 };
    const stats = await call.pc.getStats();
    let videoFramesDecoded = 0;
    let audioPacketsReceived = 0;
    stats.forEach((s: { type: string; kind?: string; framesDecoded?: number; packetsReceived?: number }) => {
      if (s.type !== 'inbound-rtp') return;
      if (s.kind === 'video') videoFramesDecoded += s.framesDecoded ?? 0;
      if (s.kind === 'audio') audioPacketsReceived += s.packetsReceived ?? 0;
    });
    return { videoFramesDecoded, audioPacketsReceived };
  });
}

async function until(
  page: Page,
  what: (s: InboundStats) => boolean,
  timeoutMs: number,
): Promise<InboundStats> {
  const deadline = Date.now() + timeoutMs;
  let last = await inbound(page);
  while (!what(last)) {
    if (Date.now() > deadline) {
      const status = await page.textContent('#status');
      throw new Error(`timed out; last ${JSON.stringify(last)}; page status "${status}"`);
    }
    await new Promise((r) => setTimeout(r, 250));
    last = await inbound(page);
  }
  return last;
}

for (const transport of ['websocket', 'longpoll'] as const) {
  describe(`two Chromium pages in one call through the gateway, signalling over ${transport}`, {
    timeout: 90_000,
  }, () => {
    let t: TestPlatform;
    let browser: TestBrowser;
    const range = randomWindow(TEST_PORTS.platformMedia, 40);

    before(async () => {
      t = await startPlatform({
        media: { listenAddress: '127.0.0.1', rtcPorts: range, acdPorts: range, qualityIntervalMs: 1000 },
      });
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
      await t?.stop();
    });

    it('each page decodes the other’s video and receives its audio within 10 s; quality is within the spec', async () => {
      const callId = `call-${transport}`;
      const url = `${t.urls.https}/demo/?call=${callId}&transport=${transport}&autojoin=1`;
      const [a, b] = [await browser.context.newPage(), await browser.context.newPage()];
      await a.goto(url);
      await b.goto(url);
      const started = Date.now();
      const [sa, sb] = await Promise.all([
        until(a, (s) => s.videoFramesDecoded > 0 && s.audioPacketsReceived > 0, 10_000),
        until(b, (s) => s.videoFramesDecoded > 0 && s.audioPacketsReceived > 0, 10_000),
      ]);
      console.log(`# both pages decoding after ${Date.now() - started} ms: ${JSON.stringify([sa, sb])}`);
      const kinds = await a.evaluate(() => window.switchboardDemo?.client.transportKind);
      assert.equal(kinds, transport);

      // The server's quality API reports the call within the spec's thresholds once the
      // streams have settled (the first seconds carry ramp-up jitter).
      const token = await t.mint('sup', { supervise: true });
      type Report = { participants: { participantId: string; verdict: string; rttMs: number | null }[] };
      let report: Report = { participants: [] };
      const within = (r: Report) =>
        r.participants.length === 2 && r.participants.every((p) => p.rttMs !== null && p.verdict !== 'fail');
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        const res = await t.fetch(`${t.urls.https}/v1/calls/${callId}/quality`, {
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(res.status, 200);
        report = (await res.json()) as Report;
        if (within(report)) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      assert.ok(within(report), `quality within the spec: ${JSON.stringify(report)}`);
      const metrics = await (await t.fetch(`${t.urls.https}/metrics`)).text();
      assert.match(metrics, /^switchboard_media_rtt_seconds_count [1-9]/m, 'quality reaches Prometheus');
      await a.close();
      await b.close();
    });
  });
}

describe('a receive-only Chromium page (/demo/?watch=1) in a call', { timeout: 90_000 }, () => {
  let t: TestPlatform;
  let browser: TestBrowser;
  const range = randomWindow(TEST_PORTS.platformMedia, 40);

  before(async () => {
    t = await startPlatform({ media: { listenAddress: '127.0.0.1', rtcPorts: range, acdPorts: range } });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('keeps its first m-lines and their transport through the server’s answer (no port-0 rejection), then decodes the publisher', async () => {
    const callId = 'watch';
    const publisher = await browser.context.newPage();
    await publisher.goto(`${t.urls.https}/demo/?call=${callId}&autojoin=1`);
    await publisher.waitForFunction(() => window.switchboardDemo?.call !== undefined);

    // Stop the watcher right after its own offer is answered, before the server offers the
    // publisher's tracks: what the first answer did to its transceivers shows there. A port-0
    // answer makes Chromium stop them and drop the BUNDLE transport; the later server offer
    // then needs a new transport and new ICE credentials, a race a loaded machine loses.
    const watcher = await browser.context.newPage();
    await watcher.addInitScript(() => {
      const original = RTCPeerConnection.prototype.setRemoteDescription;
      const seen: { type: string; transceivers: string[]; transport: string | null }[] = [];
      (window as unknown as { firstAnswers: typeof seen }).firstAnswers = seen;
      RTCPeerConnection.prototype.setRemoteDescription = async function (
        this: RTCPeerConnection,
        description: RTCSessionDescriptionInit,
      ) {
        await (original as (d: RTCSessionDescriptionInit) => Promise<void>).call(this, description);
        const transceivers = this.getTransceivers();
        seen.push({
          type: description.type ?? '',
          transceivers: transceivers.map((x) => `${x.mid}:${x.currentDirection}`),
          transport: transceivers[0]?.receiver.transport?.iceTransport.state ?? null,
        });
      } as unknown as typeof original;
    });
    await watcher.goto(`${t.urls.https}/demo/?call=${callId}&autojoin=1&watch=1`);
    const watched = await untilDecoding(watcher, 15_000);
    const first = await watcher.evaluate(
      () =>
        (
          window as unknown as {
            firstAnswers: { type: string; transceivers: string[]; transport: string | null }[];
          }
        ).firstAnswers[0],
    );
    assert.equal(first?.type, 'answer', 'the watcher offers first');
    assert.deepEqual(first?.transceivers, ['0:inactive', '1:inactive'], 'answered inactive, not stopped');
    assert.notEqual(first?.transport, null, 'the BUNDLE transport survives the first answer');
    assert.ok(watched.frames > 0 && watched.audio > 0, `the watcher decodes: ${JSON.stringify(watched)}`);
  });
});
