import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ERROR_CODES } from '@switchboard/protocol/runtime';
import { errorText, mediaErrorCode, waitText } from './errorText.js';

describe('widget error texts', () => {
  it('every registry code has a human text that does not just repeat the code', () => {
    for (const code of ERROR_CODES) {
      const { text } = errorText(code);
      assert.ok(text.length > 20, code);
      assert.ok(!text.includes(code), `${code} is explained, not echoed`);
    }
  });

  it('an unknown code is shown as is, so support can look it up', () => {
    assert.match(errorText('SB_ERR_FROM_THE_FUTURE').text, /SB_ERR_FROM_THE_FUTURE/);
  });

  it('queue closed and full say so in plain words', () => {
    assert.match(errorText('SB_ERR_QUEUE_CLOSED').text, /closed/);
    assert.match(errorText('SB_ERR_QUEUE_FULL').text, /full/);
  });

  it('only network failures offer the tester link', () => {
    assert.equal(errorText('WIDGET_NETWORK_BLOCKED').tester, true);
    assert.equal(errorText('WIDGET_MEDIA_BLOCKED').tester, true);
    assert.equal(errorText('WIDGET_PERMISSION_DENIED').tester, false);
    assert.equal(errorText('SB_ERR_QUEUE_FULL').tester, false);
  });

  it('maps getUserMedia failures by DOMException name', () => {
    assert.equal(mediaErrorCode('NotAllowedError'), 'WIDGET_PERMISSION_DENIED');
    assert.equal(mediaErrorCode('SecurityError'), 'WIDGET_PERMISSION_DENIED');
    assert.equal(mediaErrorCode('NotFoundError'), 'WIDGET_NO_DEVICE');
    assert.equal(mediaErrorCode('NotReadableError'), 'WIDGET_DEVICE_BUSY');
    assert.equal(mediaErrorCode('TypeError'), 'WIDGET_UNSUPPORTED');
  });

  it('rounds the estimated wait to minutes and explains an unknown one', () => {
    assert.match(waitText(null), /No agent is available/);
    assert.equal(waitText(20_000), 'Estimated wait: less than a minute.');
    assert.equal(waitText(70_000), 'Estimated wait: about 1 minute.');
    assert.equal(waitText(5 * 60_000 + 10_000), 'Estimated wait: about 5 minutes.');
  });
});
