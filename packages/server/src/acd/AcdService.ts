import { randomBytes } from 'node:crypto';
import { type ErrorCode, SwitchboardError } from '@switchboard/protocol';
import type { AcdLogEvent, ContactSeed } from './AcdLogEvent.js';
import { AcdState } from './AcdState.js';
import type { AcdStore } from './AcdStore.js';
import type {
  AcdEventMap,
  AcdOptions,
  Actor,
  AgentView,
  CallRecord,
  Channel,
  ChosenStatus,
  ContactView,
  OfferView,
  QualitySummary,
  QueueKpis,
} from './AcdTypes.js';
import type { Agent } from './Agent.js';
import { type Clock, SystemClock } from './Clock.js';
import { type Contact, compareContacts } from './Contact.js';
import { KpiCalculator, type LiveQueueFigures } from './KpiCalculator.js';
import type { Offer } from './Offer.js';
import { QueueRouter } from './QueueRouter.js';
import { SafeEmitter } from './SafeEmitter.js';
import { SortedList } from './SortedList.js';
import {
  type AgentConfig,
  type AgentConfigInput,
  AgentConfigSchema,
  ChosenStatusSchema,
  type QueueConfig,
  type QueueConfigInput,
  QueueConfigSchema,
} from './schemas.js';
import { type TimerEntry, TimerQueue } from './TimerQueue.js';

const DEFAULTS: Required<AcdOptions> = {
  missedOfferLimit: 3,
  missCooldownMs: 5_000,
  agentGraceMs: 30_000,
  userResumeGraceMs: 60_000,
  heartbeatTimeoutMs: 60_000,
  sweepIntervalMs: 2_000,
  defaultHandleTimeMs: 180_000,
  ringAllMax: 100,
  closedOfferMemory: 100_000,
  kpiRetentionMs: 24 * 3600_000,
};

/** What a user gets back when enqueuing or resuming. */
export interface ContactTicket {
  contact: ContactView;
  position: number;
  estimatedWaitMs: number | null;
}

export interface AcdServiceInit {
  store: AcdStore;
  clock?: Clock;
  options?: AcdOptions;
  /** Prefix of generated ids (default: random per process, so ids never repeat across restarts). */
  idPrefix?: string;
}

function fail(code: ErrorCode, message?: string, data?: Record<string, unknown>): never {
  throw new SwitchboardError(code, message, data);
}

/**
 * The ACD: queues, agents, routing, offers, durability and KPIs, independent of any transport.
 * Every method that changes state appends its events to the store before it returns (one
 * atomic commit per call), then notifies listeners. Time comes from the injected {@link Clock}.
 *
 * Open with {@link AcdService.open}: it replays the store's log and runs crash recovery.
 */
export class AcdService {
  readonly #clock: Clock;
  readonly #store: AcdStore;
  readonly #opts: Required<AcdOptions>;
  readonly #state: AcdState;
  readonly #router = new QueueRouter();
  readonly #kpi: KpiCalculator;
  readonly #emitter: SafeEmitter<AcdEventMap>;
  readonly #timers = new TimerQueue();
  readonly #idPrefix: string;
  #idSeq = 0;

  // Unit of work: events recorded by the running call, committed together.
  #inTx = false;
  #pending: AcdLogEvent[] = [];
  readonly #touchedContacts = new Set<Contact>();
  readonly #touchedAgents = new Set<Agent>();
  #notifications: (() => void)[] = [];
  // Routing work: contacts that became routable, agents that became open.
  readonly #candidates = new SortedList<Contact>(compareContacts);
  readonly #candidateSet = new Set<Contact>();
  readonly #nominators = new Map<Contact, Set<Agent>>();
  readonly #openedAgents = new Set<Agent>();
  #fullPass = false;

  #armedAt: number | null = null;
  #disarm: (() => void) | null = null;
  #cancelSweep: (() => void) | null = null;
  readonly #lastPosition = new Map<string, string>();
  readonly #staffedCount = new Map<string, number>();
  readonly #staffedBy = new Map<Agent, string[]>();
  #closed = false;
  #failed: Error | null = null;

