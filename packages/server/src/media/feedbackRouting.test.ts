import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { PictureLossIndication, RTCPeerConnection, RtcpPayloadSpecificFeedback } from 'werift';
import { installFeedbackRouting } from './weriftPatches.js';

/** RFC 5104 FIR feedback message type (werift does not export its FullIntraRequest class). */
const FIR_COUNT = 4;

interface RouterLike {
  ssrcTable: Record<number, unknown>;
  routeRtcp(packet: unknown): void;
}

/**
 * A browser that publishes and subscribes puts its own outgoing SSRC in the "sender SSRC" of
 * its PLIs. werift routes payload-specific feedback by that field first, so the PLI landed on
 * our receiver of the browser's media and the publisher never got a keyframe request.
 */
describe('keyframe requests reach the sender they name', () => {
  let pc: RTCPeerConnection | undefined;
  afterEach(async () => {
    await pc?.close();
    pc = undefined;
  });

  function setUp(patched: boolean) {
    pc = new RTCPeerConnection({ iceServers: [] });
    const { sender, receiver } = pc.addTransceiver('video', { direction: 'sendrecv' });
    const router = (pc as unknown as { router: RouterLike }).router;
    router.ssrcTable[sender.ssrc] = sender;
    // The browser's own video SSRC, which werift maps to our receiver of it.
    const browserSsrc = 0x1234_5678;
    router.ssrcTable[browserSsrc] = receiver;
    if (patched) installFeedbackRouting(pc);
    let plis = 0;
    let firs = 0;
    sender.onPictureLossIndication.subscribe(() => plis++);
    sender.onRtcp.subscribe((p) => {
      const fb = (p as unknown as { feedback?: { count: number } }).feedback;
      if (p.type === RtcpPayloadSpecificFeedback.type && fb?.count === FIR_COUNT) firs++;
    });
    return { router, sender, browserSsrc, counts: () => ({ plis, firs }) };
  }

  it('a PLI whose sender SSRC is the browser’s own stream reaches our sender', () => {
    const { router, sender, browserSsrc, counts } = setUp(true);
    router.routeRtcp(
      new RtcpPayloadSpecificFeedback({
        feedback: new PictureLossIndication({ senderSsrc: browserSsrc, mediaSsrc: sender.ssrc }),
      }),
    );
    assert.equal(counts().plis, 1);
  });

  it('a FIR names the sender in its FCI entries (media source 0)', () => {
    const { router, sender, browserSsrc, counts } = setUp(true);
    router.routeRtcp(
      new RtcpPayloadSpecificFeedback({
        feedback: {
          count: FIR_COUNT,
          senderSsrc: browserSsrc,
          mediaSsrc: 0,
          fir: [{ ssrc: sender.ssrc, sequenceNumber: 1 }],
        } as unknown as PictureLossIndication,
      }),
    );
    assert.equal(counts().firs, 1);
  });

  it('without the patch werift delivers that PLI to the receiver (the bug this guards)', () => {
    const { router, sender, browserSsrc, counts } = setUp(false);
    router.routeRtcp(
      new RtcpPayloadSpecificFeedback({
        feedback: new PictureLossIndication({ senderSsrc: browserSsrc, mediaSsrc: sender.ssrc }),
      }),
    );
    assert.equal(counts().plis, 0);
  });
});
