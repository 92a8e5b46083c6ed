// Integration: real werift SFU, real libwebrtc clients (@roamhq/wrtc) on loopback.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  droppedTransportFeedback,
  MediaServer,
  type Participant,
  type Room,
  ServerAudioTrack,
} from '@switchboard/server/media';
import { UdpTransport, RTCPeerConnection as WeriftPeerConnection } from 'werift';
import { randomWindow, TEST_PORTS } from '../helpers/testPorts.js';

interface VideoSource {
  createTrack(): MediaStreamTrack;
  onFrame(frame: { width: number; height: number; data: Uint8Array }): void;
}
interface AudioSource {
  createTrack(): MediaStreamTrack;
  onData(data: { samples: Int16Array; sampleRate: number; numberOfFrames?: number }): void;
}
interface Sink {
  stop(): void;
  onframe?: (e: unknown) => void;
  ondata?: (e: unknown) => void;
}
interface Wrtc {
  RTCPeerConnection: typeof RTCPeerConnection;
  nonstandard: {
    RTCVideoSource: new () => VideoSource;
    RTCAudioSource: new () => AudioSource;
    RTCVideoSink: new (t: MediaStreamTrack) => Sink;
    RTCAudioSink: new (t: MediaStreamTrack) => Sink;
  };
}
const wrtc = createRequire(import.meta.url)('@roamhq/wrtc') as Wrtc;

const LISTEN = '127.0.0.1';
// A non-default range, randomised so parallel runs do not collide.
const BASE = randomWindow(TEST_PORTS.media, 20).min;
const RANGE = { min: BASE, max: BASE + 19 };

// Test-only tap on werift's UDP sockets, to capture real SRTP from the wire for replay.
const serverSockets: import('node:dgram').Socket[] = [];
const proto = (
  UdpTransport as unknown as { prototype: { init(): Promise<void>; socket: import('node:dgram').Socket } }
).prototype;

/** UDP sockets of this process bound to `address` (inode match between /proc/self/fd and /proc/self/net/udp). */
function ownUdpPorts(address: string): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {}
  }
  const hex = address
    .split('.')
    .map((x) => Number(x).toString(16).padStart(2, '0').toUpperCase())
    .reverse()
    .join('');
  const ports: number[] = [];
  for (const line of readFileSync('/proc/self/net/udp', 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10) continue;
    const [ip, port] = cols[1]!.split(':');
    if (ip === hex && inodes.has(cols[9]!)) ports.push(Number.parseInt(port!, 16));
  }
  return ports;
}

async function gathered(pc: RTCPeerConnection): Promise<void> {
  for (let i = 0; i < 500 && pc.iceGatheringState !== 'complete'; i++) await sleep(10);
}

async function waitFor(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

class Publisher {
  readonly pc = new wrtc.RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle' });
  readonly #video = new wrtc.nonstandard.RTCVideoSource();
  readonly #audio = new wrtc.nonstandard.RTCAudioSource();
  readonly #timer: NodeJS.Timeout;
  constructor() {
    this.pc.addTransceiver(this.#audio.createTrack(), { direction: 'sendonly' });
    this.pc.addTransceiver(this.#video.createTrack(), { direction: 'sendonly' });
    const frame = new Uint8Array(320 * 240 * 1.5);
    let n = 0;
    this.#timer = setInterval(() => {
      frame.fill(n++ % 255, 0, 320 * 240);
      this.#video.onFrame({ width: 320, height: 240, data: frame });
      for (let i = 0; i < 3; i++) {
        const samples = new Int16Array(480);
        for (let s = 0; s < 480; s++) samples[s] = Math.round(8000 * Math.sin((n * 480 + s) / 10));
        this.#audio.onData({ samples, sampleRate: 48_000, numberOfFrames: 480 });
      }
    }, 30);
  }
  async connect(participant: Participant): Promise<void> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    await gathered(this.pc);
    const answer = await participant.handleOffer(this.pc.localDescription!.sdp);
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answer });
  }
  close(): void {
    clearInterval(this.#timer);
    this.pc.close();
  }
}

