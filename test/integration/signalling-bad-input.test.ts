import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { startPlatform, type TestPlatform } from '../helpers/platform.js';
import { RawSocket } from '../helpers/rawSocket.js';

let t: TestPlatform;
const MAX_FRAME = 2048;

before(async () => {
  t = await startPlatform({
    signalling: {
      maxFrameBytes: MAX_FRAME,
      authTimeoutMs: 1500,
      messagesPerSecond: 20,
      messageBurst: 20,
      maxConnectionsPerIp: 30,
    },
    http: { headersTimeoutMs: 1000, requestTimeoutMs: 2000, tokenRequestsPerMinute: 5 },
    tls: { handshakeTimeoutMs: 1000 },
  });
});
after(async () => {
  await t.stop();
});

async function authed(): Promise<RawSocket> {
  const socket = await RawSocket.open(t.urls.websocket, t.ca);
  const hello = await socket.auth(await t.mint('mallory', { tester: true }));
  assert.equal(hello.error, undefined);
  return socket;
}

async function stillServing(): Promise<void> {
  const res = await t.fetch(`${t.urls.https}/healthz`);
  assert.equal(res.status, 200);
  const socket = await authed();
  const echo = await socket.request('ok-1', 'diag.echo', { payload: 'alive' });
  assert.equal(echo.result?.payload, 'alive');
  socket.close();
}

describe('bad input over WebSocket, after authentication: typed error, session goes on', () => {
  const cases: [string, string | object, string][] = [
    ['malformed JSON', '{"v":1,"id":"x",', 'SB_ERR_BAD_JSON'],
    ['a JSON value that is not an envelope', '[1,2,3]', 'SB_ERR_BAD_FRAME'],
    ['an envelope with a wrong field type', { v: 1, id: 7, type: 'ping' }, 'SB_ERR_BAD_FRAME'],
    ['an unknown message type', { v: 1, id: 'u1', type: 'no.such.thing', data: {} }, 'SB_ERR_UNKNOWN_TYPE'],
    [
      'wrong parameter types',
      { v: 1, id: 'p1', type: 'diag.echo', data: { payload: 12 } },
      'SB_ERR_INVALID_PARAMS',
    ],
    [
      'extra parameters',
      { v: 1, id: 'p2', type: 'diag.echo', data: { payload: 'a', evil: true } },
      'SB_ERR_INVALID_PARAMS',
    ],
    ['an unsupported protocol version', { v: 99, id: 'v1', type: 'ping' }, 'SB_ERR_UNSUPPORTED_VERSION'],
    ['a second auth', { v: 1, id: 'a2', type: 'auth', data: { token: 'x' } }, 'SB_ERR_ALREADY_AUTHENTICATED'],
    [
      'a frame over the size limit',
      { v: 1, id: 'big', type: 'diag.echo', data: { payload: 'x'.repeat(MAX_FRAME) } },
      'SB_ERR_FRAME_TOO_LARGE',
    ],
  ];
  for (const [what, frame, code] of cases) {
    it(`answers ${what} with ${code}`, async () => {
      const socket = await authed();
      const from = socket.frames.length;
      socket.send(frame);
      const error = await socket.next((f) => f.error !== undefined, 3000, from);
      assert.equal(error.error?.code, code);
      const echo = await socket.request('after', 'diag.echo', { payload: 'next' });
      assert.equal(echo.result?.payload, 'next', 'the session keeps working');
      socket.close();
    });
  }

  it('answers a binary frame with SB_ERR_BAD_FRAME', async () => {
    const socket = await authed();
    socket.send(Buffer.from([0, 1, 2, 3]));
    const error = await socket.next((f) => f.error !== undefined);
    assert.equal(error.error?.code, 'SB_ERR_BAD_FRAME');
    socket.close();
  });

  it('cuts off a frame far beyond the limit with close 1009', async () => {
    const socket = await authed();
    socket.send('x'.repeat(8 * 1024 * 1024));
    const closed = await socket.closed;
    assert.equal(closed.code, 1009);
  });
});

