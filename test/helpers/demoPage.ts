// Reads the /demo/ page's peer connection (window.switchboardDemo) from a test.
import type { Page } from 'playwright-core';

/** What a /demo/ page receives, and over which path. */
export interface PageMedia {
  frames: number;
  audio: number;
  transport?: string;
  /** The selected pair's local candidate: type, its protocol, and relayProtocol for relays. */
  localType?: string;
  localProtocol?: string;
  relayProtocol?: string;
  /** mimeType of the received video (e.g. video/VP8). */
  videoCodec?: string;
}

/** Polls the demo page until it decodes video and audio (or the time is up); returns what it saw. */
export async function untilDecoding(page: Page, timeoutMs: number): Promise<PageMedia> {
  const deadline = Date.now() + timeoutMs;
  let last: PageMedia = { frames: 0, audio: 0 };
  while (Date.now() < deadline) {
    last = await page.evaluate(async () => {
      const demo = (
        window as unknown as {
          switchboardDemo?: { client: { transportKind?: string }; call: { pc: RTCPeerConnection } };
        }
      ).switchboardDemo;
      const out: PageMedia = { frames: 0, audio: 0 };
      if (!demo) return out;
      out.transport = demo.client.transportKind;
      const stats = await demo.call.pc.getStats();
      const byId = new Map<string, Record<string, unknown>>();
      stats.forEach((s: Record<string, unknown>) => {
        byId.set(s.id as string, s);
      });
      for (const s of byId.values()) {
        if (s.type === 'inbound-rtp' && s.kind === 'video') {
          out.frames += Number(s.framesDecoded ?? 0);
          out.videoCodec = byId.get(s.codecId as string)?.mimeType as string | undefined;
        }
        if (s.type === 'inbound-rtp' && s.kind === 'audio') out.audio += Number(s.packetsReceived ?? 0);
        if (s.type === 'transport' && s.selectedCandidatePairId) {
          const selected = byId.get(s.selectedCandidatePairId as string);
          const local = byId.get(selected?.localCandidateId as string);
          out.localType = local?.candidateType as string;
          out.localProtocol = local?.protocol as string;
          out.relayProtocol = local?.relayProtocol as string;
        }
      }
      return out;
    });
    if (last.frames > 0 && last.audio > 0 && last.localType) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  return last;
}
