import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { startPlatform, type TestPlatform } from '../helpers/platform.js';
import { RawSocket } from '../helpers/rawSocket.js';

let t: TestPlatform;
let secret: Uint8Array;
let kid: string;

before(async () => {
  t = await startPlatform();
  kid = t.platform.devKey!.key;
  secret = new TextEncoder().encode(t.platform.devKey!.secret);
});
after(async () => {
  await t.stop();
});

function b64(json: object): string {
  return Buffer.from(JSON.stringify(json)).toString('base64url');
}

async function signed(claims: Record<string, unknown>, key = secret, header: Record<string, unknown> = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', kid, ...header })
    .setAudience('switchboard')
    .setIssuer(kid)
    .setJti('t1')
    .sign(key);
}

const now = () => Math.floor(Date.now() / 1000);

/** Every bad token and the code it must be refused with. */
async function badTokens(): Promise<[string, string, string][]> {
  const good = await t.mint('alice', { calls: ['c1'] });
  const [h, , s] = good.split('.');
  return [
    ['missing', '', 'SB_ERR_AUTH_REQUIRED'],
    [
      'expired',
      await signed({ sub: 'alice', grants: {}, exp: now() - 60, iat: now() - 120 }),
      'SB_ERR_TOKEN_EXPIRED',
    ],
    [
      'not yet valid',
      await signed({ sub: 'alice', grants: {}, nbf: now() + 600, exp: now() + 900 }),
      'SB_ERR_TOKEN_EXPIRED',
    ],
    [
      'signed with another secret',
      await signed({ sub: 'alice', grants: {}, exp: now() + 60 }, new TextEncoder().encode('x'.repeat(43))),
      'SB_ERR_TOKEN_INVALID',
    ],
    [
      'with tampered grants',
      `${h}.${b64({ sub: 'alice', grants: { admin: true }, aud: 'switchboard', iss: kid, exp: now() + 60, jti: 'x' })}.${s}`,
      'SB_ERR_TOKEN_INVALID',
    ],
    [
      'with alg none',
      `${b64({ alg: 'none', kid })}.${b64({ sub: 'alice', grants: { admin: true }, exp: now() + 60 })}.`,
      'SB_ERR_TOKEN_INVALID',
    ],
    [
      'from an unknown key',
      await signed({ sub: 'alice', grants: {}, exp: now() + 60 }, secret, { kid: 'nobody' }),
      'SB_ERR_TOKEN_INVALID',
    ],
    ['that is garbage', 'not.a.jwt', 'SB_ERR_TOKEN_INVALID'],
    ['without Switchboard claims', await signed({ sub: 'alice', exp: now() + 60 }), 'SB_ERR_TOKEN_INVALID'],
  ];
}

describe('access tokens over WebSocket', () => {
  it('refuses every bad token with its own code and closes with 4401', async () => {
    for (const [what, token, code] of await badTokens()) {
      const socket = await RawSocket.open(t.urls.websocket, t.ca);
      socket.send({ v: 1, id: 'a', type: 'auth', data: token === '' ? {} : { token } });
      const reply = await socket.next((f) => f.re === 'a');
      const expected = token === '' ? 'SB_ERR_INVALID_PARAMS' : code;
      assert.equal(reply.error?.code, expected, `token ${what}`);
      const closed = await socket.closed;
      assert.equal(closed.reason, expected, `close reason for token ${what}`);
    }
  });

  it('refuses an out-of-grant action with SB_ERR_FORBIDDEN and keeps the session', async () => {
    const socket = await RawSocket.open(t.urls.websocket, t.ca);
    await socket.auth(await t.mint('alice', { calls: ['c1'] }));
    const refused = await socket.request('s1', 'server.stats');
    assert.equal(refused.error?.code, 'SB_ERR_FORBIDDEN');
    assert.equal(refused.error?.data?.grant, 'supervise');
    assert.equal((await socket.request('p1', 'ping')).error, undefined);
    socket.close();
  });

  it('allows the same action with the grant', async () => {
    const socket = await RawSocket.open(t.urls.websocket, t.ca);
    await socket.auth(await t.mint('sue', { supervise: true }));
    const stats = await socket.request('s1', 'server.stats');
    assert.equal(stats.error, undefined);
    assert.ok((stats.result?.sessions as number) >= 1);
    socket.close();
  });
});

