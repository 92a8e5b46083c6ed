// The SRTP replay window (RFC 3711 §3.3.2) on the forwarding fast path: packets routed to
// a fast handler are decrypted with our own keys, and must still be replay-checked.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { RTCDtlsTransport, RtpHeader, SrtpAuthenticationError, SrtpSession } from 'werift';
import { fastRtpRoutes, inboundGuardOf, installWeriftPatches, srtpKeysOf } from './weriftPatches.js';

const hex = (s: string) => Buffer.from(s, 'hex');
const serverKeys = {
  key: hex('000102030405060708090a0b0c0d0e0f'),
  salt: hex('a0a1a2a3a4a5a6a7a8a9aaabacad'),
};
const clientKeys = {
  key: hex('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff'),
  salt: hex('b0b1b2b3b4b5b6b7b8b9babbbcbd'),
};

interface FakeDtls {
  dtls: unknown;
  srtp: { decrypt(buf: Buffer): Buffer };
}

/** A DTLS transport shell whose SRTP session is set up by the real (patched) werift code. */
function fakeTransport(): FakeDtls {
  installWeriftPatches();
  const fake = {
    dtls: {
      srtp: { srtpProfile: 1 },
      extractSessionKeys: () => ({
        localKey: serverKeys.key,
        localSalt: serverKeys.salt,
        remoteKey: clientKeys.key,
        remoteSalt: clientKeys.salt,
      }),
    },
  } as unknown as FakeDtls;
  (
    RTCDtlsTransport.prototype as unknown as { updateSrtpSession(this: unknown): void }
  ).updateSrtpSession.call(fake);
  return fake;
}

/** A fresh sender per test: werift's SRTP context keeps a ROC per SSRC. */
const newClient = () =>
  new SrtpSession({
    keys: {
      localMasterKey: clientKeys.key,
      localMasterSalt: clientKeys.salt,
      remoteMasterKey: serverKeys.key,
      remoteMasterSalt: serverKeys.salt,
    },
    profile: 1,
  });
let client = newClient();
const SSRC = 0x0badcafe;
const packet = (seq: number) =>
  client.encrypt(
    Buffer.from(`payload ${seq}`),
    new RtpHeader({ sequenceNumber: seq, timestamp: seq * 3000, ssrc: SSRC, payloadType: 96 }),
  );

/** Feeds one packet as werift's receive loop would: true when consumed by the fast path. */
function feed(t: FakeDtls, buf: Buffer): 'consumed' | 'dropped' | 'passed' {
  try {
    t.srtp.decrypt(buf);
    return 'passed';
  } catch (error) {
    assert.ok(error instanceof SrtpAuthenticationError);
    return error.message.startsWith('consumed') ? 'consumed' : 'dropped';
  }
}

describe('fast-path SRTP replay window', () => {
  beforeEach(() => {
    client = newClient();
  });

  it('hands new packets to the fast handler once and drops their replays', () => {
    const t = fakeTransport();
    assert.ok(srtpKeysOf(t), 'AES-CM profile gets our own keys');
    const seen: number[] = [];
    fastRtpRoutes(t).set(SSRC, (plain) => {
      seen.push(plain.readUInt16BE(2));
      return true;
    });
    const first = packet(100);
    assert.equal(feed(t, first), 'consumed');
    assert.equal(feed(t, packet(101)), 'consumed');
    assert.equal(feed(t, first), 'dropped');
    assert.deepEqual(seen, [100, 101]);
    assert.equal(inboundGuardOf(t).replayed, 1);
    assert.equal(inboundGuardOf(t).accepted, 2);
  });

  it('drops packets older than the 128-packet window and accepts late ones inside it', () => {
    const t = fakeTransport();
    let handled = 0;
    fastRtpRoutes(t).set(SSRC, () => {
      handled++;
      return true;
    });
    const old = packet(1000);
    const late = packet(1100);
    assert.equal(feed(t, old), 'consumed');
    for (let seq = 1001; seq < 1200; seq++) if (seq !== 1100) feed(t, packet(seq));
    assert.equal(feed(t, late), 'consumed', 'reordered by 99: inside the window');
    assert.equal(feed(t, old), 'dropped', 'outside the window');
    assert.equal(handled, 200);
    assert.equal(inboundGuardOf(t).replayed, 1);
  });

  it('rejects forged packets without moving the window, across a sequence wrap', () => {
    const t = fakeTransport();
    fastRtpRoutes(t).set(SSRC, () => true);
    assert.equal(feed(t, packet(65_534)), 'consumed');
    assert.equal(feed(t, packet(65_535)), 'consumed');
    const forged = Buffer.from(packet(1));
    forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 0xff;
    assert.equal(feed(t, forged), 'dropped');
    assert.equal(inboundGuardOf(t).rejected, 1);
    // After the wrap (ROC 1), the genuine packet 1 still authenticates and is new.
    assert.equal(feed(t, packet(1)), 'consumed');
    assert.equal(feed(t, packet(65_535)), 'dropped');
  });

  it('leaves packets the handler declines to werift', () => {
    const t = fakeTransport();
    fastRtpRoutes(t).set(SSRC, () => false);
    assert.equal(feed(t, packet(5)), 'passed');
  });
});
