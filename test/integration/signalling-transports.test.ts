import assert from 'node:assert/strict';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type EventData, SwitchboardError } from '@switchboard/protocol';
import type { SignallingClient } from '@switchboard/sdk';
import { startPlatform, type TestPlatform, waitFor } from '../helpers/platform.js';

let t: TestPlatform;

before(async () => {
  t = await startPlatform({ signalling: { reclaimWindowMs: 5000, pollHoldMs: 2000 } });
});
after(async () => {
  await t.stop();
});

/** The scenario every transport must carry with the same meaning. */
async function scenario(client: SignallingClient): Promise<void> {
  const info = await client.connect();
  assert.equal(info.identity, 'alice');
  assert.deepEqual(info.grants, { calls: ['c1'] });
  assert.equal(info.protocolVersion, 1);

  const events: EventData<'diag.echo'>[] = [];
  client.on('diag.echo', (e) => events.push(e));
  const echoed = await client.request('diag.echo', { payload: 'hello', asEvent: true });
  assert.equal(echoed.payload, 'hello');
  assert.equal(typeof echoed.serverTime, 'number');
  await waitFor(() => events.length === 1, 5000, 'the pushed event');
  assert.deepEqual(events[0], { payload: 'hello' });

  const pong = await client.request('ping', { t: 42 });
  assert.equal(pong.t, 42);

  await assert.rejects(client.request('server.stats'), (err: unknown) => {
    assert.ok(err instanceof SwitchboardError);
    assert.equal(err.code, 'SB_ERR_FORBIDDEN');
    assert.equal(err.data?.grant, 'supervise');
    return true;
  });
  await assert.rejects(
    client.request('diag.echo', { payload: 5 } as never),
    (err: SwitchboardError) => err.code === 'SB_ERR_INVALID_PARAMS',
  );
  // The session survives a refused request.
  assert.equal((await client.request('diag.echo', { payload: 'still here' })).payload, 'still here');
}

