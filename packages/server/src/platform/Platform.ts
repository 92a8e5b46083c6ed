import { existsSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { availableParallelism, hostname } from 'node:os';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import { RESUME_KEY_HEADER } from '@switchboard/protocol';
import Fastify, { type FastifyInstance } from 'fastify';
import { type ApiKey, ApiKeys, DEV_KEY_PREFIX, generateDevKey } from '../auth/ApiKeys.js';
import { TokenService } from '../auth/TokenService.js';
import { ConfigError } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { installErrorHandling } from '../http/errorHandling.js';
import { longPollRoutes } from '../http/longPollRoutes.js';
import { buildOpenApi, type RouteSpec, registerRoutes } from '../http/routes.js';
import { type ReadinessCheck, webRoutes } from '../http/webRoutes.js';
import { resolveListenAddress } from '../media/listenAddress.js';
import { MediaServer } from '../media/MediaServer.js';
import type { MediaService } from '../media/MediaService.js';
import { PortAllocator } from '../media/PortAllocator.js';
import { MediaWorkerPool } from '../media/workers/MediaWorkerPool.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { Metrics } from '../observability/metrics.js';
import { CallDirectory } from '../roles/call/CallDirectory.js';
import { webRoot } from '../roles/web/webRole.js';
import { SignallingService } from '../signalling/SignallingService.js';
import { WebSocketGateway } from '../signalling/WebSocketGateway.js';
import { SqliteStore } from '../store/SqliteStore.js';
import type { Store } from '../store/Store.js';
import { loadOrCreateTls, type TlsMaterial } from '../tls/certificate.js';
import { createSharedHttpsDemux } from '../turn/sharedHttpsPort.js';
import type { TlsPortDemux } from '../turn/TlsPortDemux.js';
import { TurnService } from '../turn/TurnService.js';
import { VERSION } from '../version.js';
import { listen } from './listen.js';
import { PortBindError } from './PortBindError.js';
import type { RoleContext, RoleHandle } from './RoleContext.js';
import { ROLES } from './roles.js';

/** The ports actually bound (differs from config when a port of 0 was asked for). */
export interface BoundPorts {
  http: number;
  https: number;
  websocket: number;
  api: number;
}

export interface PlatformOptions {
  /** Log destination (tests capture logs); stdout by default. */
  logDestination?: NodeJS.WritableStream;
  /** Where the start-up banner goes; stdout by default, nothing in the test profile. */
  print?: (line: string) => void;
}

const DEV_KEY_META = 'auth.devApiKey';
const MIN_PRODUCTION_SECRET = 32;

/**
 * Every role in one process on embedded defaults: HTTP 80 → 301, HTTPS 443 (REST,
 * health, metrics), WSS 8989 signalling, HTTPS 8089 long-poll API + the agents' VoIP WSS.
 */
export class Platform {
  readonly config: Readonly<Config>;
  readonly log: Logger;
  readonly metrics = new Metrics();
  #store: SqliteStore | null = null;
  #tls: TlsMaterial | null = null;
  #keys: ApiKeys | null = null;
  #devKey: ApiKey | null = null;
  #tokens: TokenService | null = null;
  #signalling: SignallingService | null = null;
  #turn: TurnService | null = null;
  #web: FastifyInstance | null = null;
  /** `turn.shareHttpsPort`: owns the HTTPS port, hands HTTPS to `#web` and TURN/TLS to coturn. */
  #demux: TlsPortDemux | null = null;
  #api: FastifyInstance | null = null;
  #redirect: HttpServer | null = null;
  #wss: HttpsServer | null = null;
  #gateways: WebSocketGateway[] = [];
  #bound: BoundPorts | null = null;
  #ports: PortAllocator | null = null;
  #media: MediaService | null = null;
  #roles: RoleHandle[] = [];
  #extraReadiness: ReadinessCheck[] = [];
  #state: 'new' | 'starting' | 'running' | 'draining' | 'stopped' = 'new';
  readonly #print: (line: string) => void;
  readonly #logDestination: NodeJS.WritableStream | undefined;

  constructor(config: Readonly<Config>, options: PlatformOptions = {}) {
    this.config = config;
    this.log = createLogger({
      level: config.log.level,
      ...(options.logDestination ? { destination: options.logDestination } : {}),
    });
    this.#logDestination = options.logDestination;
    this.#print =
      options.print ?? (config.profile === 'test' ? () => {} : (line) => process.stdout.write(`${line}\n`));
  }

  get ports(): BoundPorts {
    if (!this.#bound) throw new Error('The platform is not started.');
    return this.#bound;
  }

  get tokens(): TokenService {
    if (!this.#tokens) throw new Error('The platform is not started.');
    return this.#tokens;
  }

  get signalling(): SignallingService {
    if (!this.#signalling) throw new Error('The platform is not started.');
    return this.#signalling;
  }

  /** The media layer: a {@link MediaServer} here, or a {@link MediaWorkerPool} with `media.workers`. */
  get media(): MediaService {
    if (!this.#media) throw new Error('The platform is not started.');
    return this.#media;
  }

  /** The UDP port allocator shared by the media server, the ACD and the Tester probes. */
  get portAllocator(): PortAllocator {
    if (!this.#ports) throw new Error('The platform is not started.');
    return this.#ports;
  }

  get turn(): TurnService {
    if (!this.#turn) throw new Error('The platform is not started.');
    return this.#turn;
  }

  get tls(): TlsMaterial {
    if (!this.#tls) throw new Error('The platform is not started.');
    return this.#tls;
  }

  /** The development key printed at start-up (development and test profiles only). */
  get devKey(): ApiKey | null {
    return this.#devKey;
  }

  /** A started role's handle by name (e.g. `'acd'`): for wiring between roles, and for tests. */
  role<T extends RoleHandle = RoleHandle>(name: string): T | undefined {
    return this.#roles.find((r) => r.name === name) as T | undefined;
  }

  get state(): string {
    return this.#state;
  }

  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error(`Cannot start a platform that is ${this.#state}.`);
    this.#state = 'starting';
    try {
      await this.#start();
    } catch (err) {
      await this.#closeEverything();
      this.#state = 'stopped';
      throw err;
    }
    this.#state = 'running';
    this.#banner();
  }

  async #start(): Promise<void> {
    const config = this.config;
    this.#store = SqliteStore.inDataDir(config.dataDir, [], {
      synchronous: config.store.synchronous,
      backgroundCheckpointMs: 1000,
    });
    this.#keys = new ApiKeys(this.#apiKeys(this.#store));
    this.#tokens = new TokenService(this.#keys, config.auth);
    this.#tls = await loadOrCreateTls({
      ...config.tls,
      dataDir: config.dataDir,
      publicHost: config.publicHost,
      // The managed coturn serves TLS with the same pair: its turns: names must be on it.
      extraHosts:
        config.turn.mode === 'managed'
          ? [config.turn.host, config.turn.publicTlsHost].filter((h): h is string => Boolean(h))
          : [],
    });
    this.#turn = await TurnService.start({
      turn: config.turn,
      profile: config.profile,
      dataDir: config.dataDir,
      publicHost: config.publicHost,
      tls: { cert: this.#tls.cert, key: this.#tls.key },
      logger: this.log.child({ subsystem: 'turn' }),
      httpsPort: () => this.#bound?.https ?? config.ports.https,
    });
    this.#signalling = new SignallingService(
      config.signalling,
      this.#tokens,
      { version: VERSION, node: hostname() },
      this.log.child({ subsystem: 'signalling' }),
      this.metrics,
    );

    this.#ports = new PortAllocator({ rtc: config.media.rtcPorts, acd: config.media.acdPorts });
    const m = config.media;
    const workers = m.workers === 'auto' ? availableParallelism() : m.workers;
    const listenAddress = resolveListenAddress(m.listenAddress);
    const mediaSettings = {
      rangeName: 'rtc',
      inactivityTimeoutMs: m.inactivityTimeoutMs,
      qualityIntervalMs: m.qualityIntervalMs,
      h264: m.h264,
      forwarding: m.forwarding,
      iceTcp: m.iceTcp,
      singlePort: m.singlePort,
    };
    this.#media =
      workers > 0
        ? await MediaWorkerPool.start({
            workers,
            media: {
              ...mediaSettings,
              listenAddress,
              announcedAddress: m.announcedAddress ?? listenAddress,
              logLevel: config.log.level,
            },
            ports: this.#ports,
            logger: this.log,
            ...(this.#logDestination ? { logDestination: this.#logDestination } : {}),
          })
        : new MediaServer({
            ...mediaSettings,
            listenAddress,
            ...(m.announcedAddress ? { announcedAddress: m.announcedAddress } : {}),
            portAllocator: this.#ports,
            logger: this.log,
          });

    const routes: RouteSpec[] = [];
    const apiRoutes = longPollRoutes(this.#signalling, config.http.tokenRequestsPerMinute);
    const readiness: ReadinessCheck[] = [];
    const context: RoleContext = {
      config,
      log: this.log,
      metrics: this.metrics,
      store: this.#store,
      tokens: this.#tokens,
      keys: this.#keys,
      tls: this.#tls,
      signalling: this.#signalling,
      turn: this.#turn,
      ports: this.#ports,
      media: this.#media,
      calls: new CallDirectory(),
      webRoutes: routes,
      apiRoutes,
      readiness,
      listening: () => this.ports,
    };
    for (const role of ROLES) this.#roles.push(await role(context));
    this.#extraReadiness = readiness;
    const openApi = () => buildOpenApi([...routes, ...apiRoutes], { title: 'Switchboard', version: VERSION });
    routes.push(
      ...webRoutes({
        keys: this.#keys,
        tokens: this.#tokens,
        signalling: this.#signalling,
        metrics: this.metrics,
        readiness: () => this.#readiness(),
        tokenRequestsPerMinute: config.http.tokenRequestsPerMinute,
        openApi,
        turn: this.#turn,
      }),
    );

    this.#web = await this.#fastify('https', routes, webRoot(config.web.root));
    // Signalling on 443 too: for networks where 443 is the only open port.
    this.#gateways.push(
      new WebSocketGateway(this.#signalling, this.#web.server, {
        paths: ['/v1/signalling'],
        listener: 'https',
      }),
    );
    this.#api = await this.#fastify('api', [...apiRoutes, ...routes.filter((r) => r.url === '/healthz')]);
    this.#gateways.push(
      new WebSocketGateway(this.#signalling, this.#api.server, {
        paths: ['/v1/voip', '/v1/signalling'],
        listener: 'api',
      }),
    );
    this.#wss = createHttpsServer(this.#tlsOptions(), (req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const ok = path === '/healthz';
      res.writeHead(ok ? 200 : 426, {
        'content-type': 'application/json',
        ...(ok ? {} : { upgrade: 'websocket' }),
      });
      res.end(
        JSON.stringify(
          ok
            ? { status: 'ok' }
            : { error: { code: 'SB_ERR_NOT_FOUND', message: 'This port speaks WebSocket only.' } },
        ),
      );
    });
    this.#gateways.push(
      new WebSocketGateway(this.#signalling, this.#wss, {
        paths: ['/', '/v1/signalling'],
        listener: 'websocket',
      }),
    );
    this.#redirect = createHttpServer(this.#slowClientOptions(), (req, res) =>
      this.#redirectToHttps(req.url ?? '/', req.headers.host, res),
    );

    const host = config.listenHost;
    const https = await this.#listenHttps(host);
    const api = await this.#api.listen({ port: config.ports.api, host }).then(
      () => (this.#api!.server.address() as { port: number }).port,
      (err: NodeJS.ErrnoException) => Promise.reject(this.#bindError(config.ports.api, 'ports.api', err)),
    );
    const websocket = await listen(this.#wss, config.ports.websocket, host, 'ports.websocket');
    this.#bound = { https, api, websocket, http: 0 };
    this.#bound.http = await listen(this.#redirect, config.ports.http, host, 'ports.http');
    // Machine-readable in every profile (the banner is not printed in the test profile).
    this.log.info({ ports: this.#bound, publicHost: config.publicHost }, 'listening');
  }

  /** Binds the HTTPS port: fastify itself, or the TURN/TLS demux in front of it (`turn.shareHttpsPort`). */
  async #listenHttps(host: string): Promise<number> {
    const { ports, turn, publicHost, tls } = this.config;
    if (!turn.shareHttpsPort) {
      return this.#web!.listen({ port: ports.https, host }).then(
        () => (this.#web!.server.address() as { port: number }).port,
        (err: NodeJS.ErrnoException) => Promise.reject(this.#bindError(ports.https, 'ports.https', err)),
      );
    }
    this.#demux = createSharedHttpsDemux({
      turn,
      publicHost,
      https: this.#web!.server,
      helloTimeoutMs: tls.handshakeTimeoutMs,
    });
    const demuxLog = this.log.child({ subsystem: 'turn-demux' });
    this.#demux.on('drop', (reason, remote) => demuxLog.debug({ reason, remote }, 'connection dropped'));
    return listen(this.#demux.server, ports.https, host, 'ports.https');
  }

  #bindError(port: number, key: string, err: NodeJS.ErrnoException): Error {
    return err.code ? new PortBindError(port, key, this.config.listenHost, err) : err;
  }

  #apiKeys(store: Store): ApiKey[] {
    const { profile, auth } = this.config;
    if (profile === 'production') {
      const problems: { key: string; message: string; source: string }[] = [];
      if (auth.apiKeys.length === 0) {
        problems.push({
          key: 'auth.apiKeys',
          message: 'production needs at least one API key/secret pair',
          source: 'configuration',
        });
      }
      auth.apiKeys.forEach((k, i) => {
        if (k.key.startsWith(DEV_KEY_PREFIX)) {
          problems.push({
            key: `auth.apiKeys.${i}.key`,
            message: `"${k.key}" is a development key; production refuses it`,
            source: 'configuration',
          });
        }
        if (k.secret.length < MIN_PRODUCTION_SECRET) {
          problems.push({
            key: `auth.apiKeys.${i}.secret`,
            message: `production secrets need at least ${MIN_PRODUCTION_SECRET} characters`,
            source: 'configuration',
          });
        }
        if (k.secret === store.getMeta(DEV_KEY_META)?.split(':').slice(1).join(':')) {
          problems.push({
            key: `auth.apiKeys.${i}.secret`,
            message: 'this is the generated development secret; production refuses it',
            source: 'configuration',
          });
        }
      });
      if (problems.length) throw new ConfigError(problems);
      return [...auth.apiKeys];
    }
    if (auth.apiKeys.length > 0) return [...auth.apiKeys];
    const saved = store.getMeta(DEV_KEY_META);
    if (saved) {
      const colon = saved.indexOf(':');
      this.#devKey = { key: saved.slice(0, colon), secret: saved.slice(colon + 1) };
    } else {
      this.#devKey = generateDevKey();
      store.setMeta(DEV_KEY_META, `${this.#devKey.key}:${this.#devKey.secret}`);
    }
    return [this.#devKey];
  }

  #tlsOptions() {
    const tls = this.#tls!;
    return {
      key: tls.key,
      cert: tls.cert,
      handshakeTimeout: this.config.tls.handshakeTimeoutMs,
      ...this.#slowClientOptions(),
    };
  }

  /** Slow-loris guards: headers and whole requests must arrive in bounded time, checked every second. */
  #slowClientOptions() {
    return {
      headersTimeout: this.config.http.headersTimeoutMs,
      requestTimeout: this.config.http.requestTimeoutMs,
      connectionsCheckingInterval: 1000,
      keepAliveTimeout: 5000,
    };
  }

  async #fastify(listener: string, routes: RouteSpec[], staticRoot?: string): Promise<FastifyInstance> {
    const isApi = listener === 'api';
    const app = Fastify({
      https: this.#tlsOptions(),
      logger: false,
      bodyLimit: this.config.signalling.maxFrameBytes,
      requestTimeout: this.config.http.requestTimeoutMs,
      return503OnClosing: true,
      forceCloseConnections: true,
    });
    installErrorHandling(app, this.log.child({ subsystem: listener }), this.metrics);
    await app.register(rateLimit, {
      global: true,
      max: this.config.http.requestsPerMinute,
      timeWindow: 60_000,
      // Long-poll traffic is authenticated per session and limited per session instead.
      allowList: (request) => request.url.startsWith('/v1/lp/sessions/'),
    });
    if (isApi) {
      // The long-poll API is called from pages on other origins (our 443, sites embedding the
      // widget). It carries no cookies — sessions are authenticated by token and resume key —
      // so any origin may call it.
      await app.register(cors, {
        origin: '*',
        methods: ['GET', 'POST', 'DELETE'],
        allowedHeaders: ['content-type', RESUME_KEY_HEADER],
        maxAge: 600,
      });
    }
    app.addHook('onResponse', (request, reply, done) => {
      this.metrics.httpDuration.observe(
        {
          listener,
          route: request.routeOptions.url ?? 'unmatched',
          status: `${Math.floor(reply.statusCode / 100)}xx`,
        },
        reply.elapsedTime / 1000,
      );
      done();
    });
    registerRoutes(app, routes);
    if (staticRoot && existsSync(staticRoot)) {
      await app.register(fastifyStatic, {
        root: staticRoot,
        prefix: '/',
        index: ['index.html'],
        redirect: true,
      });
      app.get('/', (_request, reply) => reply.redirect('/demo/', 302));
    }
    await app.ready();
    return app;
  }

  #redirectToHttps(
    url: string,
    hostHeader: string | undefined,
    res: import('node:http').ServerResponse,
  ): void {
    // Keep the host the client asked for when it is a plain host name or address.
    const asked = hostHeader?.replace(/:\d+$/, '');
    const host =
      asked && /^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/.test(asked) ? asked : this.config.publicHost;
    const port = this.#bound?.https ?? this.config.ports.https;
    const location = `https://${host}${port === 443 ? '' : `:${port}`}${url.startsWith('/') ? url : '/'}`;
    res.writeHead(301, { location, 'content-type': 'text/plain' });
    res.end(`Moved to ${location}\n`);
  }

  #readiness() {
    return [
      { name: 'accepting', ok: () => this.#state === 'running' },
      { name: 'store', ok: () => this.#store?.healthy() ?? false },
      ...this.#extraReadiness,
      {
        name: 'listeners',
        ok: () =>
          Boolean(
            (this.#demux?.server ?? this.#web?.server)?.listening &&
              this.#api?.server.listening &&
              this.#wss?.listening,
          ),
      },
    ];
  }

  #banner(): void {
    const p = this.ports;
    const c = this.config;
    const host = c.publicHost;
    const url = (scheme: string, port: number, path = '') =>
      `${scheme}://${host}${(scheme === 'https' || scheme === 'wss') && port === 443 ? '' : scheme === 'http' && port === 80 ? '' : `:${port}`}${path}`;
    const lines = [
      `Switchboard ${VERSION} — profile ${c.profile}, data in ${c.dataDir}`,
      `  HTTP  (redirects to HTTPS)   ${url('http', p.http)}                 [ports.http]`,
      `  HTTPS web + REST API         ${url('https', p.https)}/v1            [ports.https]`,
      `        health / readiness     ${url('https', p.https, '/healthz')}  ${url('https', p.https, '/readyz')}`,
      `        metrics / OpenAPI      ${url('https', p.https, '/metrics')}  ${url('https', p.https, '/v1/openapi.json')}`,
      `  WSS   signalling             ${url('wss', p.websocket, '/v1/signalling')}   [ports.websocket]`,
      `  HTTPS long-poll API          ${url('https', p.api, '/v1/lp/sessions')}   [ports.api]`,
      `  WSS   agents' VoIP           ${url('wss', p.api, '/v1/voip')}   [ports.api]`,
    ];
    if (c.turn.shareHttpsPort) {
      const turns = this.#turn?.provider.urls().turn.find((u) => u.startsWith('turns:'));
      lines.push(`  TURN/TLS shares the HTTPS port  ${turns}   [turn.shareHttpsPort]`);
    }
    if (c.ports.shifted) {
      lines.push(
        `  Note: not running as root, so HTTP/HTTPS moved from 80/443 to ${p.http}/${p.https} (ports.privileged=auto).`,
        '        Run as root, or set ports.http / ports.https, for the spec\u2019s ports.',
      );
    }
    if (this.#tls?.selfSigned) {
      lines.push(
        `  TLS: self-signed certificate ${this.#tls.certPath} (clients need -k / --insecure or to trust it).`,
      );
    }
    if (this.#devKey) {
      lines.push(
        `  Development API key: ${this.#devKey.key}`,
        `  Development API secret: ${this.#devKey.secret}`,
        '  (generated once, stored in the data directory; production refuses it)',
        `  Mint a token:  npx switchboard token --identity alice --tester --data-dir ${c.dataDir}`,
      );
    }
    lines.push(
      `Ready. Stop with Ctrl-C or SIGTERM (clients get up to ${c.shutdown.drainTimeoutMs / 1000} s to leave).`,
    );
    this.#print(lines.join('\n'));
  }

  /**
   * Graceful shutdown: readiness goes false, clients get `server.draining`, and the
   * process waits up to `shutdown.drainTimeoutMs` for them to leave before closing.
   */
  async stop(): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'draining') return;
    const wasRunning = this.#state === 'running';
    this.#state = 'draining';
    if (wasRunning && this.#signalling) {
      const { drainTimeoutMs, reconnectAfterMs } = this.config.shutdown;
      this.log.info({ drainTimeoutMs, sessions: this.#signalling.sessions.size }, 'draining');
      this.#signalling.sessions.drain(reconnectAfterMs, 'shutdown');
      const deadline = performance.now() + drainTimeoutMs;
      while (this.#signalling.sessions.size > 0 && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await this.#closeEverything();
    this.#state = 'stopped';
    this.log.info('stopped');
    this.log.flush?.();
  }

  async #closeEverything(): Promise<void> {
    for (const role of [...this.#roles].reverse()) {
      try {
        await role.close();
      } catch (err) {
        this.log.error({ err, role: role.name }, 'role failed to close');
      }
    }
    this.#roles = [];
    await this.#media?.close();
    for (const gateway of this.#gateways) gateway.close();
    this.#signalling?.close();
    const closing: Promise<unknown>[] = [];
    if (this.#demux) {
      closing.push(this.#demux.close());
      // fastify only force-closes connections of a server it made listen itself.
      this.#web?.server.closeAllConnections();
    }
    if (this.#web) closing.push(this.#web.close());
    if (this.#api) closing.push(this.#api.close());
    for (const server of [this.#wss, this.#redirect]) {
      if (server?.listening) {
        closing.push(new Promise((r) => server.close(r)));
        server.closeAllConnections();
      }
    }
    await Promise.allSettled(closing);
    await this.#turn?.close();
    await this.#store?.close();
  }
}
