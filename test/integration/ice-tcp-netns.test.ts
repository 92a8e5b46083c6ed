// A network that drops UDP but lets TCP through to the media range: with media.iceTcp the
// SFU offers a passive TCP candidate and two browsers in that network still hold a call,
// without TURN. The real `switchboard start` runs in a server namespace, Chromium in a
// client namespace whose nftables rules drop all UDP towards the server.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchChromiumInNamespace } from '../helpers/browser.js';
import { untilDecoding } from '../helpers/demoPage.js';
import { createNetnsPair, type NetnsPair, netnsUnavailable } from '../helpers/netns.js';
import { type ServerProcess, startServerProcess, stopServerProcess } from '../helpers/serverProcess.js';

describe('UDP blocked, TCP open: ICE-TCP on the media server (media.iceTcp)', {
  skip: netnsUnavailable(),
  timeout: 120_000,
}, () => {
  let pair: NetnsPair;
  let server: ServerProcess;
  let dir: string;

  before(async () => {
    pair = await createNetnsPair();
    dir = mkdtempSync(path.join(tmpdir(), 'sb-ice-tcp-'));
    const configFile = path.join(dir, 'config.json');
    const a = pair.serverAddress;
    writeFileSync(
      configFile,
      JSON.stringify({
        profile: 'test',
        publicHost: a,
        ports: { http: 80, https: 443, websocket: 8989, api: 8089 },
        shutdown: { drainTimeoutMs: 1000 },
        media: { listenAddress: a, rtcPorts: { min: 19099, max: 19199 }, iceTcp: true },
      }),
    );
    server = startServerProcess(['-c', configFile], {
      dataDir: dir,
      command: [...pair.exec(pair.server), process.execPath],
    });
    await server.waitForOutput(/"msg":"listening"/, 20_000);
    await pair.setClientFirewall(['meta l4proto udp drop']);
  });

  after(async () => {
    await stopServerProcess(server);
    await pair?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('two Chromium pages decode each other over a TCP candidate pair', async (t) => {
    const browser = await launchChromiumInNamespace(pair.exec(pair.client), dir);
    try {
      const url = `https://${pair.serverAddress}/demo/?call=ice-tcp&autojoin=1`;
      const pages = [await browser.context.newPage(), await browser.context.newPage()];
      for (const page of pages) await page.goto(url);
      const seen = await Promise.all(pages.map((page) => untilDecoding(page, 40_000)));
      for (const s of seen) {
        assert.ok(s.frames > 0 && s.audio > 0, `media decoded: ${JSON.stringify(s)}`);
        // Chromium's active TCP candidate shows as host or peer-reflexive; never a relay here.
        assert.ok(s.localType === 'host' || s.localType === 'prflx', JSON.stringify(s));
        assert.equal(s.localProtocol, 'tcp', JSON.stringify(s));
      }
      t.diagnostic(`both pages: ${JSON.stringify(seen)}`);
    } finally {
      await browser.close();
    }
  });
});
