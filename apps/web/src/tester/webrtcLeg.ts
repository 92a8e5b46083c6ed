import { judgeBitrate, judgeSample } from '@switchboard/protocol';
import { Call, type SignallingClient } from '@switchboard/sdk';
import {
  type CheckResult,
  checkFromJudgement,
  firewallRuleFor,
  type Metric,
  makeCheck,
  type ProbeProfile,
  round2,
} from '@switchboard/tester';
import { connectClient } from '../shared/platformClient.js';

export interface WebRtcLegOptions {
  token: string;
  callId: string;
  profile: ProbeProfile;
  /** The camera/microphone stream; without one the leg sends a synthetic tone and picture. */
  stream?: MediaStream | undefined;
  now: () => number;
  /** How long to measure once media flows, ms. */
  measureMs?: number;
  /** How long to wait for the ICE connection, ms. */
  connectTimeoutMs?: number;
  /** How long to wait for the server's first quality report of this leg, ms. */
  qualityTimeoutMs?: number;
  onPhase?: (message: string) => void;
}

/** The part of `call.quality` the leg reads. */
interface QualityEvent {
  rttMs: number | null;
  mos: number;
  streams: { direction: 'inbound' | 'outbound'; jitterMs: number; lossPercent: number }[];
}

interface PairStats {
  localType: string;
  remoteType: string;
  protocol: string;
  rttMs: number | undefined;
  bytesSent: number;
  at: number;
}

/** The selected candidate pair and the bytes sent so far, from `pc.getStats()`. */
async function readPair(pc: RTCPeerConnection): Promise<PairStats | undefined> {
  const report = await pc.getStats();
  const byId = new Map<string, Record<string, unknown>>();
  report.forEach((s: Record<string, unknown>) => {
    byId.set(s.id as string, s);
  });
  let pair: Record<string, unknown> | undefined;
  for (const s of byId.values()) {
    if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string')
      pair = byId.get(s.selectedCandidatePairId);
  }
  // Firefox names no selected pair on the transport; it flags the pair itself.
  pair ??= [...byId.values()].find(
    (s) =>
      s.type === 'candidate-pair' &&
      (s.selected === true || (s.nominated === true && s.state === 'succeeded')),
  );
  if (!pair) return undefined;
  const local = byId.get(pair.localCandidateId as string);
  const remote = byId.get(pair.remoteCandidateId as string);
  let bytesSent = 0;
  for (const s of byId.values()) if (s.type === 'outbound-rtp') bytesSent += Number(s.bytesSent ?? 0);
  const rtt = pair.currentRoundTripTime;
  return {
    localType: String(local?.candidateType ?? 'unknown'),
    remoteType: String(remote?.candidateType ?? 'unknown'),
    protocol: String(local?.protocol ?? 'unknown'),
    rttMs: typeof rtt === 'number' ? rtt * 1000 : undefined,
    bytesSent,
    at: Number(report.values().next().value?.timestamp ?? performance.now()),
  };
}

/** A tone and a moving picture, so a leg without devices still carries audio+video. */
function syntheticStream(): { stream: MediaStream; stop: () => void } {
  const audio = new AudioContext();
  const osc = audio.createOscillator();
  const dest = audio.createMediaStreamDestination();
  osc.connect(dest);
  osc.start();
  const canvas = document.createElement('canvas');
  canvas.width = 320;
  canvas.height = 240;
  const g = canvas.getContext('2d');
  let frame = 0;
  const timer = setInterval(() => {
    if (!g) return;
    frame += 7;
    g.fillStyle = `hsl(${frame % 360} 60% 50%)`;
    g.fillRect(0, 0, canvas.width, canvas.height);
  }, 40);
  const stream = new MediaStream([...dest.stream.getTracks(), ...canvas.captureStream(25).getTracks()]);
  return {
    stream,
    stop: () => {
      clearInterval(timer);
      for (const t of stream.getTracks()) t.stop();
      void audio.close();
    },
  };
}

function waitFor<T>(
  setup: (resolve: (v: T) => void) => () => void,
  timeoutMs: number,
): Promise<T | undefined> {
  return new Promise((resolve) => {
    let cleanup = (): void => {};
    const timer = setTimeout(() => {
      cleanup();
      resolve(undefined);
    }, timeoutMs);
    cleanup = setup((v) => {
      clearTimeout(timer);
      cleanup();
      resolve(v);
    });
  });
}