describe('access tokens over long-poll and REST', () => {
  it('refuses every bad token at session creation with its own code', async () => {
    for (const [what, token, code] of await badTokens()) {
      const res = await t.fetch(`${t.urls.api}/v1/lp/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(token === '' ? {} : { token }),
      });
      const body = (await res.json()) as { error: { code: string } };
      assert.equal(body.error.code, token === '' ? 'SB_ERR_INVALID_PARAMS' : code, `token ${what}`);
      assert.equal(res.status, token === '' ? 400 : 401);
    }
  });

  it('checks bearer tokens and grants on REST (401 / 403)', async () => {
    const none = await t.fetch(`${t.urls.https}/v1/sessions`);
    assert.equal(((await none.json()) as { error: { code: string } }).error.code, 'SB_ERR_AUTH_REQUIRED');
    const user = await t.fetch(`${t.urls.https}/v1/sessions`, {
      headers: { authorization: `Bearer ${await t.mint('alice', { calls: ['c1'] })}` },
    });
    assert.equal(user.status, 403);
    assert.equal(((await user.json()) as { error: { code: string } }).error.code, 'SB_ERR_FORBIDDEN');
    const admin = await t.fetch(`${t.urls.https}/v1/sessions`, {
      headers: { authorization: `Bearer ${await t.mint('root', { admin: true })}` },
    });
    assert.equal(admin.status, 200);
  });
});

describe('minting tokens', () => {
  const mint = (authorization: string | undefined, body: object) =>
    t.fetch(`${t.urls.https}/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(body),
    });
  const basic = (key: string, secretText: string) =>
    `Basic ${Buffer.from(`${key}:${secretText}`).toString('base64')}`;

  it('mints a token with exactly the requested grants and a short life', async () => {
    const res = await mint(basic(kid, t.platform.devKey!.secret), {
      identity: 'carol',
      grants: { queues: ['sales'] },
      ttlSeconds: 120,
    });
    assert.equal(res.status, 201);
    const body = (await res.json()) as { token: string; ttlSeconds: number };
    assert.equal(body.ttlSeconds, 120);
    const verified = await t.platform.tokens.verify(body.token);
    assert.equal(verified.sub, 'carol');
    assert.deepEqual(verified.grants, { queues: ['sales'] });
  });

  it('caps the lifetime at auth.maxTokenTtlSeconds', async () => {
    const res = await mint(basic(kid, t.platform.devKey!.secret), {
      identity: 'carol',
      grants: { tester: true },
      ttlSeconds: 86_400,
    });
    assert.equal(((await res.json()) as { ttlSeconds: number }).ttlSeconds, 3600);
  });

  it('refuses a wrong secret (SB_ERR_BAD_CREDENTIALS), no credentials (SB_ERR_AUTH_REQUIRED) and unknown grants (SB_ERR_INVALID_PARAMS)', async () => {
    const wrong = await mint(basic(kid, 'wrong'), { identity: 'x', grants: {} });
    assert.equal(wrong.status, 401);
    assert.equal(((await wrong.json()) as { error: { code: string } }).error.code, 'SB_ERR_BAD_CREDENTIALS');
    const missing = await mint(undefined, { identity: 'x', grants: {} });
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'SB_ERR_AUTH_REQUIRED');
    const unknown = await mint(basic(kid, t.platform.devKey!.secret), {
      identity: 'x',
      grants: { superuser: true },
    });
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'SB_ERR_INVALID_PARAMS');
  });

  it('mints from the CLI (`switchboard token`) with the data directory’s development key', async () => {
    const cli = path.join(process.env.SB_TEST_ROOT ?? process.cwd(), 'packages/server/dist/cli/main.js');
    const token = execFileSync(
      process.execPath,
      [cli, 'token', '--identity', 'dave', '--agent', 'dave', '--data-dir', t.dataDir],
      {
        encoding: 'utf8',
      },
    ).trim();
    const verified = await t.platform.tokens.verify(token);
    assert.equal(verified.sub, 'dave');
    assert.deepEqual(verified.grants, { agent: 'dave' });
  });

  it('never writes a token or a secret to the log', async () => {
    const token = await t.mint('eve', { tester: true });
    const socket = await RawSocket.open(t.urls.websocket, t.ca);
    const hello = await socket.auth(token);
    socket.close();
    const logs = t.logs();
    assert.ok(logs.length > 0);
    assert.ok(!logs.includes(token), 'token in log');
    assert.ok(!logs.includes(t.platform.devKey!.secret), 'API secret in log');
    assert.ok(!logs.includes(hello.result?.resumeKey as string), 'resume key in log');
  });
});
