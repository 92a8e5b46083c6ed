import type { AcdLogEvent, StoredEvent } from './AcdLogEvent.js';
import type { AcdStore, RecordQuery } from './AcdStore.js';
import type { CallRecord } from './AcdTypes.js';

/** Non-durable store for fast unit tests; keeps copies so callers cannot alias its state. */
export class MemoryAcdStore implements AcdStore {
  readonly #events: StoredEvent[] = [];
  readonly #records = new Map<string, CallRecord>();
  #closed = false;

  commit(events: readonly AcdLogEvent[], records: readonly CallRecord[]): number {
    if (this.#closed) throw new Error('MemoryAcdStore is closed');
    for (const event of events) {
      this.#events.push({ seq: this.#events.length + 1, event: structuredClone(event) });
    }
    for (const record of records) this.#records.set(record.contactId, structuredClone(record));
    return this.#events.length;
  }

  *loadEvents(afterSeq = 0): Iterable<StoredEvent> {
    for (const stored of this.#events.slice(afterSeq)) yield structuredClone(stored);
  }

  getRecord(contactId: string): CallRecord | undefined {
    const record = this.#records.get(contactId);
    return record === undefined ? undefined : structuredClone(record);
  }

  listRecords(query: RecordQuery = {}): CallRecord[] {
    const out: CallRecord[] = [];
    for (const record of this.#records.values()) {
      if (query.queueId !== undefined && record.queueId !== query.queueId) continue;
      if (query.endedFrom !== undefined && (record.endedAt ?? -1) < query.endedFrom) continue;
      if (query.endedTo !== undefined && (record.endedAt ?? Number.POSITIVE_INFINITY) > query.endedTo)
        continue;
      out.push(structuredClone(record));
      if (query.limit !== undefined && out.length >= query.limit) break;
    }
    return out;
  }

  get eventCount(): number {
    return this.#events.length;
  }

  close(): void {
    this.#closed = true;
  }
}
