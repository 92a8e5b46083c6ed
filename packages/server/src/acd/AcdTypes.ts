/**
 * Public types of the ACD core: the domain objects (queues, agents, contacts, offers, call
 * records), the identity an action is taken for, and the typed map of domain events.
 * Config input types come from the zod schemas in `schemas.ts`.
 */
export type { AgentConfig, QueueConfig, RoutingStrategy } from './schemas.js';

/** A media channel a contact uses and an agent has capacity for. */
export type Channel = 'audio' | 'video';

/** Who performs an action. Authorisation is checked against it; refused actions change nothing. */
export type Actor =
  | { kind: 'agent'; agentId: string }
  | { kind: 'user'; userId: string }
  /** Supervisors, admins and the transport acting on the system's own behalf. */
  | { kind: 'supervisor'; id: string };

/** The agent's own choice. */
export type AgentStatus = { kind: 'Offline' } | { kind: 'NotReady'; reason: string } | { kind: 'Ready' };

/** A status an agent may choose (Offline only through `logout`). */
export type ChosenStatus = { kind: 'NotReady'; reason: string } | { kind: 'Ready' };

/** Derived by the system from offers, calls, wrap-up and presence. */
export type AgentState =
  | { kind: 'Idle' }
  | { kind: 'Offered'; offerId: string }
  | { kind: 'Connecting'; contactId: string }
  | { kind: 'OnCall'; contactId: string }
  | { kind: 'WrapUp'; contactId: string; deadline: number }
  | { kind: 'Disconnected'; graceUntil: number };

export type ContactState = 'waiting' | 'offered' | 'connecting' | 'oncall' | 'ended';

/** How a contact ended. `callback`: served by calling the user back. */
export type ContactOutcome = 'answered' | 'abandoned' | 'overflowed' | 'callback';

/** Summary of a call's media quality, set by the media layer (`setCallQuality`). */
export interface QualitySummary {
  mos?: number;
  rttMs?: number;
  jitterMs?: number;
  lossPercent?: number;
  verdict?: 'pass' | 'warn' | 'fail';
}

/** What a user asks for when enqueuing. */
export interface EnqueueRequest {
  queueId: string;
  userId: string;
  /** The user's signalling session; events for the user are addressed to it. */
  sessionId: string;
  channel: Channel;
  /** Higher is served first. Default 0. */
  priority?: number;
  /** Opaque attributes for the agent console and the CRM (small, JSON). */
  data?: Record<string, unknown>;
}

/** A read-only view of a contact. */
export interface ContactView {
  id: string;
  queueId: string;
  userId: string;
  sessionId: string | null;
  channel: Channel;
  priority: number;
  /** When the user first entered the ACD (kept across overflow; orders the queue). */
  enqueuedAt: number;
  /** When the contact entered its current queue (escalation, max wait, KPIs). */
  queuedAt: number;
  state: ContactState;
  /** True when the user's connection is up (or the contact is a callback). */
  userConnected: boolean;
  resumeUntil: number | null;
  callback: { requestedAt: number; number: string | null } | null;
  agentId: string | null;
  offerIds: string[];
  overflowedFrom: string | null;
  data: Record<string, unknown>;
}

/** A read-only view of an agent. */
export interface AgentView {
  id: string;
  name: string;
  queues: string[];
  skills: Record<string, number>;
  capacity: Record<Channel, number>;
  status: AgentStatus;
  nextStatus: ChosenStatus | null;
  state: AgentState;
  connected: boolean;
  network: { ok: boolean; reason: string | null };
  load: Record<Channel, number>;
  pendingOfferId: string | null;
  contacts: string[];
  /** Contacts whose wrap-up is still running. */
  wrapUps: string[];
  cooldownUntil: number;
  consecutiveMisses: number;
  availableSince: number;
  callsHandled: number;
  talkMs: number;
}

export type OfferState = 'pending' | 'accepted' | 'rejected' | 'expired' | 'rescinded';

/** An offer of a contact to an agent: the reservation both sides hold until it closes. */
export interface OfferView {
  id: string;
  contactId: string;
  agentId: string;
  queueId: string;
  createdAt: number;
  deadline: number;
  state: OfferState;
  /** Why a rescinded offer was withdrawn. */
  reason: string | null;
}

/** One durable record per contact. */
export interface CallRecord {
  contactId: string;
  queueId: string;
  userId: string;
  channel: Channel;
  priority: number;
  enqueuedAt: number;
  queuedAt: number;
  offeredAt: number | null;
  answeredAt: number | null;
  endedAt: number | null;
  agentId: string | null;
  outcome: ContactOutcome | null;
  endReason: string | null;
  /** From entering the queue to answer (or to the end when unanswered). */
  waitMs: number | null;
  talkMs: number | null;
  holdMs: number | null;
  wrapUpMs: number | null;
  disposition: string | null;
  quality: QualitySummary | null;
  offers: number;
  overflowedFrom: string | null;
  overflowedTo: string | null;
  callback: boolean;
  /** True once nothing more will change (wrap-up done or never needed). */
  final: boolean;
}

