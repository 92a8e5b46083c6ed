import { Webhook } from 'standardwebhooks';
import type { Logger } from '../../../observability/logger.js';
import type { OutboxRow, WebhookOutbox } from './WebhookOutbox.js';

export interface WebhookEndpoint {
  url: string;
  secret: string;
}

export interface WebhookDispatcherOptions {
  endpoints: readonly WebhookEndpoint[];
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  timeoutMs: number;
  pollIntervalMs: number;
  retentionMs: number;
}

/** How one attempt ended, for metrics. */
export type DeliveryResult = 'delivered' | 'retry' | 'failed';

const BATCH = 32;

/**
 * Delivers the outbox: each due row is POSTed with Standard Webhooks headers (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature`); a 2xx marks it delivered, anything else schedules
 * the next attempt after an exponentially growing, jittered wait, up to `maxAttempts`.
 * At-least-once: a row is marked only after the answer, so a crash in between re-sends it
 * after restart with the same `webhook-id` (receivers dedupe on it).
 */
export class WebhookDispatcher {
  readonly #outbox: WebhookOutbox;
  readonly #opts: WebhookDispatcherOptions;
  readonly #log: Logger;
  readonly #signers = new Map<string, Webhook>();
  readonly #inFlight = new Set<string>();
  readonly #onResult: (result: DeliveryResult) => void;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #again = false;
  #lastPurge = 0;
  #closed = false;
  readonly #abort = new AbortController();

  constructor(
    outbox: WebhookOutbox,
    options: WebhookDispatcherOptions,
    log: Logger,
    onResult: (result: DeliveryResult) => void = () => {},
  ) {
    this.#outbox = outbox;
    this.#opts = options;
    this.#log = log;
    this.#onResult = onResult;
    for (const e of options.endpoints) this.#signers.set(e.url, new Webhook(e.secret.replace(/^whsec_/, '')));
    this.#schedule();
  }

  /** Checks the outbox now (after a commit that queued messages). */
  kick(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#run().finally(() => {
      this.#running = null;
      if (this.#again) {
        this.#again = false;
        this.kick();
      }
    });
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      this.kick();
      this.#schedule();
    }, this.#opts.pollIntervalMs);
    this.#timer.unref();
  }

  async #run(): Promise<void> {
    const now = Date.now();
    if (now - this.#lastPurge > 3_600_000) {
      this.#lastPurge = now;
      this.#outbox.purge(now - this.#opts.retentionMs);
    }
    const rows = this.#outbox.due(now, BATCH).filter((r) => !this.#inFlight.has(`${r.msgId} ${r.url}`));
    await Promise.all(rows.map((row) => this.#deliver(row)));
  }

  async #deliver(row: OutboxRow): Promise<void> {
    const key = `${row.msgId} ${row.url}`;
    this.#inFlight.add(key);
    try {
      const signer = this.#signers.get(row.url);
      if (!signer) {
        this.#outbox.markFailed(row, row.attempts, Date.now(), 'endpoint no longer configured');
        this.#onResult('failed');
        return;
      }
      const error = await this.#post(row, signer);
      // Aborted by close(): the row stays pending and is sent again after the restart.
      if (this.#closed) return;
      const attempts = row.attempts + 1;
      if (error === null) {
        this.#outbox.markDelivered(row, Date.now());
        this.#onResult('delivered');
      } else if (attempts >= this.#opts.maxAttempts) {
        this.#outbox.markFailed(row, attempts, Date.now(), error);
        this.#log.warn({ msgId: row.msgId, url: row.url, attempts, error }, 'webhook given up');
        this.#onResult('failed');
      } else {
        const base = Math.min(this.#opts.maxBackoffMs, this.#opts.initialBackoffMs * 2 ** (attempts - 1));
        // Full jitter in the upper half: spreads retries without shortening them much.
        const wait = Math.round(base / 2 + Math.random() * (base / 2));
        this.#outbox.markRetry(row, attempts, Date.now() + wait, error);
        this.#log.debug({ msgId: row.msgId, url: row.url, attempts, wait, error }, 'webhook retry');
        this.#onResult('retry');
      }
    } catch (err) {
      // The outbox itself failed (closed database during shutdown): leave the row pending.
      if (!this.#closed) this.#log.error({ err, msgId: row.msgId }, 'webhook outbox update failed');
    } finally {
      this.#inFlight.delete(key);
    }
  }

  /** One attempt; returns null on 2xx, else what went wrong. */
  async #post(row: OutboxRow, signer: Webhook): Promise<string | null> {
    const sentAt = new Date();
    const signature = signer.sign(row.msgId, sentAt, row.body);
    try {
      const response = await fetch(row.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': row.msgId,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
          'webhook-signature': signature,
          'user-agent': 'Switchboard-Webhooks/1',
        },
        body: row.body,
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(this.#opts.timeoutMs), this.#abort.signal]),
      });
      await response.arrayBuffer().catch(() => undefined);
      return response.status >= 200 && response.status < 300 ? null : `HTTP ${response.status}`;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }

  /** Stops delivering; waits for attempts in flight (their rows stay pending if unanswered). */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#timer) clearTimeout(this.#timer);
    const running = this.#running;
    this.#closed = true;
    this.#abort.abort();
    await running?.catch(() => undefined);
  }
}