class Subscriber {
  readonly pc = new wrtc.RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle' });
  videoFrames = 0;
  audioChunks = 0;
  firstFrameAt = 0;
  connectedAt = 0;
  offers: string[] = [];
  readonly #sinks: Sink[] = [];
  constructor(participant: Participant) {
    this.pc.ontrack = (e) => {
      if (e.track.kind === 'video') {
        const sink = new wrtc.nonstandard.RTCVideoSink(e.track);
        sink.onframe = () => {
          this.videoFrames++;
          if (!this.firstFrameAt) this.firstFrameAt = Date.now();
        };
        this.#sinks.push(sink);
      } else {
        const sink = new wrtc.nonstandard.RTCAudioSink(e.track);
        sink.ondata = () => this.audioChunks++;
        this.#sinks.push(sink);
      }
    };
    this.pc.onconnectionstatechange = () => {
      if (this.pc.connectionState === 'connected' && !this.connectedAt) this.connectedAt = Date.now();
    };
    participant.on('negotiationNeeded', ({ offerId, sdp }) => {
      this.offers.push(sdp);
      void (async () => {
        await this.pc.setRemoteDescription({ type: 'offer', sdp });
        await this.pc.setLocalDescription(await this.pc.createAnswer());
        await gathered(this.pc);
        await participant.handleAnswer(this.pc.localDescription!.sdp, offerId);
      })().catch((error) => console.error('subscriber negotiation', error));
    });
  }
  /**
   * A receive-only client still offers first (audio + video recvonly): the server learns
   * its header-extension numbering from that offer before it offers anything itself.
   */
  async start(participant: Participant): Promise<void> {
    this.pc.addTransceiver('audio', { direction: 'recvonly' });
    this.pc.addTransceiver('video', { direction: 'recvonly' });
    await this.pc.setLocalDescription(await this.pc.createOffer());
    await gathered(this.pc);
    const answer = await participant.handleOffer(this.pc.localDescription!.sdp);
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answer });
  }
  close(): void {
    for (const s of this.#sinks) s.stop();
    this.pc.close();
  }
}

