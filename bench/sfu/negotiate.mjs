// The load clients' half of the benchmark's signalling (IPC to run.mjs, relayed to the SFU
// process), shared by the libwebrtc client (client.mjs) and the pre-encoded RTP client
// (client-rtp.mjs). Each participant is two peer connections: `pc` publishes, `rx` receives.
import { setTimeout as sleep } from 'node:timers/promises';

/** Waits (≤ 5 s) until the peer connection's ICE gathering completes. */
export async function gathered(pc) {
  for (let i = 0; i < 500 && pc.iceGatheringState !== 'complete'; i++) await sleep(10);
}

/**
 * Handles one message from the SFU for `peer` ({ pc, rx, call }): both sides offer first, as
 * the SDK does (the server sends its offers only after a participant's first offer); the
 * receive-only side offers recvonly audio and video, then answers the server's offers.
 */
export async function negotiate(peer, m) {
  const rx = m.pid.endsWith('.rx');
  const pc = rx ? peer.rx : peer.pc;
  if (m.t === 'joined') {
    if (rx) {
      peer.rx.addTransceiver('audio', { direction: 'recvonly' });
      peer.rx.addTransceiver('video', { direction: 'recvonly' });
    }
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    process.send({ t: 'offer', pid: m.pid, call: peer.call, sdp: pc.localDescription.sdp });
  } else if (m.t === 'answer') {
    await pc.setRemoteDescription({ type: 'answer', sdp: m.sdp });
    // The server's first offer may overtake its answer to ours on the IPC relay: it waited.
    const early = rx ? peer.earlyOffer : undefined;
    if (early) {
      peer.earlyOffer = undefined;
      await negotiate(peer, early);
    }
  } else if (m.t === 'offer' && peer.rx.signalingState === 'have-local-offer') {
    // Answering now would roll our own offer back (the SDK queues the same way).
    peer.earlyOffer = m;
  } else if (m.t === 'offer') {
    await peer.rx.setRemoteDescription({ type: 'offer', sdp: m.sdp });
    await peer.rx.setLocalDescription(await peer.rx.createAnswer());
    await gathered(peer.rx);
    process.send({ t: 'answer', pid: m.pid, offerId: m.offerId, sdp: peer.rx.localDescription.sdp });
  }
}

/** With SFU_BENCH_DEBUG set: each receiving peer connection's state, on stderr. */
export function debugReceivers(peers, extra = () => '') {
  if (!process.env.SFU_BENCH_DEBUG) return;
  for (const p of peers.values()) {
    const transceivers = p.rx
      .getTransceivers()
      .map((t) => `${t.mid}:${t.direction}/${t.currentDirection}`)
      .join(' ');
    console.error(p.pid, p.rx.signalingState, p.rx.connectionState, transceivers, extra(p));
  }
}
