import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, test } from 'node:test';
import { type RunningCoturn, startCoturn, startEchoPeer, stunLib, turnLib } from './turn-fixtures.js';

const { TurnClient, measureRelayRtt } = stunLib;

describe('TlsPortDemux: TURN/TLS and HTTPS on one port', () => {
  let coturn: RunningCoturn;
  let web: https.Server;
  let demux: InstanceType<typeof turnLib.TlsPortDemux>;
  let port: number;
  const routes: string[] = [];

  before(async () => {
    coturn = await startCoturn({ profile: 'test', loopbackPeers: true });
    // The HTTPS server never listens itself: the demux hands it connections in-process.
    web = https.createServer({ cert: coturn.cert, key: coturn.key }, (req, res) => {
      res.end(`hello from https, client ${req.socket.remoteAddress}`);
    });
    demux = new turnLib.TlsPortDemux({
      https: web,
      turn: { host: '127.0.0.1', port: coturn.tlsPort },
      turnTcp: { host: '127.0.0.1', port: coturn.port },
      turnServerNames: ['turn.localhost'],
    });
    demux.on('route', (route) => routes.push(route));
    port = (await demux.listen(0, '127.0.0.1')).port;
  });

  after(async () => {
    await demux?.close();
    web?.close();
    await coturn?.close();
  });

  async function allocateAndRelay(options: {
    transport: 'tls' | 'tcp';
    alpn?: string[];
    servername?: string;
  }): Promise<number> {
    const cred = coturn.service.iceServersFor('demux-user').iceServers.find((s) => s.username)!;
    const peer = await startEchoPeer();
    const client = await TurnClient.connect({
      transport: options.transport,
      host: '127.0.0.1',
      port,
      tls: {
        ca: coturn.cert,
        servername: options.servername ?? 'localhost',
        alpn: options.alpn,
        rejectUnauthorized: options.servername === undefined,
      },
      username: cred.username!,
      password: cred.credential!,
    });
    try {
      await client.allocate();
      await client.createPermission(['127.0.0.1']);
      const r = await measureRelayRtt(client, { address: '127.0.0.1', port: peer.port }, { count: 3 });
      return r.received;
    } finally {
      await client.close();
      peer.close();
    }
  }

  test('a TURN/TLS client offering ALPN stun.turn reaches coturn and relays data', async () => {
    routes.length = 0;
    assert.equal(await allocateAndRelay({ transport: 'tls' }), 3);
    assert.deepEqual(routes, ['turn']);
  });

  test('a TURN/TLS client without ALPN is routed to coturn by SNI', async () => {
    routes.length = 0;
    assert.equal(await allocateAndRelay({ transport: 'tls', alpn: [], servername: 'turn.localhost' }), 3);
    assert.deepEqual(routes, ['turn']);
  });

  test('plain TURN over TCP on the same port reaches coturn\u2019s TCP listener', async () => {
    routes.length = 0;
    assert.equal(await allocateAndRelay({ transport: 'tcp' }), 3);
    assert.deepEqual(routes, ['turn-tcp']);
  });

  test('an HTTPS client reaches the HTTPS server, which sees the real client address', async () => {
    routes.length = 0;
    const body = await new Promise<string>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port, path: '/', ca: coturn.cert, servername: 'localhost' }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => {
            text += c.toString();
          });
          res.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    assert.equal(body, 'hello from https, client 127.0.0.1');
    assert.deepEqual(routes, ['https']);
  });
});
