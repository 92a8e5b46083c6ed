import { CouldNotRunError, HttpProbeApi, type Report, runTester } from '@switchboard/tester';
import { BrowserPlatform } from '@switchboard/tester/browser';
import { fetchJson } from '../shared/platformClient.js';

/** What the console shows and reports to the ACD (`agent.networkReport`). */
export interface NetworkVerdict {
  ok: boolean;
  /** Short, for the ACD and the supervisor (e.g. `tcp.8089`). */
  reason?: string;
  /** One line a person reads. */
  summary: string;
  /** The failing (or warning) checks, for the agent. */
  problems: string[];
  report: Report | null;
}

async function runWith(token: string, platform: BrowserPlatform): Promise<Report> {
  const api = new HttpProbeApi(platform, { server: location.origin, token });
  return runTester({ api, platform, server: location.origin, mode: 'quick' });
}

/**
 * The Tester's quick mode from this browser, judged for agents (RTC and ACD connectivity).
 * The agent's token is used when it carries the `tester` grant; otherwise the platform's
 * tester token endpoint (off in production). Resolves `null` when the check could not run.
 */
export async function checkAgentNetwork(token: string): Promise<NetworkVerdict | null> {
  const platform = new BrowserPlatform();
  let report: Report;
  try {
    report = await runWith(token, platform);
  } catch (err) {
    if (!(err instanceof CouldNotRunError)) throw err;
    try {
      const fallback = await fetchJson<{ token: string }>('/v1/tester/token');
      report = await runWith(fallback.token, platform);
    } catch {
      return null;
    }
  }
  const agentChecks = report.checks.filter((c) => c.audiences.includes('agent') && c.verdict !== 'skipped');
  const failing = agentChecks.filter((c) => c.verdict === 'fail');
  const warning = agentChecks.filter((c) => c.verdict === 'warn');
  const ok = report.audiences.agent !== 'fail';
  const problems = [...failing, ...warning].map(
    (c) => `${c.verdict === 'fail' ? 'Fails' : 'Warning'}: ${c.title} — ${c.summary}`,
  );
  const summary = ok
    ? warning.length > 0
      ? `Your network meets the requirements, with ${warning.length} warning(s).`
      : 'Your network meets the requirements for calls.'
    : `Your network fails ${failing.length} check(s): ${failing.map((c) => c.title).join('; ')}.`;
  return {
    ok,
    ...(ok
      ? {}
      : {
          reason:
            failing
              .map((c) => c.id)
              .join(',')
              .slice(0, 200) || 'connectivity-check',
        }),
    summary,
    problems,
    report,
  };
}
