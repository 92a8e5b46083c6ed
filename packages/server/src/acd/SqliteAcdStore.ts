import type Database from 'better-sqlite3';
import { type Migration, SqliteStore } from '../store/SqliteStore.js';
import type { AcdLogEvent, StoredEvent } from './AcdLogEvent.js';
import type { AcdStore, RecordQuery } from './AcdStore.js';
import type { CallRecord } from './AcdTypes.js';

/** The ACD's tables, applied through {@link SqliteStore}'s migrations. */
export const ACD_MIGRATIONS: Migration[] = [
  {
    version: 100,
    name: 'acd_events_and_records',
    up: `
      CREATE TABLE acd_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL);
      CREATE TABLE acd_call_records (
        contact_id TEXT PRIMARY KEY, queue_id TEXT NOT NULL, ended_at INTEGER, outcome TEXT, body TEXT NOT NULL
      );
      CREATE INDEX acd_call_records_queue_ended ON acd_call_records (queue_id, ended_at);
      CREATE INDEX acd_call_records_ended ON acd_call_records (ended_at);
    `,
  },
];

/**
 * The embedded ACD store on SQLite (WAL via {@link SqliteStore}): each `commit` is one
 * transaction holding every event of one command and its routing pass, so an acknowledged
 * change survives `kill -9` (and power loss when the store runs with `synchronous: 'full'`).
 */
export class SqliteAcdStore implements AcdStore {
  readonly #store: SqliteStore;
  readonly #ownsStore: boolean;
  readonly #insertEvent: Database.Statement<[number, string, string]>;
  readonly #upsertRecord: Database.Statement<[string, string, number | null, string | null, string]>;
  readonly #commit: (events: readonly AcdLogEvent[], records: readonly CallRecord[]) => number;
  #closed = false;

  /** Opens (or creates) the file, or shares an already-open platform store. */
  constructor(fileOrStore: string | SqliteStore) {
    if (typeof fileOrStore === 'string') {
      this.#store = new SqliteStore(fileOrStore, ACD_MIGRATIONS);
      this.#ownsStore = true;
    } else {
      this.#store = fileOrStore;
      this.#ownsStore = false;
      // A shared store was opened without our migrations: apply them through a second handle.
      if (!this.#hasTables()) new SqliteStore(fileOrStore.db.name, ACD_MIGRATIONS).close();
    }
    const db = this.#store.db;
    this.#insertEvent = db.prepare('INSERT INTO acd_events (at, type, body) VALUES (?, ?, ?)');
    this.#upsertRecord = db.prepare(
      `INSERT INTO acd_call_records (contact_id, queue_id, ended_at, outcome, body) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(contact_id) DO UPDATE SET queue_id = excluded.queue_id, ended_at = excluded.ended_at,
       outcome = excluded.outcome, body = excluded.body`,
    );
    this.#commit = db.transaction((events: readonly AcdLogEvent[], records: readonly CallRecord[]) => {
      let last = 0;
      for (const event of events) {
        last = Number(this.#insertEvent.run(event.at, event.t, JSON.stringify(event)).lastInsertRowid);
      }
      for (const r of records) {
        this.#upsertRecord.run(r.contactId, r.queueId, r.endedAt, r.outcome, JSON.stringify(r));
      }
      return last;
    });
  }

  #hasTables(): boolean {
    return (
      this.#store.db
        .prepare<[], { n: number }>(
          "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'acd_events'",
        )
        .get()?.n === 1
    );
  }

  commit(events: readonly AcdLogEvent[], records: readonly CallRecord[]): number {
    if (this.#closed) throw new Error('SqliteAcdStore is closed');
    if (events.length === 0 && records.length === 0) return 0;
    return this.#commit(events, records);
  }

  *loadEvents(afterSeq = 0): Iterable<StoredEvent> {
    const rows = this.#store.db
      .prepare<[number], { seq: number; body: string }>(
        'SELECT seq, body FROM acd_events WHERE seq > ? ORDER BY seq',
      )
      .iterate(afterSeq);
    for (const row of rows) yield { seq: row.seq, event: JSON.parse(row.body) as AcdLogEvent };
  }

  getRecord(contactId: string): CallRecord | undefined {
    const row = this.#store.db
      .prepare<[string], { body: string }>('SELECT body FROM acd_call_records WHERE contact_id = ?')
      .get(contactId);
    return row === undefined ? undefined : (JSON.parse(row.body) as CallRecord);
  }

  listRecords(query: RecordQuery = {}): CallRecord[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.queueId !== undefined) {
      where.push('queue_id = ?');
      params.push(query.queueId);
    }
    if (query.endedFrom !== undefined) {
      where.push('ended_at >= ?');
      params.push(query.endedFrom);
    }
    if (query.endedTo !== undefined) {
      where.push('ended_at <= ?');
      params.push(query.endedTo);
    }
    const sql = `SELECT body FROM acd_call_records${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY rowid${
      query.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(query.limit))}` : ''
    }`;
    return this.#store.db
      .prepare<(string | number)[], { body: string }>(sql)
      .all(...params)
      .map((row) => JSON.parse(row.body) as CallRecord);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsStore) this.#store.close();
  }
}