  private constructor(init: AcdServiceInit) {
    this.#clock = init.clock ?? new SystemClock();
    this.#store = init.store;
    this.#opts = { ...DEFAULTS, ...init.options };
    this.#state = new AcdState({ closedOfferMemory: this.#opts.closedOfferMemory });
    this.#kpi = new KpiCalculator({
      retentionMs: this.#opts.kpiRetentionMs,
      defaultHandleTimeMs: this.#opts.defaultHandleTimeMs,
    });
    this.#emitter = new SafeEmitter<AcdEventMap>((event, error) => {
      if (event !== 'error')
        this.#emitter.safeEmit('error', error instanceof Error ? error : new Error(String(error)));
    });
    this.#idPrefix = init.idPrefix ?? randomBytes(4).toString('hex');
  }

  /** Opens the ACD on a store: replays its log, releases what a crash left hanging, starts timers. */
  static open(init: AcdServiceInit): AcdService {
    const acd = new AcdService(init);
    acd.#replay();
    acd.#recover();
    acd.#scheduleSweep();
    return acd;
  }

  // ---------------------------------------------------------------- events

  on<K extends keyof AcdEventMap & string>(event: K, listener: (...args: AcdEventMap[K]) => void): this {
    this.#emitter.on(event, listener);
    return this;
  }

  off<K extends keyof AcdEventMap & string>(event: K, listener: (...args: AcdEventMap[K]) => void): this {
    this.#emitter.off(event, listener);
    return this;
  }

  // ---------------------------------------------------------------- configuration

  /** Creates or updates a queue (validated by {@link QueueConfigSchema}). */
  configureQueue(input: QueueConfigInput): QueueConfig {
    const queue = QueueConfigSchema.parse(input);
    return this.#tx(() => {
      this.#record({ t: 'queueConfigured', at: this.#now(), queue });
      return queue;
    });
  }

  /** Removes a queue that has no contacts left. */
  removeQueue(queueId: string): void {
    this.#tx(() => {
      this.#queue(queueId);
      for (const c of this.#state.contacts.values()) {
        if (c.queueId === queueId) fail('SB_ERR_QUEUE_NOT_EMPTY', undefined, { queueId });
      }
      this.#record({ t: 'queueRemoved', at: this.#now(), queueId });
    });
  }

  /** Creates or updates an agent (validated by {@link AgentConfigSchema}); takes effect at once. */
  configureAgent(input: AgentConfigInput): AgentView {
    const agent: AgentConfig = AgentConfigSchema.parse(input);
    return this.#tx(() => {
      this.#record({ t: 'agentConfigured', at: this.#now(), agent });
      return this.#state.agents.get(agent.id)!.view();
    });
  }

  /** Removes an agent that is logged out. */
  removeAgent(agentId: string): void {
    this.#tx(() => {
      const agent = this.#agent(agentId);
      if (agent.loggedIn) fail('SB_ERR_AGENT_BUSY', 'Log the agent out before removing it.', { agentId });
      this.#router.refreshAgent(agent, this.#now(), true);
      this.#record({ t: 'agentRemoved', at: this.#now(), agentId });
    });
  }

  // ---------------------------------------------------------------- agent actions

  /**
   * Logs an agent in with its first status (default NotReady("login")) in one step, so no
   * offer can slip in between login and the status.
   */
  login(
    actor: Actor,
    agentId: string,
    initial: ChosenStatus = { kind: 'NotReady', reason: 'login' },
  ): AgentView {
    const status = ChosenStatusSchema.parse(initial);
    return this.#tx(() => {
      const agent = this.#agentFor(actor, agentId);
      if (agent.loggedIn)
        fail('SB_ERR_INVALID_TRANSITION', 'The agent is already logged in.', { status: agent.status.kind });
      this.#record({ t: 'agentStatus', at: this.#now(), agentId, status });
      return agent.view();
    });
  }

  /** Logs out. Refused while the agent holds a contact or a wrap-up; a pending offer is withdrawn. */
  logout(actor: Actor, agentId: string): AgentView {
    return this.#tx(() => {
      const agent = this.#agentFor(actor, agentId);
      if (!agent.loggedIn) return agent.view();
      if (agent.contacts.size > 0 || agent.wrapUps.size > 0) {
        fail('SB_ERR_AGENT_BUSY', undefined, { agentId, state: agent.state.kind });
      }
      this.#rescindAgentOffer(agent, 'agent-logout');
      this.#record({ t: 'agentStatus', at: this.#now(), agentId, status: { kind: 'Offline' } });
      return agent.view();
    });
  }

  /** Sets the agent's status now. Leaving Ready withdraws a pending offer without penalty. */
  setStatus(actor: Actor, agentId: string, status: ChosenStatus): AgentView {
    const parsed = ChosenStatusSchema.parse(status);
    return this.#tx(() => {
      const agent = this.#agentFor(actor, agentId);
      if (!agent.loggedIn) fail('SB_ERR_INVALID_TRANSITION', 'Log in first.', { status: 'Offline' });
      if (parsed.kind !== 'Ready') this.#rescindAgentOffer(agent, 'agent-status');
      this.#record({ t: 'agentStatus', at: this.#now(), agentId, status: parsed });
      return agent.view();
    });
  }

  /** Chooses the status to take when the current calls and wrap-ups are over (null clears it). */
  setNextStatus(actor: Actor, agentId: string, next: ChosenStatus | null): AgentView {
    const parsed = next === null ? null : ChosenStatusSchema.parse(next);
    return this.#tx(() => {
      const agent = this.#agentFor(actor, agentId);
      if (!agent.loggedIn) fail('SB_ERR_INVALID_TRANSITION', 'Log in first.', { status: 'Offline' });
      this.#record({ t: 'agentNextStatus', at: this.#now(), agentId, next: parsed });
      this.#applyNextStatus(agent);
      return agent.view();
    });
  }

  /**
   * Accepts an offer. Idempotent for the same agent; refused with SB_ERR_OFFER_EXPIRED after
   * the deadline, SB_ERR_OFFER_RESCINDED after a withdrawal, SB_ERR_OFFER_NOT_YOURS for anyone else.
   */
  accept(actor: Actor, offerId: string): { offer: OfferView; contact: ContactView } {
    return this.#tx(() => {
      const offer = this.#offerFor(actor, offerId);
      const contact = this.#state.findContact(offer.contactId);
      if (!contact) fail('SB_ERR_CONTACT_ENDED', undefined, { contactId: offer.contactId });
      switch (offer.state) {
        case 'accepted':
          return { offer: offer.view(), contact: contact.view() };
        case 'expired':
          fail('SB_ERR_OFFER_EXPIRED', undefined, { offerId });
          break;
        case 'rescinded':
          fail('SB_ERR_OFFER_RESCINDED', undefined, { offerId, reason: offer.reason });
          break;
        case 'rejected':
          fail('SB_ERR_INVALID_TRANSITION', 'The offer was rejected.', { offerId, state: 'rejected' });
      }
      if (this.#now() >= offer.deadline) {
        this.#closeOffer(offer, 'expired', null, true);
        fail('SB_ERR_OFFER_EXPIRED', undefined, { offerId });
      }
      this.#record({ t: 'offerAccepted', at: this.#now(), offerId });
      for (const otherId of [...contact.offerIds]) {
        const other = this.#state.offers.getPending(otherId);
        if (other) this.#closeOffer(other, 'rescinded', 'answered-elsewhere', false);
      }
      const agentId = offer.agentId;
      this.#notify('contactConnecting', {
        contactId: contact.id,
        agentId,
        offerId,
        queueId: contact.queueId,
        channel: contact.seed.channel,
        userId: contact.seed.userId,
        sessionId: contact.sessionId,
        callback: contact.callback !== null,
      });
      if (contact.callback !== null) {
        this.#notify('callbackDue', {
          contactId: contact.id,
          agentId,
          userId: contact.seed.userId,
          sessionId: contact.sessionId,
          number: contact.callback.number,
        });
      }
      return { offer: offer.view(), contact: contact.view() };
    });
  }

  /** Rejects an offer: the contact keeps its place; counts as a miss for the agent. Idempotent. */
  reject(actor: Actor, offerId: string, reason = 'rejected'): OfferView {
    return this.#tx(() => {
      const offer = this.#offerFor(actor, offerId);
      switch (offer.state) {
        case 'rejected':
          return offer.view();
        case 'expired':
          fail('SB_ERR_OFFER_EXPIRED', undefined, { offerId });
          break;
        case 'rescinded':
          fail('SB_ERR_OFFER_RESCINDED', undefined, { offerId, reason: offer.reason });
          break;
        case 'accepted':
          fail('SB_ERR_INVALID_TRANSITION', 'The offer was already accepted.', {
            offerId,
            state: 'accepted',
          });
      }
      this.#closeOffer(offer, 'rejected', reason, true);
      return offer.view();
    });
  }

  /** Puts the agent's call on hold or takes it off hold. */
  hold(actor: Actor, contactId: string, on: boolean): ContactView {
    return this.#tx(() => {
      const c = this.#handledContact(actor, contactId);
      if (c.state !== 'oncall') fail('SB_ERR_INVALID_TRANSITION', undefined, { state: c.state });
      if ((c.holdSince !== null) !== on) this.#record({ t: 'contactHold', at: this.#now(), contactId, on });
      return c.view();
    });
  }

  /** Sets the call's disposition (during the call or its wrap-up). */
  setDisposition(actor: Actor, contactId: string, disposition: string): CallRecord {
    return this.#tx(() => {
      const c = this.#handledContact(actor, contactId);
      const inWrapUp = c.state === 'ended' && !c.final;
      if (c.state !== 'oncall' && !inWrapUp) fail('SB_ERR_INVALID_TRANSITION', undefined, { state: c.state });
      this.#record({
        t: 'contactDisposition',
        at: this.#now(),
        contactId,
        disposition: disposition.slice(0, 200),
      });
      return c.record();
    });
  }

  /** Ends the agent's wrap-up (one contact's, or all) before its deadline. */
  endWrapUp(actor: Actor, agentId: string, contactId?: string): AgentView {
    return this.#tx(() => {
      const agent = this.#agentFor(actor, agentId);
      const ids = contactId === undefined ? [...agent.wrapUps.keys()] : [contactId];
      for (const id of ids) {
        if (!agent.wrapUps.has(id))
          fail('SB_ERR_INVALID_TRANSITION', 'No wrap-up for this contact.', { contactId: id });
        this.#endWrapUp(agent, id);
      }
      return agent.view();
    });
  }

  // ---------------------------------------------------------------- presence (called by the transport)

  /** Records that the agent is alive; a heartbeat from a disconnected agent reconnects it. */
  heartbeat(agentId: string): void {
    const agent = this.#agent(agentId);
    agent.lastSeenAt = this.#now();
    if (agent.loggedIn && !agent.connected) this.agentReconnected(agentId);
  }

  /**
   * The agent's connection dropped: no new offers, a pending offer is withdrawn (no penalty);
   * calls are kept for `agentGraceMs`, after which the agent goes Offline.
   */
  agentDisconnected(agentId: string): AgentView {
    return this.#tx(() => {
      const agent = this.#agent(agentId);
      if (agent.loggedIn && agent.connected) this.#disconnectAgent(agent);
      return agent.view();
    });
  }

  /** The agent is back within the grace: calls are kept, offers resume if Ready. */
  agentReconnected(agentId: string): AgentView {
    return this.#tx(() => {
      const agent = this.#agent(agentId);
      if (!agent.loggedIn)
        fail('SB_ERR_INVALID_TRANSITION', 'The agent is logged out; log in again.', { status: 'Offline' });
      agent.lastSeenAt = this.#now();
      if (!agent.connected) {
        this.#record({ t: 'agentPresence', at: this.#now(), agentId, connected: true, graceUntil: null });
      }
      return agent.view();
    });
  }

  /** The agent's latest connectivity test or live-call quality verdict (queues may gate on it). */
  setAgentNetworkVerdict(agentId: string, verdict: { ok: boolean; reason?: string | null }): AgentView {
    return this.#tx(() => {
      const agent = this.#agent(agentId);
      const reason = verdict.ok ? null : (verdict.reason ?? 'network');
      if (agent.network.ok !== verdict.ok || agent.network.reason !== reason) {
        this.#record({ t: 'agentNetwork', at: this.#now(), agentId, ok: verdict.ok, reason });
      }
      return agent.view();
    });
  }

  // ---------------------------------------------------------------- media (called by the media layer)

  /** Media between user and agent is up: the call is live (answer time). Idempotent. */
  mediaConnected(contactId: string): ContactView {
    return this.#tx(() => {
      const c = this.#activeContact(contactId);
      if (c.state === 'oncall') return c.view();
      if (c.state !== 'connecting') fail('SB_ERR_INVALID_TRANSITION', undefined, { state: c.state });
      this.#record({ t: 'contactConnected', at: this.#now(), contactId });
      this.#notify('callConnected', { contactId, agentId: c.agentId! });
      return c.view();
    });
  }

  /**
   * Media could not be set up (or broke): while connecting, the contact goes back to its
   * original place; during a call, the call ends. Either way the agent goes NotReady("media").
   */
  mediaFailed(contactId: string, reason = 'media-failed'): ContactView {
    return this.#tx(() => {
      const c = this.#activeContact(contactId);
      const agent = c.agentId === null ? undefined : this.#state.agents.get(c.agentId);
      if (c.state === 'connecting') {
        this.#record({ t: 'contactReturned', at: this.#now(), contactId, reason });
        this.#notify('callEnded', { contactId, agentId: agent?.id ?? '', endedBy: 'system', reason });
        this.#afterReturn(c);
      } else if (c.state === 'oncall') {
        this.#endCall(c, 'system', reason, true);
      } else {
        fail('SB_ERR_INVALID_TRANSITION', undefined, { state: c.state });
      }
      if (agent?.loggedIn) {
        this.#record({
          t: 'agentStatus',
          at: this.#now(),
          agentId: agent.id,
          status: { kind: 'NotReady', reason: 'media' },
        });
      }
      return c.view();
    });
  }

  /** Attaches the media layer's quality summary to the call record. */
  setCallQuality(contactId: string, quality: QualitySummary): void {
    this.#tx(() => {
      if (!this.#state.findContact(contactId)) fail('SB_ERR_CONTACT_NOT_FOUND', undefined, { contactId });
      this.#record({ t: 'contactQuality', at: this.#now(), contactId, quality: { ...quality } });
    });
  }

  // ---------------------------------------------------------------- user actions

  /** Puts the user's contact in a queue (or its overflow target when full). */
  enqueue(
    actor: Actor,
    request: {
      queueId: string;
      sessionId: string;
      channel?: Channel;
      priority?: number;
      data?: Record<string, unknown>;
    },
  ): ContactTicket {
    if (actor.kind !== 'user') fail('SB_ERR_FORBIDDEN', 'Only a user enqueues a contact.');
    return this.#tx(() => {
      const queue = this.#queue(request.queueId);
      if (!queue.open) fail('SB_ERR_QUEUE_CLOSED', undefined, { queueId: queue.id });
      const target = this.#admit(queue);
      if (target === null) fail('SB_ERR_QUEUE_FULL', undefined, { queueId: queue.id });
      const now = this.#now();
      const seed: ContactSeed = {
        id: this.#newId('c'),
        queueId: target.id,
        userId: actor.userId,
        sessionId: request.sessionId,
        channel: request.channel ?? 'audio',
        priority: request.priority ?? 0,
        enqueuedAt: now,
        seq: this.#state.contactSeq + 1,
        overflowedFrom: null,
        callback: null,
        data: request.data ?? {},
      };
      const c = this.#addContact(seed);
      return this.#ticket(c);
    });
  }

  /**
   * Ends a contact. A user may hang up their own contact at any time (waiting: abandoned,
   * offers withdrawn without penalty); an agent may end the call it handles.
   */
  hangUp(actor: Actor, contactId: string): CallRecord {
    return this.#tx(() => {
      const c = this.#contactFor(actor, contactId);
      if (c.state === 'ended') fail('SB_ERR_CONTACT_ENDED', undefined, { contactId });
      const by = actor.kind === 'user' ? 'user' : actor.kind === 'agent' ? 'agent' : 'system';
      if (actor.kind === 'agent' && c.state !== 'oncall') {
        fail('SB_ERR_INVALID_TRANSITION', 'Only a live call can be ended by the agent.', { state: c.state });
      }
      switch (c.state) {
        case 'waiting':
        case 'offered':
          this.#rescindContactOffers(c, `${by}-hangup`);
          this.#endContact(c, 'abandoned', `${by}-hangup`, by);
          break;
        case 'connecting': {
          const agentId = c.agentId!;
          this.#endContact(c, 'abandoned', `${by}-hangup-connecting`, by);
          this.#notify('callEnded', { contactId, agentId, endedBy: by, reason: `${by}-hangup` });
          const agent = this.#state.agents.get(agentId);
          if (agent) this.#applyNextStatus(agent);
          break;
        }
        case 'oncall':
          this.#endCall(c, by, `${by}-hangup`, true);
          break;
      }
      return c.record();
    });
  }

  /** The waiting user asks to be called back and may leave; the contact keeps its place. */
  requestCallback(actor: Actor, contactId: string, options: { number?: string | null } = {}): ContactView {
    return this.#tx(() => {
      const c = this.#contactFor(actor, contactId);
      if (c.state === 'ended') fail('SB_ERR_CONTACT_ENDED', undefined, { contactId });
      if (c.state !== 'waiting' && c.state !== 'offered')
        fail('SB_ERR_INVALID_TRANSITION', undefined, { state: c.state });
      this.#record({ t: 'contactCallback', at: this.#now(), contactId, number: options.number ?? null });
      return c.view();
    });
  }

  /**
   * The user's connection dropped while waiting: the contact keeps its place for
   * `userResumeGraceMs` but is not offered meanwhile (pending offers are withdrawn).
   */
  userDisconnected(contactId: string): ContactView {
    return this.#tx(() => {
      const c = this.#activeContact(contactId);
      if ((c.state === 'waiting' || c.state === 'offered') && c.callback === null && c.userConnected) {
        this.#rescindContactOffers(c, 'user-disconnected');
        const resumeUntil = this.#now() + this.#opts.userResumeGraceMs;
        this.#record({
          t: 'contactUser',
          at: this.#now(),
          contactId,
          connected: false,
          sessionId: null,
          resumeUntil,
        });
        this.#timer({ at: resumeUntil, kind: 'resume', id: contactId });
      }
      return c.view();
    });
  }

  /** The user is back (new session) within the grace: same place, same contact. */
  resume(actor: Actor, contactId: string, sessionId: string): ContactTicket {
    return this.#tx(() => {
      const c = this.#contactFor(actor, contactId);
      if (c.state === 'ended') fail('SB_ERR_CONTACT_ENDED', undefined, { contactId });
      this.#record({
        t: 'contactUser',
        at: this.#now(),
        contactId,
        connected: true,
        sessionId,
        resumeUntil: null,
      });
      return this.#ticket(c);
    });
  }

  // ---------------------------------------------------------------- queries

  getAgent(agentId: string): AgentView {
    return this.#agent(agentId).view();
  }

  listAgents(): AgentView[] {
    return [...this.#state.agents.values()].map((a) => a.view());
  }

  getQueue(queueId: string): QueueConfig {
    return this.#queue(queueId);
  }

  listQueues(): QueueConfig[] {
    return [...this.#state.queues.values()];
  }

  getContact(contactId: string): ContactView {
    const c =
      this.#state.findContact(contactId) ?? fail('SB_ERR_CONTACT_NOT_FOUND', undefined, { contactId });
    return c.view();
  }

  /** Active contacts (not ended), optionally of one queue, in queue order. */
  listContacts(queueId?: string): ContactView[] {
    return [...this.#state.contacts.values()]
      .filter((c) => queueId === undefined || c.queueId === queueId)
      .sort(compareContacts)
      .map((c) => c.view());
  }

  getOffer(offerId: string): OfferView {
    return (this.#state.offers.get(offerId) ?? fail('SB_ERR_OFFER_NOT_FOUND', undefined, { offerId })).view();
  }

  listPendingOffers(): OfferView[] {
    return [...this.#state.offers.pending()].map((o) => o.view());
  }

  /** 1-based position among the queue's waiting contacts (0 when not waiting). */
  position(contactId: string): number {
    const c = this.#state.contacts.get(contactId);
    return c ? this.#router.position(c) : 0;
  }

  getRecord(contactId: string): CallRecord | undefined {
    return this.#store.getRecord(contactId);
  }

  listRecords(query?: Parameters<AcdStore['listRecords']>[0]): CallRecord[] {
    return this.#store.listRecords(query);
  }

  /** Queue KPIs over the last `windowMs` (or everything retained), plus live figures. */
  queueKpis(queueId: string, options: { windowMs?: number | null } = {}): QueueKpis {
    this.#queue(queueId);
    return this.#kpi.compute(queueId, this.#now(), options.windowMs ?? null, this.#liveFigures(queueId));
  }

  /** The sequence number of the last event applied (for tests and replication checks). */
  get lastSeq(): number {
    return this.#kpi.lastSeq;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Stops timers and closes the store. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#disarm?.();
    this.#cancelSweep?.();
    this.#timers.clear();
    this.#store.close();
    this.#emitter.removeAllListeners();
  }

  // ================================================================ internals

  #now(): number {
    return this.#clock.now();
  }

  #newId(kind: 'c' | 'o'): string {
    return `${kind}-${this.#idPrefix}-${(++this.#idSeq).toString(36)}`;
  }

  /** Runs one unit of work: due timers, the change, routing; commits; then notifies. */
  #tx<T>(fn: () => T): T {
    if (this.#inTx) return fn();
    if (this.#closed) fail('SB_ERR_SERVER_DRAINING', 'The ACD is closed.');
    if (this.#failed) fail('SB_ERR_INTERNAL', `The ACD store failed: ${this.#failed.message}`);
    this.#inTx = true;
    let result: T;
    try {
      this.#runDueTimers();
      result = fn();
    } catch (error) {
      this.#finish();
      throw error;
    }
    this.#finish();
    return result;
  }

  #finish(): void {
    try {
      this.#drainRouting();
      this.#commit();
    } finally {
      this.#inTx = false;
    }
    this.#arm();
    const notifications = this.#notifications;
    this.#notifications = [];
    for (const n of notifications) n();
  }

  #commit(): void {
    if (this.#pending.length === 0 && this.#touchedContacts.size === 0) {
      this.#touchedAgents.clear();
      return;
    }
    const events = this.#pending;
    const records = [...this.#touchedContacts].map((c) => c.record());
    this.#pending = [];
    let last: number;
    try {
      last = this.#store.commit(events, records);
    } catch (error) {
      // Memory is now ahead of the log: refuse further work rather than acknowledge lost changes.
      this.#failed = error instanceof Error ? error : new Error(String(error));
      this.#emitter.safeEmit('error', this.#failed);
      throw new SwitchboardError('SB_ERR_INTERNAL', 'The ACD store failed; the change was not saved.');
    }
    let seq = last - events.length;
    for (const e of events) this.#kpi.apply(++seq, e);
    for (const c of this.#touchedContacts) {
      if (c.state === 'ended') {
        const record = c.record();
        if (c.final) this.#notifications.push(() => this.#emitter.safeEmit('recordFinal', record));
      }
    }
    for (const a of this.#touchedAgents) {
      const view = a.view();
      this.#notifications.push(() => this.#emitter.safeEmit('agentStateChanged', view));
    }
    this.#touchedContacts.clear();
    this.#touchedAgents.clear();
  }

  #notify<K extends keyof AcdEventMap & string>(event: K, ...args: AcdEventMap[K]): void {
    this.#notifications.push(() => this.#emitter.safeEmit(event, ...args));
  }

  #record(e: AcdLogEvent): void {
    this.#state.apply(e);
    this.#pending.push(e);
  }

  #liveHooks(): void {
    this.#state.hooks = {
      agent: (a) => {
        this.#touchedAgents.add(a);
        this.#trackStaffed(a);
        if (this.#router.refreshAgent(a, this.#now(), !this.#state.agents.has(a.id)))
          this.#openedAgents.add(a);
      },
      contact: (c) => {
        this.#touchedContacts.add(c);
        this.#router.refreshContact(c);
        if (c.routable) this.#addCandidate(c);
      },
      queue: (queueId) => {
        const q = this.#state.queues.get(queueId);
        if (q)
          this.#router.setQueue(q, this.#state.agents.values(), this.#state.contacts.values(), this.#now());
        else this.#router.removeQueue(queueId);
        this.#fullPass = true;
      },
    };
  }

  // ---------------------------------------------------------------- routing

  #addCandidate(c: Contact): void {
    if (this.#candidateSet.has(c)) return;
    this.#candidateSet.add(c);
    this.#candidates.insert(c);
  }

  /**
   * Matches until no open agent can take a routable contact. Candidates are processed best
   * first (priority, then age); each newly open agent nominates its best contact, and
   * re-nominates when that contact goes elsewhere, so a worse contact never takes an agent
   * a better one could have had.
   */
  #drainRouting(): void {
    const now = this.#now();
    if (this.#fullPass) {
      this.#fullPass = false;
      for (const c of this.#router.routableContacts()) this.#addCandidate(c);
      for (const a of this.#router.allOpenAgents()) this.#openedAgents.add(a);
    }
    // Bounded: every round either makes an offer or drops a candidate; nominations are re-made
    // only by agents that stay open, each at most once per dropped candidate.
    for (let guard = 0; guard < 10_000_000; guard++) {
      for (const a of this.#openedAgents) {
        if (!a.isOpen(now) || !this.#state.agents.has(a.id)) continue;
        const best = this.#router.contactFor(a, now);
        if (best === undefined) continue;
        let set = this.#nominators.get(best);
        if (!set) {
          set = new Set();
          this.#nominators.set(best, set);
        }
        set.add(a);
        this.#addCandidate(best);
      }
      this.#openedAgents.clear();
      const c = this.#candidates.at(0);
      if (c === undefined) break;
      this.#candidates.delete(c);
      this.#candidateSet.delete(c);
      const nominators = this.#nominators.get(c);
      this.#nominators.delete(c);
      if (c.routable && this.#state.contacts.has(c.id)) {
        const q = this.#state.queues.get(c.queueId);
        if (q) {
          const agents = this.#router.agentsFor(
            c,
            now,
            q.strategy === 'ring-all' ? this.#opts.ringAllMax : 1,
          );
          if (agents.length > 0) this.#offer(c, q, agents);
        }
      }
      if (nominators) for (const a of nominators) this.#openedAgents.add(a);
    }
  }

  #offer(c: Contact, q: QueueConfig, agents: Agent[]): void {
    const now = this.#now();
    const deadline = now + q.offerTimeoutSeconds * 1000;
    for (const agent of agents) {
      const offerId = this.#newId('o');
      this.#record({ t: 'offerCreated', at: now, offerId, contactId: c.id, agentId: agent.id, deadline });
      this.#timer({ at: deadline, kind: 'offer', id: offerId });
      this.#notify('offerCreated', {
        offerId,
        agentId: agent.id,
        contactId: c.id,
        queueId: c.queueId,
        channel: c.seed.channel,
        deadline,
        callback: c.callback !== null,
        data: c.seed.data,
      });
    }
  }

  // ---------------------------------------------------------------- offers, calls, contacts

  #closeOffer(
    offer: Offer,
    state: 'rejected' | 'expired' | 'rescinded',
    reason: string | null,
    miss: boolean,
  ): void {
    const now = this.#now();
    const cooldownUntil = miss && this.#opts.missCooldownMs > 0 ? now + this.#opts.missCooldownMs : null;
    this.#record({ t: 'offerClosed', at: now, offerId: offer.id, state, reason, miss, cooldownUntil });
    if (cooldownUntil !== null) this.#timer({ at: cooldownUntil, kind: 'cooldown', id: offer.agentId });
    if (state === 'expired') {
      this.#notify('offerExpired', { offerId: offer.id, agentId: offer.agentId, contactId: offer.contactId });
    } else if (state === 'rescinded') {
      this.#notify('offerRescinded', {
        offerId: offer.id,
        agentId: offer.agentId,
        contactId: offer.contactId,
        reason: reason ?? 'rescinded',
      });
    }
    const agent = this.#state.agents.get(offer.agentId);
    if (
      miss &&
      agent &&
      agent.status.kind === 'Ready' &&
      agent.consecutiveMisses >= this.#opts.missedOfferLimit
    ) {
      this.#record({
        t: 'agentStatus',
        at: now,
        agentId: agent.id,
        status: { kind: 'NotReady', reason: 'missed' },
      });
    }
    const c = this.#state.contacts.get(offer.contactId);
    if (c && c.state === 'waiting') this.#afterReturn(c);
  }

  #rescindAgentOffer(agent: Agent, reason: string): void {
    const offer =
      agent.pendingOfferId === null ? undefined : this.#state.offers.getPending(agent.pendingOfferId);
    if (offer) this.#closeOffer(offer, 'rescinded', reason, false);
  }

  #rescindContactOffers(c: Contact, reason: string): void {
    for (const id of [...c.offerIds]) {
      const offer = this.#state.offers.getPending(id);
      if (offer) this.#closeOffer(offer, 'rescinded', reason, false);
    }
  }

  /** A contact is back in `waiting`: if its max wait passed meanwhile, overflow it now. */
  #afterReturn(c: Contact): void {
    const q = this.#state.queues.get(c.queueId);
    if (
      q &&
      q.maxWaitSeconds > 0 &&
      c.callback === null &&
      this.#now() >= c.queuedAt + q.maxWaitSeconds * 1000
    ) {
      this.#maxWaitReached(c, q);
    }
  }

  #addContact(seed: ContactSeed, userConnected = true, resumeUntil: number | null = null): Contact {
    const now = this.#now();
    this.#record({ t: 'contactEnqueued', at: now, contact: seed });
    const c = this.#state.contacts.get(seed.id)!;
    if (!userConnected) {
      this.#record({
        t: 'contactUser',
        at: now,
        contactId: c.id,
        connected: false,
        sessionId: null,
        resumeUntil,
      });
      if (resumeUntil !== null) this.#timer({ at: resumeUntil, kind: 'resume', id: c.id });
    }
    this.#scheduleContactTimers(c);
    this.#notify('contactQueued', {
      contactId: c.id,
      queueId: c.queueId,
      userId: c.seed.userId,
      sessionId: c.sessionId,
    });
    return c;
  }

  #scheduleContactTimers(c: Contact): void {
    const q = this.#state.queues.get(c.queueId);
    if (!q) return;
    for (const step of q.escalation) {
      this.#timer({ at: c.queuedAt + step.afterSeconds * 1000, kind: 'escalation', id: c.id });
    }
    if (q.maxWaitSeconds > 0)
      this.#timer({ at: c.queuedAt + q.maxWaitSeconds * 1000, kind: 'maxWait', id: c.id });
  }

  /** The queue a new contact lands in: this one, or its overflow chain when full; null if none. */
  #admit(queue: QueueConfig): QueueConfig | null {
    const seen = new Set<string>();
    let q: QueueConfig | undefined = queue;
    while (q && !seen.has(q.id)) {
      seen.add(q.id);
      if (q.open && (q.maxLength === 0 || this.#router.waitingCount(q.id) < q.maxLength)) return q;
      q = q.overflowTarget === null ? undefined : this.#state.queues.get(q.overflowTarget);
    }
    return null;
  }

  #maxWaitReached(c: Contact, q: QueueConfig): void {
    const target = q.overflowTarget === null ? undefined : this.#state.queues.get(q.overflowTarget);
    const admitted = target ? this.#admit(target) : null;
    if (admitted === null || admitted.id === c.queueId) {
      this.#endContact(c, 'abandoned', 'max-wait', 'system');
      return;
    }
    const seed: ContactSeed = {
      ...c.seed,
      id: this.#newId('c'),
      queueId: admitted.id,
      sessionId: c.sessionId,
      seq: this.#state.contactSeq + 1,
      overflowedFrom: c.id,
      callback: c.callback,
    };
    this.#endContact(c, 'overflowed', `overflow:${admitted.id}`, 'system', admitted.id);
    this.#addContact(seed, c.userConnected, c.resumeUntil);
    this.#notify('contactOverflowed', {
      contactId: c.id,
      fromQueueId: c.queueId,
      toQueueId: admitted.id,
      newContactId: seed.id,
    });
  }

  #endContact(
    c: Contact,
    outcome: 'answered' | 'abandoned' | 'overflowed' | 'callback',
    reason: string,
    endedBy: 'agent' | 'user' | 'system',
    overflowedTo: string | null = null,
  ): void {
    this.#record({
      t: 'contactEnded',
      at: this.#now(),
      contactId: c.id,
      outcome,
      reason,
      endedBy,
      overflowedTo,
    });
    this.#lastPosition.delete(c.id);
    const record = c.record();
    this.#notify('contactEnded', record);
  }

  /** Ends a live call; the agent goes to wrap-up (if the queue has one and `wrapUp`). */
  #endCall(c: Contact, endedBy: 'agent' | 'user' | 'system', reason: string, wrapUp: boolean): void {
    const agentId = c.agentId!;
    this.#endContact(c, c.callback !== null ? 'callback' : 'answered', reason, endedBy);
    this.#notify('callEnded', { contactId: c.id, agentId, endedBy, reason });
    const agent = this.#state.agents.get(agentId);
    if (!agent) return;
    const q = this.#state.queues.get(c.queueId);
    const wrapMs = wrapUp ? (q?.wrapUpSeconds ?? 0) * 1000 : 0;
    if (wrapMs > 0) {
      const deadline = this.#now() + wrapMs;
      this.#record({ t: 'wrapUpStarted', at: this.#now(), agentId, contactId: c.id, deadline });
      this.#timer({ at: deadline, kind: 'wrapup', id: `${agentId}\u0000${c.id}` });
    } else {
      this.#applyNextStatus(agent);
    }
  }

  #endWrapUp(agent: Agent, contactId: string): void {
    this.#record({ t: 'wrapUpEnded', at: this.#now(), agentId: agent.id, contactId });
    this.#applyNextStatus(agent);
  }

  /** Applies the pre-selected status once the agent holds nothing. */
  #applyNextStatus(agent: Agent): void {
    if (agent.nextStatus === null || agent.busy || !agent.loggedIn) return;
    const next = agent.nextStatus;
    this.#record({ t: 'agentNextStatus', at: this.#now(), agentId: agent.id, next: null });
    this.#record({ t: 'agentStatus', at: this.#now(), agentId: agent.id, status: next });
  }

  #disconnectAgent(agent: Agent): void {
    const graceUntil = this.#now() + this.#opts.agentGraceMs;
    this.#rescindAgentOffer(agent, 'agent-disconnected');
    this.#record({ t: 'agentPresence', at: this.#now(), agentId: agent.id, connected: false, graceUntil });
    this.#timer({ at: graceUntil, kind: 'agentGrace', id: agent.id });
  }

  /** The grace passed without a reconnect: release everything and go Offline. */
  #agentLost(agent: Agent): void {
    this.#rescindAgentOffer(agent, 'agent-lost');
    for (const contactId of [...agent.contacts.keys()]) {
      const c = this.#state.contacts.get(contactId);
      if (!c) continue;
      if (c.state === 'connecting') {
        this.#record({ t: 'contactReturned', at: this.#now(), contactId, reason: 'agent-lost' });
        this.#notify('callEnded', { contactId, agentId: agent.id, endedBy: 'system', reason: 'agent-lost' });
        this.#afterReturn(c);
      } else {
        this.#endCall(c, 'system', 'agent-lost', false);
      }
    }
    for (const contactId of [...agent.wrapUps.keys()]) {
      this.#record({ t: 'wrapUpEnded', at: this.#now(), agentId: agent.id, contactId });
    }
    this.#record({ t: 'agentStatus', at: this.#now(), agentId: agent.id, status: { kind: 'Offline' } });
  }

  // ---------------------------------------------------------------- timers

  #timer(entry: TimerEntry): void {
    this.#timers.push(entry);
  }

  /** Keeps exactly one clock timer armed for the earliest deadline. */
  #arm(): void {
    if (this.#closed) return;
    const top = this.#timers.peek();
    if (top === undefined) return;
    if (this.#armedAt !== null && this.#armedAt <= top.at) return;
    this.#disarm?.();
    this.#armedAt = top.at;
    this.#disarm = this.#clock.schedule(top.at, () => {
      this.#armedAt = null;
      this.#disarm = null;
      this.#safely(() => this.#tx(() => {}));
      this.#arm();
    });
  }

  #safely(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#emitter.safeEmit('error', error instanceof Error ? error : new Error(String(error)));
    }
  }

  #runDueTimers(): void {
    const now = this.#now();
    // Bounded by the number of entries due now.
    for (let entry = this.#timers.popDue(now); entry !== undefined; entry = this.#timers.popDue(now)) {
      this.#fire(entry, now);
    }
  }

  /** Handles one due timer after checking it still applies (cancellation is lazy). */
  #fire(entry: TimerEntry, now: number): void {
    switch (entry.kind) {
      case 'offer': {
        const offer = this.#state.offers.getPending(entry.id);
        if (offer && offer.deadline <= now) this.#closeOffer(offer, 'expired', null, true);
        return;
      }
      case 'wrapup': {
        const [agentId, contactId] = entry.id.split('\u0000') as [string, string];
        const agent = this.#state.agents.get(agentId);
        const deadline = agent?.wrapUps.get(contactId);
        if (agent && deadline !== undefined && deadline <= now) this.#endWrapUp(agent, contactId);
        return;
      }
      case 'agentGrace': {
        const agent = this.#state.agents.get(entry.id);
        if (agent?.loggedIn && !agent.connected && (agent.graceUntil ?? 0) <= now) this.#agentLost(agent);
        return;
      }
      case 'cooldown': {
        const agent = this.#state.agents.get(entry.id);
        if (agent && this.#router.refreshAgent(agent, now)) this.#openedAgents.add(agent);
        return;
      }
      case 'resume': {
        const c = this.#state.contacts.get(entry.id);
        if (c && !c.userConnected && c.callback === null && c.resumeUntil !== null && c.resumeUntil <= now) {
          if (c.state === 'waiting' || c.state === 'offered') {
            this.#rescindContactOffers(c, 'user-gone');
            this.#endContact(c, 'abandoned', 'user-gone', 'system');
          }
        }
        return;
      }
      case 'escalation': {
        const c = this.#state.contacts.get(entry.id);
        if (c?.routable) this.#addCandidate(c);
        return;
      }
      case 'maxWait': {
        const c = this.#state.contacts.get(entry.id);
        const q = c ? this.#state.queues.get(c.queueId) : undefined;
        if (c && q && c.state === 'waiting' && c.callback === null) this.#maxWaitReached(c, q);
        return;
      }
    }
  }

  #scheduleSweep(): void {
    if (this.#closed || this.#opts.sweepIntervalMs <= 0) return;
    this.#cancelSweep = this.#clock.schedule(this.#now() + this.#opts.sweepIntervalMs, () => {
      this.#safely(() => this.sweep());
      this.#scheduleSweep();
    });
  }

  /**
   * The periodic safety net: due timers, heartbeat timeouts, a full routing pass and position
   * updates. Routing is event-driven; this only catches what an event could have missed.
   */
  sweep(): void {
    this.#tx(() => {
      const now = this.#now();
      if (this.#opts.heartbeatTimeoutMs > 0) {
        for (const agent of this.#state.agents.values()) {
          if (agent.loggedIn && agent.connected && now - agent.lastSeenAt > this.#opts.heartbeatTimeoutMs) {
            this.#disconnectAgent(agent);
          }
        }
      }
      this.#fullPass = true;
    });
    this.#emitPositions();
  }

  // ---------------------------------------------------------------- positions and KPIs

  /** Ready, connected agents serving the queue (kept incrementally: estimates run per arrival). */
  #staffed(queueId: string): number {
    return this.#staffedCount.get(queueId) ?? 0;
  }

  #trackStaffed(a: Agent): void {
    const staffed = a.status.kind === 'Ready' && a.connected && this.#state.agents.has(a.id);
    const prev = this.#staffedBy.get(a);
    if (prev) for (const q of prev) this.#staffedCount.set(q, (this.#staffedCount.get(q) ?? 0) - 1);
    if (staffed) {
      const queues = [...a.config.queues];
      for (const q of queues) this.#staffedCount.set(q, (this.#staffedCount.get(q) ?? 0) + 1);
      this.#staffedBy.set(a, queues);
    } else {
      this.#staffedBy.delete(a);
    }
  }

  #ticket(c: Contact): ContactTicket {
    const position = this.#router.position(c);
    const estimatedWaitMs =
      position > 0 ? this.#kpi.estimatedWait(c.queueId, position, this.#staffed(c.queueId)) : null;
    this.#lastPosition.set(c.id, `${position}:${estimatedWaitMs}`);
    this.#notify('contactPosition', {
      contactId: c.id,
      userId: c.seed.userId,
      sessionId: c.sessionId,
      queueId: c.queueId,
      position,
      estimatedWaitMs,
    });
    return { contact: c.view(), position, estimatedWaitMs };
  }

  /** Sends position/estimate to waiting users whose figures changed since the last update. */
  #emitPositions(): void {
    if (this.#closed || this.#emitter.listenerCount('contactPosition') === 0) return;
    for (const q of this.#state.queues.values()) {
      const staffed = this.#staffed(q.id);
      let position = 0;
      for (const c of this.#router.waiting(q.id)) {
        position++;
        if (!c.userConnected) continue;
        const estimatedWaitMs = this.#kpi.estimatedWait(q.id, position, staffed);
        const key = `${position}:${estimatedWaitMs}`;
        if (this.#lastPosition.get(c.id) === key) continue;
        this.#lastPosition.set(c.id, key);
        this.#emitter.safeEmit('contactPosition', {
          contactId: c.id,
          userId: c.seed.userId,
          sessionId: c.sessionId,
          queueId: q.id,
          position,
          estimatedWaitMs,
        });
      }
    }
  }

  #liveFigures(queueId: string): LiveQueueFigures {
    const now = this.#now();
    const waiting = this.#router.waiting(queueId);
    const agentsByState: LiveQueueFigures['agentsByState'] = {
      Offline: 0,
      NotReady: 0,
      Idle: 0,
      Offered: 0,
      Connecting: 0,
      OnCall: 0,
      WrapUp: 0,
      Disconnected: 0,
    };
    let busy = 0;
    let available = 0;
    let staffed = 0;
    for (const a of this.#state.agents.values()) {
      if (!a.config.queues.includes(queueId)) continue;
      if (!a.loggedIn) {
        agentsByState.Offline++;
        continue;
      }
      const state = a.state.kind;
      if (state === 'Idle' && a.status.kind === 'NotReady') agentsByState.NotReady++;
      else agentsByState[state]++;
      if (a.contacts.size > 0 || a.wrapUps.size > 0) busy++;
      else if (a.status.kind === 'Ready' && a.connected) available++;
      if (a.status.kind === 'Ready' && a.connected) staffed++;
    }
    return {
      waiting: waiting.length,
      longestWaitingMs: waiting.reduce((m, c) => Math.max(m, now - c.queuedAt), 0),
      staffed,
      agentsByState,
      busy,
      available,
    };
  }

  // ---------------------------------------------------------------- replay and recovery

  #replay(): void {
    for (const { seq, event } of this.#store.loadEvents()) {
      this.#state.apply(event);
      this.#kpi.apply(seq, event);
    }
    this.#idSeq = 0;
    this.#liveHooks();
    for (const a of this.#state.agents.values()) this.#trackStaffed(a);
    const now = this.#now();
    for (const q of this.#state.queues.values()) {
      this.#router.setQueue(q, this.#state.agents.values(), this.#state.contacts.values(), now);
    }
  }

  /**
   * After a restart: pending offers are released, calls that were being set up go back to
   * their place, live calls end (their media died with the process), wrap-ups close, agents
   * come back NotReady("recovery") and disconnected (they reconnect within the grace), and
   * waiting users get the resume grace to reconnect and keep their place.
   */
  #recover(): void {
    if (this.#state.agents.size === 0 && this.#state.contacts.size === 0) return;
    this.#tx(() => {
      const now = this.#now();
      let offersReleased = 0;
      let callsEnded = 0;
      this.#record({ t: 'recovery', at: now });
      for (const offer of [...this.#state.offers.pending()]) {
        this.#closeOffer(offer, 'rescinded', 'recovery', false);
        offersReleased++;
      }
      for (const c of [...this.#state.contacts.values()]) {
        if (c.state === 'connecting') {
          this.#record({ t: 'contactReturned', at: now, contactId: c.id, reason: 'recovery' });
        } else if (c.state === 'oncall') {
          this.#endContact(c, c.callback !== null ? 'callback' : 'answered', 'recovery', 'system');
          callsEnded++;
        }
      }
      for (const agent of this.#state.agents.values()) {
        for (const contactId of [...agent.wrapUps.keys()]) {
          this.#record({ t: 'wrapUpEnded', at: now, agentId: agent.id, contactId });
        }
        if (!agent.loggedIn) continue;
        if (!(agent.status.kind === 'NotReady' && agent.status.reason === 'recovery')) {
          this.#record({
            t: 'agentStatus',
            at: now,
            agentId: agent.id,
            status: { kind: 'NotReady', reason: 'recovery' },
          });
        }
        const graceUntil = now + this.#opts.agentGraceMs;
        this.#record({ t: 'agentPresence', at: now, agentId: agent.id, connected: false, graceUntil });
        this.#timer({ at: graceUntil, kind: 'agentGrace', id: agent.id });
      }
      for (const c of this.#state.contacts.values()) {
        if (c.callback === null) {
          const resumeUntil = now + this.#opts.userResumeGraceMs;
          this.#record({
            t: 'contactUser',
            at: now,
            contactId: c.id,
            connected: false,
            sessionId: null,
            resumeUntil,
          });
          this.#timer({ at: resumeUntil, kind: 'resume', id: c.id });
        }
        this.#scheduleContactTimers(c);
      }
      this.#notify('recovered', {
        agents: [...this.#state.agents.values()].filter((a) => a.loggedIn).length,
        contacts: this.#state.contacts.size,
        offersReleased,
        callsEnded,
      });
    });
  }

  // ---------------------------------------------------------------- lookups and authorisation

  #queue(queueId: string): QueueConfig {
    return this.#state.queues.get(queueId) ?? fail('SB_ERR_QUEUE_NOT_FOUND', undefined, { queueId });
  }

  #agent(agentId: string): Agent {
    return this.#state.agents.get(agentId) ?? fail('SB_ERR_AGENT_NOT_FOUND', undefined, { agentId });
  }

  /** The agent, if the actor may act for it (itself, or a supervisor). */
  #agentFor(actor: Actor, agentId: string): Agent {
    const agent = this.#agent(agentId);
    if (actor.kind === 'supervisor') return agent;
    if (actor.kind === 'agent' && actor.agentId === agentId) return agent;
    return fail('SB_ERR_NOT_YOUR_AGENT', undefined, { agentId });
  }

  #offerFor(actor: Actor, offerId: string): Offer {
    const offer = this.#state.offers.get(offerId) ?? fail('SB_ERR_OFFER_NOT_FOUND', undefined, { offerId });
    if (actor.kind !== 'agent' || actor.agentId !== offer.agentId)
      fail('SB_ERR_OFFER_NOT_YOURS', undefined, { offerId });
    return offer;
  }

  #activeContact(contactId: string): Contact {
    const c = this.#state.contacts.get(contactId);
    if (c) return c;
    if (this.#state.ended.has(contactId)) fail('SB_ERR_CONTACT_ENDED', undefined, { contactId });
    return fail('SB_ERR_CONTACT_NOT_FOUND', undefined, { contactId });
  }

  /** The contact, if the actor may touch it: its user, the agent handling it, or a supervisor. */
  #contactFor(actor: Actor, contactId: string): Contact {
    const c =
      this.#state.findContact(contactId) ?? fail('SB_ERR_CONTACT_NOT_FOUND', undefined, { contactId });
    if (actor.kind === 'supervisor') return c;
    if (actor.kind === 'user' && actor.userId === c.seed.userId) return c;
    if (actor.kind === 'agent' && c.agentId !== null && actor.agentId === c.agentId) return c;
    return fail('SB_ERR_NOT_YOUR_CONTACT', undefined, { contactId });
  }

  /** A contact the acting agent handles (or any, for a supervisor). */
  #handledContact(actor: Actor, contactId: string): Contact {
    if (actor.kind === 'user') fail('SB_ERR_NOT_YOUR_CONTACT', undefined, { contactId });
    return this.#contactFor(actor, contactId);
  }
}
