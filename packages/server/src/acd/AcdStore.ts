import type { AcdLogEvent, StoredEvent } from './AcdLogEvent.js';
import type { CallRecord } from './AcdTypes.js';

export interface RecordQuery {
  queueId?: string;
  /** Records whose contact ended at or after this time (epoch ms). */
  endedFrom?: number;
  endedTo?: number;
  limit?: number;
}

/**
 * Durable ACD state: an append-only event log plus one call record per contact. The embedded
 * default is {@link SqliteAcdStore}; several nodes will share a Redis/PostgreSQL implementation
 * of the same interface.
 */
export interface AcdStore {
  /**
   * Appends `events` and upserts `records` in one atomic, durable write. When it returns the
   * change survives `kill -9`. Returns the sequence number of the last event.
   */
  commit(events: readonly AcdLogEvent[], records: readonly CallRecord[]): number;
  /** Every event after `afterSeq` (default: all), in order. */
  loadEvents(afterSeq?: number): Iterable<StoredEvent>;
  getRecord(contactId: string): CallRecord | undefined;
  listRecords(query?: RecordQuery): CallRecord[];
  close(): void;
}
