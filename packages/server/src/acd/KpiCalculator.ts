import type { AcdLogEvent } from './AcdLogEvent.js';
import type { ContactOutcome, QueueKpis } from './AcdTypes.js';

/** What one finished contact contributes to its queue's KPIs. */
interface Fact {
  queueId: string;
  endedAt: number;
  outcome: ContactOutcome;
  waitMs: number;
  /** talk + hold + wrap-up; null until wrap-up is over. */
  handleMs: number | null;
}

interface Open {
  queueId: string;
  queuedAt: number;
  answeredAt: number | null;
  fact: Fact | null;
  wrapStartedAt: number | null;
}

/** The live figures the KPI calculator cannot derive from the log alone. */
export interface LiveQueueFigures {
  waiting: number;
  longestWaitingMs: number;
  staffed: number;
  agentsByState: QueueKpis['agentsByState'];
  busy: number;
  available: number;
}

/**
 * Queue KPIs as a fold over the event log. Applying an event whose sequence number was already
 * seen is a no-op, so replaying the log (after a restart, or twice) gives the same figures.
 */
export class KpiCalculator {
  readonly #slSeconds = new Map<string, number>();
  readonly #open = new Map<string, Open>();
  readonly #facts: Fact[] = [];
  readonly #retentionMs: number;
  readonly #defaultHandleMs: number;
  #lastSeq = 0;
  /** All-time handle-time sums per queue, for estimates. */
  readonly #handle = new Map<string, { sum: number; n: number }>();

  constructor(options: { retentionMs?: number; defaultHandleTimeMs?: number } = {}) {
    this.#retentionMs = options.retentionMs ?? 24 * 3600_000;
    this.#defaultHandleMs = options.defaultHandleTimeMs ?? 180_000;
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  apply(seq: number, e: AcdLogEvent): void {
    if (seq <= this.#lastSeq) return;
    this.#lastSeq = seq;
    switch (e.t) {
      case 'queueConfigured':
        this.#slSeconds.set(e.queue.id, e.queue.serviceLevelSeconds);
        return;
      case 'contactEnqueued':
        this.#open.set(e.contact.id, {
          queueId: e.contact.queueId,
          queuedAt: e.at,
          answeredAt: null,
          fact: null,
          wrapStartedAt: null,
        });
        return;
      case 'contactConnected': {
        const o = this.#open.get(e.contactId);
        if (o) o.answeredAt = e.at;
        return;
      }
      case 'contactReturned': {
        const o = this.#open.get(e.contactId);
        if (o) o.answeredAt = null;
        return;
      }
      case 'contactEnded': {
        const o = this.#open.get(e.contactId);
        if (!o) return;
        const answered = o.answeredAt !== null;
        const fact: Fact = {
          queueId: o.queueId,
          endedAt: e.at,
          outcome: e.outcome,
          waitMs: (answered ? o.answeredAt! : e.at) - o.queuedAt,
          handleMs: answered ? e.at - o.answeredAt! : null,
        };
        o.fact = fact;
        this.#facts.push(fact);
        if (fact.handleMs !== null) this.#addHandle(fact.queueId, fact.handleMs);
        // Kept open only while a wrap-up may follow in a later event.
        if (!answered) this.#open.delete(e.contactId);
        return;
      }
      case 'wrapUpStarted': {
        const o = this.#open.get(e.contactId);
        if (o) o.wrapStartedAt = e.at;
        return;
      }
      case 'wrapUpEnded': {
        const o = this.#open.get(e.contactId);
        if (o?.fact && o.fact.handleMs !== null && o.wrapStartedAt !== null) {
          const wrap = e.at - o.wrapStartedAt;
          o.fact.handleMs += wrap;
          this.#addHandle(o.queueId, wrap, false);
        }
        this.#open.delete(e.contactId);
        return;
      }
      default:
        return;
    }
  }

  #addHandle(queueId: string, ms: number, count = true): void {
    const h = this.#handle.get(queueId) ?? { sum: 0, n: 0 };
    h.sum += ms;
    if (count) h.n++;
    this.#handle.set(queueId, h);
  }

  /** Average handle time used for estimates (all time, or the default before any call). */
  handleTimeEstimate(queueId: string): number {
    const h = this.#handle.get(queueId);
    return h && h.n > 0 ? h.sum / h.n : this.#defaultHandleMs;
  }

  /** Estimated wait for the contact at `position` (1-based): position × AHT / staffed agents. */
  estimatedWait(queueId: string, position: number, staffed: number): number | null {
    if (staffed <= 0) return null;
    return Math.round((position * this.handleTimeEstimate(queueId)) / staffed);
  }

  #prune(now: number): void {
    const cutoff = now - this.#retentionMs;
    let drop = 0;
    while (drop < this.#facts.length && this.#facts[drop]!.endedAt < cutoff) drop++;
    if (drop > 0) this.#facts.splice(0, drop);
  }

  /** KPIs for contacts that left the queue in the last `windowMs` (all retained when null). */
  compute(queueId: string, now: number, windowMs: number | null, live: LiveQueueFigures): QueueKpis {
    this.#prune(now);
    const t = (this.#slSeconds.get(queueId) ?? 20) * 1000;
    const from = windowMs === null ? Number.NEGATIVE_INFINITY : now - windowMs;
    let answered = 0;
    let abandoned = 0;
    let overflowed = 0;
    let callbacks = 0;
    let answeredWithinT = 0;
    let abandonedWithinT = 0;
    let waitSum = 0;
    let handleSum = 0;
    let handleN = 0;
    for (const f of this.#facts) {
      if (f.queueId !== queueId || f.endedAt < from) continue;
      switch (f.outcome) {
        case 'answered':
          answered++;
          waitSum += f.waitMs;
          if (f.waitMs <= t) answeredWithinT++;
          break;
        case 'abandoned':
          abandoned++;
          if (f.waitMs <= t) abandonedWithinT++;
          break;
        case 'overflowed':
          overflowed++;
          break;
        case 'callback':
          callbacks++;
          break;
      }
      if (f.handleMs !== null && (f.outcome === 'answered' || f.outcome === 'callback')) {
        handleSum += f.handleMs;
        handleN++;
      }
    }
    const ratio = (n: number, d: number): number | null => (d > 0 ? n / d : null);
    const staffed = live.staffed;
    return {
      queueId,
      windowMs,
      serviceLevelSeconds: t / 1000,
      offered: answered + abandoned + overflowed + callbacks,
      answered,
      abandoned,
      overflowed,
      callbacks,
      answeredWithinT,
      abandonedWithinT,
      serviceLevel: ratio(answeredWithinT, answered + (abandoned - abandonedWithinT)),
      serviceLevelAsteriskSL: ratio(answeredWithinT, answered),
      serviceLevelAsteriskSL2: ratio(answeredWithinT + abandonedWithinT, answered + abandoned),
      asaMs: answered > 0 ? waitSum / answered : null,
      ahtMs: handleN > 0 ? handleSum / handleN : null,
      abandonmentRate: ratio(abandoned, answered + abandoned),
      waiting: live.waiting,
      longestWaitingMs: live.longestWaitingMs,
      estimatedWaitMs: this.estimatedWait(queueId, live.waiting + 1, staffed),
      agentsByState: live.agentsByState,
      occupancy: ratio(live.busy, live.busy + live.available),
    };
  }
}
