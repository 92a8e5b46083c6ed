import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type RunningCoturn, SECRET, startCoturn, startEchoPeer, stunLib, turnLib } from './turn-fixtures.js';

const { TurnClient, StunClient, measureRelayRtt, StunError } = stunLib;
type Transport = 'udp' | 'tcp' | 'tls';

function clientOptions(coturn: RunningCoturn, transport: Transport, username: string, password: string) {
  return {
    transport,
    host: '127.0.0.1',
    port: transport === 'tls' ? coturn.tlsPort : coturn.port,
    tls: { ca: coturn.cert, servername: 'localhost' },
    username,
    password,
    transactionTimeoutMs: 3000,
  };
}

async function refusal(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof StunError, `expected a StunError, got ${String(err)}`);
    return err.status;
  }
  return undefined;
}

describe('managed coturn, test profile (loopback peers allowed)', () => {
  let coturn: RunningCoturn;
  before(async () => {
    coturn = await startCoturn({ profile: 'test', loopbackPeers: true });
  });
  after(async () => {
    await coturn?.close();
  });

  for (const transport of ['udp', 'tcp', 'tls'] as const) {
    test(`allocates over ${transport} and relays data to a UDP peer and back, measuring RTT`, async (t) => {
      const ice = coturn.service.iceServersFor(`caller-${transport}`);
      const cred = ice.iceServers.find((s) => s.username)!;
      const peer = await startEchoPeer();
      const client = await TurnClient.connect(
        clientOptions(coturn, transport, cred.username!, cred.credential!),
      );
      t.after(async () => {
        await client.close();
        peer.close();
      });
      const allocation = await client.allocate();
      assert.equal(allocation.relayed.address, '127.0.0.1');
      assert.ok(allocation.relayed.port > 0);
      assert.ok(allocation.lifetime > 0);
      await client.createPermission(['127.0.0.1']);
      const viaIndication = await measureRelayRtt(
        client,
        { address: '127.0.0.1', port: peer.port },
        { count: 5 },
      );
      assert.equal(viaIndication.received, 5);
      assert.ok(viaIndication.avgMs !== undefined && viaIndication.avgMs > 0);
      const channel = await client.channelBind({ address: '127.0.0.1', port: peer.port });
      assert.ok(channel >= 0x4000 && channel <= 0x4fff);
      const viaChannel = await measureRelayRtt(
        client,
        { address: '127.0.0.1', port: peer.port },
        { count: 5 },
      );
      assert.equal(viaChannel.received, 5);
      assert.equal(peer.received(), 10);
      t.diagnostic(
        `${transport}: allocate ${allocation.allocateMs.toFixed(2)} ms, relay RTT indication ${viaIndication.avgMs?.toFixed(2)} ms, channel ${viaChannel.avgMs?.toFixed(2)} ms`,
      );
    });
  }

  test('a STUN Binding over UDP returns the mapped loopback address', async () => {
    const stun = await StunClient.connect({ transport: 'udp', host: '127.0.0.1', port: coturn.port });
    try {
      const r = await stun.binding();
      assert.equal(r.mapped.address, '127.0.0.1');
      assert.equal(r.mapped.port, r.local.port);
      assert.equal(stunLib.natMappingHint([r]), 'no-nat');
      assert.equal(r.software, undefined, 'no-software-attribute hides the version');
    } finally {
      stun.close();
    }
  });

  test('an expired credential is refused with 401', async () => {
    const cred = turnLib.mintTurnCredential(SECRET, 'late', 60, Date.now() - 3600_000);
    const client = await TurnClient.connect(clientOptions(coturn, 'udp', cred.username, cred.credential));
    try {
      assert.equal(await refusal(client.allocate()), 401);
    } finally {
      await client.close();
    }
  });

  test('a credential signed with another secret is refused with 401', async () => {
    const cred = turnLib.mintTurnCredential('another-secret-another-secret-0123', 'mallory', 600);
    const client = await TurnClient.connect(clientOptions(coturn, 'tcp', cred.username, cred.credential));
    try {
      assert.equal(await refusal(client.allocate()), 401);
    } finally {
      await client.close();
    }
  });

  test('a credential minted with a short TTL works before it and stops working after it', async () => {
    const ice = coturn.service.iceServersFor('short', { ttlSeconds: 2 });
    const cred = ice.iceServers.find((s) => s.username)!;
    const first = await TurnClient.connect(clientOptions(coturn, 'udp', cred.username!, cred.credential!));
    try {
      await first.allocate();
    } finally {
      await first.close();
    }
    // The expiry is whole seconds: wait past it.
    await new Promise((r) => setTimeout(r, Date.parse(ice.expiresAt!) - Date.now() + 1200));
    const second = await TurnClient.connect(clientOptions(coturn, 'udp', cred.username!, cred.credential!));
    try {
      assert.equal(await refusal(second.allocate()), 401);
    } finally {
      await second.close();
    }
  });

  test('the supervisor restarts a killed turnserver and TURN works again', async () => {
    const supervisor = coturn.service.supervisor!;
    const oldPid = supervisor.pid!;
    const ready = new Promise<number>((resolve) => supervisor.once('ready', resolve));
    const restarted = new Promise<number>((resolve) =>
      supervisor.once('restart', (attempt) => resolve(attempt)),
    );
    process.kill(oldPid, 'SIGKILL');
    assert.equal(await restarted, 1);
    const newPid = await ready;
    assert.notEqual(newPid, oldPid);
    const cred = coturn.service.iceServersFor('after-restart').iceServers.find((s) => s.username)!;
    const client = await TurnClient.connect(clientOptions(coturn, 'tcp', cred.username!, cred.credential!));
    try {
      await client.allocate();
    } finally {
      await client.close();
    }
  });
});

