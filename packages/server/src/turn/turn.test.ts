import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { BlockList } from 'node:net';
import { describe, test } from 'node:test';
import tls from 'node:tls';
import { parseClientHello } from './clientHello.js';
import { renderCoturnConfig, type TurnProfile } from './coturnConfig.js';
import { cidrToRange, coturnRange, DENIED_IPV4, deniedPeerCidrs } from './deniedPeerRanges.js';
import { IceServerProvider } from './IceServerProvider.js';
import { turnServerNamesFor } from './sharedHttpsPort.js';
import { TurnConfigSchema } from './TurnConfigSchema.js';
import { mintTurnCredential } from './turnCredentials.js';

const SECRET = 'a-shared-secret-that-is-long-enough-0123456789';

describe('TURN REST credentials', () => {
  test('username is <expiry>:<identity> and the password is base64(HMAC-SHA1(secret, username))', () => {
    const now = Date.UTC(2030, 0, 1);
    const c = mintTurnCredential(SECRET, 'agent-7', 600, now);
    assert.equal(c.username, `${now / 1000 + 600}:agent-7`);
    assert.equal(c.credential, createHmac('sha1', SECRET).update(c.username).digest('base64'));
    assert.equal(c.expiresAt.getTime(), now + 600_000);
  });

  test('identities with colons or spaces are escaped so the expiry stays the only colon', () => {
    const c = mintTurnCredential(SECRET, 'user:with space', 60, 0);
    assert.equal(c.username, '60:user%3Awith%20space');
    assert.equal(c.username.split(':').length, 2);
  });

  test('a non-positive TTL is refused', () => {
    assert.throws(() => mintTurnCredential(SECRET, 'x', 0), RangeError);
  });
});

function render(profile: TurnProfile, allowLoopbackPeers: boolean): string {
  const turn = TurnConfigSchema.parse({ mode: 'managed', managed: { allowLoopbackPeers } });
  return renderCoturnConfig({ profile, turn, secret: SECRET, stateDir: '/var/lib/x' });
}

function deniedLines(text: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .filter((l) => l.startsWith('denied-peer-ip='))
      .map((l) => l.slice('denied-peer-ip='.length)),
  );
}

function asRange(cidr: string): string {
  return coturnRange(cidr) ?? 'none';
}

