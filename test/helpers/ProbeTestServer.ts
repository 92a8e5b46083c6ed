import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { buildProbeProfile, ProbeService, SimplePortSource } from '@switchboard/server/probe';
import type { ProbeProfile } from '@switchboard/tester';
import { generate } from 'selfsigned';
import { WebSocketServer } from 'ws';

export interface ProbeTestServerOptions {
  /** Address the listeners bind to. */
  bindHost?: string;
  /** Host published in the profile (the relay's address when a relay sits in between). */
  publicHost?: string;
  ranges: { rtc: { min: number; max: number }; acd: { min: number; max: number } };
  /** Random ports per range besides the edges. */
  randomPorts?: number;
  token?: string;
  maxKbps?: number;
}

export interface ProbeTestServer {
  /** Base URL for `--server`. */
  url: string;
  profile: ProbeProfile;
  service: ProbeService;
  ports: SimplePortSource;
  /** PEM of the self-signed certificate (trust it with `--ca`). */
  certPem: string;
  token: string;
  /** Every TCP port listened on (for a relay). */
  tcpPorts: number[];
  close(): Promise<void>;
}

function listen(server: http.Server | https.Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/**
 * A stand-in for the server's probe role, in process: the REST endpoints the lead will expose
 * (`GET /v1/probe/profile`, `POST/DELETE /v1/probe/sessions`), HTTP → HTTPS redirect, two
 * WebSocket endpoints and an HTTPS API, all on loopback ports the OS picks.
 */
export async function startProbeTestServer(o: ProbeTestServerOptions): Promise<ProbeTestServer> {
  const bindHost = o.bindHost ?? '127.0.0.1';
  const publicHost = o.publicHost ?? bindHost;
  const token = o.token ?? 'test-token-0123456789';
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: publicHost }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 3600_000),
    notAfterDate: new Date(now + 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7 as const, ip: '127.0.0.1' },
          { type: 7 as const, ip: '127.0.0.2' },
          { type: 2 as const, value: 'localhost' },
        ],
      },
    ],
  });
  const ports = new SimplePortSource();
  const service = new ProbeService({
    bindHost,
    ranges: o.ranges,
    ports,
    randomPorts: o.randomPorts ?? 4,
    maxKbps: o.maxKbps ?? 2000,
  });
  let profile: ProbeProfile | undefined;

  const json = (res: http.ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'https://x');
    if (req.method === 'GET' && url.pathname === '/v1/probe/profile') {
      json(res, 200, profile);
      return;
    }
    if (url.pathname.startsWith('/v1/probe/sessions')) {
      if (req.headers.authorization !== `Bearer ${token}`) {
        json(res, 401, { code: 'SB_ERR_TOKEN_INVALID', message: 'The access token is not valid.' });
        return;
      }
      if (req.method === 'POST' && url.pathname === '/v1/probe/sessions') {
        service.open(token).then(
          (s) => json(res, 201, s),
          (err: { code?: string; status?: number; message: string }) =>
            json(res, err.status ?? 500, { code: err.code ?? 'SB_ERR_INTERNAL', message: err.message }),
        );
        return;
      }
      if (req.method === 'DELETE') {
        const id = decodeURIComponent(url.pathname.split('/').at(-1) ?? '');
        json(res, service.close(id, token) ? 200 : 404, { closed: id });
        return;
      }
    }
    if (req.method === 'GET' && (url.pathname === '/' || url.pathname === '/v1/health')) {
      json(res, 200, { ok: true });
      return;
    }
    json(res, 404, { code: 'SB_ERR_NOT_FOUND', message: 'No such route.' });
  };

  const tlsOptions = { cert: pems.cert, key: pems.private };
  const web = https.createServer(tlsOptions, handler);
  const gateway = https.createServer(tlsOptions, handler);
  const api = https.createServer(tlsOptions, handler);
  const wss = new WebSocketServer({ noServer: true });
  for (const server of [web, gateway, api]) {
    server.on('upgrade', (req, socket, head) => {
      if (req.url !== '/rtc' && req.url !== '/voip') {
        socket.destroy();
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => ws.close());
    });
  }
  const httpsPort = await listen(web, bindHost);
  const redirect = http.createServer((req, res) => {
    res.writeHead(301, { location: `https://${publicHost}:${httpsPort}${req.url ?? '/'}` });
    res.end();
  });
  const httpPort = await listen(redirect, bindHost);
  const wsPort = await listen(gateway, bindHost);
  const apiPort = await listen(api, bindHost);
  profile = buildProbeProfile({
    rtcHost: publicHost,
    ports: { http: httpPort, https: httpsPort, websocket: wsPort, api: apiPort },
    ranges: o.ranges,
    turnUrls: [`turn:${publicHost}:3478?transport=udp`],
    probe: service.limits,
  });
  const servers = [web, gateway, api, redirect];
  return {
    url: `https://${publicHost}:${httpsPort}`,
    profile,
    service,
    ports,
    certPem: pems.cert,
    token,
    tcpPorts: [httpPort, httpsPort, wsPort, apiPort],
    close: async () => {
      service.shutdown();
      wss.close();
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections();
              s.close(() => resolve());
            }),
        ),
      );
    },
  };
}
