import type { Thresholds } from '@switchboard/protocol';
import { makeCheck, overallVerdict } from './checks/CheckBuilder.js';
import {
  bandwidthCheck,
  estimateBandwidth,
  qualityChecks,
  type RampStep,
  rateCheck,
  toMeasurement,
} from './checks/qualityChecks.js';
import { dnsChecks, tcpCheck } from './checks/tcpChecks.js';
import { stunBindingCheck, turnChecks } from './checks/turnChecks.js';
import { type UdpRangeOutcome, udpRangeCheck } from './checks/udpChecks.js';
import { percentile } from './metrics/percentile.js';
import type { Platform } from './platform/Platform.js';
import type { ProbeApi } from './probe/ProbeApi.js';
import { type ProbeTarget, type StreamResult, UdpProbeClient } from './probe/UdpProbeClient.js';
import type { ProbeProfile } from './profile/ProbeProfile.js';
import { mediaHostOf, type ProbeSession } from './profile/ProbeSession.js';
import type { BandwidthEstimate, CheckResult, Report } from './report/Report.js';
import { tokenFromHex } from './wire/ProbeWire.js';

export const TESTER_VERSION = '0.1.0';

/** How long each part runs; `quick` fits in 5 s, `full` in 15 s on a sane link. */
export interface TesterTiming {
  tcpTimeoutMs: number;
  /** Sampled ports probed per UDP range (edges always included). */
  udpPortsPerRange: number;
  /** Duration of each quality stream (40 and 80 kbps, both directions at once). */
  streamMs: number;
  /** Duration of each bandwidth-ramp step; 0 skips the ramp. */
  rampStepMs: number;
  /** Echo probes sent through each TURN relay. */
  relayProbes: number;
}

export const TIMING: Record<'quick' | 'full', TesterTiming> = {
  quick: { tcpTimeoutMs: 2000, udpPortsPerRange: 4, streamMs: 1000, rampStepMs: 0, relayProbes: 3 },
  full: { tcpTimeoutMs: 4000, udpPortsPerRange: 10, streamMs: 2500, rampStepMs: 300, relayProbes: 5 },
};

export type ProgressEvent =
  | {
      kind: 'phase';
      phase: 'profile' | 'session' | 'tcp' | 'udp' | 'turn' | 'quality' | 'bandwidth';
      message: string;
    }
  | { kind: 'check'; check: CheckResult };

export interface TesterOptions {
  api: ProbeApi;
  platform: Platform;
  /** The server as the user named it (goes into the report). */
  server: string;
  mode: 'quick' | 'full';
  timing?: Partial<TesterTiming>;
  onProgress?: (event: ProgressEvent) => void;
}

const SPEC_GROUP_ORDER = ['rtc', 'acd', 'quality'] as const;

/**
 * Runs every check of the profile and returns the report. Throws `CouldNotRunError` only when
 * nothing can be measured (bad URL, unreachable server, refused token); every other problem
 * is a failed check in the report.
 */
