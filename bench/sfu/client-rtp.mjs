// Load-generator process with pre-encoded media: werift publishers send ready-made RTP
// (Opus-sized 20 ms packets; VP8-sized 1100-byte packets) at fixed rates, and werift
// subscribers measure loss, RFC 3550 jitter and join → first packet. No encoder, so one
// client core drives far more packets than libwebrtc publishers can (FIELD-NOTES: ~20
// encoders per core). argv[2] = JSON list of { call, pid }, argv[3] = JSON { videoPps }.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  RTCDtlsTransport,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RtpHeader,
  RtpPacket,
  useAbsSendTime,
  useAudioLevelIndication,
  useNACK,
  usePLI,
  useSdesMid,
  useTransportWideCC,
  useTWCC,
} from 'werift';
import { installNoTransceiverRecycling } from '../../packages/server/dist/media/weriftPatches.js';
import { debugReceivers, negotiate } from './negotiate.mjs';

// Offer SRTP_AES128_CM_HMAC_SHA1_80 only, as the libwebrtc of @roamhq/wrtc does (werift
// would otherwise pick AEAD-GCM, which the SFU's fast path does not implement).
const dtlsStart = RTCDtlsTransport.prototype.start;
RTCDtlsTransport.prototype.start = function (...args) {
  this.srtpProfiles = [1];
  return dtlsStart.apply(this, args);
};

const list = JSON.parse(process.argv[2]);
const { videoPps = 30 } = JSON.parse(process.argv[3] ?? '{}');
const peers = new Map();
const config = () => ({
  iceServers: [],
  iceUseIpv4: false,
  iceUseIpv6: false,
  iceAdditionalHostAddresses: ['127.0.0.1'],
  iceInterfaceAddresses: { udp4: '127.0.0.1' },
  bundlePolicy: 'max-bundle',
  codecs: {
    audio: [
      new RTCRtpCodecParameters({
        mimeType: 'audio/opus',
        clockRate: 48_000,
        channels: 2,
        rtcpFeedback: [useTWCC()],
      }),
    ],
    video: [
      new RTCRtpCodecParameters({
        mimeType: 'video/VP8',
        clockRate: 90_000,
        rtcpFeedback: [useNACK(), usePLI(), useTWCC()],
      }),
    ],
  },
  headerExtensions: {
    audio: [useSdesMid(), useAudioLevelIndication(), useAbsSendTime(), useTransportWideCC()],
    video: [useSdesMid(), useAbsSendTime(), useTransportWideCC()],
  },
});

const audioPayload = randomBytes(100);
const videoPayload = randomBytes(1100);

class Peer {
  constructor({ call, pid }) {
    this.call = call;
    this.pid = pid;
    this.chain = Promise.resolve();
    this.pc = new RTCPeerConnection(config());
    this.rx = new RTCPeerConnection(config());
    // werift as a client recycles inactive m-lines as the server's werift did (patch 9).
    installNoTransceiverRecycling(this.rx);
    this.audio = this.pc.addTransceiver('audio', { direction: 'sendonly' });
    this.video = this.pc.addTransceiver('video', { direction: 'sendonly' });
    this.sent = { audio: 0, video: 0 };
    this.rcv = {
      audio: { received: 0, bytes: 0, jitter: 0, transit: undefined },
      video: { received: 0, bytes: 0, jitter: 0, transit: undefined },
    };
    this.firstFrameMs = -1;
    this.joinAt = 0;
    this.rx.ontrack = ({ track }) => {
      const r = this.rcv[track.kind];
      track.onReceiveRtp.subscribe((rtp) => {
        if (this.firstFrameMs < 0 && track.kind === 'video') this.firstFrameMs = Date.now() - this.joinAt;
        r.received++;
        r.bytes += rtp.payload.length;
        // RFC 3550 §6.4.1 interarrival jitter, in ms, from the send time in the payload.
        const transit = performance.now() - rtp.payload.readDoubleBE(0);
        if (r.transit !== undefined) r.jitter += (Math.abs(transit - r.transit) - r.jitter) / 16;
        r.transit = transit;
      });
    };
  }
  start() {
    let seqA = 0;
    let seqV = 0;
    const tick = 20;
    let credit = 0;
    this.timer = setInterval(() => {
      if (this.pc.connectionState !== 'connected') return;
      const now = performance.now();
      audioPayload.writeDoubleBE(now, 0);
      this.audio.sender
        .sendRtp(
          new RtpPacket(
            new RtpHeader({
              sequenceNumber: seqA++ & 0xffff,
              timestamp: (seqA * 960) >>> 0,
              payloadType: 111,
            }),
            Buffer.from(audioPayload),
          ),
        )
        .catch(() => {});
      this.sent.audio++;
      credit += (videoPps * tick) / 1000;
      while (credit >= 1) {
        credit--;
        videoPayload.writeDoubleBE(now, 0);
        this.video.sender
          .sendRtp(
            new RtpPacket(
              new RtpHeader({
                sequenceNumber: seqV++ & 0xffff,
                timestamp: (Math.floor(seqV / 2) * 3000) >>> 0,
                payloadType: 96,
                marker: seqV % 2 === 0,
              }),
              Buffer.from(videoPayload),
            ),
          )
          .catch(() => {});
        this.sent.video++;
      }
    }, tick);
  }
  publish() {
    this.joinAt = Date.now();
    process.send({ t: 'join', call: this.call, pid: this.pid });
    process.send({ t: 'join', call: this.call, pid: `${this.pid}.rx` });
  }
  onMessage(m) {
    this.chain = this.chain
      .then(() => negotiate(this, m))
      .catch((e) => console.error(`[client ${this.pid}]`, e));
  }
  async pollFirstFrame() {
    while (this.firstFrameMs < 0) await sleep(20);
  }
  close() {
    clearInterval(this.timer);
    this.pc.close();
    this.rx.close();
  }
}

// Rows pair this peer's receive counters with its call peer's send counters (1:1 calls).
function snapshot() {
  const rows = [];
  for (const p of peers.values()) {
    const other = [...peers.values()].find((q) => q.call === p.call && q !== p);
    for (const kind of ['audio', 'video']) {
      const r = p.rcv[kind];
      rows.push({
        kind,
        bytes: r.bytes,
        received: r.received,
        sent: other?.sent[kind] ?? 0,
        jitter: r.jitter / 1000,
      });
    }
  }
  return rows;
}

process.on('message', async (m) => {
  if (m.t === 'snapshot') {
    debugReceivers(peers, (p) => JSON.stringify(p.rcv));
    process.send({ t: 'snapshot', rows: snapshot() });
  } else if (m.t === 'firstFrames') {
    await Promise.race([Promise.all([...peers.values()].map((p) => p.pollFirstFrame())), sleep(15_000)]);
    process.send({ t: 'firstFrames', ms: [...peers.values()].map((p) => p.firstFrameMs) });
  } else if (m.t === 'pause') {
    for (const p of peers.values()) clearInterval(p.timer);
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
  p.publish();
  await sleep(30);
}
process.send({ t: 'started' });
