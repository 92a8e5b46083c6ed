// A lost DTLS handshake datagram must not leave a call unconnected forever. A UDP relay
// between a libwebrtc client and the SFU drops, in each direction, the first datagram that
// carries a record of one type: ChangeCipherSpec (the last flights of the handshake), or
// Handshake (the first ones: ClientHello, and the server's first answer).
import assert from 'node:assert/strict';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MediaServer } from '@switchboard/server/media';
import { randomWindow, TEST_PORTS } from '../helpers/testPorts.js';
import { wrtc } from '../helpers/wrtc.js';

const LISTEN = '127.0.0.1';
const CHANGE_CIPHER_SPEC = 20;
const HANDSHAKE = 22;

/** Whether a datagram holds a DTLS record of `type` (walking the 13-byte record headers). */
function hasDtlsRecord(data: Buffer, type: number): boolean {
  if (data.length < 13 || data[0]! < 20 || data[0]! > 63) return false;
  let at = 0;
  while (at + 13 <= data.length) {
    if (data[at] === type) return true;
    at += 13 + data.readUInt16BE(at + 11);
  }
  return false;
}

/**
 * A UDP relay: the client talks to `port`; each client address gets its own upstream socket
 * towards the server (which sees the relay as a peer-reflexive candidate). Drops the first
 * datagram carrying a DTLS record of `dropType` in each direction.
 */
class LossyRelay {
  readonly dropped = { toServer: 0, toClient: 0 };
  readonly #front: Socket;
  readonly #upstreams = new Map<string, Socket>();
  readonly #server: { address: string; port: number };
  readonly #dropType: number;

  private constructor(front: Socket, server: { address: string; port: number }, dropType: number) {
    this.#front = front;
    this.#server = server;
    this.#dropType = dropType;
    front.on('message', (data, rinfo) => this.#fromClient(data, rinfo));
  }

  static async open(server: { address: string; port: number }, dropType: number): Promise<LossyRelay> {
    const front = createSocket('udp4');
    front.bind(0, LISTEN);
    await once(front, 'listening');
    return new LossyRelay(front, server, dropType);
  }

  get port(): number {
    return this.#front.address().port;
  }

  #fromClient(data: Buffer, client: RemoteInfo): void {
    const key = `${client.address}:${client.port}`;
    let up = this.#upstreams.get(key);
    if (!up) {
      up = createSocket('udp4');
      up.bind(0, LISTEN);
      up.on('message', (reply) => {
        if (this.dropped.toClient === 0 && hasDtlsRecord(reply, this.#dropType)) {
          this.dropped.toClient++;
          return;
        }
        this.#front.send(reply, client.port, client.address);
      });
      this.#upstreams.set(key, up);
    }
    if (this.dropped.toServer === 0 && hasDtlsRecord(data, this.#dropType)) {
      this.dropped.toServer++;
      return;
    }
    up.send(data, this.#server.port, this.#server.address);
  }

  close(): void {
    this.#front.close();
    for (const s of this.#upstreams.values()) s.close();
  }
}

describe('DTLS handshake with lost datagrams (libwebrtc client, a relay dropping)', {
  timeout: 60_000,
}, () => {
  let media: MediaServer;

  before(() => {
    const range = randomWindow(TEST_PORTS.media, 20);
    media = new MediaServer({ listenAddress: LISTEN, videoRange: range });
  });
  after(async () => {
    await media?.close();
  });

  for (const [name, dropType] of [
    ['the final flights (ChangeCipherSpec)', CHANGE_CIPHER_SPEC],
    ['the first flights (Handshake)', HANDSHAKE],
  ] as const) {
    it(`still connects when the first datagram of ${name} is lost each way`, async () => {
      const room = media.createRoom(`dtls-loss-${dropType}`);
      const participant = await room.join('p1');
      const relay = await LossyRelay.open({ address: LISTEN, port: participant.port }, dropType);
      const pc = new wrtc.RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle' });
      try {
        pc.addTransceiver('audio', { direction: 'sendonly' });
        await pc.setLocalDescription(await pc.createOffer());
        for (let i = 0; i < 500 && pc.iceGatheringState !== 'complete'; i++) await sleep(10);
        // The server must only reach the client through the relay: no client candidates.
        const offer = pc.localDescription!.sdp.replace(/^a=candidate:.*\r\n/gm, '');
        const answer = await participant.handleOffer(offer);
        // And the client only reaches the server through the relay.
        const relayed = answer.replace(
          new RegExp(`${LISTEN.replaceAll('.', '\\.')} ${participant.port} typ host`, 'g'),
          `${LISTEN} ${relay.port} typ host`,
        );
        assert.notEqual(relayed, answer, 'the answer carries the host candidate');
        await pc.setRemoteDescription({ type: 'answer', sdp: relayed });
        const deadline = Date.now() + 20_000;
        while (
          Date.now() < deadline &&
          !(participant.connectionState === 'connected' && pc.connectionState === 'connected')
        ) {
          await sleep(50);
        }
        assert.ok(
          relay.dropped.toServer + relay.dropped.toClient >= 1,
          `a handshake datagram was dropped: ${JSON.stringify(relay.dropped)}`,
        );
        assert.equal(
          participant.connectionState,
          'connected',
          `server side (dropped ${JSON.stringify(relay.dropped)})`,
        );
        assert.equal(pc.connectionState, 'connected', 'client side');
      } finally {
        pc.close();
        relay.close();
        await room.close();
      }
    });
  }
});