export async function runTester(o: TesterOptions): Promise<Report> {
  const { platform, api } = o;
  const timing = { ...TIMING[o.mode], ...o.timing };
  const startedAt = new Date();
  const t0 = platform.now();
  const checks: CheckResult[] = [];
  const progress = (e: ProgressEvent): void => {
    try {
      o.onProgress?.(e);
    } catch {
      // A broken progress listener must not break the measurement.
    }
  };
  const add = (c: CheckResult): void => {
    checks.push(c);
    progress({ kind: 'check', check: c });
  };

  progress({ kind: 'phase', phase: 'profile', message: `Fetching the probe profile from ${o.server}` });
  const profile = await api.profile();
  const thresholds: Thresholds = profile.thresholds;

  let session: ProbeSession | undefined;
  let client: UdpProbeClient | undefined;
  if (platform.createUdpSocket) {
    progress({ kind: 'phase', phase: 'session', message: 'Opening a probe session' });
    session = await api.openSession(profile);
    client = new UdpProbeClient(await platform.createUdpSocket(), platform, tokenFromHex(session.token));
  }
  const streams: StreamResult[] = [];
  const bandwidth: BandwidthEstimate[] = [];
  try {
    progress({ kind: 'phase', phase: 'tcp', message: 'Checking DNS and the TCP rules' });
    const tcpPart = (async () => {
      for (const c of await dnsChecks(profile, platform)) add(c);
      const tcp = await Promise.all(
        profile.tcp.map((rule) => tcpCheck(rule, profile, platform, timing.tcpTimeoutMs)),
      );
      for (const c of tcp) add(c);
    })();
    const udpPart = (async (): Promise<UdpRangeOutcome[]> => {
      if (!client || !session) {
        for (const r of profile.udp)
          add(skippedUdp(profile, r.service, 'This platform cannot send UDP probes.'));
        return [];
      }
      progress({ kind: 'phase', phase: 'udp', message: 'Probing the UDP media ranges' });
      const c = client;
      const outcomes = await Promise.all(
        session.ranges.map((range) =>
          udpRangeCheck(
            range,
            mediaHostOf(session, profile, range.service),
            profile,
            c,
            timing.udpPortsPerRange,
            () => platform.now(),
          ),
        ),
      );
      for (const out of outcomes) add(out.check);
      return outcomes;
    })();
    // STUN and TURN need the UDP outcomes (Binding targets), not the TCP checks: overlap them.
    const natPart = udpPart.then(async (udp) => {
      progress({ kind: 'phase', phase: 'turn', message: 'Checking STUN and TURN' });
      const nat = {
        profile,
        session,
        platform,
        udp,
        thresholds,
        timeoutMs: timing.tcpTimeoutMs,
        relayProbes: timing.relayProbes,
      };
      const [stunCheck, turnResults] = await Promise.all([stunBindingCheck(nat), turnChecks(nat)]);
      add(stunCheck);
      for (const c of turnResults) add(c);
    });
    const [, outcomes] = await Promise.all([tcpPart, udpPart, natPart]);

    const target = pickQualityTarget(profile, session, outcomes);
    if (!client || !target) {
      const why = !client
        ? 'This platform cannot send UDP probes.'
        : 'No media port answered: quality cannot be measured without TURN.';
      const skipped: [string, string][] = [
        ['quality.rtt', 'Round-trip time (RTT)'],
        ['rate.uplink.40', `Uplink carries ${thresholds.audioKbps} kbps (audio)`],
        ['rate.downlink.40', `Downlink carries ${thresholds.audioKbps} kbps (audio)`],
        ['rate.uplink.80', `Uplink carries ${thresholds.audioVideoKbps} kbps (audio+video)`],
        ['rate.downlink.80', `Downlink carries ${thresholds.audioVideoKbps} kbps (audio+video)`],
      ];
      for (const [id, title] of skipped) {
        add(
          makeCheck({
            id,
            group: 'quality',
            audiences: ['agent', 'user'],
            title,
            verdict: 'skipped',
            summary: why,
          }),
        );
      }
    } else {
      progress({ kind: 'phase', phase: 'quality', message: `Measuring quality via UDP ${target.port}` });
      // Wait for stragglers: 1.5 × the slowest echo seen, at least 200 ms.
      const rtts = outcomes.flatMap((out) => out.rttMs);
      const drainMs = Math.max(200, rtts.length ? 1.5 * percentile(rtts, 100) : 0);
      const rates = [
        { kbps: thresholds.audioKbps, label: 'audio' },
        { kbps: thresholds.audioVideoKbps, label: 'audio+video' },
      ];
      const byRate: { up: StreamResult; down: StreamResult; label: string }[] = [];
      for (const { kbps, label } of rates) {
        const so = { rateKbps: kbps, durationMs: timing.streamMs, drainMs };
        const [up, down] = await Promise.all([client.uplink(target, so), client.downlink(target, so)]);
        streams.push(up, down);
        byRate.push({ up, down, label });
      }
      for (const c of qualityChecks(streams, thresholds)) add(c);
      for (const r of byRate) {
        add(rateCheck(r.up, thresholds, r.label));
        add(rateCheck(r.down, thresholds, r.label));
      }

      if (timing.rampStepMs > 0) {
        progress({ kind: 'phase', phase: 'bandwidth', message: 'Estimating the available bandwidth' });
        const ceiling = Math.min(profile.probe.maxKbps, session?.maxKbps ?? profile.probe.maxKbps);
        const c = client;
        const [upB, downB] = await Promise.all(
          (['uplink', 'downlink'] as const).map((dir) =>
            ramp(c, target, dir, byRate, thresholds, ceiling, timing.rampStepMs, drainMs),
          ),
        );
        for (const b of [upB!, downB!]) {
          bandwidth.push(b);
          add(bandwidthCheck(b, thresholds));
        }
      }
    }
  } finally {
    client?.close();
    if (session) await api.closeSession(profile, session.id);
  }

  const order = (c: CheckResult): number => SPEC_GROUP_ORDER.indexOf(c.group);
  const sorted = checks.map((c, i) => ({ c, i })).sort((a, b) => order(a.c) - order(b.c) || a.i - b.i);
  const ran = sorted.map(({ c }) => c).filter((c) => c.verdict !== 'skipped');
  return {
    schemaVersion: 1,
    tool: 'switchboard-test',
    toolVersion: TESTER_VERSION,
    server: o.server,
    mode: o.mode,
    platform: platform.name,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(platform.now() - t0),
    verdict: overallVerdict(ran.map((c) => c.verdict)),
    audiences: {
      agent: overallVerdict(ran.filter((c) => c.audiences.includes('agent')).map((c) => c.verdict)),
      user: overallVerdict(ran.filter((c) => c.audiences.includes('user')).map((c) => c.verdict)),
    },
    checks: sorted.map(({ c }) => c),
    streams: streams.map(toMeasurement),
    bandwidth,
  };
}