describe('media SFU with libwebrtc clients', { timeout: 90_000 }, () => {
  let server: MediaServer;
  let room: Room;
  let publisher: Publisher;
  let pubParticipant: Participant;
  let subscriber: Subscriber;
  let subParticipant: Participant;
  const keyframes: string[] = [];

  before(async () => {
    server = new MediaServer({
      listenAddress: LISTEN,
      videoRange: RANGE,
      inactivityTimeoutMs: 4000,
      qualityIntervalMs: 1000,
      forwarding: 'fast',
    });
    // After the server installed its werift patches, so this tap wraps them.
    const originalInit = proto.init;
    proto.init = async function (this: { socket: import('node:dgram').Socket }) {
      await originalInit.call(this);
      serverSockets.push(this.socket);
    };
    server.observer.on('keyframeRequested', ({ reason }) => keyframes.push(reason));
    room = server.createRoom('call-1');
  });

  after(async () => {
    publisher?.close();
    subscriber?.close();
    await server?.close();
  });

  it('a subscriber joining 10 s after the publisher decodes audio and video, with a keyframe within 2 s', async () => {
    pubParticipant = await room.join('alice');
    // The port is held from the moment it is booked (werift gets that very socket): another
    // process binding it before the first offer would leave werift without a candidate.
    const intruder = createSocket('udp4');
    const bound = await new Promise<boolean>((resolve) => {
      intruder.once('error', () => resolve(false));
      intruder.bind({ address: LISTEN, port: pubParticipant.port, exclusive: true }, () => resolve(true));
    });
    intruder.close();
    assert.equal(bound, false, 'another socket cannot take the participant’s port before its offer');
    publisher = new Publisher();
    await publisher.connect(pubParticipant);
    await waitFor('two published tracks', () => room.tracks.length === 2, 10_000);
    assert.deepEqual(room.tracks.map((t) => t.mimeType.toLowerCase()).sort(), ['audio/opus', 'video/vp8']);
    await sleep(10_000);
    const pliBefore = keyframes.length;

    subParticipant = await room.join('bob');
    subscriber = new Subscriber(subParticipant);
    await subscriber.start(subParticipant);
    await waitFor('subscriber connected', () => subscriber.connectedAt > 0, 10_000);
    await waitFor('decoded video frame', () => subscriber.videoFrames > 0, 5_000);
    const keyframeDelayMs = subscriber.firstFrameAt - subscriber.connectedAt;
    console.log(`# first decoded frame ${keyframeDelayMs} ms after the subscriber connected`);
    assert.ok(keyframeDelayMs < 2000, `first frame after ${keyframeDelayMs} ms`);
    assert.ok(
      keyframes.slice(pliBefore).includes('subscribe'),
      'a keyframe was requested for the new subscriber',
    );
    await waitFor(
      'audio and more video',
      () => subscriber.audioChunks > 20 && subscriber.videoFrames > 10,
      5_000,
    );
  });

  it('carries the media on the forwarding fast path (own SRTP, Buffer rewrite), which the subscriber decodes', async () => {
    const tracks = pubParticipant.publishedTracks;
    assert.equal(tracks.length, 2);
    const before = tracks.map((t) => t.forwarder.counters);
    const framesBefore = subscriber.videoFrames;
    const audioBefore = subscriber.audioChunks;
    const feedbackBefore = droppedTransportFeedback.count;
    await sleep(1500);
    // The subscriber's transport (it receives no RTP) is on the fast receive side too: its
    // transport-cc feedback on what we send is dropped unparsed, not parsed by werift.
    assert.ok(droppedTransportFeedback.count - feedbackBefore > 3, 'subscriber feedback taken at the socket');
    for (const [i, t] of tracks.entries()) {
      assert.equal(t.forwarder.mode, 'fast');
      const now = t.forwarder.counters;
      const fast = now.fastPacketsOut - before[i]!.fastPacketsOut;
      const all = now.packetsOut - before[i]!.packetsOut;
      // Once werift's receiver is set up, only RTX/RED would take werift's path.
      assert.ok(fast > 10 && fast / all > 0.9, `${t.kind}: ${fast}/${all} forwarded fast in 1.5 s`);
    }
    assert.ok(subscriber.videoFrames - framesBefore > 10, 'video decoded meanwhile');
    assert.ok(subscriber.audioChunks - audioBefore > 20, 'audio decoded meanwhile');
  });

  it('puts every server candidate and every server UDP socket inside the configured range', () => {
    for (const sdp of subscriber.offers) {
      const candidates = sdp.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:'));
      assert.ok(candidates.length > 0);
      for (const c of candidates) {
        const port = Number(c.split(' ')[5]);
        assert.ok(port >= RANGE.min && port <= RANGE.max, c);
        assert.equal(c.split(' ')[4], LISTEN);
      }
    }
    // Every UDP socket werift bound for the server (tapped at creation) ...
    const bound = serverSockets.flatMap((s) => {
      try {
        return [s.address()];
      } catch {
        return []; // closed
      }
    });
    assert.deepEqual(bound.map((a) => a.port).sort(), [pubParticipant.port, subParticipant.port].sort());
    for (const a of bound) {
      assert.equal(a.address, LISTEN);
      assert.ok(a.port >= RANGE.min && a.port <= RANGE.max, `werift socket on ${a.port}`);
    }
    // ... and the kernel agrees (the other sockets of this process on LISTEN are the wrtc clients').
    const kernel = ownUdpPorts(LISTEN);
    for (const a of bound) assert.ok(kernel.includes(a.port), `kernel lists ${a.port}`);
  });

  it('reports quality with RTT, jitter, loss and bitrate in the protocol units', async () => {
    await sleep(2500);
    const q = room.quality();
    const alice = q.participants.find((p) => p.participantId === 'alice');
    const bob = q.participants.find((p) => p.participantId === 'bob');
    assert.ok(alice && bob);
    const inVideo = alice.streams.find((s) => s.direction === 'inbound' && s.kind === 'video');
    assert.ok(inVideo && inVideo.bitrateKbps > 0, 'inbound video bitrate');
    assert.ok(inVideo.jitterMs >= 0 && inVideo.jitterMs < 1000, `jitter ${inVideo.jitterMs} ms`);
    assert.ok(inVideo.lossPercent >= 0 && inVideo.lossPercent <= 100);
    const outVideo = bob.streams.find((s) => s.direction === 'outbound' && s.kind === 'video');
    assert.ok(outVideo && outVideo.bitrateKbps > 0, 'outbound video bitrate');
    assert.ok(bob.mos > 1 && bob.mos <= 4.5);
    if (bob.rttMs !== null) assert.ok(bob.rttMs >= 0 && bob.rttMs < 1000, `rtt ${bob.rttMs} ms on loopback`);
  });

  it('drops and counts replayed, forged and garbage packets sent to the media port, and the call goes on', async () => {
    const socket = serverSockets.find((s) => {
      try {
        return s.address().port === pubParticipant.port;
      } catch {
        return false;
      }
    });
    assert.ok(socket, 'publisher socket found');
    const captured: Buffer[] = [];
    const onMessage = (msg: Buffer) => {
      // SRTP, not SRTCP: RFC 5761 §4, RTCP packet types 192–223 leave 64–95 in the low 7 bits.
      const pt = msg[1]! & 0x7f;
      const rtp = msg[0]! >= 128 && msg[0]! <= 191 && (pt < 64 || pt > 95);
      if (captured.length < 20 && rtp) captured.push(Buffer.from(msg));
    };
    socket.on('message', onMessage);
    await waitFor('captured SRTP', () => captured.length >= 20, 5000);
    socket.off('message', onMessage);
    const before = pubParticipant.inboundGuard;
    const attacker = createSocket('udp4');
    await new Promise<void>((r) => attacker.bind(0, '127.0.0.1', () => r()));
    const send = (b: Buffer) =>
      new Promise<void>((r) => attacker.send(b, pubParticipant.port, LISTEN, () => r()));
    for (const p of captured) await send(p);
    for (const p of captured.slice(0, 10)) {
      const forged = Buffer.from(p);
      forged[forged.length - 1]! ^= 0xff;
      forged.writeUInt16BE((forged.readUInt16BE(2) + 30_000) & 0xffff, 2);
      await send(forged);
    }
    for (let i = 0; i < 10; i++) {
      const garbage = Buffer.alloc(200, i);
      garbage[0] = 0x80;
      garbage[1] = 96;
      await send(garbage);
    }
    attacker.close();
    await sleep(300);
    const afterGuard = pubParticipant.inboundGuard;
    console.log(`# guard before ${JSON.stringify(before)} after ${JSON.stringify(afterGuard)}`);
    assert.equal(afterGuard.replayed - before.replayed, 20, 'every replay dropped and counted');
    assert.equal(afterGuard.rejected - before.rejected, 20, 'forged and garbage dropped and counted');
    const frames = subscriber.videoFrames;
    await waitFor('video keeps flowing', () => subscriber.videoFrames > frames + 10, 5000);
    assert.equal(pubParticipant.closed, false);
  });

  it('removes a participant killed without leaving within the inactivity timeout, tells the room, frees its port', async () => {
    const left = new Promise<{ participantId: string; reason: string }>((r) => room.on('participantLeft', r));
    const port = subParticipant.port;
    const killedAt = Date.now();
    subscriber.close();
    const event = await Promise.race([left, sleep(8000).then(() => undefined)]);
    assert.ok(event, 'participantLeft within the inactivity timeout');
    assert.equal(event.participantId, 'bob');
    console.log(`# removed after ${Date.now() - killedAt} ms, reason ${event.reason}`);
    assert.equal(server.allocator.isInUse(port), false);
    await waitFor('socket closed', () => !ownUdpPorts(LISTEN).includes(port), 3000);
    assert.deepEqual(
      room.participants.map((p) => p.participantId),
      ['alice'],
    );
  });

  it('closing the server frees every port and socket', async () => {
    publisher.close();
    await server.close();
    assert.equal(server.allocator.inUseCount, 0);
    assert.deepEqual(ownUdpPorts(LISTEN), []);
  });
});

