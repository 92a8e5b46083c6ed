import type { Channel } from './AcdTypes.js';
import type { Agent } from './Agent.js';
import { type Contact, compareContacts } from './Contact.js';
import { SortedList } from './SortedList.js';
import type { QueueConfig } from './schemas.js';

interface AgentEntry {
  agent: Agent;
  k1: number;
  k2: number;
}

interface QueueIndex {
  config: QueueConfig;
  /** Contacts in state `waiting` (routable or not), in queue order. */
  waiting: SortedList<Contact>;
  /** Open agents with capacity on the channel, best first by the queue's strategy. */
  open: Record<Channel, SortedList<AgentEntry>>;
  entries: Record<Channel, Map<string, AgentEntry>>;
}

const CHANNELS: readonly Channel[] = ['audio', 'video'];

function compareEntries(a: AgentEntry, b: AgentEntry): number {
  return a.k1 - b.k1 || a.k2 - b.k2 || (a.agent.id < b.agent.id ? -1 : a.agent.id > b.agent.id ? 1 : 0);
}

/**
 * Matching of contacts to agents. Keeps, per queue, the waiting contacts in priority-then-age
 * order and the open agents in strategy order, so a routing decision scans from the best
 * candidate and stops at the first eligible one: ineligible heads are skipped (no
 * head-of-line blocking). Ties break by agent id, then contact arrival order.
 */
export class QueueRouter {
  readonly #queues = new Map<string, QueueIndex>();
  /** Agent id → queues it is indexed in. */
  readonly #agentQueues = new Map<string, Set<string>>();

  setQueue(config: QueueConfig, agents: Iterable<Agent>, contacts: Iterable<Contact>, now: number): void {
    const old = this.#queues.get(config.id);
    const index: QueueIndex = {
      config,
      waiting: old?.waiting ?? new SortedList(compareContacts),
      open: { audio: new SortedList(compareEntries), video: new SortedList(compareEntries) },
      entries: { audio: new Map(), video: new Map() },
    };
    if (!old)
      for (const c of contacts) if (c.queueId === config.id && c.state === 'waiting') index.waiting.insert(c);
    this.#queues.set(config.id, index);
    for (const agent of agents) {
      for (const ch of CHANNELS) this.#agentQueues.get(agent.id)?.delete(`${config.id}\u0000${ch}`);
      this.refreshAgent(agent, now);
    }
  }

  removeQueue(queueId: string): void {
    const index = this.#queues.get(queueId);
    if (!index) return;
    for (const ch of CHANNELS) {
      for (const id of index.entries[ch].keys()) this.#agentQueues.get(id)?.delete(`${queueId}\u0000${ch}`);
    }
    this.#queues.delete(queueId);
  }

  queue(queueId: string): QueueConfig | undefined {
    return this.#queues.get(queueId)?.config;
  }

