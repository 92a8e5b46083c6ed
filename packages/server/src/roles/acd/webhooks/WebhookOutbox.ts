import type Database from 'better-sqlite3';
import type { WebhookMessage } from './webhookEvents.js';

/** One pending delivery: a message for one endpoint. */
export interface OutboxRow {
  msgId: string;
  url: string;
  type: string;
  /** The JSON body exactly as signed and sent (the same bytes on every attempt). */
  body: string;
  attempts: number;
  nextAt: number;
}

/**
 * The durable webhook outbox: one row per (message, endpoint) in the platform's SQLite file.
 * Rows are written inside the ACD's commit transaction (see {@link OutboxAcdStore}), so an
 * event is in the outbox if and only if it is in the ACD log; a row leaves the "pending" set
 * only after a 2xx answer (delivered) or after the last attempt (failed).
 */
export class WebhookOutbox {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<[string, string, string, string, number, number]>;
  readonly #due: Database.Statement<[number, number], OutboxRow>;
  readonly #delivered: Database.Statement<[number, string, string]>;
  readonly #retry: Database.Statement<[number, number, string, string, string]>;
  readonly #failed: Database.Statement<[number, number, string, string, string]>;
  readonly #purge: Database.Statement<[number, number]>;

  constructor(db: Database.Database) {
    this.#db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS webhook_outbox (
      msg_id TEXT NOT NULL, url TEXT NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL,
      created_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL,
      delivered_at INTEGER, failed_at INTEGER, last_error TEXT,
      PRIMARY KEY (msg_id, url))`);
    db.exec(
      'CREATE INDEX IF NOT EXISTS webhook_outbox_due ON webhook_outbox (next_at) WHERE delivered_at IS NULL AND failed_at IS NULL',
    );
    // OR IGNORE: a message id is written once per endpoint, whatever happens (dedupe at the source).
    this.#insert = db.prepare(
      'INSERT OR IGNORE INTO webhook_outbox (msg_id, url, type, body, created_at, next_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#due = db.prepare(
      `SELECT msg_id AS msgId, url, type, body, attempts, next_at AS nextAt FROM webhook_outbox
       WHERE delivered_at IS NULL AND failed_at IS NULL AND next_at <= ? ORDER BY next_at, rowid LIMIT ?`,
    );
    this.#delivered = db.prepare(
      'UPDATE webhook_outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE msg_id = ? AND url = ?',
    );
    this.#retry = db.prepare(
      'UPDATE webhook_outbox SET attempts = ?, next_at = ?, last_error = ? WHERE msg_id = ? AND url = ?',
    );
    this.#failed = db.prepare(
      'UPDATE webhook_outbox SET attempts = ?, failed_at = ?, last_error = ? WHERE msg_id = ? AND url = ?',
    );
    this.#purge = db.prepare(
      'DELETE FROM webhook_outbox WHERE (delivered_at IS NOT NULL AND delivered_at < ?) OR (failed_at IS NOT NULL AND failed_at < ?)',
    );
  }

  /** Adds a message for each endpoint URL (call inside the caller's transaction). */
  add(message: WebhookMessage, urls: readonly string[], now: number): void {
    const body = JSON.stringify({
      type: message.type,
      timestamp: new Date(message.at).toISOString(),
      data: message.data,
    });
    for (const url of urls) this.#insert.run(message.id, url, message.type, body, now, now);
  }

  due(now: number, limit: number): OutboxRow[] {
    return this.#due.all(now, limit);
  }

  markDelivered(row: OutboxRow, now: number): void {
    this.#delivered.run(now, row.msgId, row.url);
  }

  markRetry(row: OutboxRow, attempts: number, nextAt: number, error: string): void {
    this.#retry.run(attempts, nextAt, error.slice(0, 500), row.msgId, row.url);
  }

  markFailed(row: OutboxRow, attempts: number, now: number, error: string): void {
    this.#failed.run(attempts, now, error.slice(0, 500), row.msgId, row.url);
  }

  /** Deletes delivered and failed rows older than `before`. */
  purge(before: number): number {
    return this.#purge.run(before, before).changes;
  }

  /** Counts by delivery state (for metrics and tests). */
  counts(): { pending: number; delivered: number; failed: number } {
    const row = this.#db
      .prepare<[], { pending: number; delivered: number; failed: number }>(
        `SELECT coalesce(sum(delivered_at IS NULL AND failed_at IS NULL), 0) AS pending,
                coalesce(sum(delivered_at IS NOT NULL), 0) AS delivered,
                coalesce(sum(failed_at IS NOT NULL), 0) AS failed FROM webhook_outbox`,
      )
      .get();
    return row ?? { pending: 0, delivered: 0, failed: 0 };
  }
}
