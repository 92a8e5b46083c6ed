import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RtcpRrPacket, RtcpSenderInfo, RtcpSrPacket, RtpHeader, SrtcpSession, SrtpSession } from 'werift';
import { rtpHeaderLength } from './rtpBytes.js';
import {
  deriveSessionKey,
  SRTCP_TRAILER_LENGTH,
  SRTP_TAG_LENGTH,
  SrtpContext,
  srtcpIndexOf,
} from './SrtpContext.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('SrtpContext (SRTP_AES128_CM_HMAC_SHA1_80)', () => {
  it('derives the session keys of RFC 3711 Appendix B.3', () => {
    const key = hex('E1F97A0D3E018BE0D64FA32C06DE4139');
    const salt = hex('0EC675AD498AFEEBB6960B3AABE6');
    assert.equal(deriveSessionKey(key, salt, 0, 16).toString('hex'), 'c61e7a93744f39ee10734afe3ff7a087');
    assert.equal(deriveSessionKey(key, salt, 2, 14).toString('hex'), '30cbbc08863d8c85d49db34a9ae1');
    assert.equal(
      deriveSessionKey(key, salt, 1, 20).toString('hex'),
      'cebe321f6ff7716b6fd4ab49af256a156d38baa4',
    );
  });

  it('produces the AES-CM keystream of RFC 3711 Appendix B.2', () => {
    const ctx = SrtpContext.fromSessionKeys(
      hex('2B7E151628AED2A6ABF7158809CF4F3C'),
      hex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD'),
      Buffer.alloc(20),
    );
    const keystream = ctx.crypt(Buffer.alloc(48), 0, 0, 0);
    assert.equal(
      keystream.toString('hex'),
      'e03ead0935c95e80e166b16dd92b4eb4d23513162b02d0f72a43a2fe4a5f97ab41e95b3bb0a2e8dd477901e4fca894c0',
    );
  });

  const master = { key: hex('000102030405060708090a0b0c0d0e0f'), salt: hex('a0a1a2a3a4a5a6a7a8a9aaabacad') };
  const other = { key: hex('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff'), salt: hex('b0b1b2b3b4b5b6b7b8b9babbbcbd') };
  const werift = new SrtpSession({
    keys: {
      localMasterKey: master.key,
      localMasterSalt: master.salt,
      remoteMasterKey: other.key,
      remoteMasterSalt: other.salt,
    },
    profile: 1,
  });
  const header = (seq: number) =>
    new RtpHeader({ sequenceNumber: seq, timestamp: 1234, ssrc: 0x11223344, payloadType: 96, marker: true });

  it('decrypts what werift encrypts, byte for byte, audio- and video-size (ECB and CTR keystreams)', () => {
    const ours = SrtpContext.fromMaster(master.key, master.salt);
    for (const [i, size] of [1, 100, 255, 256, 257, 1100, 1501, 1504, 1505, 3000].entries()) {
      const payload = Buffer.alloc(size);
      for (let b = 0; b < size; b++) payload[b] = (b * 7 + size) & 0xff;
      const srtp = werift.encrypt(payload, header(4000 + i));
      const hl = rtpHeaderLength(srtp, srtp.length - SRTP_TAG_LENGTH);
      const plain = ours.unprotect(srtp, hl, 0);
      assert.ok(plain, `${size} B authenticates`);
      assert.deepEqual(plain.subarray(hl), payload, `${size} B`);
      assert.equal(plain.readUInt16BE(2), 4000 + i);
    }
  });

  it('encrypts what werift decrypts, including after a rollover (ROC 1)', () => {
    const ours = SrtpContext.fromMaster(other.key, other.salt);
    // A fresh werift receiver: it tracks the ROC itself, from the packets it sees.
    const receiver = new SrtpSession({
      keys: {
        localMasterKey: master.key,
        localMasterSalt: master.salt,
        remoteMasterKey: other.key,
        remoteMasterSalt: other.salt,
      },
      profile: 1,
    });
    const payload = Buffer.alloc(1100, 0x5a);
    payload.write('subscriber-bound payload');
    for (const [seq, roc] of [
      [65_000, 0],
      [65_535, 0],
      [0, 1],
      [10, 1],
    ] as const) {
      const plain = Buffer.concat([header(seq).serialize(12), payload]);
      const srtp = ours.protect(plain, 12, roc);
      assert.equal(srtp.length, plain.length + SRTP_TAG_LENGTH);
      assert.deepEqual(receiver.decrypt(srtp).subarray(12), payload);
      if (seq === 65_000 || seq === 10) {
        // An audio-size packet right after it (keystream from the reused ECB cipher).
        const small = Buffer.concat([header(seq + 1).serialize(12), payload.subarray(0, 120)]);
        assert.deepEqual(
          receiver.decrypt(ours.protect(small, 12, roc)).subarray(12),
          payload.subarray(0, 120),
        );
      }
    }
  });

  it('refuses a packet whose tag or body was altered, and a wrong ROC', () => {
    const ours = SrtpContext.fromMaster(master.key, master.salt);
    const srtp = werift.encrypt(Buffer.from('x'.repeat(100)), header(7));
    assert.ok(ours.unprotect(srtp, 12, 0));
    assert.equal(ours.unprotect(srtp, 12, 1), undefined);
    const forged = Buffer.from(srtp);
    forged[40] = (forged[40] ?? 0) ^ 1;
    assert.equal(ours.unprotect(forged, 12, 0), undefined);
    assert.equal(ours.unprotect(srtp.subarray(0, 15), 12, 0), undefined);
  });
});

