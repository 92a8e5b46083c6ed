import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../observability/logger.js';
import { CoturnSupervisor } from './CoturnSupervisor.js';
import type { TurnProfile } from './coturnConfig.js';
import { type IceConfiguration, IceServerProvider, type IceServersForOptions } from './IceServerProvider.js';
import type { TurnConfig } from './TurnConfigSchema.js';

/** Options for {@link TurnService.start}. */
export interface TurnServiceOptions {
  turn: TurnConfig;
  profile: TurnProfile;
  /** The main config's dataDir (state goes to `<dataDir>/turn` unless `turn.managed.stateDir`). */
  dataDir: string;
  publicHost: string;
  /** PEM pair for TURN/TLS (the server's TlsMaterial `cert`/`key`). */
  tls?: { cert: string; key: string } | undefined;
  logger?: Logger | undefined;
  /** The bound HTTPS port, for the `turns:` URL with `turn.shareHttpsPort` (see IceServerProviderOptions). */
  httpsPort?: (() => number) | undefined;
}

/** Reads `<stateDir>/secret`, creating it (48 random bytes, base64url, mode 0600) on first use. */
export function loadOrCreateTurnSecret(stateDir: string): string {
  const file = path.join(stateDir, 'secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

/**
 * The `turn` role: in managed mode starts and supervises coturn; in every mode answers
 * {@link TurnService.iceServersFor}. One per process; `close()` stops coturn.
 */
export class TurnService {
  readonly supervisor: CoturnSupervisor | undefined;
  readonly provider: IceServerProvider;
  #closed = false;

  private constructor(provider: IceServerProvider, supervisor: CoturnSupervisor | undefined) {
    this.provider = provider;
    this.supervisor = supervisor;
  }

  /** Starts coturn (managed mode) and resolves when it accepts connections. */
  static async start(options: TurnServiceOptions): Promise<TurnService> {
    const { turn } = options;
    if (turn.mode !== 'managed') {
      return new TurnService(
        new IceServerProvider({
          turn,
          secret: turn.secret,
          publicHost: options.publicHost,
          httpsPort: options.httpsPort,
        }),
        undefined,
      );
    }
    const stateDir = path.resolve(turn.managed.stateDir ?? path.join(options.dataDir, 'turn'));
    const secret = turn.secret ?? loadOrCreateTurnSecret(stateDir);
    const supervisor = new CoturnSupervisor({
      profile: options.profile,
      turn,
      secret,
      stateDir,
      tls: options.tls,
      logger: options.logger,
    });
    try {
      await supervisor.start();
    } catch (err) {
      await supervisor.close();
      throw err;
    }
    return new TurnService(
      new IceServerProvider({ turn, secret, publicHost: options.publicHost, httpsPort: options.httpsPort }),
      supervisor,
    );
  }

  /** See {@link IceServerProvider.iceServersFor}. */
  iceServersFor(identity: string, options?: IceServersForOptions): IceConfiguration {
    return this.provider.iceServersFor(identity, options);
  }

  /** Stops coturn. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.supervisor?.close();
  }
}