describe('one protocol over both transports', () => {
  for (const transport of ['websocket', 'longpoll'] as const) {
    it(`completes the request/response/event scenario over ${transport}`, async () => {
      const client = t.client(await t.mint('alice', { calls: ['c1'] }), { transports: [transport] });
      await scenario(client);
      assert.equal(client.transportKind, transport);
      await client.close();
    });

    it(`resumes a dropped ${transport} session and receives what was pushed meanwhile, once`, async () => {
      const client = t.client(await t.mint('alice', { calls: ['c1'] }), { transports: [transport] });
      const info = await client.connect();
      const payloads: string[] = [];
      client.on('diag.echo', (e) => payloads.push(e.payload));
      await client.request('diag.echo', { payload: 'before', asEvent: true });
      await waitFor(() => payloads.length === 1);

      client.dropTransport();
      const session = [...t.platform.signalling.sessions.all()].find((s) => s.id === info.sessionId);
      assert.ok(session, 'the session outlives its transport');
      await waitFor(() => session.transport === null || session.transport.kind === transport, 2000);
      session.emit('diag.echo', { payload: 'while away' });

      await waitFor(() => payloads.length === 2, 8000, 'the replayed event');
      assert.deepEqual(payloads, ['before', 'while away']);
      assert.equal(client.session?.sessionId, info.sessionId, 'same session, not a new one');
      assert.equal((await client.request('diag.echo', { payload: 'after' })).payload, 'after');
      await client.close();
    });
  }

  it('lets a WebSocket session continue over long-poll (transport switch keeps meaning)', async () => {
    const client = t.client(await t.mint('alice', { calls: ['c1'] }), {
      transports: ['websocket', 'longpoll'],
    });
    const info = await client.connect();
    assert.equal(client.transportKind, 'websocket');
    const resumed = new Promise<boolean>((resolve) => client.on('connected', (e) => resolve(e.resumed)));
    // Another transport (here a raw long-poll) takes the session over with its resume key.
    const session = [...t.platform.signalling.sessions.all()].find((s) => s.id === info.sessionId)!;
    const res = await t.fetch(`${t.urls.api}/v1/lp/sessions/${info.sessionId}/poll?ack=0&holdMs=0`, {
      headers: { 'x-switchboard-resume-key': info.resumeKey },
    });
    assert.equal(res.status, 200);
    assert.equal(session.transport?.kind, 'longpoll', 'polling attaches the session to long-poll');
    // The WebSocket was told it was replaced; the client does not fight for it.
    const closed = await Promise.race([
      new Promise<string | undefined>((resolve) => client.on('closed', (e) => resolve(e.error?.code))),
      resumed.then(() => 'resumed'),
    ]);
    assert.equal(closed, 'SB_ERR_SESSION_REPLACED');
  });

  it('serves the agents’ VoIP WebSocket path on the API port with the same protocol', async () => {
    const client = t.client(await t.mint('agent-7', { agent: 'agent-7' }), {
      transports: ['websocket'],
      websocketUrl: t.urls.voip,
    });
    const info = await client.connect();
    assert.equal(info.identity, 'agent-7');
    assert.equal((await client.request('diag.echo', { payload: 'voip' })).payload, 'voip');
    await client.close();
  });

  it('expires a session after its reclaim window and refuses to resume it', async () => {
    const short = await startPlatform({
      signalling: { reclaimWindowMs: 300, idleTimeoutMs: 1000, pollHoldMs: 500 },
    });
    try {
      const client = short.client(await short.mint('bob', { tester: true }), {
        transports: ['longpoll'],
        reconnect: false,
      });
      const info = await client.connect();
      await client.request('ping');
      const lost = new Promise((resolve) => client.on('closed', resolve));
      client.dropTransport();
      await lost;
      await waitFor(() => short.platform.signalling.sessions.size === 0, 5000, 'expiry');
      const res = await short.fetch(`${short.urls.api}/v1/lp/sessions/${info.sessionId}/poll?ack=0`, {
        headers: { 'x-switchboard-resume-key': info.resumeKey },
      });
      assert.equal(res.status, 410);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'SB_ERR_SESSION_EXPIRED');
    } finally {
      await short.stop();
    }
  });
});

describe('only TCP 443 reachable', () => {
  it('falls back to WSS on the HTTPS port when 8989 and 8089 cannot be reached', async () => {
    const config = (await (await t.fetch(`${t.urls.https}/v1/client-config`)).json()) as {
      fallbackWebsocketUrl: string;
    };
    assert.equal(config.fallbackWebsocketUrl, `wss://127.0.0.1:${t.platform.ports.https}/v1/signalling`);
    const client = t.client(await t.mint('alice', { calls: ['c1'] }), {
      // Both usual ports "blocked": nothing listens on port 1.
      websocketUrl: 'wss://127.0.0.1:1/v1/signalling',
      apiUrl: 'https://127.0.0.1:1',
      fallbackWebsocketUrl: config.fallbackWebsocketUrl,
    });
    await scenario(client);
    assert.equal(client.transportKind, 'websocket');
    await client.close();
  });

  it('falls back too when 8989 and 8089 swallow connections without an answer (a dropping firewall)', async () => {
    const config = (await (await t.fetch(`${t.urls.https}/v1/client-config`)).json()) as {
      fallbackWebsocketUrl: string;
    };
    // Accepts TCP and never says a word: TLS handshakes hang as behind a dropping firewall.
    const held: Socket[] = [];
    const blackHole = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const port = (blackHole.address() as AddressInfo).port;
    try {
      const client = t.client(await t.mint('alice', { calls: ['c1'] }), {
        websocketUrl: `wss://127.0.0.1:${port}/v1/signalling`,
        apiUrl: `https://127.0.0.1:${port}`,
        fallbackWebsocketUrl: config.fallbackWebsocketUrl,
        openTimeoutMs: 400,
      });
      await scenario(client);
      assert.equal(client.transportKind, 'websocket');
      assert.ok(held.length >= 2, `both usual routes were tried first (${held.length} connections)`);
      await client.close();
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => blackHole.close(resolve));
    }
  });
});
