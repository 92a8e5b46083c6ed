import type { AcdLogEvent } from './AcdLogEvent.js';
import { Agent } from './Agent.js';
import { Contact } from './Contact.js';
import { Offer } from './Offer.js';
import { OfferManager } from './OfferManager.js';
import type { QueueConfig } from './schemas.js';

/** Called after an event touched an entity (live: re-index, persist the record, notify). */
export interface StateHooks {
  agent(agent: Agent): void;
  contact(contact: Contact): void;
  queue(queueId: string): void;
}

const NO_HOOKS: StateHooks = { agent: () => {}, contact: () => {}, queue: () => {} };

/**
 * The ACD's state as a pure fold over {@link AcdLogEvent}s. Live commands and replay after a
 * restart go through the same `apply`, so a restarted node sees exactly what was acknowledged.
 */
export class AcdState {
  readonly queues = new Map<string, QueueConfig>();
  readonly agents = new Map<string, Agent>();
  /** Contacts that have not ended. */
  readonly contacts = new Map<string, Contact>();
  /** Ended contacts, bounded (wrap-up, disposition, late requests need them). */
  readonly ended = new Map<string, Contact>();
  readonly offers: OfferManager;
  hooks: StateHooks = NO_HOOKS;
  #offerSeq = 0;
  /** Highest contact arrival seq seen: new contacts continue from it. */
  contactSeq = 0;
  readonly #endedMemory: number;

  constructor(options: { closedOfferMemory?: number; endedContactMemory?: number } = {}) {
    this.offers = new OfferManager(options.closedOfferMemory ?? 100_000);
    this.#endedMemory = options.endedContactMemory ?? 100_000;
  }

  findContact(id: string): Contact | undefined {
    return this.contacts.get(id) ?? this.ended.get(id);
  }

