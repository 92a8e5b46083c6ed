import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { Store } from './Store.js';

/** One schema migration: applied once, in order, inside a transaction. */
export interface Migration {
  version: number;
  name: string;
  up: string;
}

const CORE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'meta',
    up: 'CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL)',
  },
];

/**
 * When a commit returns (SQLite `synchronous` in WAL mode):
 * - `full`: after the WAL is fsynced — the change survives `kill -9`, an OS crash and power loss.
 * - `normal`: after the WAL write reached the OS (fsync only at checkpoints) — the change
 *   survives `kill -9` of the process (the OS still holds it), not an OS crash or power loss,
 *   which may lose the last commits (never corrupt the file). About 10× cheaper per commit.
 */
export type SqliteSynchronous = 'full' | 'normal';

export interface SqliteStoreOptions {
  /** Default `full`. See {@link SqliteSynchronous}. */
  synchronous?: SqliteSynchronous;
  /**
   * Checkpoint the WAL from a worker thread every this many ms instead of SQLite's automatic
   * checkpoint inside the commit that crosses 1000 pages (whose fsyncs were the commit tail:
   * p99 1.9 → 7.8 ms in `bench:acd`). 0 (default): automatic. File databases only.
   */
  backgroundCheckpointMs?: number;
}

/** How long a closing store waits for its checkpointer thread before terminating it. */
const CHECKPOINTER_EXIT_MS = 2000;

/**
 * The embedded store: one SQLite file under the data directory, WAL mode; `synchronous`
 * chooses whether an acknowledged write survives power loss (`full`) or process crashes
 * such as `kill -9` (`normal`, and `full`).
 */
export class SqliteStore implements Store {
  readonly db: Database.Database;
  readonly synchronous: SqliteSynchronous;
  #checkpointer: Worker | undefined;
  #closed = false;
  #closing: Promise<void> = Promise.resolve();

  constructor(file: string, migrations: readonly Migration[] = [], options: SqliteStoreOptions = {}) {
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.synchronous = options.synchronous ?? 'full';
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${this.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.#migrate([...CORE_MIGRATIONS, ...migrations]);
    const every = options.backgroundCheckpointMs ?? 0;
    if (every > 0 && file !== ':memory:') {
      this.db.pragma('wal_autocheckpoint = 0');
      this.#checkpointer = new Worker(new URL('./walCheckpointer.js', import.meta.url), {
        workerData: { file, intervalMs: every },
      });
      this.#checkpointer.unref();
      // A checkpointer that cannot start leaves the WAL to grow: fall back to SQLite's own.
      this.#checkpointer.on('error', () => {
        if (!this.#closed) this.db.pragma('wal_autocheckpoint = 1000');
      });
    }
  }

  /** Opens `<dataDir>/switchboard.db`. */
  static inDataDir(
    dataDir: string,
    migrations: readonly Migration[] = [],
    options: SqliteStoreOptions = {},
  ): SqliteStore {
    return new SqliteStore(path.join(dataDir, 'switchboard.db'), migrations, options);
  }

  #migrate(migrations: readonly Migration[]): void {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
    );
    const applied = new Set(
      this.db
        .prepare<[], { version: number }>('SELECT version FROM schema_migrations')
        .all()
        .map((r) => r.version),
    );
    const record = this.db.prepare(
      'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
    );
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      this.db.transaction(() => {
        this.db.exec(migration.up);
        record.run(migration.version, migration.name, Date.now());
      })();
    }
  }

  getMeta(key: string): string | undefined {
    return this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(key)
      ?.value;
  }

  setMeta(key: string, value: string): void {
    this.db
      .prepare(
        'INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      )
      .run(key, value, Date.now());
  }

  healthy(): boolean {
    if (this.#closed) return false;
    try {
      this.db.prepare('SELECT 1').get();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Closes the database. The returned promise settles when the checkpointer thread has closed
   * its own connection too: a thread started just before (a quick start/stop) opens the file
   * only when it boots, and would otherwise write `-wal`/`-shm` files after `close()` returned
   * (seen as a test's data directory refusing removal: ENOTEMPTY).
   */
  close(): Promise<void> {
    if (this.#closed) return this.#closing;
    this.#closed = true;
    const worker = this.#checkpointer;
    this.#checkpointer = undefined;
    this.db.close();
    if (!worker) return this.#closing;
    this.#closing = new Promise<void>((resolve) => {
      const stop = setTimeout(() => void worker.terminate(), CHECKPOINTER_EXIT_MS);
      stop.unref();
      worker.once('exit', () => {
        clearTimeout(stop);
        resolve();
      });
    });
    // Kept alive until it is gone (it runs unref'd so it never holds a process open).
    worker.ref();
    worker.postMessage('close');
    return this.#closing;
  }
}
