import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MediaServer } from '@switchboard/server/media';
import type { Page } from 'playwright-core';
import { launchChromium, type TestBrowser } from '../helpers/browser.js';
import { startPlatform, type TestPlatform, waitFor } from '../helpers/platform.js';
import { randomWindow, TEST_PORTS } from '../helpers/testPorts.js';

type DemoWindow = {
  switchboardDemo?: {
    call: { pc: RTCPeerConnection; participants: Map<string, unknown>; participantId: string };
    client: { dropTransport(): void; transportKind: string | null; session: { sessionId: string } | null };
  };
};

async function framesDecoded(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const pc = (window as unknown as DemoWindow).switchboardDemo?.call.pc;
    let frames = 0;
    (await pc?.getStats())?.forEach((s: { type: string; kind?: string; framesDecoded?: number }) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0;
    });
    return frames;
  });
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('calls survive signalling drops; vanished participants are removed', { timeout: 90_000 }, () => {
  let t: TestPlatform;
  let browser: TestBrowser;

  before(async () => {
    const range = randomWindow(TEST_PORTS.platformMedia, 40);
    t = await startPlatform({
      media: { listenAddress: '127.0.0.1', rtcPorts: range, acdPorts: range, inactivityTimeoutMs: 3000 },
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  async function twoPages(callId: string): Promise<[Page, Page]> {
    const a = await browser.context.newPage();
    const b = await browser.context.newPage();
    for (const p of [a, b])
      await p.goto(`${t.urls.https}/demo/?call=${callId}&transport=websocket&autojoin=1`);
    for (const p of [a, b]) await until('video decoded', async () => (await framesDecoded(p)) > 0, 15_000);
    return [a, b];
  }

  it('a client whose signalling drops resumes its session and keeps its call', async () => {
    const [a, b] = await twoPages('resume');
    const sessionBefore = await a.evaluate(
      () => (window as unknown as DemoWindow).switchboardDemo?.client.session?.sessionId,
    );
    const participantsOfB = await b.evaluate(
      () => (window as unknown as DemoWindow).switchboardDemo?.call.participants.size,
    );
    await a.evaluate(() => (window as unknown as DemoWindow).switchboardDemo?.client.dropTransport());
    const framesBefore = await framesDecoded(b);
    await until(
      'A resumed',
      async () =>
        (await a.evaluate(() => (window as unknown as DemoWindow).switchboardDemo?.client.transportKind)) ===
        'websocket',
      10_000,
    );
    const sessionAfter = await a.evaluate(
      () => (window as unknown as DemoWindow).switchboardDemo?.client.session?.sessionId,
    );
    assert.equal(sessionAfter, sessionBefore, 'the same session, resumed');
    await until('media keeps flowing to B', async () => (await framesDecoded(b)) > framesBefore + 10, 10_000);
    assert.equal(
      await b.evaluate(() => (window as unknown as DemoWindow).switchboardDemo?.call.participants.size),
      participantsOfB,
      'B was not told that A left',
    );
    await a.close();
    await b.close();
  });

  it('a participant that vanishes without leaving is removed, the other is told, its port is freed', async () => {
    const [a, b] = await twoPages('vanish');
    const idOfA = await a.evaluate(
      () => (window as unknown as DemoWindow).switchboardDemo?.call.participantId,
    );
    const media = t.platform.media;
    assert.ok(media instanceof MediaServer, 'media in the main process (media.workers: 0)');
    const room = () => media.rooms.find((r) => r.id === 'vanish');
    assert.equal(room()?.participants.length, 2);
    const portOfA = room()!.participant(idOfA!).port;
    assert.ok(t.platform.portAllocator.isInUse(portOfA));
    // Kill A's page outright: no leave, no goodbye.
    const started = Date.now();
    await a.close({ runBeforeUnload: false });
    await until(
      'B told that A left',
      async () =>
        (await b.evaluate(
          () => (window as unknown as DemoWindow).switchboardDemo?.call.participants.size,
        )) === 0,
      15_000,
    );
    console.log(`# vanished participant removed after ${Date.now() - started} ms`);
    await waitFor(() => room()?.participants.length === 1, 5000, 'the server forgot A');
    assert.ok(!room()?.participants.some((p) => p.participantId === idOfA));
    assert.equal(t.platform.portAllocator.isInUse(portOfA), false, 'A’s UDP port is free again');
    await b.close();
    await waitFor(
      () => room() === undefined || room()!.participants.length === 0,
      10_000,
      'the room empties',
    );
  });
});
