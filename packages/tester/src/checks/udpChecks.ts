import type { UdpProbeClient } from '../probe/UdpProbeClient.js';
import type { ProbeProfile, ServiceName } from '../profile/ProbeProfile.js';
import type { ProbeRangePorts } from '../profile/ProbeSession.js';
import type { CheckResult } from '../report/Report.js';
import { audiencesOf, firewallRuleFor, formatPorts, makeCheck, round2 } from './CheckBuilder.js';

/** Reachability verdict of a range from the fraction of its sampled ports that echoed. */
export function rangeVerdict(
  reachable: number,
  probed: number,
): { verdict: 'pass' | 'warn' | 'fail'; label: string } {
  if (probed === 0 || reachable === 0) return { verdict: 'fail', label: 'blocked' };
  if (reachable === probed) return { verdict: 'pass', label: 'reachable' };
  return { verdict: 'warn', label: 'partly reachable' };
}

export interface UdpRangeOutcome {
  service: ServiceName;
  check: CheckResult;
  /** Ports that answered, in probe order: the quality streams use the first. */
  reachablePorts: number[];
  /** Echo round trips, ms (sizes the wait for stragglers of later streams). */
  rttMs: number[];
}

/** Picks the ports to probe: the edges first, then as many random ones as `limit` allows. */
export function portsToProbe(range: ProbeRangePorts, limit: number): number[] {
  const edges = range.ports.filter((p) => p === range.min || p === range.max);
  const others = range.ports.filter((p) => p !== range.min && p !== range.max);
  return [...edges, ...others].slice(0, Math.max(limit, edges.length));
}

/** Probes every sampled port of one media range (3 echo attempts each) in parallel. */
export async function udpRangeCheck(
  range: ProbeRangePorts,
  host: string,
  profile: ProbeProfile,
  client: UdpProbeClient,
  limit: number,
  now: () => number,
): Promise<UdpRangeOutcome> {
  const spec = profile.udp.find((r) => r.service === range.service);
  const description = spec?.description ?? 'RTP Media';
  const start = now();
  const ports = portsToProbe(range, limit);
  const results = await Promise.all(ports.map((port) => client.echo({ host, port }, 3, 150, 400)));
  const reachablePorts = ports.filter((_, i) => (results[i]?.echoes ?? 0) > 0);
  const probes = results.reduce((n, r) => n + r.probes, 0);
  const echoes = results.reduce((n, r) => n + r.echoes, 0);
  const fraction = ports.length ? reachablePorts.length / ports.length : 0;
  const { verdict, label } = rangeVerdict(reachablePorts.length, ports.length);
  const edges = ports.filter((p) => p === range.min || p === range.max);
  const closedEdges = edges.filter((p) => !reachablePorts.includes(p));
  const label2 = range.service === 'rtc' ? 'RTC' : 'ACD';
  const needTurn = verdict === 'fail' ? ' — media will need TURN' : '';
  const check = makeCheck({
    id: `udp.${range.service}`,
    group: range.service,
    audiences: audiencesOf(range.service),
    title: `UDP ${formatPorts(range.min, range.max)} ${description}`,
    verdict,
    value: round2(fraction * 100),
    unit: '%',
    threshold: 100,
    comparison: 'at-least',
    summary:
      `${label}${needTurn}: ${reachablePorts.length}/${ports.length} sampled ports answered ` +
      `(${echoes} echoes for ${probes} probes)${closedEdges.length ? `; no answer on edge port ${closedEdges.join(', ')}` : ''}`,
    metrics: [
      { name: 'portsProbed', value: ports.length, unit: 'ports' },
      { name: 'portsReachable', value: reachablePorts.length, unit: 'ports' },
      { name: 'probes', value: probes, unit: 'packets' },
      { name: 'echoes', value: echoes, unit: 'packets' },
    ],
    firewallRule: firewallRuleFor(
      range.service,
      host,
      'UDP',
      { min: range.min, max: range.max },
      description,
    ),
    recommendation:
      verdict === 'fail'
        ? `UDP to ${label2} ${formatPorts(range.min, range.max)} is blocked: open it, or media will be relayed through TURN (${profile.turn.urls.join(', ') || 'no TURN server configured'}), which adds latency and is not recommended for Agents.`
        : `Only part of UDP ${formatPorts(range.min, range.max)} answers: the rule must cover the whole range, not single ports.`,
    durationMs: now() - start,
  });
  return { service: range.service, check, reachablePorts, rttMs: results.flatMap((r) => r.rttMs) };
}
