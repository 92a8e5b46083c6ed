import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SPEC_THRESHOLDS } from '@switchboard/protocol';
import type { Platform, TurnRelayOutcome, TurnRelayRequest } from '../platform/Platform.js';
import type { ProbeProfile } from '../profile/ProbeProfile.js';
import type { ProbeSession } from '../profile/ProbeSession.js';
import { parseIceUrl, turnChecks } from './turnChecks.js';

describe('parseIceUrl', () => {
  it('reads scheme, host, port and the forced transport', () => {
    assert.deepEqual(parseIceUrl('turn:t.example.com:3478?transport=tcp'), {
      url: 'turn:t.example.com:3478?transport=tcp',
      scheme: 'turn',
      host: 't.example.com',
      port: 3478,
      transport: 'tcp',
    });
    assert.equal(parseIceUrl('turns:t.example.com:443?transport=tcp')?.transport, 'tls');
    assert.equal(parseIceUrl('turns:t.example.com')?.port, 5349);
    assert.equal(parseIceUrl('turn:[::1]:3478')?.host, '::1');
    assert.equal(parseIceUrl('stun:s.example.com')?.transport, 'udp');
    assert.equal(parseIceUrl('https://x'), undefined);
  });
});

const profile = {
  services: { rtc: { host: '192.0.2.1' }, acd: { host: '192.0.2.1' } },
} as unknown as ProbeProfile;

function session(ice: ProbeSession['ice']): ProbeSession {
  return {
    id: 's',
    token: '0011223344556677',
    expiresAt: 0,
    ranges: [{ service: 'rtc', min: 19099, max: 20099, ports: [19099] }],
    maxKbps: 2000,
    maxStreamMs: 5000,
    ...(ice ? { ice } : {}),
    mediaAddress: '192.0.2.9',
  };
}

const ICE: ProbeSession['ice'] = {
  iceServers: [
    { urls: ['stun:192.0.2.1:3478'] },
    {
      urls: [
        'turn:192.0.2.1:3478?transport=udp',
        'turn:192.0.2.1:3478?transport=tcp',
        'turns:192.0.2.1:443?transport=tcp',
      ],
      username: '1:u',
      credential: 'c',
    },
  ],
  iceTransportPolicy: 'all',
  expiresAt: null,
};

function platform(answer: (r: TurnRelayRequest) => TurnRelayOutcome): {
  p: Platform;
  seen: TurnRelayRequest[];
} {
  const seen: TurnRelayRequest[] = [];
  const p = {
    name: 'fake',
    insecure: false,
    now: () => 0,
    sleep: async () => undefined,
    request: async () => ({ status: 200, body: '' }),
    turnRelay: async (r: TurnRelayRequest) => {
      seen.push(r);
      return answer(r);
    },
  } satisfies Platform;
  return { p, seen };
}

const inputs = (p: Platform, s: ProbeSession) => ({
  profile,
  session: s,
  platform: p,
  udp: [],
  thresholds: SPEC_THRESHOLDS,
  timeoutMs: 100,
});

describe('turnChecks', () => {
  it('are skipped with the reason when the server runs without TURN', async () => {
    const { p, seen } = platform(() => ({ stage: 'done', rttMs: [1], sent: 1 }));
    const out = await turnChecks(
      inputs(p, session({ iceServers: [], iceTransportPolicy: 'all', expiresAt: null })),
    );
    assert.deepEqual(
      out.map((c) => c.verdict),
      ['skipped', 'skipped', 'skipped'],
    );
    assert.match(out[0]!.summary, /turn\.mode: off/);
    assert.equal(seen.length, 0);
  });

  it('force each transport separately, relay to the media address, and judge the relay RTT', async () => {
    const { p, seen } = platform((r) => {
      // The probes the check sends are echo requests: answer each as a responder would.
      const replies = r.probes.map((probe) => {
        const reply = new Uint8Array(probe);
        reply[3] = 2; // EchoReply
        return r.matchReply(reply);
      });
      assert.deepEqual(replies, [0, 1, 2, 3, 4]);
      return {
        stage: 'done',
        allocateMs: 3,
        relayed: { address: '192.0.2.1', port: 50000 },
        rttMs: [10, 20],
        sent: 5,
      };
    });
    const out = await turnChecks(inputs(p, session(ICE)));
    assert.deepEqual(seen.map((r) => `${r.transport} ${r.port} ${r.peer.address}:${r.peer.port}`).sort(), [
      'tcp 3478 192.0.2.9:19099',
      'tls 443 192.0.2.9:19099',
      'udp 3478 192.0.2.9:19099',
    ]);
    assert.deepEqual(
      out.map((c) => [c.id, c.verdict, c.value]),
      [
        ['turn.udp', 'pass', 15],
        ['turn.tcp', 'pass', 15],
        ['turn.tls', 'pass', 15],
      ],
    );
  });

  it('a blocked port fails with the TURN firewall rule; a refused peer (403) is a warning without one', async () => {
    const { p } = platform((r) =>
      r.transport === 'udp'
        ? { stage: 'allocate', error: 'no response', timedOut: true, rttMs: [], sent: 0 }
        : r.transport === 'tcp'
          ? { stage: 'permission', status: 403, error: 'Forbidden', rttMs: [], sent: 0 }
          : { stage: 'allocate', status: 401, error: 'Unauthorized', rttMs: [], sent: 0 },
    );
    const [udp, tcp, tls] = await turnChecks(inputs(p, session(ICE)));
    assert.equal(udp!.verdict, 'fail');
    assert.deepEqual(udp!.firewallRule, {
      destination: 'TURN',
      host: '192.0.2.1',
      protocol: 'UDP',
      ports: '3478',
      why: 'TURN over UDP (media relay for restrictive networks)',
    });
    assert.equal(tcp!.verdict, 'warn');
    assert.equal(tcp!.firewallRule, undefined);
    assert.match(tcp!.recommendation ?? '', /allowedPeerIps/);
    assert.equal(tls!.verdict, 'fail');
    assert.equal(tls!.firewallRule, undefined);
    assert.match(tls!.recommendation ?? '', /credentials/);
  });
});
