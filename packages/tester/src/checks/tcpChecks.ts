import type { Platform } from '../platform/Platform.js';
import type { ProbeProfile, ServiceName, TcpRule } from '../profile/ProbeProfile.js';
import type { CheckResult, Metric } from '../report/Report.js';
import { audiencesOf, firewallRuleFor, makeCheck, round2 } from './CheckBuilder.js';

const SERVICE_LABEL: Record<ServiceName, string> = { rtc: 'RTC', acd: 'ACD' };

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e?.code
    ? `${e.code}${e.message && !e.message.includes(e.code) ? ` (${e.message})` : ''}`
    : String(e?.message ?? err);
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** DNS resolution of each service host (same host resolved once, reported per service). */
export async function dnsChecks(profile: ProbeProfile, platform: Platform): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const service of ['rtc', 'acd'] as const) {
    const host = profile.services[service].host;
    const base = {
      id: `dns.${service}`,
      group: service,
      audiences: audiencesOf(service),
      title: `${SERVICE_LABEL[service]} host name resolves (${host})`,
      unit: 'ms',
    };
    if (!platform.resolve) {
      out.push(makeCheck({ ...base, verdict: 'skipped', summary: 'This platform cannot resolve names.' }));
      continue;
    }
    const start = platform.now();
    try {
      const r = await platform.resolve(host);
      const ms = platform.now() - start;
      out.push(
        makeCheck({
          ...base,
          verdict: r.addresses.length ? 'pass' : 'fail',
          value: round2(ms),
          summary: `${host} → ${r.addresses.join(', ')}`,
          durationMs: ms,
        }),
      );
    } catch (err) {
      out.push(
        makeCheck({
          ...base,
          verdict: 'fail',
          summary: `${host} does not resolve: ${reason(err)}`,
          recommendation: `Check the DNS server this computer uses can resolve ${host} (a split-horizon or filtering DNS may hide it).`,
          durationMs: platform.now() - start,
        }),
      );
    }
  }
  return out;
}

/** Checks one TCP rule of the profile the way its purpose needs. */
export async function tcpCheck(
  rule: TcpRule,
  profile: ProbeProfile,
  platform: Platform,
  timeoutMs: number,
): Promise<CheckResult> {
  const host = profile.services[rule.service].host;
  const fw = firewallRuleFor(rule.service, host, 'TCP', { min: rule.port }, rule.description);
  const base = {
    id: `tcp.${rule.service}.${rule.port}`,
    group: rule.service,
    audiences: audiencesOf(rule.service),
    title: `TCP ${rule.port} ${rule.description}`,
    unit: 'ms',
  };
  const start = platform.now();
  const metrics: Metric[] = [];
  const done = (init: Omit<Parameters<typeof makeCheck>[0], keyof typeof base>): CheckResult =>
    makeCheck({ ...base, metrics, durationMs: platform.now() - start, ...init });

  // Reachability first: a refused or silent port is a firewall matter, whatever the purpose.
  let connectMs: number;
  if (!platform.tcpConnect) {
    connectMs = Number.NaN;
  } else {
    try {
      connectMs = await platform.tcpConnect(host, rule.port, timeoutMs);
      metrics.push({ name: 'connect', value: round2(connectMs), unit: 'ms' });
    } catch (err) {
      return done({
        verdict: 'fail',
        summary: `Cannot connect to ${hostPort(host, rule.port)}: ${reason(err)}`,
        firewallRule: fw,
        recommendation: `Open outbound TCP ${rule.port} to ${host}: ${rule.description}.`,
      });
    }
  }
  const value = Number.isNaN(connectMs) ? null : round2(connectMs);
  try {
    switch (rule.purpose) {
      case 'http-redirect': {
        if (!platform.httpGet)
          return done({ verdict: 'skipped', value, summary: 'This platform cannot send plain HTTP.' });
        const res = await platform.httpGet(host, rule.port, rule.path, timeoutMs);
        const toHttps =
          (res.status === 301 || res.status === 308) && (res.location ?? '').startsWith('https://');
        return done({
          verdict: toHttps ? 'pass' : 'warn',
          value,
          summary: toHttps
            ? `Redirects to ${res.location}`
            : `Answers HTTP ${res.status}${res.location ? ` → ${res.location}` : ''}, not a redirect to HTTPS (a proxy may be rewriting it)`,
          recommendation: toHttps
            ? undefined
            : `Make sure nothing between you and ${host} intercepts plain HTTP on port ${rule.port}.`,
        });
      }
      case 'https':
      case 'wss':
      case 'https-api': {
        let tlsNote = '';
        let verdict: 'pass' | 'warn' | 'fail' = 'pass';
        let recommendation: string | undefined;
        if (platform.tlsHandshake) {
          const t = await platform.tlsHandshake(host, rule.port, timeoutMs);
          metrics.push({ name: 'tlsHandshake', value: round2(t.handshakeMs), unit: 'ms' });
          tlsNote = `TLS ${t.protocol}, issuer ${t.issuer || 'unknown'}`;
          if (!t.authorized) {
            // An untrusted chain is what a TLS-intercepting proxy looks like; the issuer names it.
            verdict = platform.insecure ? 'warn' : 'fail';
            tlsNote += `, certificate NOT valid for ${host} (${t.authorizationError ?? 'untrusted'})`;
            recommendation = `The certificate presented on ${host}:${rule.port} is issued by "${t.issuer}". If that is not your server's CA, a proxy intercepts TLS: exempt ${host} from TLS inspection.`;
          }
        }
        if (rule.purpose === 'wss' && platform.wsUpgrade) {
          const ms = await platform.wsUpgrade(`wss://${hostPort(host, rule.port)}${rule.path}`, timeoutMs);
          metrics.push({ name: 'wsUpgrade', value: round2(ms), unit: 'ms' });
          tlsNote += `${tlsNote ? '; ' : ''}WebSocket upgrade OK`;
        } else if (rule.purpose === 'https-api' && platform.httpsGet) {
          const res = await platform.httpsGet(`https://${hostPort(host, rule.port)}${rule.path}`, timeoutMs);
          metrics.push({ name: 'apiResponse', value: round2(res.elapsedMs), unit: 'ms' });
          if (res.status >= 500 || res.status === 0) {
            verdict = 'fail';
            recommendation ??= `The API on ${host}:${rule.port} answered HTTP ${res.status}: contact the server operator.`;
          }
          tlsNote += `${tlsNote ? '; ' : ''}API answered HTTP ${res.status}`;
        } else if (rule.purpose === 'https' && !platform.tlsHandshake && platform.httpsGet) {
          const res = await platform.httpsGet(`https://${hostPort(host, rule.port)}${rule.path}`, timeoutMs);
          tlsNote = `HTTPS answered ${res.status}`;
        }
        return done({
          verdict,
          value,
          summary: tlsNote || 'Connected',
          firewallRule: verdict === 'fail' ? fw : undefined,
          recommendation,
        });
      }
    }
  } catch (err) {
    return done({
      verdict: 'fail',
      value,
      summary: `Connected, but ${rule.purpose === 'wss' ? 'the WebSocket upgrade' : 'the exchange'} failed: ${reason(err)}`,
      firewallRule: fw,
      recommendation: `A firewall or proxy lets TCP ${rule.port} through but breaks ${rule.purpose === 'wss' ? 'WebSocket upgrades' : 'TLS'}: allow ${rule.description} to ${host} without inspection.`,
    });
  }
}
