import type { ContactSeed } from './AcdLogEvent.js';
import type { CallRecord, ContactState, ContactView, QualitySummary } from './AcdTypes.js';

/** A user's contact in one queue: where it stands and everything its call record needs. */
export class Contact {
  readonly seed: ContactSeed;
  queuedAt: number;
  state: ContactState = 'waiting';
  sessionId: string | null;
  userConnected = true;
  resumeUntil: number | null = null;
  callback: { requestedAt: number; number: string | null } | null;
  agentId: string | null = null;
  /** Pending offers (several only for ring-all). */
  readonly offerIds = new Set<string>();
  offers = 0;
  offeredAt: number | null = null;
  answeredAt: number | null = null;
  endedAt: number | null = null;
  holdSince: number | null = null;
  holdMs = 0;
  wrapUpStartedAt: number | null = null;
  wrapUpMs: number | null = null;
  disposition: string | null = null;
  quality: QualitySummary | null = null;
  outcome: CallRecord['outcome'] = null;
  endReason: string | null = null;
  overflowedTo: string | null = null;
  final = false;

  constructor(seed: ContactSeed, queuedAt: number) {
    this.seed = seed;
    this.queuedAt = queuedAt;
    this.sessionId = seed.sessionId;
    this.callback = seed.callback;
  }

  get id(): string {
    return this.seed.id;
  }

  get queueId(): string {
    return this.seed.queueId;
  }

  /** Waiting and able to be offered now (a callback needs no live user connection). */
  get routable(): boolean {
    return this.state === 'waiting' && (this.userConnected || this.callback !== null);
  }

  view(): ContactView {
    return {
      id: this.id,
      queueId: this.queueId,
      userId: this.seed.userId,
      sessionId: this.sessionId,
      channel: this.seed.channel,
      priority: this.seed.priority,
      enqueuedAt: this.seed.enqueuedAt,
      queuedAt: this.queuedAt,
      state: this.state,
      userConnected: this.userConnected,
      resumeUntil: this.resumeUntil,
      callback: this.callback === null ? null : { ...this.callback },
      agentId: this.agentId,
      offerIds: [...this.offerIds],
      overflowedFrom: this.seed.overflowedFrom,
      data: this.seed.data,
    };
  }

  record(): CallRecord {
    const talkAndHold =
      this.answeredAt !== null && this.endedAt !== null ? this.endedAt - this.answeredAt : null;
    return {
      contactId: this.id,
      queueId: this.queueId,
      userId: this.seed.userId,
      channel: this.seed.channel,
      priority: this.seed.priority,
      enqueuedAt: this.seed.enqueuedAt,
      queuedAt: this.queuedAt,
      offeredAt: this.offeredAt,
      answeredAt: this.answeredAt,
      endedAt: this.endedAt,
      agentId: this.agentId,
      outcome: this.outcome,
      endReason: this.endReason,
      waitMs:
        this.answeredAt !== null
          ? this.answeredAt - this.queuedAt
          : this.endedAt !== null
            ? this.endedAt - this.queuedAt
            : null,
      talkMs: talkAndHold === null ? null : talkAndHold - this.holdMs,
      holdMs: this.answeredAt === null ? null : this.holdMs,
      wrapUpMs: this.wrapUpMs,
      disposition: this.disposition,
      quality: this.quality,
      offers: this.offers,
      overflowedFrom: this.seed.overflowedFrom,
      overflowedTo: this.overflowedTo,
      callback: this.callback !== null,
      final: this.final,
    };
  }
}

/** Queue order: higher priority first, then older (original enqueue time), then arrival. */
export function compareContacts(a: Contact, b: Contact): number {
  return (
    b.seed.priority - a.seed.priority || a.seed.enqueuedAt - b.seed.enqueuedAt || a.seed.seq - b.seed.seq
  );
}