describe('bad input before authentication closes the connection with a reason', () => {
  it('refuses a request before auth with SB_ERR_AUTH_REQUIRED and close 4401', async () => {
    const socket = await RawSocket.open(t.urls.websocket, t.ca);
    socket.send({ v: 1, id: 'e1', type: 'diag.echo', data: { payload: 'x' } });
    const error = await socket.next((f) => f.error !== undefined);
    assert.equal(error.error?.code, 'SB_ERR_AUTH_REQUIRED');
    assert.deepEqual(await socket.closed, { code: 4401, reason: 'SB_ERR_AUTH_REQUIRED' });
  });

  it('closes malformed JSON before auth with SB_ERR_BAD_JSON (4400)', async () => {
    const socket = await RawSocket.open(t.urls.websocket, t.ca);
    socket.send('not json');
    assert.deepEqual(await socket.closed, { code: 4400, reason: 'SB_ERR_BAD_JSON' });
  });

  it('closes a connection that never authenticates (slow loris) with SB_ERR_AUTH_TIMEOUT', async () => {
    const socket = await RawSocket.open(t.urls.websocket, t.ca);
    const closed = await socket.closed;
    assert.deepEqual(closed, { code: 4401, reason: 'SB_ERR_AUTH_TIMEOUT' });
    assert.equal(socket.frames[0]?.error?.code, 'SB_ERR_AUTH_TIMEOUT');
  });

  it('drops an HTTP client that dribbles its headers (headers timeout)', async () => {
    const port = t.platform.ports.http;
    const started = Date.now();
    const outcome = await new Promise<string>((resolve) => {
      const socket = netConnect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\n'));
      let text = '';
      socket.on('data', (d) => {
        text += d.toString();
      });
      const dribble = setInterval(() => socket.write('X-Slow: 1\r\n'), 200);
      socket.on('close', () => {
        clearInterval(dribble);
        resolve(text);
      });
      setTimeout(() => socket.destroy(), 8000);
    });
    assert.ok(Date.now() - started < 7000, 'closed by the server, not by the test');
    assert.match(outcome, /408/);
  });

  it('drops a TLS client that never completes the handshake', async () => {
    const started = Date.now();
    await new Promise<void>((resolve) => {
      const socket = netConnect(t.platform.ports.websocket, '127.0.0.1', () =>
        socket.write(Buffer.from([0x16, 0x03])),
      );
      socket.on('close', () => resolve());
      socket.on('error', () => {});
      setTimeout(() => socket.destroy(), 8000);
    });
    assert.ok(Date.now() - started < 7000, 'the server closed it');
  });
});

describe('floods and per-address limits', () => {
  it('rate-limits a flooding connection with SB_ERR_RATE_LIMITED, then closes it with 4429', async () => {
    const socket = await authed();
    for (let i = 0; i < 200; i++) socket.send({ v: 1, id: `f${i}`, type: 'ping' });
    const limited = await socket.next((f) => f.error?.code === 'SB_ERR_RATE_LIMITED');
    assert.equal(typeof limited.error?.data?.retryAfterMs, 'number');
    const closed = await socket.closed;
    assert.deepEqual(closed, { code: 4429, reason: 'SB_ERR_RATE_LIMITED' });
  });

  it('refuses WebSocket upgrades beyond the per-address limit with 429 SB_ERR_TOO_MANY_CONNECTIONS', async () => {
    // All at once, so none is closed for not authenticating before the limit is reached.
    const attempts = await Promise.allSettled(
      Array.from({ length: 40 }, () => RawSocket.open(t.urls.websocket, t.ca)),
    );
    const sockets = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
    const refused = attempts.flatMap((a) => (a.status === 'rejected' ? [a.reason as Error] : []))[0] ?? null;
    for (const s of sockets) s.close();
    assert.ok(refused, 'an upgrade was refused');
    assert.match(refused.message, /429/);
    await Promise.all(sockets.map((s) => s.closed));
  });

  it('rate-limits token minting per address with 429 SB_ERR_RATE_LIMITED', async () => {
    const key = t.platform.devKey!;
    const auth = `Basic ${Buffer.from(`${key.key}:${key.secret}`).toString('base64')}`;
    let last: Response | null = null;
    for (let i = 0; i < 8; i++) {
      last = await t.fetch(`${t.urls.https}/v1/tokens`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({ identity: 'u', grants: { tester: true } }),
      });
      if (last.status === 429) break;
    }
    assert.equal(last?.status, 429);
    assert.equal(((await last!.json()) as { error: { code: string } }).error.code, 'SB_ERR_RATE_LIMITED');
  });
});