/** A per-queue KPI snapshot. Rates are 0–1 (null when undefined, e.g. nothing answered yet). */
export interface QueueKpis {
  queueId: string;
  windowMs: number | null;
  serviceLevelSeconds: number;
  /** Contacts that left the queue in the window (answered + abandoned + overflowed + callback). */
  offered: number;
  answered: number;
  abandoned: number;
  overflowed: number;
  callbacks: number;
  answeredWithinT: number;
  abandonedWithinT: number;
  /** answered within T / (answered + abandoned after T). */
  serviceLevel: number | null;
  /** Asterisk SL: answered within T / answered. */
  serviceLevelAsteriskSL: number | null;
  /** Asterisk SL2: (answered within T + abandoned within T) / (answered + abandoned). */
  serviceLevelAsteriskSL2: number | null;
  /** Average speed of answer, ms. */
  asaMs: number | null;
  /** Average handle time (talk + hold + wrap-up), ms, over completed handled contacts. */
  ahtMs: number | null;
  abandonmentRate: number | null;
  waiting: number;
  longestWaitingMs: number;
  estimatedWaitMs: number | null;
  agentsByState: Record<AgentState['kind'] | 'Offline' | 'NotReady', number>;
  /** Busy agents / (busy + available) among the queue's logged-in agents, live. */
  occupancy: number | null;
}

/** Domain events (notifications) the transport routes to agents, users and dashboards. */
export interface AcdEventMap {
  /** An agent is offered a contact; send it to the agent console. */
  offerCreated: [
    {
      offerId: string;
      agentId: string;
      contactId: string;
      queueId: string;
      channel: Channel;
      deadline: number;
      callback: boolean;
      data: Record<string, unknown>;
    },
  ];
  /** An offer was withdrawn (user hung up, answered elsewhere, status change, recovery). */
  offerRescinded: [{ offerId: string; agentId: string; contactId: string; reason: string }];
  /** An offer reached its deadline unanswered. */
  offerExpired: [{ offerId: string; agentId: string; contactId: string }];
  /** Accepted: set up media between the user's session and the agent. */
  contactConnecting: [
    {
      contactId: string;
      agentId: string;
      offerId: string;
      queueId: string;
      channel: Channel;
      userId: string;
      sessionId: string | null;
      callback: boolean;
    },
  ];
  /** A callback contact was accepted: ring the user back (route to the user's session or number). */
  callbackDue: [
    {
      contactId: string;
      agentId: string;
      userId: string;
      sessionId: string | null;
      number: string | null;
    },
  ];
  /** Media is up: the call is live. */
  callConnected: [{ contactId: string; agentId: string }];
  /** The call ended: tear down media. */
  callEnded: [{ contactId: string; agentId: string; endedBy: 'agent' | 'user' | 'system'; reason: string }];
  /** A contact entered a queue (also after overflow or a return to the queue). */
  contactQueued: [{ contactId: string; queueId: string; userId: string; sessionId: string | null }];
  /** Queue position and estimated wait for a waiting user (sent on change, throttled). */
  contactPosition: [
    {
      contactId: string;
      userId: string;
      sessionId: string | null;
      queueId: string;
      position: number;
      estimatedWaitMs: number | null;
    },
  ];
  /** The contact moved to another queue (a new contact id there, same enqueue time). */
  contactOverflowed: [{ contactId: string; fromQueueId: string; toQueueId: string; newContactId: string }];
  /** The contact ended; the record may still gain wrap-up and disposition. */
  contactEnded: [CallRecord];
  /** A record became final (after wrap-up). */
  recordFinal: [CallRecord];
  /** An agent's status, state, presence or flags changed. */
  agentStateChanged: [AgentView];
  /** Recovery after a restart finished. */
  recovered: [{ agents: number; contacts: number; offersReleased: number; callsEnded: number }];
  /** An internal fault that did not stop the ACD (a listener threw, a timer failed). */
  error: [Error];
}

/** Tunables that are not per queue. */
export interface AcdOptions {
  /** Consecutive missed offers (reject or timeout) before the agent goes NotReady("missed"). */
  missedOfferLimit?: number;
  /** Per-agent pause after a missed offer, ms. */
  missCooldownMs?: number;
  /** How long a disconnected agent keeps its calls, ms. */
  agentGraceMs?: number;
  /** How long a disconnected user keeps their place, ms. */
  userResumeGraceMs?: number;
  /** No heartbeat for this long: the agent counts as disconnected, ms. */
  heartbeatTimeoutMs?: number;
  /** Period of the safety sweep (timers, heartbeats, re-route, position updates), ms. */
  sweepIntervalMs?: number;
  /** Handle time assumed for estimates before any call completed, ms. */
  defaultHandleTimeMs?: number;
  /** Ring-all offers at most this many agents at once. */
  ringAllMax?: number;
  /** Closed offers remembered for precise late-accept errors. */
  closedOfferMemory?: number;
  /** KPI facts kept for windows, ms. */
  kpiRetentionMs?: number;
}
