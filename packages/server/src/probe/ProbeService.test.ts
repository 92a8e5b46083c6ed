import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { describe, it } from 'node:test';
import {
  decodeHeader,
  ECHO_REPLY_BYTES,
  encodeDownRequest,
  encodeHeader,
  MessageType,
  ProbeProfileSchema,
  tokenFromHex,
} from '@switchboard/tester';
import { attr, StunAttr, StunClient, StunMethod } from '@switchboard/tester/node';
import { buildProbeProfile } from './buildProbeProfile.js';
import { ProbeService } from './ProbeService.js';
import { SimplePortSource } from './SimplePortSource.js';

// Below the ephemeral range and apart from the integration tests' windows (test/helpers/testPorts.ts).
const RANGES = { rtc: { min: 22000, max: 22019 }, acd: { min: 22020, max: 22039 } };

function exchange(port: number, datagram: Uint8Array, waitMs = 200): Promise<Uint8Array[]> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const got: Uint8Array[] = [];
    s.on('message', (m) => got.push(new Uint8Array(m)));
    s.bind(0, '127.0.0.1', () => {
      s.send(datagram, port, '127.0.0.1');
      setTimeout(() => {
        s.close();
        resolve(got);
      }, waitMs);
    });
  });
}

describe('ProbeService', () => {
  it('opens responders on both edges and random ports of each range and returns them on close', async () => {
    const ports = new SimplePortSource();
    const service = new ProbeService({ bindHost: '127.0.0.1', ranges: RANGES, ports, randomPorts: 3 });
    const s = await service.open('client-a');
    const rtc = s.ranges.find((r) => r.service === 'rtc')!;
    assert.ok(rtc.ports.includes(RANGES.rtc.min) && rtc.ports.includes(RANGES.rtc.max));
    assert.equal(rtc.ports.length, 5);
    assert.ok(rtc.ports.every((p) => p >= RANGES.rtc.min && p <= RANGES.rtc.max));
    assert.equal(ports.inUse, 10);
    assert.ok(service.close(s.id, 'client-a'));
    assert.equal(ports.inUse, 0);
    assert.equal(service.close(s.id), false);
    service.shutdown();
  });

  it('answers an echo only when the datagram carries the session token', async () => {
    const service = new ProbeService({
      bindHost: '127.0.0.1',
      ranges: RANGES,
      ports: new SimplePortSource(),
      randomPorts: 0,
    });
    const s = await service.open('client-b');
    const header = { type: MessageType.EchoRequest, streamId: 9, seq: 1, sendTimeMs: 5 } as const;
    const good = await exchange(
      RANGES.rtc.min,
      encodeHeader({ ...header, token: tokenFromHex(s.token) }, ECHO_REPLY_BYTES),
    );
    assert.equal(good.length, 1);
    assert.equal(decodeHeader(good[0]!)?.type, MessageType.EchoReply);
    const bad = await exchange(
      RANGES.rtc.min,
      encodeHeader({ ...header, token: tokenFromHex('00'.repeat(8)) }, ECHO_REPLY_BYTES),
    );
    assert.equal(bad.length, 0);
    service.shutdown();
  });

  it('answers STUN Binding with the mapped address only when USERNAME is the session token', async () => {
    const service = new ProbeService({
      bindHost: '127.0.0.1',
      ranges: RANGES,
      ports: new SimplePortSource(),
      randomPorts: 0,
    });
    const s = await service.open('client-stun');
    const client = await StunClient.connect({
      transport: 'udp',
      host: '127.0.0.1',
      port: RANGES.rtc.min,
      rtoMs: 50,
      transactionTimeoutMs: 300,
    });
    try {
      const ok = await client.request(StunMethod.Binding, [attr.string(StunAttr.Username, s.token)]);
      assert.equal(ok.response.cls, 'success');
      assert.ok(ok.response.attributes.some((a) => a.type === StunAttr.XorMappedAddress));
      await assert.rejects(client.request(StunMethod.Binding, []), { kind: 'timeout' });
      await assert.rejects(
        client.request(StunMethod.Binding, [attr.string(StunAttr.Username, '00'.repeat(8))]),
        { kind: 'timeout' },
      );
    } finally {
      client.close();
      service.shutdown();
    }
  });

  it('refuses a downlink stream above the session ceiling', async () => {
    const service = new ProbeService({
      bindHost: '127.0.0.1',
      ranges: RANGES,
      ports: new SimplePortSource(),
      randomPorts: 0,
      maxKbps: 100,
    });
    const s = await service.open('client-c');
    const h = {
      type: MessageType.DownRequest,
      token: tokenFromHex(s.token),
      streamId: 1,
      seq: 0,
      sendTimeMs: 0,
    } as const;
    const tooFast = await exchange(
      RANGES.rtc.min,
      encodeDownRequest(h, { intervalMs: 20, packetBytes: 1000, packetsPerTick: 1, ticks: 5 }),
    );
    assert.equal(tooFast.length, 0);
    const ok = await exchange(
      RANGES.rtc.min,
      encodeDownRequest(
        { ...h, streamId: 2 },
        { intervalMs: 20, packetBytes: 100, packetsPerTick: 1, ticks: 5 },
      ),
      300,
    );
    assert.equal(ok.length, 5);
    service.shutdown();
  });

  it('limits sessions per client per minute with SB_ERR_RATE_LIMITED and closes a client’s previous session', async () => {
    const ports = new SimplePortSource();
    let now = 1_000_000;
    const service = new ProbeService({
      bindHost: '127.0.0.1',
      ranges: RANGES,
      ports,
      randomPorts: 0,
      maxPerMinute: 2,
      now: () => now,
    });
    await service.open('client-d');
    await service.open('client-d');
    assert.equal(service.openSessions, 1, 'the second session replaced the first');
    await assert.rejects(service.open('client-d'), { code: 'SB_ERR_RATE_LIMITED' });
    now += 61_000;
    await service.open('client-d');
    service.shutdown();
    assert.equal(ports.inUse, 0);
  });

  it('closes a session by itself after its lifetime', async () => {
    const ports = new SimplePortSource();
    const service = new ProbeService({
      bindHost: '127.0.0.1',
      ranges: RANGES,
      ports,
      randomPorts: 0,
      ttlMs: 100,
    });
    await service.open('client-e');
    assert.equal(ports.inUse, 4);
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(service.openSessions, 0);
    assert.equal(ports.inUse, 0);
  });
});

