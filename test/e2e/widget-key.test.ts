import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { startPlatform, type TestPlatform } from '../helpers/platform.js';

interface TokenAnswer {
  token?: string;
  queues?: string[];
  error?: { code: string };
}

describe('POST /v1/widget/token: a public widget key buys a short, queue-only user token', () => {
  let t: TestPlatform;
  const shop = 'https://shop.example.com';

  before(async () => {
    t = await startPlatform({
      http: { tokenRequestsPerMinute: 5 },
      web: { widgetKeys: [{ key: 'shop-widget-key', origins: [shop, 'self'], queues: ['sales'] }] },
    });
  });
  after(async () => {
    await t?.stop();
  });

  const ask = async (key: string, origin?: string) => {
    const res = await t.fetch(`${t.urls.https}/v1/widget/token?key=${key}`, {
      method: 'POST',
      headers: origin ? { origin } : {},
    });
    return {
      status: res.status,
      allowOrigin: res.headers.get('access-control-allow-origin'),
      body: (await res.json()) as TokenAnswer,
    };
  };

  it('an allowed origin gets a token that may only enqueue to the key’s queues and lives ≤ 15 min', async () => {
    const res = await ask('shop-widget-key', shop);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.allowOrigin, shop, 'the page may read the answer');
    const claims = decodeJwt(res.body.token ?? '');
    assert.deepEqual(claims.grants, { queues: ['sales'] });
    assert.ok((claims.exp ?? 0) - (claims.iat ?? 0) <= 15 * 60);
    assert.match(String(claims.sub), /^widget-/);
    // The token works for its queue and nothing else.
    const client = t.client(res.body.token ?? '');
    await client.connect();
    await assert.rejects(client.request('contact.enqueue', { queueId: 'vip', channel: 'audio' }), {
      code: 'SB_ERR_FORBIDDEN',
    });
    await client.close();
  });

  it('"self" admits pages of the platform’s own origin', async () => {
    const res = await ask('shop-widget-key', t.urls.https);
    assert.equal(res.status, 200, JSON.stringify(res.body));
  });

  it('another origin, or no origin, is refused with SB_ERR_ORIGIN_NOT_ALLOWED (403)', async () => {
    for (const origin of ['https://evil.example.com', undefined]) {
      const res = await ask('shop-widget-key', origin);
      assert.equal(res.status, 403);
      assert.equal(res.body.error?.code, 'SB_ERR_ORIGIN_NOT_ALLOWED');
      assert.equal(res.body.token, undefined);
    }
  });

  it('an unknown key is refused with SB_ERR_WIDGET_KEY_INVALID (401)', async () => {
    const res = await ask('not-a-key-at-all', shop);
    assert.equal(res.status, 401);
    assert.equal(res.body.error?.code, 'SB_ERR_WIDGET_KEY_INVALID');
  });

  it('past http.tokenRequestsPerMinute an address gets 429 SB_ERR_RATE_LIMITED', async () => {
    let last = await ask('shop-widget-key', shop);
    for (let i = 0; i < 10 && last.status !== 429; i++) last = await ask('shop-widget-key', shop);
    assert.equal(last.status, 429);
    assert.equal(last.body.error?.code, 'SB_ERR_RATE_LIMITED');
  });
});

describe('the demo widget key', () => {
  it('outside production, with no web.widgetKeys, "sb-demo-widget" buys a token for "sales" from the platform’s own pages', async () => {
    // Production never has it: that rule is unit-tested in WidgetKeys.test.ts.
    const t = await startPlatform();
    try {
      const res = await t.fetch(`${t.urls.https}/v1/widget/token?key=sb-demo-widget`, {
        method: 'POST',
        headers: { origin: t.urls.https },
      });
      assert.equal(res.status, 200);
      const body = (await res.json()) as TokenAnswer;
      assert.deepEqual(body.queues, ['sales']);
    } finally {
      await t.stop();
    }
  });
});