  apply(e: AcdLogEvent): void {
    switch (e.t) {
      case 'queueConfigured':
        this.queues.set(e.queue.id, e.queue);
        this.hooks.queue(e.queue.id);
        return;
      case 'queueRemoved':
        this.queues.delete(e.queueId);
        this.hooks.queue(e.queueId);
        return;
      case 'agentConfigured': {
        const existing = this.agents.get(e.agent.id);
        if (existing) existing.config = e.agent;
        else this.agents.set(e.agent.id, new Agent(e.agent));
        this.hooks.agent(this.agents.get(e.agent.id)!);
        return;
      }
      case 'agentRemoved': {
        const agent = this.agents.get(e.agentId);
        this.agents.delete(e.agentId);
        if (agent) {
          agent.status = { kind: 'Offline' };
          this.hooks.agent(agent);
        }
        return;
      }
      case 'agentStatus': {
        const a = this.#agent(e.agentId);
        const prev = a.status;
        a.status = e.status;
        if (e.status.kind === 'Offline') {
          a.nextStatus = null;
          a.connected = false;
          a.graceUntil = null;
          a.cooldownUntil = 0;
        } else if (prev.kind === 'Offline') {
          // A login: presence starts now, per-session counters restart.
          a.connected = true;
          a.graceUntil = null;
          a.lastSeenAt = e.at;
          a.callsHandled = 0;
          a.talkMs = 0;
          a.consecutiveMisses = 0;
        }
        if (e.status.kind === 'Ready' && prev.kind !== 'Ready') {
          a.consecutiveMisses = 0;
          if (!a.busy) a.availableSince = e.at;
        }
        this.hooks.agent(a);
        return;
      }
      case 'agentNextStatus': {
        const a = this.#agent(e.agentId);
        a.nextStatus = e.next;
        this.hooks.agent(a);
        return;
      }
      case 'agentPresence': {
        const a = this.#agent(e.agentId);
        a.connected = e.connected;
        a.graceUntil = e.graceUntil;
        if (e.connected) a.lastSeenAt = e.at;
        this.hooks.agent(a);
        return;
      }
      case 'agentNetwork': {
        const a = this.#agent(e.agentId);
        a.network = { ok: e.ok, reason: e.reason };
        this.hooks.agent(a);
        return;
      }
      case 'contactEnqueued': {
        const c = new Contact(e.contact, e.at);
        this.contacts.set(c.id, c);
        if (e.contact.seq > this.contactSeq) this.contactSeq = e.contact.seq;
        this.hooks.contact(c);
        return;
      }
      case 'contactUser': {
        const c = this.#contact(e.contactId);
        c.userConnected = e.connected;
        if (e.sessionId !== null) c.sessionId = e.sessionId;
        c.resumeUntil = e.resumeUntil;
        this.hooks.contact(c);
        return;
      }
      case 'contactCallback': {
        const c = this.#contact(e.contactId);
        c.callback = { requestedAt: e.at, number: e.number };
        c.userConnected = false;
        c.resumeUntil = null;
        this.hooks.contact(c);
        return;
      }
      case 'offerCreated': {
        const c = this.#contact(e.contactId);
        const a = this.#agent(e.agentId);
        const offer = new Offer({
          id: e.offerId,
          contactId: c.id,
          agentId: a.id,
          queueId: c.queueId,
          createdAt: e.at,
          deadline: e.deadline,
        });
        this.offers.add(offer);
        c.offerIds.add(offer.id);
        c.state = 'offered';
        c.offers++;
        c.offeredAt ??= e.at;
        a.pendingOfferId = offer.id;
        a.pendingChannel = c.seed.channel;
        a.lastOfferedSeq.set(c.queueId, ++this.#offerSeq);
        this.hooks.contact(c);
        this.hooks.agent(a);
        return;
      }
      case 'offerClosed': {
        const offer = this.offers.getPending(e.offerId);
        if (!offer) throw new Error(`offerClosed for unknown pending offer ${e.offerId}`);
        offer.state = e.state;
        offer.reason = e.reason;
        this.offers.close(offer);
        const a = this.agents.get(offer.agentId);
        if (a && a.pendingOfferId === offer.id) {
          a.pendingOfferId = null;
          a.pendingChannel = null;
          if (e.miss) a.consecutiveMisses++;
          if (e.cooldownUntil !== null) a.cooldownUntil = Math.max(a.cooldownUntil, e.cooldownUntil);
          this.hooks.agent(a);
        }
        const c = this.contacts.get(offer.contactId);
        if (c) {
          c.offerIds.delete(offer.id);
          if (c.offerIds.size === 0 && c.state === 'offered') c.state = 'waiting';
          this.hooks.contact(c);
        }
        return;
      }
      case 'offerAccepted': {
        const offer = this.offers.getPending(e.offerId);
        if (!offer) throw new Error(`offerAccepted for unknown pending offer ${e.offerId}`);
        offer.state = 'accepted';
        this.offers.close(offer);
        const a = this.#agent(offer.agentId);
        const c = this.#contact(offer.contactId);
        a.pendingOfferId = null;
        a.pendingChannel = null;
        a.consecutiveMisses = 0;
        a.contacts.set(c.id, { channel: c.seed.channel, connected: false });
        c.offerIds.delete(offer.id);
        c.state = 'connecting';
        c.agentId = a.id;
        this.hooks.agent(a);
        this.hooks.contact(c);
        return;
      }
      case 'contactConnected': {
        const c = this.#contact(e.contactId);
        c.state = 'oncall';
        c.answeredAt = e.at;
        const a = c.agentId === null ? undefined : this.agents.get(c.agentId);
        const slot = a?.contacts.get(c.id);
        if (slot) slot.connected = true;
        this.hooks.contact(c);
        if (a) this.hooks.agent(a);
        return;
      }
      case 'contactReturned': {
        const c = this.#contact(e.contactId);
        const a = c.agentId === null ? undefined : this.agents.get(c.agentId);
        if (a) {
          a.contacts.delete(c.id);
          if (!a.busy) a.availableSince = e.at;
          this.hooks.agent(a);
        }
        c.agentId = null;
        c.state = 'waiting';
        c.answeredAt = null;
        c.holdSince = null;
        c.holdMs = 0;
        this.hooks.contact(c);
        return;
      }
      case 'contactHold': {
        const c = this.#contact(e.contactId);
        if (e.on && c.holdSince === null) c.holdSince = e.at;
        if (!e.on && c.holdSince !== null) {
          c.holdMs += e.at - c.holdSince;
          c.holdSince = null;
        }
        this.hooks.contact(c);
        return;
      }
      case 'contactDisposition': {
        const c = this.#anyContact(e.contactId);
        c.disposition = e.disposition;
        this.hooks.contact(c);
        return;
      }
      case 'contactQuality': {
        const c = this.#anyContact(e.contactId);
        c.quality = e.quality;
        this.hooks.contact(c);
        return;
      }
      case 'contactEnded': {
        const c = this.#contact(e.contactId);
        if (c.holdSince !== null) {
          c.holdMs += e.at - c.holdSince;
          c.holdSince = null;
        }
        c.state = 'ended';
        c.endedAt = e.at;
        c.outcome = e.outcome;
        c.endReason = e.reason;
        c.overflowedTo = e.overflowedTo;
        c.final = true;
        const a = c.agentId === null ? undefined : this.agents.get(c.agentId);
        if (a?.contacts.delete(c.id)) {
          if (c.answeredAt !== null) {
            a.callsHandled++;
            a.talkMs += e.at - c.answeredAt - c.holdMs;
          }
          if (!a.busy) a.availableSince = e.at;
          this.hooks.agent(a);
        }
        this.contacts.delete(c.id);
        this.ended.set(c.id, c);
        if (this.ended.size > this.#endedMemory) {
          const oldest = this.ended.keys().next().value;
          if (oldest !== undefined) this.ended.delete(oldest);
        }
        this.hooks.contact(c);
        return;
      }
      case 'wrapUpStarted': {
        const a = this.#agent(e.agentId);
        const c = this.#anyContact(e.contactId);
        a.wrapUps.set(c.id, e.deadline);
        c.wrapUpStartedAt = e.at;
        c.final = false;
        this.hooks.agent(a);
        this.hooks.contact(c);
        return;
      }
      case 'wrapUpEnded': {
        const a = this.#agent(e.agentId);
        a.wrapUps.delete(e.contactId);
        if (!a.busy) a.availableSince = e.at;
        const c = this.findContact(e.contactId);
        if (c) {
          c.wrapUpMs = e.at - (c.wrapUpStartedAt ?? e.at);
          c.final = true;
          this.hooks.contact(c);
        }
        this.hooks.agent(a);
        return;
      }
      case 'recovery':
        return;
    }
  }

  #agent(id: string): Agent {
    const a = this.agents.get(id);
    if (!a) throw new Error(`event for unknown agent ${id}`);
    return a;
  }

  #contact(id: string): Contact {
    const c = this.contacts.get(id);
    if (!c) throw new Error(`event for unknown or ended contact ${id}`);
    return c;
  }

  #anyContact(id: string): Contact {
    const c = this.findContact(id);
    if (!c) throw new Error(`event for unknown contact ${id}`);
    return c;
  }
}
