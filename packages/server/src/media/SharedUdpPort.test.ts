import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  bindingRequestUfrag,
  type MuxedSocket,
  SHARED_PORT_BUFFER_BYTES,
  SharedUdpPort,
} from './SharedUdpPort.js';

/** A STUN Binding request (RFC 8489 §5) whose USERNAME is `username`. */
function bindingRequest(username: string): Buffer {
  const value = Buffer.from(username);
  const padded = (value.length + 3) & ~3;
  const b = Buffer.alloc(20 + 4 + padded);
  b.writeUInt16BE(0x0001, 0);
  b.writeUInt16BE(4 + padded, 2);
  b.writeUInt32BE(0x2112a442, 4);
  b.fill(7, 8, 20);
  b.writeUInt16BE(0x0006, 20);
  b.writeUInt16BE(value.length, 22);
  value.copy(b, 24);
  return b;
}

async function client(): Promise<Socket> {
  const s = createSocket('udp4');
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  return s;
}

function inbox(socket: MuxedSocket | Socket): Buffer[] {
  const got: Buffer[] = [];
  socket.on('message', (m: Buffer) => got.push(m));
  return got;
}

async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 50));
}

describe('SharedUdpPort (single-port demultiplexing)', () => {
  let port: SharedUdpPort;
  let a: MuxedSocket;
  let b: MuxedSocket;
  const clients: Socket[] = [];

  before(async () => {
    port = await SharedUdpPort.open('127.0.0.1', 0);
    a = port.createSocket();
    b = port.createSocket();
    a.iceUsername = () => 'aaaa';
    b.iceUsername = () => 'bbbb';
  });
  after(async () => {
    for (const c of clients) c.close();
    await port.close();
  });

  it('asks for big kernel buffers: every participant queues on this one socket (208 KiB overflowed)', () => {
    // The kernel grants at most net.core.rmem_max; here, that much or the full request.
    const max = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
    assert.ok(
      port.receiveBufferBytes >= Math.min(SHARED_PORT_BUFFER_BYTES, max),
      `${port.receiveBufferBytes}`,
    );
  });

  it('binds a new address to the participant its check names, then routes everything from it there', async () => {
    const toA = inbox(a);
    const toB = inbox(b);
    const c = await client();
    clients.push(c);
    const { port: p } = port.address();
    c.send(bindingRequest('bbbb:cccc'), p, '127.0.0.1');
    await settle();
    c.send(Buffer.from([0x80, 0x60, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), p, '127.0.0.1');
    await settle();
    assert.equal(toB.length, 2, 'the check and the media after it');
    assert.equal(toA.length, 0);

    // And the participant answers through the one socket.
    const reply = inbox(c);
    b.send(Buffer.from('pong'), c.address().port, '127.0.0.1');
    await settle();
    assert.deepEqual(reply.map(String), ['pong']);
  });

  it('drops and counts media from unknown addresses and checks naming nobody', async () => {
    const c = await client();
    clients.push(c);
    const { port: p } = port.address();
    const before = { ...port.counters };
    c.send(Buffer.alloc(50, 0x80), p, '127.0.0.1');
    c.send(bindingRequest('zzzz:cccc'), p, '127.0.0.1');
    c.send(bindingRequest('no-colon'), p, '127.0.0.1');
    await settle();
    assert.equal(
      port.counters.unknownSource,
      before.unknownSource + 2,
      'media, and a USERNAME without a colon',
    );
    assert.equal(port.counters.unknownUsername, before.unknownUsername + 1);
  });

  it('forgets a closed socket’s addresses, and follows a changed ufrag (ICE restart)', async () => {
    const c = await client();
    clients.push(c);
    const { port: p } = port.address();
    const toA = inbox(a);
    c.send(bindingRequest('aaaa:dddd'), p, '127.0.0.1');
    await settle();
    assert.equal(toA.length, 1);
    const closed = once(a, 'close');
    a.close();
    await closed;
    const before = port.counters.unknownSource;
    c.send(Buffer.alloc(50, 0x80), p, '127.0.0.1');
    await settle();
    assert.equal(toA.length, 1, 'nothing more for the closed socket');
    assert.equal(port.counters.unknownSource, before + 1);
    assert.equal(port.size, 1);

    b.iceUsername = () => 'bbb2';
    const toB = inbox(b);
    const d = await client();
    clients.push(d);
    d.send(bindingRequest('bbb2:eeee'), p, '127.0.0.1');
    await settle();
    assert.equal(toB.length, 1);
  });
});

describe('bindingRequestUfrag', () => {
  it('reads the local fragment of a Binding request and nothing else', () => {
    assert.equal(bindingRequestUfrag(bindingRequest('abcd:efgh')), 'abcd');
    const response = bindingRequest('abcd:efgh');
    response.writeUInt16BE(0x0101, 0);
    assert.equal(bindingRequestUfrag(response), undefined, 'a Binding success response');
    const noCookie = bindingRequest('abcd:efgh');
    noCookie.writeUInt32BE(0, 4);
    assert.equal(bindingRequestUfrag(noCookie), undefined);
    const truncated = bindingRequest('abcd:efgh');
    truncated.writeUInt16BE(200, 22);
    assert.equal(bindingRequestUfrag(truncated), undefined, 'attribute longer than the message');
    assert.equal(bindingRequestUfrag(Buffer.alloc(10)), undefined);
    assert.equal(bindingRequestUfrag(Buffer.from([0x80, 0x60, ...new Array(30).fill(0)])), undefined, 'RTP');
  });
});