  #key(agent: Agent, q: QueueConfig): [number, number] {
    switch (q.strategy) {
      case 'round-robin':
        return [agent.lastOfferedSeq.get(q.id) ?? 0, agent.availableSince];
      case 'fewest-calls':
        return [agent.callsHandled, agent.availableSince];
      case 'least-talk-time':
        return [agent.talkMs, agent.availableSince];
      case 'skills': {
        let score = 0;
        for (const r of q.requiredSkills) score += agent.level(r.skill);
        return [-score, agent.availableSince];
      }
      default:
        return [agent.availableSince, 0];
    }
  }

  /** Re-indexes an agent after any change; returns whether it is open now. */
  refreshAgent(agent: Agent, now: number, removed = false): boolean {
    const open = !removed && agent.isOpen(now);
    // Keys are queue id + channel: an agent on an audio call stays open for video only.
    const wanted = new Set<string>();
    if (open) {
      for (const q of agent.config.queues) {
        if (!this.#queues.has(q)) continue;
        for (const ch of CHANNELS) if (agent.hasCapacity(ch)) wanted.add(`${q}\u0000${ch}`);
      }
    }
    let indexed = this.#agentQueues.get(agent.id);
    if (!indexed) {
      indexed = new Set();
      this.#agentQueues.set(agent.id, indexed);
    }
    for (const key of [...indexed]) {
      const [queueId, ch] = key.split('\u0000') as [string, Channel];
      const index = this.#queues.get(queueId);
      const entry = index?.entries[ch].get(agent.id);
      if (index && entry) {
        const [k1, k2] = this.#key(agent, index.config);
        if (wanted.has(key) && entry.k1 === k1 && entry.k2 === k2) continue;
        index.open[ch].delete(entry);
        index.entries[ch].delete(agent.id);
      }
      indexed.delete(key);
    }
    for (const key of wanted) {
      if (indexed.has(key)) continue;
      const [queueId, ch] = key.split('\u0000') as [string, Channel];
      const index = this.#queues.get(queueId)!;
      const [k1, k2] = this.#key(agent, index.config);
      const entry = { agent, k1, k2 };
      index.open[ch].insert(entry);
      index.entries[ch].set(agent.id, entry);
      indexed.add(key);
    }
    return open;
  }

  /** Keeps a contact in its queue's waiting list exactly while it is `waiting`. */
  refreshContact(contact: Contact): void {
    const index = this.#queues.get(contact.queueId);
    if (!index) return;
    const present = index.waiting.indexOf(contact) >= 0;
    if (contact.state === 'waiting' && !present) index.waiting.insert(contact);
    else if (contact.state !== 'waiting' && present) index.waiting.delete(contact);
  }

  /** The skill requirement in force for a contact now (escalation relaxes it over time). */
  requiredSkills(contact: Contact, now: number): QueueConfig['requiredSkills'] {
    const q = this.#queues.get(contact.queueId)?.config;
    if (!q) return [];
    let skills = q.requiredSkills;
    const waitedS = (now - contact.queuedAt) / 1000;
    for (const step of q.escalation) if (waitedS >= step.afterSeconds) skills = step.requiredSkills;
    return skills;
  }

  /** Whether an (open) agent may be offered this (routable) contact now. */
  eligible(agent: Agent, contact: Contact, now: number): boolean {
    const q = this.#queues.get(contact.queueId)?.config;
    if (!q) return false;
    if (!agent.config.queues.includes(q.id)) return false;
    if (q.requireNetworkOk && !agent.network.ok) return false;
    if (!agent.hasCapacity(contact.seed.channel)) return false;
    return agent.meets(this.requiredSkills(contact, now));
  }

  /**
   * The best open, eligible agents for a routable contact, by the queue's strategy (up to
   * `limit`; ring-all asks for many).
   */
  agentsFor(contact: Contact, now: number, limit: number): Agent[] {
    const index = this.#queues.get(contact.queueId);
    if (!index) return [];
    const out: Agent[] = [];
    for (const entry of index.open[contact.seed.channel]) {
      if (this.eligible(entry.agent, contact, now)) {
        out.push(entry.agent);
        if (out.length >= limit) break;
      }
    }
    return out;
  }

  /** The first routable contact, across the agent's queues, that the agent may take now. */
  contactFor(agent: Agent, now: number): Contact | undefined {
    let best: Contact | undefined;
    for (const queueId of agent.config.queues) {
      const index = this.#queues.get(queueId);
      if (!index) continue;
      for (const contact of index.waiting) {
        // Everything after this one ranks lower than the best found so far.
        if (best !== undefined && compareContacts(contact, best) >= 0) break;
        if (contact.routable && this.eligible(agent, contact, now)) {
          best = contact;
          break;
        }
      }
    }
    return best;
  }

  /** Routable contacts of all queues, in global priority-then-age order. */
  routableContacts(): Contact[] {
    const all: Contact[] = [];
    for (const index of this.#queues.values()) for (const c of index.waiting) if (c.routable) all.push(c);
    return all.sort(compareContacts);
  }

  /** 1-based position among the queue's waiting contacts, or 0 when not waiting. */
  position(contact: Contact): number {
    const index = this.#queues.get(contact.queueId);
    return index ? index.waiting.indexOf(contact) + 1 : 0;
  }

  waiting(queueId: string): Contact[] {
    return this.#queues.get(queueId)?.waiting.toArray() ?? [];
  }

  waitingCount(queueId: string): number {
    return this.#queues.get(queueId)?.waiting.size ?? 0;
  }

  openAgents(queueId: string): Agent[] {
    const index = this.#queues.get(queueId);
    if (!index) return [];
    return [...new Set([...index.open.audio, ...index.open.video].map((e) => e.agent))];
  }

  /** Every open agent in some queue. */
  allOpenAgents(): Agent[] {
    const seen = new Set<Agent>();
    for (const index of this.#queues.values()) {
      for (const ch of CHANNELS) for (const e of index.open[ch]) seen.add(e.agent);
    }
    return [...seen];
  }
}
