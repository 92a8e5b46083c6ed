import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SwitchboardError } from '@switchboard/protocol';
import { DEMO_WIDGET_KEY, WidgetKeys } from './WidgetKeys.js';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof SwitchboardError);
    return err.code;
  }
  return 'no error';
};

describe('WidgetKeys', () => {
  const keys = new WidgetKeys([
    { key: 'shop-key-1', origins: ['https://shop.example.com'], queues: ['sales'] },
    { key: 'self-key-1', origins: ['self'], queues: ['support'] },
  ]);

  it('accepts a listed origin and returns the key with its queues', () => {
    assert.deepEqual(keys.authorize('shop-key-1', 'https://shop.example.com', 'sb.example.com').queues, [
      'sales',
    ]);
  });

  it('refuses an unknown key with SB_ERR_WIDGET_KEY_INVALID', () => {
    assert.equal(
      code(() => keys.authorize('nope-nope', 'https://shop.example.com', 'x')),
      'SB_ERR_WIDGET_KEY_INVALID',
    );
  });

  it('refuses another origin, a missing origin and "null" with SB_ERR_ORIGIN_NOT_ALLOWED', () => {
    for (const origin of ['https://evil.example.com', 'http://shop.example.com', undefined, 'null']) {
      assert.equal(
        code(() => keys.authorize('shop-key-1', origin, 'x')),
        'SB_ERR_ORIGIN_NOT_ALLOWED',
        origin,
      );
    }
  });

  it('"self" matches only the HTTPS origin of the Host the browser used', () => {
    assert.equal(keys.authorize('self-key-1', 'https://127.0.0.1:8443', '127.0.0.1:8443').key, 'self-key-1');
    assert.equal(
      code(() => keys.authorize('self-key-1', 'https://127.0.0.1:9443', '127.0.0.1:8443')),
      'SB_ERR_ORIGIN_NOT_ALLOWED',
    );
    assert.equal(
      code(() => keys.authorize('self-key-1', 'https://127.0.0.1:8443', undefined)),
      'SB_ERR_ORIGIN_NOT_ALLOWED',
    );
  });

  it('has the demo key outside production only, and none when keys are configured', () => {
    const web = { root: undefined, demoTokens: undefined, widgetKeys: undefined };
    assert.equal(WidgetKeys.fromConfig({ profile: 'development', web }).size, 1);
    assert.equal(WidgetKeys.fromConfig({ profile: 'production', web }).size, 0);
    const configured = WidgetKeys.fromConfig({ profile: 'test', web: { ...web, widgetKeys: [] } });
    assert.equal(
      code(() => configured.authorize(DEMO_WIDGET_KEY.key, 'https://a', 'a')),
      'SB_ERR_WIDGET_KEY_INVALID',
    );
  });
});