describe('SrtpContext as SRTCP (RFC 3711 §3.4)', () => {
  const a = { key: Buffer.alloc(16, 0x11), salt: Buffer.alloc(14, 0x22) };
  const b = { key: Buffer.alloc(16, 0x33), salt: Buffer.alloc(14, 0x44) };
  const session = (local: typeof a, remote: typeof a) =>
    new SrtcpSession({
      keys: {
        localMasterKey: local.key,
        localMasterSalt: local.salt,
        remoteMasterKey: remote.key,
        remoteMasterSalt: remote.salt,
      },
      profile: 1,
    });
  const sr = (ssrc: number) =>
    new RtcpSrPacket({
      ssrc,
      senderInfo: new RtcpSenderInfo({
        ntpTimestamp: 0x0123456789abcdefn,
        rtpTimestamp: 90_000,
        packetCount: 42,
        octetCount: 4200,
      }),
    }).serialize();

  it('decrypts what werift protects, and reads its index', () => {
    const ours = SrtpContext.rtcpFromMaster(a.key, a.salt);
    const sender = session(a, b);
    for (const n of [1, 2, 3]) {
      const srtcp = sender.encrypt(sr(0xabcdef01));
      assert.equal(srtcpIndexOf(srtcp), n, 'werift counts from 1');
      assert.deepEqual(ours.unprotectRtcp(srtcp), sr(0xabcdef01));
    }
  });

  it('protects what werift decrypts, at a high index (above 2^16)', () => {
    const ours = SrtpContext.rtcpFromMaster(b.key, b.salt);
    const receiver = session(a, b);
    const plain = Buffer.concat([sr(7), new RtcpRrPacket({ ssrc: 8, reports: [] }).serialize()]);
    for (const index of [1, 70_000, 0x7fffffff]) {
      const srtcp = ours.protectRtcp(plain, index);
      assert.equal(srtcp.length, plain.length + SRTCP_TRAILER_LENGTH);
      assert.equal(srtcpIndexOf(srtcp), index);
      assert.equal(srtcp.readUInt32BE(plain.length) >>> 31, 1, 'E flag set');
      assert.notDeepEqual(srtcp.subarray(8, plain.length), plain.subarray(8), 'body encrypted');
      assert.deepEqual(receiver.decrypt(srtcp), plain);
      assert.deepEqual(ours.unprotectRtcp(srtcp), plain, 'and our own round trip');
    }
  });

  it('refuses an altered tag, body or index, and a truncated packet; SRTP keys do not open SRTCP', () => {
    const ours = SrtpContext.rtcpFromMaster(a.key, a.salt);
    const srtcp = ours.protectRtcp(sr(9), 5);
    for (const at of [2, 12, srtcp.length - SRTCP_TRAILER_LENGTH + 3, srtcp.length - 1]) {
      const forged = Buffer.from(srtcp);
      forged[at] = (forged[at] ?? 0) ^ 1;
      assert.equal(ours.unprotectRtcp(forged), undefined, `byte ${at}`);
    }
    assert.equal(ours.unprotectRtcp(srtcp.subarray(0, 20)), undefined);
    assert.equal(SrtpContext.fromMaster(a.key, a.salt).unprotectRtcp(srtcp), undefined);
  });
});
