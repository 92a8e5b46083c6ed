import type { Judgement } from '@switchboard/protocol';
import type { ServiceName } from '../profile/ProbeProfile.js';
import type {
  Audience,
  CheckGroup,
  CheckResult,
  CheckVerdict,
  FirewallRule,
  Metric,
} from '../report/Report.js';

/** Audiences that need a service, per the spec: Agents need RTC and ACD, Users only RTC. */
export function audiencesOf(service: ServiceName | 'all'): Audience[] {
  return service === 'acd' ? ['agent'] : ['agent', 'user'];
}

export interface CheckInit {
  id: string;
  group: CheckGroup;
  audiences: Audience[];
  title: string;
  verdict: CheckVerdict;
  summary: string;
  value?: number | null;
  unit?: string;
  threshold?: number | null;
  comparison?: 'below' | 'at-least' | null;
  metrics?: Metric[];
  firewallRule?: FirewallRule | undefined;
  recommendation?: string | undefined;
  durationMs?: number;
}

/** Fills a check result: margin from value and threshold, nulls where unknown. */
export function makeCheck(init: CheckInit): CheckResult {
  const value = init.value ?? null;
  const threshold = init.threshold ?? null;
  const comparison = init.comparison ?? null;
  let margin: number | null = null;
  if (value !== null && threshold !== null && comparison !== null) {
    margin = round2(comparison === 'below' ? threshold - value : value - threshold);
  }
  const result: CheckResult = {
    id: init.id,
    group: init.group,
    audiences: init.audiences,
    title: init.title,
    verdict: init.verdict,
    value,
    unit: init.unit ?? '',
    threshold,
    comparison,
    margin,
    summary: init.summary,
    metrics: init.metrics ?? [],
    durationMs: Math.round((init.durationMs ?? 0) * 10) / 10,
  };
  // A rule or advice is only useful where something is wrong.
  if (init.verdict === 'fail' || init.verdict === 'warn') {
    if (init.firewallRule) result.firewallRule = init.firewallRule;
    if (init.recommendation) result.recommendation = init.recommendation;
  }
  return result;
}

/** Builds a check from a quality judgement of `@switchboard/protocol` (same numbers as the server). */
export function checkFromJudgement(
  base: Omit<CheckInit, 'verdict' | 'value' | 'threshold' | 'comparison'>,
  j: Judgement,
): CheckResult {
  return makeCheck({
    ...base,
    verdict: j.verdict,
    value: j.value,
    threshold: j.threshold,
    comparison: j.metric === 'bitrateKbps' ? 'at-least' : 'below',
  });
}

const SERVICE_LABEL: Record<ServiceName, string> = { rtc: 'RTC', acd: 'ACD' };

/** "19099 … 20099" as the spec writes ranges; a single port as itself. */
export function formatPorts(min: number, max = min): string {
  return min === max ? String(min) : `${min} … ${max}`;
}

/** The firewall rule, in the spec's own terms, that a failing TCP or UDP check asks for. */
export function firewallRuleFor(
  service: ServiceName,
  host: string,
  protocol: 'TCP' | 'UDP',
  ports: { min: number; max?: number },
  description: string,
): FirewallRule {
  const label = SERVICE_LABEL[service];
  return {
    destination: label,
    host,
    protocol,
    ports: formatPorts(ports.min, ports.max ?? ports.min),
    why: description,
  };
}

/** One line for a person: "Allow TCP 8989 to RTC (rtc.example.com): Websocket - Video Gateway (Recommended)". */
export function describeRule(rule: FirewallRule): string {
  return `Allow outbound ${rule.protocol} ${rule.ports} to ${rule.destination} (${rule.host}): ${rule.why}`;
}

/** Worst of check verdicts; skipped checks do not count. Nothing run counts as pass. */
export function overallVerdict(verdicts: readonly CheckVerdict[]): 'pass' | 'warn' | 'fail' {
  if (verdicts.includes('fail')) return 'fail';
  if (verdicts.includes('warn')) return 'warn';
  return 'pass';
}

/** Rounds for display and JSON (keeps 0.01 resolution). */
export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
