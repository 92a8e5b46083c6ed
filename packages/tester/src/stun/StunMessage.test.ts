import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bytesToIp, ipToBytes } from './address.js';
import { StunAttr, StunMethod } from './constants.js';
import { decodeChannelData, encodeChannelData, StreamFramer } from './StreamFramer.js';
import {
  attr,
  decodeErrorCode,
  decodeStunMessage,
  decodeXorAddress,
  encodeStunMessage,
  getAttribute,
  longTermKey,
  messageType,
  newTransactionId,
  verifyFingerprint,
  verifyMessageIntegrity,
} from './StunMessage.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// RFC 5769 §2.1: sample request (short-term credential, password below).
const RFC5769_REQUEST = hex(`
  000100582112a442b7e7a701bc34d686fa87dfae802200105354554e20746573742063
  6c69656e74002400046e0001ff80290008932ff9b151263b36000600096576746a3a68
  367659202020000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e5
  7a3bcf`);
// RFC 5769 §2.2: sample IPv4 response.
const RFC5769_RESPONSE = hex(`
  0101003c2112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f72
  20002000080001a147e112a643000800142b91f599fd9e90c38c7489f92af9ba53f06b
  e7d780280004c07d4c96`);
const RFC5769_PASSWORD = Buffer.from('VOkJxbRl1RmTxUk/WvJxBt', 'utf8');