describe('buildProbeProfile', () => {
  it('fills the spec tables with the configured hosts, ports and ranges', () => {
    const p = buildProbeProfile({
      rtcHost: 'rtc.example.com',
      acdHost: 'acd.example.com',
      ports: { http: 80, https: 443, websocket: 8989, api: 8089 },
      ranges: { rtc: { min: 19099, max: 20099 }, acd: { min: 10000, max: 20000 } },
      turnUrls: ['turns:turn.example.com:443?transport=tcp'],
      probe: { maxKbps: 2000, maxStreamMs: 5000 },
    });
    ProbeProfileSchema.parse(p);
    assert.deepEqual(
      p.tcp.filter((r) => r.service === 'rtc').map((r) => [r.port, r.purpose]),
      [
        [80, 'http-redirect'],
        [443, 'https'],
        [8989, 'wss'],
        [8089, 'https-api'],
      ],
    );
    assert.deepEqual(
      p.tcp.filter((r) => r.service === 'acd').map((r) => [r.port, r.purpose, r.description]),
      [
        [80, 'http-redirect', 'HTTP - Web Access (Forwarded)'],
        [443, 'https', 'HTTPS - Secure Web Access'],
        [8089, 'wss', 'Websocket - VoIP'],
      ],
    );
    assert.deepEqual(
      p.udp.map((r) => [r.service, r.min, r.max]),
      [
        ['rtc', 19099, 20099],
        ['acd', 10000, 20000],
      ],
    );
    assert.equal(p.services.acd.host, 'acd.example.com');
    assert.equal(p.thresholds.lossPercent, 1.5);
    assert.equal(p.probe.sessionPath, '/v1/probe/sessions');
  });
});
