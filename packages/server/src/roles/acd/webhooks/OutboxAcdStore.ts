import type Database from 'better-sqlite3';
import type { AcdLogEvent, StoredEvent } from '../../../acd/AcdLogEvent.js';
import type { AcdStore, RecordQuery } from '../../../acd/AcdStore.js';
import type { CallRecord } from '../../../acd/AcdTypes.js';
import type { WebhookOutbox } from './WebhookOutbox.js';
import { eventMatches, toWebhookMessage } from './webhookEvents.js';

export interface WebhookEndpointFilter {
  url: string;
  events?: readonly string[] | undefined;
}

/**
 * An {@link AcdStore} that writes the webhook outbox rows of each commit in the SAME SQLite
 * transaction as the ACD's events and records (better-sqlite3 nests the inner store's
 * transaction as a savepoint). So a webhook exists exactly for the events that were saved:
 * none is lost by a crash after the commit, none is sent for a change that was rolled back.
 */
export class OutboxAcdStore implements AcdStore {
  readonly #inner: AcdStore;
  readonly #outbox: WebhookOutbox;
  readonly #endpoints: readonly WebhookEndpointFilter[];
  readonly #commit: (events: readonly AcdLogEvent[], records: readonly CallRecord[]) => number;
  /** offerId → contact and agent, so offer outcomes name them (rebuilt from the log on start). */
  readonly #offers = new Map<string, { contactId: string; agentId: string }>();
  readonly #onCommit: () => void;

  constructor(init: {
    inner: AcdStore;
    db: Database.Database;
    outbox: WebhookOutbox;
    endpoints: readonly WebhookEndpointFilter[];
    /** Called after a commit that queued deliveries (wakes the dispatcher). */
    onCommit: () => void;
  }) {
    this.#inner = init.inner;
    this.#outbox = init.outbox;
    this.#endpoints = init.endpoints;
    this.#onCommit = init.onCommit;
    this.#commit = init.db.transaction((events: readonly AcdLogEvent[], records: readonly CallRecord[]) => {
      const last = this.#inner.commit(events, records);
      if (this.#endpoints.length === 0) return last;
      const now = Date.now();
      let seq = last - events.length;
      for (const event of events) {
        const message = toWebhookMessage(++seq, event, records, this.#offers);
        if (message === null) continue;
        const urls = this.#endpoints.filter((e) => eventMatches(message.type, e.events)).map((e) => e.url);
        if (urls.length > 0) this.#outbox.add(message, urls, now);
      }
      return last;
    });
  }

  commit(events: readonly AcdLogEvent[], records: readonly CallRecord[]): number {
    const last = this.#commit(events, records);
    if (this.#endpoints.length > 0 && events.length > 0) this.#onCommit();
    return last;
  }

  *loadEvents(afterSeq?: number): Iterable<StoredEvent> {
    for (const stored of this.#inner.loadEvents(afterSeq)) {
      const e = stored.event;
      if (e.t === 'offerCreated') this.#offers.set(e.offerId, { contactId: e.contactId, agentId: e.agentId });
      else if (e.t === 'offerClosed' || e.t === 'offerAccepted') this.#offers.delete(e.offerId);
      yield stored;
    }
  }

  getRecord(contactId: string): CallRecord | undefined {
    return this.#inner.getRecord(contactId);
  }

  listRecords(query?: RecordQuery): CallRecord[] {
    return this.#inner.listRecords(query);
  }

  close(): void {
    this.#inner.close();
  }
}