function skippedUdp(profile: ProbeProfile, service: 'rtc' | 'acd', why: string): CheckResult {
  return makeCheck({
    id: `udp.${service}`,
    group: service,
    audiences: service === 'acd' ? ['agent'] : ['agent', 'user'],
    title: `UDP media range (${profile.services[service].host})`,
    verdict: 'skipped',
    summary: why,
  });
}

/** Quality runs on the first RTC media port that answered (the video gateway), else ACD's. */
function pickQualityTarget(
  profile: ProbeProfile,
  session: ProbeSession | undefined,
  outcomes: UdpRangeOutcome[],
): ProbeTarget | undefined {
  for (const service of ['rtc', 'acd'] as const) {
    const out = outcomes.find((o) => o.service === service);
    const port = out?.reachablePorts.find((p) => p !== undefined);
    if (port !== undefined) return { host: mediaHostOf(session, profile, service), port };
  }
  return undefined;
}

/** Doubling ramp above the quality rates until loss or queueing grows, or the ceiling. */
async function ramp(
  client: UdpProbeClient,
  target: ProbeTarget,
  dir: 'uplink' | 'downlink',
  byRate: { up: StreamResult; down: StreamResult }[],
  t: Thresholds,
  ceilingKbps: number,
  stepMs: number,
  drainMs: number,
): Promise<BandwidthEstimate> {
  const pick = (r: { up: StreamResult; down: StreamResult }): StreamResult =>
    dir === 'uplink' ? r.up : r.down;
  const first = byRate[0] ? pick(byRate[0]) : undefined;
  const baseline = first ? first.lossPercent : 0;
  const steps: RampStep[] = byRate.map((r) => ({ offeredKbps: pick(r).rateKbps, result: pick(r) }));
  // The quality streams are the ramp's first steps; stop there if they already overloaded it.
  const partial = estimateBandwidth(dir, steps, baseline, t, ceilingKbps);
  if (partial.steps.some((s) => !s.ok)) return partial;
  let rate = (steps.at(-1)?.offeredKbps ?? t.audioVideoKbps) * 2;
  for (let i = 0; i < 8; i++) {
    const offered = Math.min(rate, ceilingKbps);
    // 5 ms spacing: four times the packets of a 20 ms stream, so the queueing trend of a
    // short step stands out of the jitter.
    const so = { rateKbps: offered, durationMs: stepMs, drainMs, intervalMs: 5, ackEvery: 0 };
    const result = dir === 'uplink' ? await client.uplink(target, so) : await client.downlink(target, so);
    steps.push({ offeredKbps: offered, result });
    const est = estimateBandwidth(dir, steps, baseline, t, ceilingKbps);
    if (est.steps.some((s) => !s.ok) || offered >= ceilingKbps) return est;
    rate *= 2;
  }
  return estimateBandwidth(dir, steps, baseline, t, ceilingKbps);
}
