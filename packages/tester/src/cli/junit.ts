import { describeRule } from '../checks/CheckBuilder.js';
import type { CheckGroup, CheckResult, Report } from '../report/Report.js';

/** Section names as the spec groups its tables. */
export const GROUP_TITLES: Record<CheckGroup, string> = {
  rtc: 'RTC — Agents and Users (video gateway)',
  acd: 'ACD — Agents (audio)',
  quality: 'Network bandwidth requirements — everyone',
};

function esc(s: string): string {
  return (
    s
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
      .split('')
      // XML 1.0 forbids control characters other than tab, LF and CR, even when escaped.
      .filter((ch) => ch.charCodeAt(0) >= 0x20 || ch === '\t' || ch === '\n' || ch === '\r')
      .join('')
  );
}

function details(c: CheckResult): string {
  const lines = [c.summary];
  if (c.value !== null) lines.push(`value: ${c.value} ${c.unit}`);
  if (c.threshold !== null)
    lines.push(`threshold: ${c.comparison === 'below' ? '<' : '≥'} ${c.threshold} ${c.unit}`);
  if (c.margin !== null) lines.push(`margin: ${c.margin} ${c.unit}`);
  if (c.firewallRule) lines.push(`firewall rule: ${describeRule(c.firewallRule)}`);
  if (c.recommendation) lines.push(`recommendation: ${c.recommendation}`);
  return lines.join('\n');
}

/**
 * The report as JUnit XML (one `<testsuite>` per spec section, one `<testcase>` per check):
 * fail → `<failure>`, skipped → `<skipped>`, warn → passes with a `WARN` line in `<system-out>`,
 * since JUnit has no warning state.
 */
export function toJUnitXml(report: Report): string {
  const groups = (Object.keys(GROUP_TITLES) as CheckGroup[]).filter((g) =>
    report.checks.some((c) => c.group === g),
  );
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const total = report.checks.length;
  const failures = report.checks.filter((c) => c.verdict === 'fail').length;
  const skipped = report.checks.filter((c) => c.verdict === 'skipped').length;
  out.push(
    `<testsuites name="switchboard-test" tests="${total}" failures="${failures}" errors="0" skipped="${skipped}" time="${(report.durationMs / 1000).toFixed(3)}">`,
  );
  for (const g of groups) {
    const cs = report.checks.filter((c) => c.group === g);
    const time = cs.reduce((s, c) => s + c.durationMs, 0) / 1000;
    out.push(
      `  <testsuite name="${esc(GROUP_TITLES[g])}" tests="${cs.length}" failures="${cs.filter((c) => c.verdict === 'fail').length}" errors="0" skipped="${cs.filter((c) => c.verdict === 'skipped').length}" time="${time.toFixed(3)}" timestamp="${esc(report.startedAt.replace(/Z$/, ''))}" hostname="${esc(report.server)}">`,
    );
    for (const c of cs) {
      const open = `    <testcase classname="switchboard.${g}" name="${esc(`${c.id}: ${c.title}`)}" time="${(c.durationMs / 1000).toFixed(3)}"`;
      if (c.verdict === 'pass') {
        out.push(`${open}/>`);
      } else if (c.verdict === 'skipped') {
        out.push(`${open}>`, `      <skipped message="${esc(c.summary)}"/>`, '    </testcase>');
      } else if (c.verdict === 'warn') {
        out.push(
          `${open}>`,
          `      <system-out>${esc(`WARN: ${details(c)}`)}</system-out>`,
          '    </testcase>',
        );
      } else {
        out.push(
          `${open}>`,
          `      <failure message="${esc(c.summary)}" type="${esc(c.id)}">${esc(details(c))}</failure>`,
          '    </testcase>',
        );
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}
