import type { AgentState, AgentStatus, AgentView, Channel, ChosenStatus } from './AcdTypes.js';
import type { AgentConfig } from './schemas.js';

/**
 * An agent's runtime state and its state machine. Status is the agent's choice; the state
 * (Idle, Offered, Connecting, OnCall, WrapUp, Disconnected) is derived from offers, contacts,
 * wrap-ups and presence, so it can never disagree with them.
 */
export class Agent {
  config: AgentConfig;
  status: AgentStatus = { kind: 'Offline' };
  nextStatus: ChosenStatus | null = null;
  connected = false;
  graceUntil: number | null = null;
  network: { ok: boolean; reason: string | null } = { ok: true, reason: null };
  pendingOfferId: string | null = null;
  /** Contacts in `connecting` or `oncall`, with their channel. */
  readonly contacts = new Map<string, { channel: Channel; connected: boolean }>();
  /** Contacts in wrap-up → deadline. */
  readonly wrapUps = new Map<string, number>();
  /** Channel of the pending offer (counts toward load). */
  pendingChannel: Channel | null = null;
  cooldownUntil = 0;
  consecutiveMisses = 0;
  /** When the agent last became free (orders longest-idle). */
  availableSince = 0;
  callsHandled = 0;
  talkMs = 0;
  /** Queue id → offer sequence number of the last offer from that queue (round-robin). */
  readonly lastOfferedSeq = new Map<string, number>();
  lastSeenAt = 0;

  constructor(config: AgentConfig) {
    this.config = config;
  }

  get id(): string {
    return this.config.id;
  }

  get loggedIn(): boolean {
    return this.status.kind !== 'Offline';
  }

  /** True when the agent holds a contact, an offer or a wrap-up. */
  get busy(): boolean {
    return this.contacts.size > 0 || this.wrapUps.size > 0 || this.pendingOfferId !== null;
  }

  load(channel: Channel): number {
    let n = this.pendingChannel === channel ? 1 : 0;
    for (const c of this.contacts.values()) if (c.channel === channel) n++;
    return n;
  }

  hasCapacity(channel: Channel): boolean {
    return this.load(channel) < this.config.capacity[channel];
  }

  /**
   * Can take a new offer now (from some queue): Ready, connected, no pending offer, no
   * wrap-up, not cooling down, with free capacity on some channel. Per-queue conditions
   * (membership, skills, network gate, the contact's channel) are checked by the router.
   */
  isOpen(now: number): boolean {
    return (
      this.status.kind === 'Ready' &&
      this.connected &&
      this.pendingOfferId === null &&
      this.wrapUps.size === 0 &&
      this.cooldownUntil <= now &&
      (this.hasCapacity('audio') || this.hasCapacity('video'))
    );
  }

  /** The derived state, most urgent first. */
  get state(): AgentState {
    if (!this.connected && this.loggedIn) return { kind: 'Disconnected', graceUntil: this.graceUntil ?? 0 };
    if (this.pendingOfferId !== null) return { kind: 'Offered', offerId: this.pendingOfferId };
    for (const [contactId, c] of this.contacts) if (!c.connected) return { kind: 'Connecting', contactId };
    for (const contactId of this.contacts.keys()) return { kind: 'OnCall', contactId };
    let latest: { contactId: string; deadline: number } | null = null;
    for (const [contactId, deadline] of this.wrapUps) {
      if (latest === null || deadline > latest.deadline) latest = { contactId, deadline };
    }
    if (latest !== null) return { kind: 'WrapUp', ...latest };
    return { kind: 'Idle' };
  }

  view(): AgentView {
    return {
      id: this.id,
      name: this.config.name ?? this.id,
      queues: [...this.config.queues],
      skills: { ...this.config.skills },
      capacity: { ...this.config.capacity },
      status: { ...this.status },
      nextStatus: this.nextStatus === null ? null : { ...this.nextStatus },
      state: this.state,
      connected: this.connected,
      network: { ...this.network },
      load: { audio: this.load('audio'), video: this.load('video') },
      pendingOfferId: this.pendingOfferId,
      contacts: [...this.contacts.keys()],
      wrapUps: [...this.wrapUps.keys()],
      cooldownUntil: this.cooldownUntil,
      consecutiveMisses: this.consecutiveMisses,
      availableSince: this.availableSince,
      callsHandled: this.callsHandled,
      talkMs: this.talkMs,
    };
  }

  /** Skill level (0 when the agent lacks the skill). */
  level(skill: string): number {
    return this.config.skills[skill] ?? 0;
  }

  meets(requirements: readonly { skill: string; minLevel: number }[]): boolean {
    for (const r of requirements) if (this.level(r.skill) < r.minLevel) return false;
    return true;
  }
}