describe('coturn config writer', () => {
  for (const profile of ['production', 'development'] as const) {
    test(`${profile}: denies every special-purpose IPv4 block in IPv4, IPv4-mapped and NAT64 form`, () => {
      const denied = deniedLines(render(profile, true));
      for (const { cidr } of DENIED_IPV4) {
        const [ip, bits] = cidr.split('/') as [string, string];
        assert.ok(denied.has(asRange(cidr)), `missing ${cidr}`);
        assert.ok(denied.has(asRange(`::ffff:${ip}/${96 + Number(bits)}`)), `missing mapped ${cidr}`);
        assert.ok(denied.has(asRange(`64:ff9b::${ip}/${96 + Number(bits)}`)), `missing NAT64 ${cidr}`);
      }
      for (const cidr of ['::/96', '::ffff:0:0/96', 'fc00::/7', 'fe80::/10', 'ff00::/8', '2002::/16']) {
        assert.ok(denied.has(asRange(cidr)), `missing ${cidr}`);
      }
    });

    test(`${profile}: loopback stays denied even when allowLoopbackPeers is set`, () => {
      const text = render(profile, true);
      assert.doesNotMatch(text, /^allow-loopback-peers/m);
      assert.ok(deniedLines(text).has('127.0.0.0-127.255.255.255'));
    });
  }

  test('only the test profile with allowLoopbackPeers opens loopback (and still denies 0/8, ::2–::ffff:ffff, 10/8)', () => {
    assert.doesNotMatch(render('test', false), /^allow-loopback-peers/m);
    const text = render('test', true);
    assert.match(text, /^allow-loopback-peers$/m);
    const denied = deniedLines(text);
    assert.ok(!denied.has('127.0.0.0-127.255.255.255'));
    assert.ok(denied.has('0.0.0.1-0.255.255.255'));
    assert.ok(denied.has('::2-::ffff:ffff'));
    assert.ok(denied.has('10.0.0.0-10.255.255.255'));
    // ::ffff:127.0.0.1 must not be covered by any remaining block, ::ffff:10.0.0.1 must be.
    const list = new BlockList();
    for (const cidr of deniedPeerCidrs({ allowLoopback: true })) {
      const { first, last } = cidrToRange(cidr);
      list.addRange(first, last, first.includes(':') ? 'ipv6' : 'ipv4');
    }
    assert.equal(list.check('::ffff:7f00:1', 'ipv6'), false);
    assert.equal(list.check('::ffff:a00:1', 'ipv6'), true);
    assert.equal(list.check('::1', 'ipv6'), false);
  });

  test('hardening options are present and the secret never appears in a command line', () => {
    const text = render('production', false);
    for (const line of [
      'no-cli',
      'no-software-attribute',
      'use-auth-secret',
      'no-tcp-relay',
      'no-multicast-peers',
      'no-stun-backward-compatibility',
      'fingerprint',
    ]) {
      assert.match(text, new RegExp(`^${line}$`, 'm'));
    }
    assert.match(text, /^user-quota=\d+$/m);
    assert.match(text, /^total-quota=\d+$/m);
    assert.match(text, new RegExp(`^static-auth-secret=${SECRET}$`, 'm'));
  });

  test('no denied range starts at the all-zero address (coturn 4.6 would match every peer)', () => {
    for (const profile of ['production', 'test'] as const) {
      for (const range of deniedLines(render(profile, true))) {
        assert.doesNotMatch(range, /^(0\.0\.0\.0|(0:){7}0)(-|$)/, range);
      }
    }
  });

  test('cidrToRange computes first and last addresses', () => {
    assert.deepEqual(cidrToRange('172.16.0.0/12'), { first: '172.16.0.0', last: '172.31.255.255' });
    assert.deepEqual(cidrToRange('fe80::/10'), {
      first: 'fe80:0:0:0:0:0:0:0',
      last: 'febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    });
    assert.deepEqual(cidrToRange('::ffff:127.0.0.0/104'), {
      first: '0:0:0:0:0:ffff:7f00:0',
      last: '0:0:0:0:0:ffff:7fff:ffff',
    });
  });
});

describe('ICE server list', () => {
  const turn = TurnConfigSchema.parse({
    mode: 'managed',
    secret: SECRET,
    credentialTtlSeconds: 3600,
    publicTlsPort: 443,
  });

  test('lists STUN, TURN over UDP and TCP, and TURNS, with one fresh credential', () => {
    const provider = new IceServerProvider({ turn, secret: SECRET, publicHost: 'rtc.example.com' });
    const ice = provider.iceServersFor('user-1', { nowMs: 1_000_000 });
    assert.deepEqual(ice.iceServers[0], { urls: ['stun:rtc.example.com:3478'] });
    const t = ice.iceServers[1]!;
    assert.deepEqual(t.urls, [
      'turn:rtc.example.com:3478?transport=udp',
      'turn:rtc.example.com:3478?transport=tcp',
      'turns:rtc.example.com:443?transport=tcp',
    ]);
    assert.equal(t.username, '4600:user-1');
    assert.equal(t.credential, createHmac('sha1', SECRET).update('4600:user-1').digest('base64'));
    assert.equal(ice.iceTransportPolicy, 'all');
    assert.equal(ice.expiresAt, new Date(4600_000).toISOString());
  });

  test('forceRelay and the relay policy set iceTransportPolicy to relay; TTL cannot exceed the configured one', () => {
    const provider = new IceServerProvider({ turn, secret: SECRET, publicHost: 'h' });
    assert.equal(provider.iceServersFor('u', { forceRelay: true }).iceTransportPolicy, 'relay');
    const relayTurn = TurnConfigSchema.parse({
      mode: 'managed',
      secret: SECRET,
      iceTransportPolicy: 'relay',
    });
    assert.equal(
      new IceServerProvider({ turn: relayTurn, secret: SECRET, publicHost: 'h' }).iceServersFor('u')
        .iceTransportPolicy,
      'relay',
    );
    const ice = provider.iceServersFor('u', { ttlSeconds: 999_999, nowMs: 0 });
    assert.equal(ice.expiresAt, new Date(3600_000).toISOString());
  });

  test('mode off hands out no servers; external needs urls and a secret', () => {
    const off = TurnConfigSchema.parse({});
    assert.deepEqual(
      new IceServerProvider({ turn: off, secret: undefined, publicHost: 'h' }).iceServersFor('u'),
      {
        iceServers: [],
        iceTransportPolicy: 'all',
        expiresAt: null,
      },
    );
    assert.equal(TurnConfigSchema.safeParse({ mode: 'external' }).success, false);
    const ext = TurnConfigSchema.parse({
      mode: 'external',
      secret: SECRET,
      external: { urls: ['stun:t.example.com', 'turns:t.example.com:443?transport=tcp'] },
    });
    const ice = new IceServerProvider({ turn: ext, secret: SECRET, publicHost: 'h' }).iceServersFor('u');
    assert.deepEqual(ice.iceServers[0], { urls: ['stun:t.example.com'] });
    assert.deepEqual(ice.iceServers[1]?.urls, ['turns:t.example.com:443?transport=tcp']);
    assert.ok(ice.iceServers[1]?.credential);
  });
});

describe('ClientHello parsing', () => {
  async function helloOf(options: tls.ConnectionOptions): Promise<Buffer> {
    const { createServer } = await import('node:net');
    return new Promise((resolve) => {
      const server = createServer((s) => {
        s.once('data', (d) => {
          resolve(d);
          s.destroy();
          server.close();
        });
      });
      server.listen(0, '127.0.0.1', () => {
        const port = (server.address() as { port: number }).port;
        const c = tls.connect({ ...options, host: '127.0.0.1', port, rejectUnauthorized: false });
        c.on('error', () => c.destroy());
      });
    });
  }

  test('reads SNI and ALPN from a real Node ClientHello', async () => {
    const hello = await helloOf({ servername: 'turn.example.com', ALPNProtocols: ['stun.turn'] });
    assert.deepEqual(parseClientHello(hello), { serverName: 'turn.example.com', alpn: ['stun.turn'] });
  });

  test('garbage is not a ClientHello', () => {
    assert.equal(parseClientHello(Buffer.from('GET / HTTP/1.1\r\n')), undefined);
    assert.equal(parseClientHello(Buffer.from([0x16, 3, 1, 0, 4, 1, 0, 0])), undefined);
  });
});

describe('turn.shareHttpsPort', () => {
  const shared = (extra: object = {}) =>
    TurnConfigSchema.parse({ mode: 'managed', secret: SECRET, shareHttpsPort: true, ...extra });

  test('the turns: URL names the bound HTTPS port, read when the URL is built', () => {
    let bound = 0;
    const p = new IceServerProvider({
      turn: shared(),
      secret: SECRET,
      publicHost: 'rtc.example.com',
      httpsPort: () => bound,
    });
    bound = 443;
    assert.ok(p.urls().turn.includes('turns:rtc.example.com:443?transport=tcp'));
    assert.ok(p.urls().turn.includes('turn:rtc.example.com:3478?transport=tcp'));
  });

  test('an explicit publicTlsPort wins over the shared HTTPS port', () => {
    const p = new IceServerProvider({
      turn: shared({ publicTlsPort: 8443 }),
      secret: SECRET,
      publicHost: 'h',
      httpsPort: () => 443,
    });
    assert.ok(p.urls().turn.includes('turns:h:8443?transport=tcp'));
  });

  test('is refused outside managed mode and without managed TLS', () => {
    assert.throws(() => TurnConfigSchema.parse({ mode: 'off', shareHttpsPort: true }), /shareHttpsPort/);
    assert.throws(
      () => TurnConfigSchema.parse({ mode: 'managed', shareHttpsPort: true, managed: { tls: false } }),
      /shareHttpsPort/,
    );
  });

  test('SNI routes to coturn for a TURN name of its own or an address, never for the HTTPS name', () => {
    assert.deepEqual(turnServerNamesFor(shared({ publicTlsHost: 'turn.example.com' }), 'rtc.example.com'), [
      'turn.example.com',
    ]);
    assert.deepEqual(turnServerNamesFor(shared(), 'rtc.example.com'), []);
    assert.deepEqual(turnServerNamesFor(shared(), '10.1.2.3'), ['10.1.2.3']);
    assert.deepEqual(turnServerNamesFor(shared({ host: '[2001:db8::1]' }), 'rtc.example.com'), [
      '2001:db8::1',
    ]);
  });
});
