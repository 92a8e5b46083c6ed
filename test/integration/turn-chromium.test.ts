import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type BrowserContext, chromium } from 'playwright-core';
import { type RunningCoturn, startCoturn } from './turn-fixtures.js';

// Two peer connections in one page, relay-only, with the ICE servers Switchboard hands out
// (filtered to one transport per run), video from a canvas.
const PAGE = `<!doctype html><canvas id=c width=160 height=120></canvas><script>
window.run = async (config) => {
  const c = document.getElementById('c'); const g = c.getContext('2d'); let n = 0;
  const timer = setInterval(() => { g.fillStyle = n++ % 2 ? 'red' : 'blue'; g.fillRect(0, 0, 160, 120); }, 30);
  const stream = c.captureStream(30);
  const a = new RTCPeerConnection(config); const b = new RTCPeerConnection(config);
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  stream.getTracks().forEach((t) => a.addTrack(t, stream));
  await a.setLocalDescription(); await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(); await a.setRemoteDescription(b.localDescription);
  const deadline = Date.now() + 15000; let result = { state: 'timeout' };
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    const stats = [...(await b.getStats()).values()];
    const inbound = stats.find((s) => s.type === 'inbound-rtp' && s.kind === 'video');
    const transport = stats.find((s) => s.type === 'transport');
    const pair = transport && stats.find((s) => s.id === transport.selectedCandidatePairId);
    const local = pair && stats.find((s) => s.id === pair.localCandidateId);
    result = { state: b.connectionState, framesDecoded: inbound?.framesDecoded ?? 0,
      localType: local?.candidateType, relayProtocol: local?.relayProtocol };
    if (result.framesDecoded > 10 && result.localType) break;
  }
  clearInterval(timer); a.close(); b.close();
  return result;
};
</script>`;

interface PageResult {
  state: string;
  framesDecoded: number;
  localType?: string;
  relayProtocol?: string;
}

describe('Chromium through coturn, relay only', () => {
  let coturn: RunningCoturn;
  let web: http.Server;
  let url: string;
  let context: BrowserContext;
  let profileDir: string;

  before(async () => {
    coturn = await startCoturn({ profile: 'test', loopbackPeers: true });
    web = http.createServer((_req, res) => res.end(PAGE));
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(web.address() as { port: number }).port}/`;
    profileDir = mkdtempSync(path.join(tmpdir(), 'sb-turn-chromium-'));
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
        // Chromium verifies the turns: certificate and refuses the self-signed test one
        // (no relay candidate, state stays 'new'); this flag makes it accept it (docs/turn.md).
        '--ignore-certificate-errors',
      ],
    });
  });

  after(async () => {
    await context?.close();
    web?.close();
    await coturn?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  const cases = [
    { name: 'UDP', match: '?transport=udp', protocol: 'udp' },
    { name: 'TCP', match: 'turn:', tcp: true, protocol: 'tcp' },
    { name: 'TLS', match: 'turns:', protocol: 'tls' },
  ] as const;

  for (const c of cases) {
    test(`two peer connections connect through TURN over ${c.name} and decode frames`, async (t) => {
      const ice = coturn.service.iceServersFor(`chromium-${c.name}`, { forceRelay: true });
      const turnEntry = ice.iceServers.find((s) => s.username)!;
      const urls = turnEntry.urls.filter((u) =>
        c.name === 'TCP' ? u.startsWith('turn:') && u.endsWith('transport=tcp') : u.includes(c.match),
      );
      assert.equal(urls.length, 1);
      const page = await context.newPage();
      t.after(() => page.close());
      await page.goto(url);
      const config = { iceServers: [{ ...turnEntry, urls }], iceTransportPolicy: ice.iceTransportPolicy };
      const result = await page.evaluate(
        (cfg) => (window as unknown as { run: (c: unknown) => Promise<PageResult> }).run(cfg),
        config,
      );
      t.diagnostic(JSON.stringify(result));
      assert.equal(result.localType, 'relay');
      assert.equal(result.relayProtocol, c.protocol);
      assert.ok(result.framesDecoded > 10, `frames decoded: ${result.framesDecoded}`);
    });
  }
});
