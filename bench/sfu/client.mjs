// Load-generator process: synthetic libwebrtc publishers (@roamhq/wrtc), each also
// subscribing to its call peer. Signalling goes over IPC to the orchestrator (run.mjs),
// which relays to the SFU process. argv[2] = JSON list of { call, pid }.
import { randomFillSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { debugReceivers, negotiate } from './negotiate.mjs';

const wrtc = createRequire(import.meta.url)('@roamhq/wrtc');
const W = 160;
const H = 120;
const FPS = 15;
const list = JSON.parse(process.argv[2]);
const peers = new Map();

class Peer {
  constructor({ call, pid }) {
    this.call = call;
    this.pid = pid;
    this.chain = Promise.resolve();
    this.pc = new wrtc.RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle' });
    // The receiving side on its own peer connection (as in the integration test).
    this.rx = new wrtc.RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle' });
    this.video = new wrtc.nonstandard.RTCVideoSource();
    this.audio = new wrtc.nonstandard.RTCAudioSource();
    this.pc.addTransceiver(this.audio.createTrack(), { direction: 'sendonly' });
    this.pc.addTransceiver(this.video.createTrack(), {
      direction: 'sendonly',
      sendEncodings: [{ maxBitrate: 150_000 }],
    });
    this.firstFrameMs = -1;
    this.joinAt = 0;
  }
  start() {
    const frame = new Uint8Array(W * H * 1.5);
    frame.fill(128);
    // Noise in the luma plane so VP8 spends its bitrate (≥ 80 kbps like a real camera).
    this.vt = setInterval(() => {
      randomFillSync(frame, 0, W * H);
      this.video.onFrame({ width: W, height: H, data: frame });
    }, 1000 / FPS);
    let n = 0;
    this.at = setInterval(() => {
      for (let k = 0; k < 2; k++) {
        const samples = new Int16Array(480);
        for (let s = 0; s < 480; s++) samples[s] = Math.round(6000 * Math.sin((n * 480 + s) / 9));
        n++;
        this.audio.onData({ samples, sampleRate: 48_000, numberOfFrames: 480 });
      }
    }, 20);
  }
  async publish() {
    this.joinAt = Date.now();
    process.send({ t: 'join', call: this.call, pid: this.pid });
    process.send({ t: 'join', call: this.call, pid: `${this.pid}.rx` });
  }
  onMessage(m) {
    if (process.env.SFU_BENCH_DEBUG)
      console.error(
        '<-',
        this.pid,
        m.t,
        m.offerId ?? '',
        (m.sdp ?? '').match(/^m=.*|^a=(sendonly|recvonly|sendrecv|inactive)|^a=mid:.*/gm)?.join(' '),
      );
    this.chain = this.chain
      .then(() => negotiate(this, m))
      .catch((e) => console.error(`[client ${this.pid}]`, e));
  }
  async inbound() {
    const out = { audio: undefined, video: undefined };
    const stats = await this.rx.getStats();
    // The first offer's recvonly m-lines stay inactive (no stream); per kind, keep the
    // inbound stream that carries the media.
    stats.forEach((s) => {
      if (s.type === 'inbound-rtp' && (s.packetsReceived ?? 0) >= (out[s.kind]?.packetsReceived ?? 0))
        out[s.kind] = s;
    });
    return out;
  }
  async pollFirstFrame() {
    while (this.firstFrameMs < 0) {
      const { video } = await this.inbound();
      if (video && video.framesDecoded > 0) this.firstFrameMs = Date.now() - this.joinAt;
      else await sleep(50);
    }
  }
  close() {
    clearInterval(this.vt);
    clearInterval(this.at);
    this.pc.close();
    this.rx.close();
  }
}

async function snapshot() {
  const rows = [];
  for (const p of peers.values()) {
    const s = await p.inbound();
    for (const kind of ['audio', 'video']) {
      const r = s[kind];
      if (r)
        rows.push({
          kind,
          bytes: r.bytesReceived ?? 0,
          received: r.packetsReceived ?? 0,
          lost: r.packetsLost ?? 0,
          jitter: r.jitter ?? 0,
        });
    }
  }
  return rows;
}

process.on('message', async (m) => {
  if (m.t === 'snapshot') {
    debugReceivers(peers);
    process.send({ t: 'snapshot', rows: await snapshot() });
  } else if (m.t === 'firstFrames') {
    await Promise.race([Promise.all([...peers.values()].map((p) => p.pollFirstFrame())), sleep(15_000)]);
    // An INVALID run names its silent subscriber and what its receiver saw.
    for (const p of peers.values()) {
      if (p.firstFrameMs >= 0) continue;
      const { audio, video } = await p.inbound();
      const pick = (s) =>
        s && {
          packets: s.packetsReceived,
          frames: s.framesDecoded,
          keyframes: s.keyFramesDecoded,
          plis: s.pliCount,
          nacks: s.nackCount,
          lost: s.packetsLost,
        };
      const transceivers = p.rx
        .getTransceivers()
        .map((t) => `${t.mid}:${t.direction}/${t.currentDirection}`)
        .join(' ');
      console.error(
        `[client] ${p.pid}.rx decoded no frame in 15 s: ${p.rx.connectionState} (ice ${p.rx.iceConnectionState}, gathering ${p.rx.iceGatheringState}, signalling ${p.rx.signalingState}), ${transceivers}, video ${JSON.stringify(pick(video))}, audio ${JSON.stringify(pick(audio))}`,
      );
      if (process.env.SFU_BENCH_DEBUG) {
        console.error(`[client] ${p.pid}.rx remote SDP:\n${p.rx.remoteDescription?.sdp}`);
        console.error(`[client] ${p.pid}.rx local SDP:\n${p.rx.localDescription?.sdp}`);
      }
    }
    process.send({ t: 'firstFrames', ms: [...peers.values()].map((p) => p.firstFrameMs) });
  } else if (m.t === 'pause') {
    // Media stops, connections stay (ICE consent, RTCP): the server's fixed cost.
    for (const p of peers.values()) {
      clearInterval(p.vt);
      clearInterval(p.at);
    }
    process.send({ t: 'paused' });
  } else if (m.t === 'close') {
    for (const p of peers.values()) p.close();
    setTimeout(() => process.exit(0), 200);
  } else if (m.pid !== undefined) {
    peers.get(m.pid.replace(/\.rx$/, ''))?.onMessage(m);
  }
});

for (const spec of list) {
  const p = new Peer(spec);
  peers.set(spec.pid, p);
  p.start();
}
for (const p of peers.values()) {
  await p.publish();
  await sleep(30);
}
process.send({ t: 'started' });
