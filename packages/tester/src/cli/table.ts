import { describeRule } from '../checks/CheckBuilder.js';
import type { CheckGroup, CheckResult, Report } from '../report/Report.js';
import { GROUP_TITLES } from './junit.js';

const MARK: Record<CheckResult['verdict'], string> = {
  pass: 'PASS',
  warn: 'WARN',
  fail: 'FAIL',
  skipped: 'SKIP',
};

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function valueText(c: CheckResult): string {
  if (c.value === null) return '';
  const v = `${c.value} ${c.unit}`.trim();
  if (c.threshold === null) return v;
  return `${v} (${c.comparison === 'below' ? '<' : '≥'} ${c.threshold}; margin ${c.margin})`;
}

/** One progress line for stderr while the Tester runs. */
export function progressLine(c: CheckResult): string {
  return `  ${MARK[c.verdict]}  ${c.title}: ${c.summary}`;
}

/**
 * The end-of-run table, grouped as the spec groups its requirements (RTC for Agents and Users,
 * ACD for Agents, bandwidth for everyone), then the audiences' verdicts and the rules to open.
 */
export function renderTable(report: Report): string {
  const lines: string[] = [];
  const width = Math.min(60, Math.max(...report.checks.map((c) => c.title.length), 10));
  for (const g of Object.keys(GROUP_TITLES) as CheckGroup[]) {
    const cs = report.checks.filter((c) => c.group === g);
    if (!cs.length) continue;
    lines.push('', GROUP_TITLES[g]);
    for (const c of cs) {
      lines.push(`  ${MARK[c.verdict]}  ${pad(c.title.slice(0, width), width)}  ${valueText(c)}`.trimEnd());
      // What went wrong, under anything that did not pass.
      if (c.verdict !== 'pass') lines.push(`        ${c.summary}`);
    }
  }
  const rules = report.checks.filter((c) => c.firewallRule && c.verdict === 'fail');
  if (rules.length) {
    lines.push('', 'Firewall rules to open:');
    const seen = new Set<string>();
    for (const c of rules) {
      const text = describeRule(c.firewallRule!);
      if (!seen.has(text)) lines.push(`  - ${text}`);
      seen.add(text);
    }
  }
  const advice = report.checks.filter(
    (c) => c.recommendation && (c.verdict === 'fail' || c.verdict === 'warn'),
  );
  if (advice.length) {
    lines.push('', 'What to do:');
    const seen = new Set<string>();
    for (const c of advice) {
      if (!seen.has(c.recommendation!)) lines.push(`  - ${c.recommendation}`);
      seen.add(c.recommendation!);
    }
  }
  lines.push(
    '',
    `Agents (RTC + ACD): ${report.audiences.agent.toUpperCase()}    Users (RTC): ${report.audiences.user.toUpperCase()}    ` +
      `Overall: ${report.verdict.toUpperCase()}  (${report.mode} test, ${(report.durationMs / 1000).toFixed(1)} s)`,
    '',
  );
  return lines.join('\n');
}
