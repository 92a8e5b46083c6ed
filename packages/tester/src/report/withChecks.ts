import { overallVerdict } from '../checks/CheckBuilder.js';
import type { CheckResult, Report } from './Report.js';

const GROUP_ORDER = ['rtc', 'acd', 'quality'] as const;

/**
 * The report with more checks (the browser's own: camera and microphone, the WebRTC leg)
 * placed in their spec group, and the overall and audience verdicts recomputed the way
 * `runTester` computes them (skipped checks do not count).
 */
export function withChecks(report: Report, extra: readonly CheckResult[]): Report {
  const all = [...report.checks, ...extra]
    .map((c, i) => ({ c, i }))
    .sort((a, b) => GROUP_ORDER.indexOf(a.c.group) - GROUP_ORDER.indexOf(b.c.group) || a.i - b.i)
    .map(({ c }) => c);
  const ran = all.filter((c) => c.verdict !== 'skipped');
  return {
    ...report,
    verdict: overallVerdict(ran.map((c) => c.verdict)),
    audiences: {
      agent: overallVerdict(ran.filter((c) => c.audiences.includes('agent')).map((c) => c.verdict)),
      user: overallVerdict(ran.filter((c) => c.audiences.includes('user')).map((c) => c.verdict)),
    },
    checks: all,
  };
}
