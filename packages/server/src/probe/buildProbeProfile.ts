import { SPEC_THRESHOLDS, type Thresholds } from '@switchboard/protocol';
import { type ProbeProfile, ProbeProfileSchema } from '@switchboard/tester';

/** Plain inputs of the profile: what the server's config says, as clients must use it. */
export interface ProbeProfileInputs {
  /** Host clients use for RTC (video gateway) and ACD; often the same public host. */
  rtcHost: string;
  acdHost?: string;
  /** TCP ports as clients reach them (after any shift or NAT). */
  ports: { http: number; https: number; websocket: number; api: number };
  ranges: { rtc: { min: number; max: number }; acd: { min: number; max: number } };
  turnUrls: string[];
  thresholds?: Partial<Thresholds>;
  /** Paths used by the checks (defaults: `/rtc` for the gateway WebSocket, `/voip` for ACD VoIP, `/v1/health` for the API). */
  paths?: { rtcWebSocket?: string; acdWebSocket?: string; apiHealth?: string };
  probe: { maxKbps: number; maxStreamMs: number; sessionPath?: string };
}

/**
 * `GET /v1/probe/profile`: the spec's firewall tables filled with this server's hosts, ports
 * and ranges. Validated against the shared schema so server and Tester cannot drift apart.
 */
export function buildProbeProfile(i: ProbeProfileInputs): ProbeProfile {
  const acdHost = i.acdHost ?? i.rtcHost;
  const paths = { rtcWebSocket: '/rtc', acdWebSocket: '/voip', apiHealth: '/v1/health', ...i.paths };
  const profile: ProbeProfile = {
    version: 1,
    services: { rtc: { host: i.rtcHost }, acd: { host: acdHost } },
    tcp: [
      {
        service: 'rtc',
        port: i.ports.http,
        purpose: 'http-redirect',
        path: '/',
        description: 'HTTP - Web Access (Forwarded)',
      },
      {
        service: 'rtc',
        port: i.ports.https,
        purpose: 'https',
        path: '/',
        description: 'HTTPS - Secure Web Access',
      },
      {
        service: 'rtc',
        port: i.ports.websocket,
        purpose: 'wss',
        path: paths.rtcWebSocket,
        description: 'Websocket - Video Gateway (Recommended)',
      },
      {
        service: 'rtc',
        port: i.ports.api,
        purpose: 'https-api',
        path: paths.apiHealth,
        description: 'HTTPS-API - Video Gateway (Alternative)',
      },
      {
        service: 'acd',
        port: i.ports.http,
        purpose: 'http-redirect',
        path: '/',
        description: 'HTTP - Web Access (Forwarded)',
      },
      {
        service: 'acd',
        port: i.ports.https,
        purpose: 'https',
        path: '/',
        description: 'HTTPS - Secure Web Access',
      },
      {
        service: 'acd',
        port: i.ports.api,
        purpose: 'wss',
        path: paths.acdWebSocket,
        description: 'Websocket - VoIP',
      },
    ],
    udp: [
      { service: 'rtc', ...i.ranges.rtc, description: 'RTP Media (Video)' },
      { service: 'acd', ...i.ranges.acd, description: 'RTP Media (Audio)' },
    ],
    turn: { urls: [...i.turnUrls] },
    thresholds: { ...SPEC_THRESHOLDS, ...i.thresholds },
    probe: {
      maxKbps: i.probe.maxKbps,
      maxStreamMs: i.probe.maxStreamMs,
      sessionPath: i.probe.sessionPath ?? '/v1/probe/sessions',
    },
  };
  return ProbeProfileSchema.parse(profile);
}
