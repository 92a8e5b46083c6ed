import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from '../observability/logger.js';
import { renderCoturnConfig, type TurnProfile } from './coturnConfig.js';
import type { TurnConfig } from './TurnConfigSchema.js';

/** Options for {@link CoturnSupervisor}. */
export interface CoturnSupervisorOptions {
  profile: TurnProfile;
  turn: TurnConfig;
  /** Shared secret written as static-auth-secret. */
  secret: string;
  /** Private directory for turnserver.conf, the user DB, PEM copies and the pid file. */
  stateDir: string;
  /** PEM certificate chain and key for TURN/TLS (copied into stateDir, mode 0600). */
  tls?: { cert: string; key: string } | undefined;
  logger?: Logger | undefined;
  /** How long `start()` waits for coturn to accept TCP connections (default 10 s). */
  readyTimeoutMs?: number | undefined;
}

/** Events of the supervisor (for logs, metrics and tests). */
export interface CoturnSupervisorEvents {
  /** A turnserver process was spawned. */
  spawn: [pid: number];
  /** coturn accepts connections on its TCP port. */
  ready: [pid: number];
  /** The process ended (on its own or killed). */
  exit: [code: number | null, signal: NodeJS.Signals | null];
  /** A restart is scheduled after `delayMs` (attempt counts since the last stable run). */
  restart: [attempt: number, delayMs: number];
  /** A restarted process failed to become ready, or could not be spawned. */
  error: [error: Error];
}

/** coturn's exit before ready, or its binary missing. */
export class CoturnStartError extends Error {
  override readonly name = 'CoturnStartError';
}

/**
 * Runs coturn's `turnserver` as a child process with a generated, hardened config:
 * restarts it with exponential back-off when it dies, stops it on `close()`. A turnserver
 * left behind by a crashed Switchboard (found through the pid file and its command line)
 * is stopped before a new one starts.
 */
export class CoturnSupervisor extends EventEmitter<CoturnSupervisorEvents> {
  readonly configPath: string;
  #options: CoturnSupervisorOptions;
  #child: ChildProcess | undefined;
  #startedAt = 0;
  #attempt = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;
  #started = false;

  constructor(options: CoturnSupervisorOptions) {
    super();
    this.#options = options;
    this.configPath = path.join(options.stateDir, 'turnserver.conf');
  }

  /** The current turnserver pid, if one runs. */
  get pid(): number | undefined {
    return this.#child?.exitCode === null ? this.#child.pid : undefined;
  }

  /** The address `ready` probes: the first listening IP, or loopback when coturn listens on all. */
  get probeAddress(): { host: string; port: number } {
    const ip = this.#options.turn.managed.listeningIps[0];
    return {
      host: ip && ip !== '0.0.0.0' && ip !== '::' ? ip : '127.0.0.1',
      port: this.#options.turn.managed.port,
    };
  }

  /** Writes the config, spawns turnserver and resolves once it accepts connections. */
  async start(): Promise<void> {
    if (this.#started) throw new Error('CoturnSupervisor already started');
    this.#started = true;
    const { stateDir } = this.#options;
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    chmodSync(stateDir, 0o700);
    if (!existsSync(this.#options.turn.managed.binary)) {
      throw new CoturnStartError(
        `coturn not found at ${this.#options.turn.managed.binary} (turn.managed.binary); install coturn or use turn.mode "external"`,
      );
    }
    this.#stopLeftover();
    let tls: { certFile: string; keyFile: string } | undefined;
    if (this.#options.tls && this.#options.turn.managed.tls) {
      tls = { certFile: path.join(stateDir, 'tls.crt'), keyFile: path.join(stateDir, 'tls.key') };
      writeFileSync(tls.certFile, this.#options.tls.cert, { mode: 0o600 });
      writeFileSync(tls.keyFile, this.#options.tls.key, { mode: 0o600 });
    }
    const text = renderCoturnConfig({
      profile: this.#options.profile,
      turn: this.#options.turn,
      secret: this.#options.secret,
      stateDir,
      tls,
    });
    // The file holds the shared secret: owner-only, and never on the command line (ps).
    writeFileSync(this.configPath, text, { mode: 0o600 });
    chmodSync(this.configPath, 0o600);
    const child = this.#spawn();
    await this.#waitReady(child);
  }

  /** Stops turnserver (SIGTERM, then SIGKILL after 3 s) and any pending restart. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#stop();
    return this.#closing;
  }

  async #stop(): Promise<void> {
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  #spawn(): ChildProcess {
    const child = spawn(this.#options.turn.managed.binary, ['-c', this.configPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    this.#startedAt = Date.now();
    const log = this.#options.logger;
    const verbose = this.#options.turn.managed.verbose;
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        if (!log) return;
        if (/ERROR|error:|cannot|Cannot/.test(line)) log.warn({ subsystem: 'turn', coturn: line }, 'coturn');
        else if (verbose) log.info({ subsystem: 'turn', coturn: line }, 'coturn');
        else log.debug({ subsystem: 'turn', coturn: line }, 'coturn');
      });
    }
    child.on('error', (err) => {
      log?.error({ subsystem: 'turn', err }, 'turnserver failed to spawn');
    });
    child.on('exit', (code, signal) => this.#onExit(child, code, signal));
    if (child.pid !== undefined) this.emit('spawn', child.pid);
    return child;
  }

  #onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    this.emit('exit', code, signal);
    if (this.#closing || child !== this.#child) return;
    const { minDelayMs, maxDelayMs, stableAfterMs } = this.#options.turn.managed.restart;
    if (Date.now() - this.#startedAt >= stableAfterMs) this.#attempt = 0;
    const delay = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(this.#attempt, 20));
    this.#attempt++;
    this.#options.logger?.warn(
      { subsystem: 'turn', code, signal, attempt: this.#attempt, delayMs: delay },
      'turnserver exited; restarting',
    );
    this.emit('restart', this.#attempt, delay);
    this.#restartTimer = setTimeout(() => {
      if (this.#closing) return;
      const next = this.#spawn();
      this.#waitReady(next).catch((err: Error) => {
        if (this.listenerCount('error') > 0) this.emit('error', err);
        else this.#options.logger?.error({ subsystem: 'turn', err }, 'restarted turnserver not ready');
      });
    }, delay);
  }

  async #waitReady(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + (this.#options.readyTimeoutMs ?? 10_000);
    const { host, port } = this.probeAddress;
    // Bounded by the deadline; each probe is one TCP connect attempt.
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new CoturnStartError(`turnserver exited during start-up (code ${child.exitCode}); see the log`);
      }
      if (await canConnect(host, port)) {
        if (child.exitCode === null && child.pid !== undefined) {
          this.emit('ready', child.pid);
          return;
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new CoturnStartError(`turnserver did not accept connections on ${host}:${port} in time`);
  }

  /** Stops a turnserver that a previous, crashed run left behind with our config. */
  #stopLeftover(): void {
    const pidFile = path.join(this.#options.stateDir, 'turnserver.pid');
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    rmSync(pidFile, { force: true });
    if (!Number.isInteger(pid) || pid <= 1) return;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes('turnserver') && cmdline.includes(this.configPath)) {
        process.kill(pid, 'SIGKILL');
        this.#options.logger?.warn({ subsystem: 'turn', pid }, 'stopped a leftover turnserver');
      }
    } catch {
      // Not running (or not ours to inspect): nothing to stop.
    }
  }
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}