describe('single-port media: every participant on one UDP port', { timeout: 60_000 }, () => {
  let server: MediaServer;
  const window = randomWindow(TEST_PORTS.media, 20);
  const inRange = () => ownUdpPorts(LISTEN).filter((p) => p >= window.min && p <= window.max);

  before(() => {
    server = new MediaServer({
      listenAddress: LISTEN,
      videoRange: window,
      inactivityTimeoutMs: 4000,
      forwarding: 'fast',
      singlePort: true,
    });
  });
  after(async () => {
    await server?.close();
  });

  it('carries one publisher to two subscribers through one socket, demultiplexed by address and ICE username', async () => {
    const room = server.createRoom('one-port');
    const alice = await room.join('alice');
    const publisher = new Publisher();
    await publisher.connect(alice);
    await waitFor('two published tracks', () => room.tracks.length === 2, 10_000);
    const subscribers: Subscriber[] = [];
    for (const id of ['bob', 'carol']) {
      const participant = await room.join(id);
      const subscriber = new Subscriber(participant);
      await subscriber.start(participant);
      subscribers.push(subscriber);
    }
    for (const [i, sub] of subscribers.entries()) {
      await waitFor(`subscriber ${i} decodes`, () => sub.videoFrames > 5 && sub.audioChunks > 20, 15_000);
    }
    const port = alice.port;
    assert.deepEqual(
      room.participants.map((p) => room.participant(p.participantId).port),
      [port, port, port],
      'one port for all three',
    );
    for (const sdp of subscribers.flatMap((s) => s.offers)) {
      for (const c of sdp.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:'))) {
        assert.equal(Number(c.split(' ')[5]), port, c);
      }
    }
    assert.deepEqual(inRange(), [port], 'the server holds exactly one UDP socket in its range');
    assert.equal(server.sharedPort?.size, 3);
    // The fast path runs on the shared port's per-participant sockets too.
    for (const t of alice.publishedTracks) assert.ok(t.forwarder.counters.fastPacketsOut > 10, t.kind);

    // A datagram from an address no participant was reached from is dropped and counted.
    const stranger = createSocket('udp4');
    await new Promise<void>((r) => stranger.bind(0, LISTEN, r));
    const unknownBefore = server.sharedPort?.counters.unknownSource ?? 0;
    stranger.send(Buffer.alloc(100, 0x80), port, LISTEN);
    await waitFor(
      'stranger counted',
      () => (server.sharedPort?.counters.unknownSource ?? 0) > unknownBefore,
      2000,
    );
    stranger.close();

    // A subscriber leaving frees its share of the port, not the port.
    await room.leave('carol');
    subscribers[1]?.close();
    assert.equal(server.sharedPort?.size, 2);
    const framesBefore = subscribers[0]?.videoFrames ?? 0;
    await waitFor('bob still decodes', () => (subscribers[0]?.videoFrames ?? 0) > framesBefore + 5, 5000);
    assert.deepEqual(inRange(), [port]);

    publisher.close();
    subscribers[0]?.close();
    await server.close();
    assert.deepEqual(inRange(), [], 'closing the server closes the shared port');
    assert.equal(server.allocator.inUseCount, 0);
  });
});

