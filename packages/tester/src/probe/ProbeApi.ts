import type { Platform } from '../platform/Platform.js';
import { type ProbeProfile, ProbeProfileSchema } from '../profile/ProbeProfile.js';
import { type ProbeSession, ProbeSessionSchema } from '../profile/ProbeSession.js';
import { CouldNotRunError } from './CouldNotRunError.js';

/** The server endpoints the Tester uses; the HTTP one below is the real one. */
export interface ProbeApi {
  /** `GET /v1/probe/profile`. */
  profile(): Promise<ProbeProfile>;
  /** `POST {profile.probe.sessionPath}`: opens UDP responders for this run. */
  openSession(profile: ProbeProfile): Promise<ProbeSession>;
  /** `DELETE {sessionPath}/{id}`; never throws (the server closes it on its own later). */
  closeSession(profile: ProbeProfile, id: string): Promise<void>;
}

export interface HttpProbeApiOptions {
  /** Base URL of the server, e.g. `https://switchboard.example.com`. */
  server: string;
  /** Access token (Bearer) with which to open probe sessions. */
  token?: string | undefined;
  timeoutMs?: number;
}

function errorCode(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { code?: unknown; error?: { code?: unknown } };
    const code = parsed.code ?? parsed.error?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/** Parses and checks the server URL; throws `bad-url` with what is wrong. */
export function parseServerUrl(server: string): URL {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new CouldNotRunError(
      'bad-url',
      `"${server}" is not a URL: pass --server https://your-switchboard-host`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CouldNotRunError('bad-url', `--server must be an http(s) URL, got ${url.protocol}`);
  }
  return url;
}

/** {@link ProbeApi} over the server's REST endpoints. */
export class HttpProbeApi implements ProbeApi {
  readonly #base: URL;
  readonly #platform: Platform;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;

  constructor(platform: Platform, options: HttpProbeApiOptions) {
    this.#base = parseServerUrl(options.server);
    this.#platform = platform;
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? 5000;
  }

  async #call(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    auth: boolean,
  ): Promise<{ status: number; body: string }> {
    const url = new URL(path, this.#base).toString();
    const headers: Record<string, string> = {};
    if (auth && this.#token) headers.authorization = `Bearer ${this.#token}`;
    try {
      return await this.#platform.request({
        method,
        url,
        headers,
        ...(method === 'POST' ? { body: '{}' } : {}),
        timeoutMs: this.#timeoutMs,
      });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const code = e.code ?? e.message;
      if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(String(code))) {
        throw new CouldNotRunError(
          'unreachable',
          `${this.#base.host}: TLS certificate not trusted (${code}); if this is a test server, rerun with --insecure`,
        );
      }
      throw new CouldNotRunError(
        'unreachable',
        `Cannot reach ${this.#base.host} (${code}): check the --server URL and that this computer can open HTTPS to it`,
      );
    }
  }

  async profile(): Promise<ProbeProfile> {
    const res = await this.#call('GET', '/v1/probe/profile', false);
    if (res.status !== 200) {
      throw new CouldNotRunError(
        res.status >= 500 ? 'server-error' : 'bad-profile',
        `${this.#base.host} answered HTTP ${res.status} for /v1/probe/profile: is this a Switchboard server with the probe role?`,
      );
    }
    try {
      return ProbeProfileSchema.parse(JSON.parse(res.body));
    } catch {
      throw new CouldNotRunError(
        'bad-profile',
        `${this.#base.host} sent a probe profile this Tester does not understand: update switchboard-test`,
      );
    }
  }

  async openSession(profile: ProbeProfile): Promise<ProbeSession> {
    if (!this.#token) {
      throw new CouldNotRunError(
        'token-required',
        'No access token: pass --token or set SWITCHBOARD_TOKEN (a token with the tester grant: switchboard token --tester)',
      );
    }
    const res = await this.#call('POST', profile.probe.sessionPath, true);
    if (res.status === 401 || res.status === 403) {
      const code = errorCode(res.body) ?? `HTTP ${res.status}`;
      throw new CouldNotRunError(
        'token-refused',
        `The server refused the access token (${code}): mint a fresh token and pass it with --token`,
      );
    }
    if (res.status === 429) {
      throw new CouldNotRunError(
        'rate-limited',
        'The server is rate-limiting probe sessions: wait a minute and run again',
      );
    }
    if (res.status < 200 || res.status >= 300) {
      throw new CouldNotRunError(
        'server-error',
        `Opening a probe session failed with HTTP ${res.status} (${errorCode(res.body) ?? 'no code'})`,
      );
    }
    try {
      return ProbeSessionSchema.parse(JSON.parse(res.body));
    } catch {
      throw new CouldNotRunError(
        'bad-profile',
        'The server sent a probe session this Tester does not understand: update switchboard-test',
      );
    }
  }

  async closeSession(profile: ProbeProfile, id: string): Promise<void> {
    try {
      await this.#call('DELETE', `${profile.probe.sessionPath}/${encodeURIComponent(id)}`, true);
    } catch {
      // The session expires on its own; a failed close is not worth failing the run for.
    }
  }
}
