import { judgeSample, type Thresholds } from '@switchboard/protocol';
import type { Platform, TurnRelayOutcome, UdpTarget } from '../platform/Platform.js';
import type { ProbeProfile } from '../profile/ProbeProfile.js';
import { mediaHostOf, type ProbeSession } from '../profile/ProbeSession.js';
import type { CheckResult, FirewallRule, Metric } from '../report/Report.js';
import {
  decodeHeader,
  ECHO_REPLY_BYTES,
  encodeHeader,
  MessageType,
  tokenFromHex,
} from '../wire/ProbeWire.js';
import { audiencesOf, checkFromJudgement, makeCheck, round2 } from './CheckBuilder.js';
import type { UdpRangeOutcome } from './udpChecks.js';

/** A parsed `stun:` / `turn:` / `turns:` URL (RFC 7064 / RFC 7065). */
export interface IceUrl {
  url: string;
  scheme: 'stun' | 'turn' | 'turns';
  host: string;
  port: number;
  /** `tls` for `turns:` (TURN over TLS over TCP). */
  transport: 'udp' | 'tcp' | 'tls';
}

/** Parses an ICE server URL; undefined when it is not one. */
export function parseIceUrl(url: string): IceUrl | undefined {
  const m = /^(stuns?|turns?):(\[[0-9A-Fa-f:.]+\]|[^:?]+)(?::(\d+))?(?:\?transport=(udp|tcp))?$/.exec(url);
  if (!m) return undefined;
  const scheme = m[1] as string;
  if (scheme === 'stuns') return undefined;
  const secure = scheme === 'turns';
  const transport = secure ? 'tls' : scheme === 'stun' ? 'udp' : ((m[4] ?? 'udp') as 'udp' | 'tcp');
  if (secure && m[4] === 'udp') return undefined; // DTLS: not offered by Switchboard.
  return {
    url,
    scheme: scheme as IceUrl['scheme'],
    host: (m[2] as string).replace(/^\[|\]$/g, ''),
    port: m[3] ? Number(m[3]) : secure ? 5349 : 3478,
    transport,
  };
}

const TRANSPORT_LABEL = { udp: 'UDP', tcp: 'TCP', tls: 'TLS' } as const;

function turnRule(u: IceUrl): FirewallRule {
  return {
    destination: 'TURN',
    host: u.host,
    protocol: u.transport === 'udp' ? 'UDP' : 'TCP',
    ports: String(u.port),
    why: `${u.scheme === 'stun' ? 'STUN' : `TURN over ${TRANSPORT_LABEL[u.transport]}`} (media relay for restrictive networks)`,
  };
}

/** The TURN URL with credentials the session offers for a transport. */
function turnEntry(
  session: ProbeSession | undefined,
  transport: IceUrl['transport'],
): { url: IceUrl; username: string; credential: string } | undefined {
  for (const server of session?.ice?.iceServers ?? []) {
    if (!server.username || !server.credential) continue;
    for (const raw of server.urls) {
      const url = parseIceUrl(raw);
      if (url && url.scheme !== 'stun' && url.transport === transport)
        return { url, username: server.username, credential: server.credential };
    }
  }
  return undefined;
}

function stunUrl(session: ProbeSession | undefined): IceUrl | undefined {
  for (const server of session?.ice?.iceServers ?? []) {
    for (const raw of server.urls) {
      const url = parseIceUrl(raw);
      if (url?.scheme === 'stun') return url;
    }
  }
  return undefined;
}

function hasTurn(session: ProbeSession | undefined): boolean {
  return (session?.ice?.iceServers ?? []).some((s) => s.urls.some((u) => /^turns?:/.test(u)));
}

export interface NatCheckInputs {
  profile: ProbeProfile;
  session: ProbeSession | undefined;
  platform: Platform;
  /** The UDP range outcomes: the Binding targets are responder ports that answered. */
  udp: UdpRangeOutcome[];
  thresholds: Thresholds;
  timeoutMs: number;
  /** Probes sent through each relay (default 5). */
  relayProbes?: number;
}

const STUN_TITLE = 'STUN binding: public address and NAT type';

/**
 * STUN Binding from one local UDP socket towards two (or more) server ports: the probe
 * responders (which answer Binding requests carrying the session token) and the server's
 * STUN URL. Reports the mapped (public) address and a symmetric-NAT hint: one local port
 * mapped to different public ports per destination means direct media will likely need TURN.
 */