describe('STUN message codec', () => {
  test('RFC 5769 sample request: MESSAGE-INTEGRITY and FINGERPRINT verify, username decodes', () => {
    assert.equal(verifyMessageIntegrity(RFC5769_REQUEST, RFC5769_PASSWORD), true);
    assert.equal(verifyFingerprint(RFC5769_REQUEST), true);
    const msg = decodeStunMessage(RFC5769_REQUEST);
    assert.equal(msg.method, StunMethod.Binding);
    assert.equal(msg.cls, 'request');
    assert.equal(getAttribute(msg, StunAttr.Username)?.toString('utf8'), 'evtj:h6vY');
  });

  test('RFC 5769 sample response: XOR-MAPPED-ADDRESS is 192.0.2.1:32853 and integrity verifies', () => {
    assert.equal(verifyMessageIntegrity(RFC5769_RESPONSE, RFC5769_PASSWORD), true);
    assert.equal(verifyFingerprint(RFC5769_RESPONSE), true);
    const msg = decodeStunMessage(RFC5769_RESPONSE);
    assert.equal(msg.cls, 'success');
    const mapped = decodeXorAddress(getAttribute(msg, StunAttr.XorMappedAddress)!, msg.transactionId);
    assert.deepEqual(mapped, { family: 'IPv4', address: '192.0.2.1', port: 32853 });
  });

  test('a changed byte breaks MESSAGE-INTEGRITY and FINGERPRINT; a wrong key breaks integrity', () => {
    const tampered = Buffer.from(RFC5769_REQUEST);
    tampered[30] = tampered[30]! ^ 0x01;
    assert.equal(verifyMessageIntegrity(tampered, RFC5769_PASSWORD), false);
    assert.equal(verifyFingerprint(tampered), false);
    assert.equal(verifyMessageIntegrity(RFC5769_REQUEST, Buffer.from('wrong')), false);
  });

  test('encode then decode round-trips method, class, ID and attributes; integrity and fingerprint verify', () => {
    const transactionId = newTransactionId();
    const key = longTermKey('1700000000:alice', 'switchboard', 'secret');
    const peer = { family: 'IPv6' as const, address: '2001:db8::1', port: 3478 };
    const bytes = encodeStunMessage(
      {
        method: StunMethod.CreatePermission,
        cls: 'request',
        transactionId,
        attributes: [
          attr.xorAddress(StunAttr.XorPeerAddress, peer, transactionId),
          attr.string(StunAttr.Username, 'odd-len'),
        ],
      },
      { integrityKey: key, fingerprint: true },
    );
    assert.equal(bytes.length % 4, 0);
    const msg = decodeStunMessage(bytes);
    assert.equal(msg.method, StunMethod.CreatePermission);
    assert.equal(msg.cls, 'request');
    assert.deepEqual(msg.transactionId, transactionId);
    assert.deepEqual(decodeXorAddress(getAttribute(msg, StunAttr.XorPeerAddress)!, transactionId), peer);
    assert.equal(getAttribute(msg, StunAttr.Username)?.toString(), 'odd-len');
    assert.deepEqual(msg.attributes.map((a) => a.type).slice(-2), [
      StunAttr.MessageIntegrity,
      StunAttr.Fingerprint,
    ]);
    assert.equal(verifyMessageIntegrity(bytes, key), true);
    assert.equal(verifyFingerprint(bytes), true);
  });

  test('message type interleaves method and class bits (Allocate error = 0x0113)', () => {
    assert.equal(messageType(StunMethod.Allocate, 'error'), 0x0113);
    assert.equal(messageType(StunMethod.Binding, 'success'), 0x0101);
    assert.equal(messageType(StunMethod.Data, 'indication'), 0x0017);
    assert.equal(messageType(StunMethod.ChannelBind, 'request'), 0x0009);
  });

  test('ERROR-CODE encodes class and number', () => {
    const v = attr.errorCode(438, 'Stale Nonce').value;
    assert.deepEqual(decodeErrorCode(v), { status: 438, reason: 'Stale Nonce' });
  });

  test('long-term key is MD5(username:realm:password) (RFC 5389 §15.4)', () => {
    assert.equal(longTermKey('user', 'realm', 'pass').toString('hex'), '8493fbc53ba582fb4c044c456bdc40eb');
  });

  test('malformed input is refused with a decode error', () => {
    assert.throws(() => decodeStunMessage(Buffer.alloc(10)), { name: 'StunError', kind: 'decode' });
    const wrongLength = Buffer.from(RFC5769_REQUEST);
    wrongLength.writeUInt16BE(0x0100, 2);
    assert.throws(() => decodeStunMessage(wrongLength), { kind: 'decode' });
  });

  test('IPv6 text and bytes convert both ways, including IPv4-mapped forms', () => {
    for (const ip of ['::', '::1', '2001:db8::ff00:42:8329', 'fe80::1:2', '1:2:3:4:5:6:7:8']) {
      assert.equal(bytesToIp(ipToBytes(ip)), ip);
    }
    assert.equal(ipToBytes('::ffff:127.0.0.1').toString('hex'), '00000000000000000000ffff7f000001');
    assert.equal(bytesToIp(ipToBytes('127.0.0.1')), '127.0.0.1');
  });
});

describe('stream framing', () => {
  test('splits STUN messages and padded ChannelData across arbitrary chunk boundaries', () => {
    const a = encodeStunMessage({
      method: StunMethod.Binding,
      cls: 'request',
      transactionId: newTransactionId(),
      attributes: [],
    });
    const c = encodeChannelData(0x4001, Buffer.from('hello'), true);
    assert.equal(c.length, 12);
    const stream = Buffer.concat([a, c, a]);
    const framer = new StreamFramer();
    const frames: Buffer[] = [];
    for (let i = 0; i < stream.length; i += 3) frames.push(...framer.push(stream.subarray(i, i + 3)));
    assert.equal(frames.length, 3);
    assert.deepEqual(frames[0], a);
    assert.deepEqual(decodeChannelData(frames[1]!), { channel: 0x4001, data: Buffer.from('hello') });
    assert.deepEqual(frames[2], a);
  });

  test('over UDP ChannelData is not padded', () => {
    assert.equal(encodeChannelData(0x4000, Buffer.from('hello'), false).length, 9);
  });

  test('a byte that starts neither STUN nor ChannelData is a decode error', () => {
    assert.throws(() => new StreamFramer().push(Buffer.from([0x80, 0, 0, 0])), { kind: 'decode' });
  });
});
