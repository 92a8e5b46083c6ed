// `turn.shareHttpsPort` on a running platform: the HTTPS port serves HTTPS (REST, health),
// WSS signalling and TURN/TLS at once; the turns: URL handed out names that port.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startPlatform, type TestPlatform } from '../helpers/platform.js';
import { freePort, relayRange, startEchoPeer, stunLib } from './turn-fixtures.js';

const { TurnClient, measureRelayRtt } = stunLib;

describe('turn.shareHttpsPort: HTTPS and TURN/TLS on one port of a running platform', () => {
  let t: TestPlatform;

  before(async () => {
    const [port, tlsPort, range] = await Promise.all([freePort(), freePort(), relayRange()]);
    t = await startPlatform({
      turn: {
        mode: 'managed',
        shareHttpsPort: true,
        managed: {
          listeningIps: ['127.0.0.1'],
          relayIps: ['127.0.0.1'],
          port,
          tlsPort,
          ...range,
          allowLoopbackPeers: true,
          restart: { minDelayMs: 100, maxDelayMs: 1000 },
        },
      },
    });
  });

  after(async () => {
    await t?.stop();
  });

  function turnsUrl(identity: string) {
    const ice = t.platform.turn.iceServersFor(identity);
    const entry = ice.iceServers.find((s) => s.username)!;
    return { url: entry.urls.find((u) => u.startsWith('turns:')), entry };
  }

  test('the turns: URL handed to clients names the bound HTTPS port', () => {
    assert.equal(turnsUrl('u').url, `turns:127.0.0.1:${t.platform.ports.https}?transport=tcp`);
  });

  test('HTTPS requests on the port reach the web server (health and readiness)', async () => {
    const health = await t.fetch(`${t.urls.https}/healthz`);
    assert.equal(health.status, 200);
    const ready = await t.fetch(`${t.urls.https}/readyz`);
    assert.equal(ready.status, 200, await ready.text());
  });

  test('a TURN/TLS client on the same port allocates through coturn and relays data', async () => {
    const { entry } = turnsUrl('shared-443');
    const peer = await startEchoPeer();
    const client = await TurnClient.connect({
      transport: 'tls',
      host: '127.0.0.1',
      port: t.platform.ports.https,
      tls: { ca: t.ca, servername: 'localhost' },
      username: entry.username!,
      password: entry.credential!,
    });
    try {
      await client.allocate();
      await client.createPermission(['127.0.0.1']);
      const r = await measureRelayRtt(client, { address: '127.0.0.1', port: peer.port }, { count: 3 });
      assert.equal(r.received, 3);
      assert.equal(peer.received(), 3);
    } finally {
      await client.close();
      peer.close();
    }
  });

  test('signalling over WSS works on the HTTPS port too', async () => {
    const client = t.client(await t.mint('wss-443', { calls: ['c'] }), {
      websocketUrl: `wss://127.0.0.1:${t.platform.ports.https}/v1/signalling`,
      transports: ['websocket'],
    });
    const connected = new Promise<{ transport: string }>((r) => client.on('connected', r));
    await client.connect();
    assert.equal((await connected).transport, 'websocket');
    await client.close();
  });
});