describe('managed coturn, production profile (special-purpose peers denied)', () => {
  let coturn: RunningCoturn;
  before(async () => {
    coturn = await startCoturn({ profile: 'production', ipv6: true });
  });
  after(async () => {
    await coturn?.close();
  });

  const ipv4Peers = [
    '127.0.0.1',
    '0.0.0.0',
    '169.254.169.254',
    '10.1.2.3',
    '172.16.5.4',
    '192.168.1.1',
    '100.64.0.1',
  ];
  const ipv6Peers = [
    '::',
    '::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '::ffff:169.254.169.254',
    'fe80::1',
    'fd00::1',
  ];

  for (const peer of ipv4Peers) {
    test(`a permission for ${peer} is refused with 403`, async () => {
      const cred = coturn.service.iceServersFor('prober').iceServers.find((s) => s.username)!;
      const client = await TurnClient.connect(clientOptions(coturn, 'udp', cred.username!, cred.credential!));
      try {
        await client.allocate();
        assert.equal(await refusal(client.createPermission([peer])), 403);
        assert.equal(await refusal(client.channelBind({ address: peer, port: 9 })), 403);
      } finally {
        await client.close();
      }
    });
  }

  for (const peer of ipv6Peers) {
    test(`on an IPv6 relay, a permission for ${peer} is refused with 403`, async () => {
      const cred = coturn.service.iceServersFor('prober6').iceServers.find((s) => s.username)!;
      const client = await TurnClient.connect(clientOptions(coturn, 'udp', cred.username!, cred.credential!));
      try {
        const a = await client.allocate({ family: 'IPv6' });
        assert.equal(a.relayed.family, 'IPv6');
        assert.equal(await refusal(client.createPermission([peer])), 403);
      } finally {
        await client.close();
      }
    });
  }

  test('a public peer is accepted (the deny list is not deny-all)', async () => {
    const cred = coturn.service.iceServersFor('prober').iceServers.find((s) => s.username)!;
    const client = await TurnClient.connect(clientOptions(coturn, 'udp', cred.username!, cred.credential!));
    try {
      await client.allocate();
      // Only a permission is installed; nothing is sent to this address.
      await client.createPermission(['8.8.8.8']);
    } finally {
      await client.close();
    }
  });
});