describe('bad input over long-poll and REST', () => {
  async function lpSession() {
    const res = await t.fetch(`${t.urls.api}/v1/lp/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: await t.mint('mallory', { tester: true }) }),
    });
    assert.equal(res.status, 201);
    return (await res.json()) as { sessionId: string; resumeKey: string };
  }

  async function send(
    session: { sessionId: string; resumeKey: string },
    body: string,
    key = session.resumeKey,
  ) {
    return t.fetch(`${t.urls.api}/v1/lp/sessions/${session.sessionId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-switchboard-resume-key': key },
      body,
    });
  }

  async function codeOf(res: Response): Promise<string> {
    return ((await res.json()) as { error: { code: string } }).error.code;
  }

  it('answers a malformed body with 400 SB_ERR_BAD_JSON', async () => {
    const res = await send(await lpSession(), '{"v":');
    assert.equal(res.status, 400);
    assert.equal(await codeOf(res), 'SB_ERR_BAD_JSON');
  });

  it('answers an oversized body with 413 SB_ERR_FRAME_TOO_LARGE', async () => {
    const res = await send(
      await lpSession(),
      JSON.stringify({ v: 1, id: 'x', type: 'diag.echo', data: { payload: 'y'.repeat(MAX_FRAME) } }),
    );
    assert.equal(res.status, 413);
    assert.equal(await codeOf(res), 'SB_ERR_FRAME_TOO_LARGE');
  });

  it('puts frame-level errors in the stream, like WebSocket', async () => {
    const session = await lpSession();
    const res = await send(
      session,
      JSON.stringify([
        { v: 1, id: 'a', type: 'nope' },
        { v: 1, id: 'b', type: 'ping' },
      ]),
    );
    assert.equal(res.status, 202);
    const poll = await t.fetch(`${t.urls.api}/v1/lp/sessions/${session.sessionId}/poll?ack=0`, {
      headers: { 'x-switchboard-resume-key': session.resumeKey },
    });
    const { frames } = (await poll.json()) as {
      frames: { re: string; error?: { code: string }; result?: unknown }[];
    };
    assert.equal(frames.find((f) => f.re === 'a')?.error?.code, 'SB_ERR_UNKNOWN_TYPE');
    assert.ok(frames.find((f) => f.re === 'b')?.result);
  });

  it('refuses a missing resume key (401 SB_ERR_AUTH_REQUIRED) and a wrong one (404 SB_ERR_SESSION_NOT_FOUND)', async () => {
    const session = await lpSession();
    const missing = await t.fetch(`${t.urls.api}/v1/lp/sessions/${session.sessionId}/poll`);
    assert.equal(missing.status, 401);
    assert.equal(await codeOf(missing), 'SB_ERR_AUTH_REQUIRED');
    const wrong = await send(session, '{"v":1,"id":"x","type":"ping"}', 'not-the-key');
    assert.equal(wrong.status, 404);
    assert.equal(await codeOf(wrong), 'SB_ERR_SESSION_NOT_FOUND');
  });

  it('answers bad query parameters with 400 SB_ERR_INVALID_PARAMS', async () => {
    const session = await lpSession();
    const res = await t.fetch(`${t.urls.api}/v1/lp/sessions/${session.sessionId}/poll?ack=-4`, {
      headers: { 'x-switchboard-resume-key': session.resumeKey },
    });
    assert.equal(res.status, 400);
    assert.equal(await codeOf(res), 'SB_ERR_INVALID_PARAMS');
  });

  it('answers unknown routes with 404 SB_ERR_NOT_FOUND', async () => {
    const res = await t.fetch(`${t.urls.https}/v1/nothing-here`);
    assert.equal(res.status, 404);
    assert.equal(await codeOf(res), 'SB_ERR_NOT_FOUND');
  });

  it('is still serving after all of the above', stillServing);
});

describe('HTTPS on the WebSocket port', () => {
  it('answers plain HTTPS requests on 8989 with 426 (WebSocket only) and /healthz with 200', async () => {
    const base = t.urls.websocket.replace('wss:', 'https:').replace('/v1/signalling', '');
    assert.equal((await t.fetch(`${base}/healthz`)).status, 200);
    assert.equal((await t.fetch(`${base}/anything`)).status, 426);
  });

  it('completes a TLS handshake with the served certificate', async () => {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = tlsConnect(
        { port: t.platform.ports.websocket, host: '127.0.0.1', ca: t.ca, servername: 'localhost' },
        () => {
          resolve(socket.authorized);
          socket.end();
        },
      );
      socket.on('error', () => resolve(false));
    });
    assert.ok(ok);
  });
});