export async function stunBindingCheck(i: NatCheckInputs): Promise<CheckResult> {
  const base = {
    id: 'stun.binding',
    group: 'rtc' as const,
    audiences: audiencesOf('rtc'),
    title: STUN_TITLE,
    unit: 'ms',
  };
  if (!i.platform.stunBindings || !i.session)
    return makeCheck({ ...base, verdict: 'skipped', summary: 'This platform cannot send STUN over UDP.' });
  const targets: UdpTarget[] = [];
  for (const out of i.udp) {
    const host = mediaHostOf(i.session, i.profile, out.service);
    for (const port of out.reachablePorts) {
      if (targets.length < 2 && !targets.some((t) => t.port === port))
        targets.push({ host, port, username: i.session.token });
    }
  }
  const stun = stunUrl(i.session);
  if (stun) targets.push({ host: stun.host, port: stun.port });
  if (targets.length === 0) {
    return makeCheck({
      ...base,
      verdict: 'skipped',
      summary: 'No UDP port of the server answered and it offers no STUN server: no public address to learn.',
    });
  }
  const started = i.platform.now();
  const outcome = await i.platform.stunBindings(targets, i.timeoutMs);
  const answered = outcome.results.filter((r) => r.mapped);
  const metrics: Metric[] = [
    { name: 'serverPorts', value: targets.length, unit: 'ports' },
    { name: 'answered', value: answered.length, unit: 'ports' },
  ];
  const durationMs = i.platform.now() - started;
  if (answered.length === 0) {
    const stunFailed = stun !== undefined;
    return makeCheck({
      ...base,
      verdict: 'fail',
      metrics,
      durationMs,
      summary: `No STUN answer from ${targets.map((t) => `${t.host}:${t.port}`).join(', ')}: UDP to the server is blocked`,
      ...(stunFailed ? { firewallRule: turnRule(stun) } : {}),
      recommendation:
        'UDP to the server is blocked: media can only flow through TURN over TCP or TLS (see the TURN checks).',
    });
  }
  const mapped = answered.map((r) => r.mapped!);
  const first = mapped[0]!;
  const local = outcome.local;
  const same = (a: { address: string; port: number }, b: { address: string; port: number }): boolean =>
    a.address === b.address && a.port === b.port;
  const hint =
    local && mapped.every((m) => same(m, local))
      ? 'no-nat'
      : answered.length < 2
        ? 'unknown'
        : mapped.every((m) => same(m, first))
          ? 'endpoint-independent'
          : 'endpoint-dependent';
  const hintText = {
    'no-nat': 'no NAT on this path',
    unknown: 'NAT type unknown (only one server port answered)',
    'endpoint-independent': 'NAT keeps one public port for every destination (good for direct media)',
    'endpoint-dependent':
      'symmetric NAT: one local port was mapped to different public ports towards two server ports',
  }[hint];
  const rtts = answered.map((r) => r.rttMs ?? 0);
  metrics.push({ name: 'natMapping', value: null, unit: hint });
  return makeCheck({
    ...base,
    verdict: hint === 'endpoint-dependent' ? 'warn' : 'pass',
    value: round2(Math.min(...rtts)),
    metrics,
    durationMs,
    summary: `Public address ${first.address}:${first.port} (local ${local ? `${local.address}:${local.port}` : 'unknown'}); ${hintText}`,
    recommendation:
      hint === 'endpoint-dependent'
        ? 'Behind a symmetric NAT direct media often fails: clients will relay through TURN (make sure the TURN checks pass), or ask the network team for an endpoint-independent NAT mapping.'
        : undefined,
  });
}

/** The echo probes sent through a relay to a probe responder, and how to match the replies. */
function relayProbes(
  token: Uint8Array,
  count: number,
  now: () => number,
): {
  probes: Uint8Array[];
  match: (d: Uint8Array) => number | undefined;
} {
  const streamId = Math.floor(Math.random() * 0xffffffff) >>> 0;
  const probes: Uint8Array[] = [];
  for (let seq = 0; seq < count; seq++) {
    probes.push(
      encodeHeader(
        { type: MessageType.EchoRequest, token, streamId, seq, sendTimeMs: now() },
        ECHO_REPLY_BYTES,
      ),
    );
  }
  return {
    probes,
    match: (d) => {
      const h = decodeHeader(d);
      return h && h.type === MessageType.EchoReply && h.streamId === streamId && h.seq < count
        ? h.seq
        : undefined;
    },
  };
}

/**
 * TURN with each transport forced separately (UDP, TCP, TLS), with the session's
 * time-limited credentials: Allocate, CreatePermission for the media server, probes through
 * the relay to one of the session's UDP responders and back, RTT judged like any RTT.
 * Skipped (with the reason) when the server runs without TURN.
 */