describe('a subscription made while a client offer is being applied', { timeout: 30_000 }, () => {
  let server: MediaServer;
  const window = randomWindow(TEST_PORTS.media, 20);

  before(() => {
    server = new MediaServer({ listenAddress: LISTEN, videoRange: window, inactivityTimeoutMs: 10_000 });
  });
  after(async () => {
    await server?.close();
  });

  it('is offered in an m-line of its own, not slipped into the receive-only client’s recvonly m-line', async () => {
    // Someone publishes while a receive-only participant's first offer is in flight (the
    // benchmark's subscribers hit it every time): the new sending transceiver must wait for the
    // server's own offer instead of being paired with the client's m-line of the same kind.
    const room = server.createRoom('late-subscribe', { autoSubscribe: false });
    const track = new ServerAudioTrack('server-late', 'audio');
    room.publishServerTrack(track);
    const viewer = await room.join('viewer');
    const serverOffers: string[] = [];
    viewer.on('negotiationNeeded', ({ sdp }) => serverOffers.push(sdp));
    const client = new WeriftPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle' });
    try {
      client.addTransceiver('audio', { direction: 'recvonly' });
      client.addTransceiver('video', { direction: 'recvonly' });
      await client.setLocalDescription(await client.createOffer());
      // Subscribe exactly inside the server's setRemoteDescription of that offer: after the
      // participant set up its negotiation, before werift pairs transceivers with m-lines.
      const proto = WeriftPeerConnection.prototype as unknown as {
        setRemoteDescription(this: unknown, d: { type: string }): Promise<void>;
      };
      const original = proto.setRemoteDescription;
      proto.setRemoteDescription = function (this: unknown, d: { type: string }) {
        if (this !== client && d.type === 'offer') {
          proto.setRemoteDescription = original;
          room.subscribe('viewer', track.trackId);
        }
        return original.call(this, d);
      };
      let answer: string;
      try {
        answer = await viewer.handleOffer(client.localDescription?.sdp ?? '');
      } finally {
        proto.setRemoteDescription = original;
      }
      const directions = (sdp: string) => sdp.match(/^a=(sendrecv|sendonly|recvonly|inactive)/gm) ?? [];
      assert.deepEqual(
        directions(answer),
        ['a=inactive', 'a=inactive'],
        'nothing to send in the client’s m-lines',
      );
      for (let i = 0; i < 100 && serverOffers.length === 0; i++) await sleep(20);
      assert.equal(serverOffers.length, 1, 'the server offers the subscription');
      assert.deepEqual(directions(serverOffers[0]!).slice(2), ['a=sendonly'], 'in a third m-line');
    } finally {
      await client.close();
    }
  });

  it('never changes the kind of an m-line: a subscription gets a new m-line, not an inactive one of another kind', async () => {
    // werift recycled any inactive transceiver for a new one; a receive-only client's first
    // m-lines (audio, video) stay inactive, so two audio subscriptions took both, the second
    // turning the video m-line into audio — an offer browsers refuse.
    const room = server.createRoom('kinds', { autoSubscribe: false });
    const tracks = [new ServerAudioTrack('server-a', 'audio'), new ServerAudioTrack('server-b', 'audio')];
    for (const track of tracks) room.publishServerTrack(track);
    const viewer = await room.join('viewer');
    const serverOffers: { offerId: number; sdp: string }[] = [];
    viewer.on('negotiationNeeded', (o) => serverOffers.push(o));
    // libwebrtc answers as a browser does.
    const client = new wrtc.RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle' });
    const kinds = (sdp: string) => (sdp.match(/^m=\w+/gm) ?? []).map((m) => m.slice(2));
    const nextOffer = async (n: number) => {
      for (let i = 0; i < 100 && serverOffers.length < n; i++) await sleep(20);
      assert.equal(serverOffers.length, n, `server offer ${n}`);
      return serverOffers[n - 1]!;
    };
    try {
      client.addTransceiver('audio', { direction: 'recvonly' });
      client.addTransceiver('video', { direction: 'recvonly' });
      await client.setLocalDescription(await client.createOffer());
      const answer = await viewer.handleOffer(client.localDescription?.sdp ?? '');
      await client.setRemoteDescription({ type: 'answer', sdp: answer });

      room.subscribe('viewer', tracks[0]!.trackId);
      const first = await nextOffer(1);
      assert.deepEqual(kinds(first.sdp), ['audio', 'video', 'audio']);
      await client.setRemoteDescription({ type: 'offer', sdp: first.sdp });
      await client.setLocalDescription(await client.createAnswer());
      await viewer.handleAnswer(client.localDescription?.sdp ?? '', first.offerId);

      room.subscribe('viewer', tracks[1]!.trackId);
      const second = await nextOffer(2);
      assert.deepEqual(
        kinds(second.sdp),
        ['audio', 'video', 'audio', 'audio'],
        'the video m-line stays video',
      );
    } finally {
      client.close();
    }
  });

  it('answers a receive-only participant who starts publishing later (new m-lines beside its inactive ones)', async () => {
    // werift recycled the inactive m-line's transceiver for the new one and then could not
    // answer: "Transceiver with mid=0 not found" (SB_ERR_NEGOTIATION_FAILED). libwebrtc, as
    // browsers do, adds a new m-line for addTransceiver.
    const room = server.createRoom('watch-then-talk', { autoSubscribe: false });
    const participant = await room.join('watcher');
    const client = new wrtc.RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle' });
    const source = new wrtc.nonstandard.RTCAudioSource();
    const track = source.createTrack();
    try {
      client.addTransceiver('audio', { direction: 'recvonly' });
      client.addTransceiver('video', { direction: 'recvonly' });
      await client.setLocalDescription(await client.createOffer());
      await client.setRemoteDescription({
        type: 'answer',
        sdp: await participant.handleOffer(client.localDescription?.sdp ?? ''),
      });
      client.addTransceiver(track, { direction: 'sendonly' });
      await client.setLocalDescription(await client.createOffer());
      const answer = await participant.handleOffer(client.localDescription?.sdp ?? '');
      assert.deepEqual(answer.match(/^a=(sendrecv|sendonly|recvonly|inactive)/gm), [
        'a=inactive',
        'a=inactive',
        'a=recvonly',
      ]);
      await client.setRemoteDescription({ type: 'answer', sdp: answer });
    } finally {
      track.stop();
      client.close();
    }
  });
});