/**
 * A real WebRTC leg to the video gateway: joins the tester's own call (`tester-<identity>`),
 * sends audio+video, and reports the selected candidate pair (direct or relayed), the RTT
 * libwebrtc measures on it, the bitrate sent, and the server's view of this leg (jitter and
 * loss of what it received, from `call.quality`). This is what the UDP range probes of the
 * CLI cannot do in a browser.
 */
export async function runWebRtcLeg(o: WebRtcLegOptions): Promise<CheckResult[]> {
  const t = o.profile.thresholds;
  const host = o.profile.services.rtc.host;
  const range = o.profile.udp.find((r) => r.service === 'rtc');
  const fw = range ? firewallRuleFor('rtc', host, 'UDP', range, range.description) : undefined;
  const connectBase = {
    id: 'webrtc.connect',
    group: 'rtc' as const,
    audiences: ['agent' as const, 'user' as const],
    title: `WebRTC media to the video gateway (${host})`,
    unit: 'ms',
  };
  const qualityIds = [
    ['webrtc.rtt', 'WebRTC round-trip time'],
    ['webrtc.jitter', 'WebRTC jitter (as the server received it)'],
    ['webrtc.loss', 'WebRTC packet loss (as the server received it)'],
    ['webrtc.bitrate', 'WebRTC bitrate sent'],
  ] as const;
  const skipQuality = (why: string): CheckResult[] =>
    qualityIds.map(([id, title]) =>
      makeCheck({
        id,
        group: 'quality',
        audiences: ['agent', 'user'],
        title,
        verdict: 'skipped',
        summary: why,
      }),
    );

  const start = o.now();
  let client: SignallingClient | undefined;
  let call: Call | undefined;
  const synthetic = o.stream ? undefined : syntheticStream();
  const stream = o.stream ?? synthetic?.stream;
  try {
    o.onPhase?.('WebRTC: connecting to the video gateway');
    try {
      client = await connectClient(o.token, 'auto');
      call = await Call.join(client, o.callId, stream ? { stream, name: 'Connectivity tester' } : {});
    } catch (err) {
      const message = (err as Error).message;
      return [
        makeCheck({
          ...connectBase,
          verdict: 'fail',
          summary: `Could not join the test call: ${message}`,
          recommendation:
            'Signalling to the video gateway failed; see the TCP checks above (WebSocket 8989 or the 8089 fallback).',
          durationMs: o.now() - start,
        }),
        ...skipQuality('The WebRTC leg could not start.'),
      ];
    }
    const pc = call.pc;
    // Quality reports start once media flows; listen from the start.
    let quality: QualityEvent | undefined;
    const gotQuality = waitFor<QualityEvent>((resolve) => {
      return call!.on('quality', (q) => {
        quality = q as QualityEvent;
        // Alone in its call the leg sends only, so the server's RTT may stay unknown: the
        // first report on what it received from us is enough (later ones replace it).
        if (quality.streams.some((s) => s.direction === 'inbound')) resolve(quality);
      });
    }, o.qualityTimeoutMs ?? 12_000);

    const connected =
      pc.connectionState === 'connected' ||
      (await waitFor<boolean>((resolve) => {
        const onChange = (): void => {
          if (pc.connectionState === 'connected') resolve(true);
          if (pc.connectionState === 'failed') resolve(false);
        };
        pc.addEventListener('connectionstatechange', onChange);
        return () => pc.removeEventListener('connectionstatechange', onChange);
      }, o.connectTimeoutMs ?? 10_000));
    const connectMs = o.now() - start;
    if (!connected) {
      return [
        makeCheck({
          ...connectBase,
          verdict: 'fail',
          summary: `No WebRTC media path (ICE ${pc.iceConnectionState}) after ${Math.round(connectMs)} ms.`,
          firewallRule: fw,
          recommendation: range
            ? `Open outbound UDP ${range.min}–${range.max} to ${host} (or make TURN over TCP/TLS 443 reachable).`
            : 'Media cannot reach the server: open the video gateway UDP range or use TURN.',
          durationMs: connectMs,
        }),
        ...skipQuality('No WebRTC media path.'),
      ];
    }

    o.onPhase?.('WebRTC: measuring the media leg');
    const first = await readPair(pc);
    await new Promise((r) => setTimeout(r, o.measureMs ?? 3000));
    const last = await readPair(pc);
    await gotQuality;
    const q = quality as QualityEvent | undefined;
    const relayed = last?.localType === 'relay' || last?.remoteType === 'relay';
    const pairText = last
      ? `${last.localType} → ${last.remoteType} over ${last.protocol.toUpperCase()}`
      : 'unknown pair';
    const checks: CheckResult[] = [
      makeCheck({
        ...connectBase,
        verdict: relayed ? 'warn' : 'pass',
        value: round2(connectMs),
        summary: relayed
          ? `Connected through the TURN relay (${pairText}): direct media to the video gateway is blocked.`
          : `Connected directly (${pairText}).`,
        firewallRule: relayed ? fw : undefined,
        recommendation:
          relayed && range
            ? `Open outbound UDP ${range.min}–${range.max} to ${host} for direct media (less delay, no relay).`
            : undefined,
        metrics: [
          { name: 'localCandidate', value: null, unit: last?.localType ?? 'unknown' },
          { name: 'remoteCandidate', value: null, unit: last?.remoteType ?? 'unknown' },
          { name: 'transport', value: null, unit: last?.protocol ?? 'unknown' },
        ],
        durationMs: connectMs,
      }),
    ];

    const rttMs = last?.rttMs ?? q?.rttMs ?? undefined;
    const inbound = (q?.streams ?? []).filter((s) => s.direction === 'inbound');
    const jitterMs = inbound.length ? Math.max(...inbound.map((s) => s.jitterMs)) : undefined;
    const lossPercent = inbound.length ? Math.max(...inbound.map((s) => s.lossPercent)) : undefined;
    const [jr, jj, jl] = judgeSample(
      { rttMs: rttMs ?? 0, jitterMs: jitterMs ?? 0, lossPercent: lossPercent ?? 0 },
      t,
    );
    const serverMetrics: Metric[] = [
      { name: 'serverRtt', value: q?.rttMs ?? null, unit: 'ms' },
      { name: 'mos', value: q ? round2(q.mos) : null, unit: '' },
    ];
    const noServer = 'The server sent no quality report for this leg in time.';
    const quality3 = [
      [
        'webrtc.rtt',
        'WebRTC round-trip time',
        jr,
        rttMs,
        'ms',
        `RTT ${rttMs === undefined ? '–' : round2(rttMs)} ms on the selected pair.`,
      ],
      [
        'webrtc.jitter',
        'WebRTC jitter (as the server received it)',
        jj,
        jitterMs,
        'ms',
        `Jitter ${jitterMs === undefined ? '–' : round2(jitterMs)} ms.`,
      ],
      [
        'webrtc.loss',
        'WebRTC packet loss (as the server received it)',
        jl,
        lossPercent,
        '%',
        `Loss ${lossPercent === undefined ? '–' : round2(lossPercent)} %.`,
      ],
    ] as const;
    for (const [id, title, j, v, unit, summary] of quality3) {
      const b = {
        id,
        group: 'quality' as const,
        audiences: ['agent' as const, 'user' as const],
        title,
        unit,
      };
      if (v === undefined || !j) {
        checks.push(
          makeCheck({
            ...b,
            verdict: 'skipped',
            summary: id === 'webrtc.rtt' ? 'No RTT measured on the pair.' : noServer,
          }),
        );
      } else {
        checks.push(
          checkFromJudgement(
            {
              ...b,
              summary,
              metrics: serverMetrics,
              recommendation:
                'A congested or long network path: check Wi-Fi, VPN and other traffic on this link.',
            },
            { ...j, value: round2(j.value) },
          ),
        );
      }
    }

    const hasVideo = (stream?.getVideoTracks().length ?? 0) > 0;
    const minimum = hasVideo ? t.audioVideoKbps : t.audioKbps;
    const b = {
      id: 'webrtc.bitrate',
      group: 'quality' as const,
      audiences: ['agent' as const, 'user' as const],
      title: `WebRTC bitrate sent (${hasVideo ? 'audio+video' : 'audio'})`,
      unit: 'kbps',
    };
    if (first && last && last.at > first.at) {
      const kbps = ((last.bytesSent - first.bytesSent) * 8) / (last.at - first.at);
      checks.push(
        checkFromJudgement(
          {
            ...b,
            summary: `Sent ${round2(kbps)} kbps over ${Math.round(last.at - first.at)} ms.`,
            recommendation: 'The uplink cannot carry a call: check the available upload bandwidth.',
          },
          { ...judgeBitrate(round2(kbps), minimum) },
        ),
      );
    } else {
      checks.push(makeCheck({ ...b, verdict: 'skipped', summary: 'No outbound statistics.' }));
    }
    return checks;
  } finally {
    await call?.leave().catch(() => undefined);
    await client?.close().catch(() => undefined);
    synthetic?.stop();
  }
}