export async function turnChecks(i: NatCheckInputs): Promise<CheckResult[]> {
  const transports = ['udp', 'tcp', 'tls'] as const;
  const withTurn = hasTurn(i.session);
  return Promise.all(
    transports.map(async (transport): Promise<CheckResult> => {
      const label = TRANSPORT_LABEL[transport];
      const entry = turnEntry(i.session, transport);
      const base = {
        id: `turn.${transport}`,
        group: 'rtc' as const,
        audiences: audiencesOf('rtc'),
        title: `TURN over ${label}${entry ? ` (${entry.url.host}:${entry.url.port})` : ''}`,
        unit: 'ms',
      };
      if (!i.session || !i.platform.turnRelay)
        return makeCheck({ ...base, verdict: 'skipped', summary: 'This platform cannot run TURN checks.' });
      if (!withTurn)
        return makeCheck({
          ...base,
          verdict: 'skipped',
          summary:
            'The server runs without TURN (turn.mode: off): clients that cannot reach the UDP media ranges have no relay.',
        });
      if (!entry)
        return makeCheck({
          ...base,
          verdict: 'skipped',
          summary: `The server does not offer TURN over ${label}.`,
        });
      const rtc = i.session.ranges.find((r) => r.service === 'rtc') ?? i.session.ranges[0];
      const peerPort = rtc?.ports[0];
      const peerAddress = i.session.mediaAddress ?? i.profile.services.rtc.host;
      const fw = turnRule(entry.url);
      const started = i.platform.now();
      if (peerPort === undefined)
        return makeCheck({
          ...base,
          verdict: 'skipped',
          summary: 'The probe session opened no UDP responder.',
        });
      const { probes, match } = relayProbes(tokenFromHex(i.session.token), i.relayProbes ?? 5, () =>
        i.platform.now(),
      );
      const out: TurnRelayOutcome = await i.platform.turnRelay({
        transport,
        host: entry.url.host,
        port: entry.url.port,
        username: entry.username,
        credential: entry.credential,
        peer: { address: peerAddress, port: peerPort },
        probes,
        intervalMs: 20,
        matchReply: match,
        timeoutMs: i.timeoutMs,
      });
      const durationMs = i.platform.now() - started;
      const metrics: Metric[] = [];
      if (out.allocateMs !== undefined)
        metrics.push({ name: 'allocate', value: round2(out.allocateMs), unit: 'ms' });
      metrics.push({ name: 'relayProbes', value: out.sent, unit: 'packets' });
      metrics.push({ name: 'relayEchoes', value: out.rttMs.length, unit: 'packets' });
      const where = `${entry.url.host}:${entry.url.port}`;
      const common = { ...base, metrics, durationMs };
      if (out.stage === 'connect' || (out.stage === 'allocate' && out.status === undefined)) {
        if (out.tlsUntrusted) {
          return makeCheck({
            ...common,
            verdict: 'fail',
            summary: `TLS to ${where} connected but its certificate is not trusted: ${out.error}`,
            recommendation: `The TURN server's certificate must be valid for ${entry.url.host} (browsers refuse it otherwise); a TLS-inspecting proxy also causes this.`,
          });
        }
        return makeCheck({
          ...common,
          verdict: 'fail',
          summary: `No TURN over ${label} to ${where}: ${out.error ?? 'no answer'}`,
          firewallRule: fw,
          recommendation: `Open outbound ${fw.protocol} ${fw.ports} to ${entry.url.host} (TURN over ${label}): it carries media when the UDP media ranges are blocked.`,
        });
      }
      if (out.stage === 'allocate') {
        return makeCheck({
          ...common,
          verdict: 'fail',
          summary: `The TURN server refused the allocation over ${label} (${out.status}): ${out.error}`,
          recommendation:
            out.status === 401
              ? 'The TURN server refused the time-limited credentials: its shared secret (turn.secret) or its clock differs from the Switchboard server — contact the server operator.'
              : 'The TURN server is out of allocations or refuses this client: contact the server operator.',
        });
      }
      if (out.stage === 'permission') {
        return makeCheck({
          ...common,
          verdict: 'warn',
          summary: `Allocated a relay over ${label}, but the TURN server refuses to relay to the media server ${peerAddress} (${out.status ?? out.error})`,
          recommendation: `The TURN server denies the media server's address ${peerAddress} as a peer (private or loopback addresses are denied by default): the server operator must add it to turn.managed.allowedPeerIps, or relayed calls cannot reach the media server.`,
        });
      }
      if (out.stage === 'relay' || out.rttMs.length === 0) {
        return makeCheck({
          ...common,
          verdict: 'warn',
          summary: `Allocated a relay over ${label} (${out.relayed ? `${out.relayed.address}:${out.relayed.port}` : '?'}), but no data came back through it from the media server${out.error ? `: ${out.error}` : ''}`,
          recommendation:
            'The relay could not reach the media server: the server operator should check that the TURN relay range and the media ranges can talk to each other.',
        });
      }
      const mean = out.rttMs.reduce((a, b) => a + b, 0) / out.rttMs.length;
      const lossPercent = ((out.sent - out.rttMs.length) / Math.max(1, out.sent)) * 100;
      metrics.push({ name: 'relayLoss', value: round2(lossPercent), unit: '%' });
      const judged = judgeSample({ rttMs: round2(mean), jitterMs: 0, lossPercent: 0 }, i.thresholds)[0]!;
      return checkFromJudgement(
        {
          ...common,
          summary: `Relay ${out.relayed?.address}:${out.relayed?.port} allocated in ${round2(out.allocateMs ?? 0)} ms; ${out.rttMs.length}/${out.sent} probes came back through it, mean RTT ${round2(mean)} ms`,
          recommendation:
            judged.verdict === 'pass'
              ? undefined
              : `Relayed media over ${label} adds latency: prefer opening the UDP media ranges.`,
        },
        judged,
      );
    }),
  );
}
