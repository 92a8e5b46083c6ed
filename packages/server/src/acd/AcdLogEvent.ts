import type { AgentStatus, Channel, ChosenStatus, ContactOutcome, QualitySummary } from './AcdTypes.js';
import type { AgentConfig, QueueConfig } from './schemas.js';

/** The facts a new contact starts from. */
export interface ContactSeed {
  id: string;
  queueId: string;
  userId: string;
  sessionId: string | null;
  channel: Channel;
  priority: number;
  enqueuedAt: number;
  /** Global arrival order: the last tie-break. */
  seq: number;
  overflowedFrom: string | null;
  callback: { requestedAt: number; number: string | null } | null;
  data: Record<string, unknown>;
}

/**
 * One durable state change. The ACD's state is a fold over these, so every decision (which
 * agent, which deadline) is recorded in the event, never recomputed on replay.
 */
export type AcdLogEvent =
  | { t: 'queueConfigured'; at: number; queue: QueueConfig }
  | { t: 'queueRemoved'; at: number; queueId: string }
  | { t: 'agentConfigured'; at: number; agent: AgentConfig }
  | { t: 'agentRemoved'; at: number; agentId: string }
  | { t: 'agentStatus'; at: number; agentId: string; status: AgentStatus }
  | { t: 'agentNextStatus'; at: number; agentId: string; next: ChosenStatus | null }
  | { t: 'agentPresence'; at: number; agentId: string; connected: boolean; graceUntil: number | null }
  | { t: 'agentNetwork'; at: number; agentId: string; ok: boolean; reason: string | null }
  | { t: 'contactEnqueued'; at: number; contact: ContactSeed }
  | {
      t: 'contactUser';
      at: number;
      contactId: string;
      connected: boolean;
      sessionId: string | null;
      resumeUntil: number | null;
    }
  | { t: 'contactCallback'; at: number; contactId: string; number: string | null }
  | { t: 'offerCreated'; at: number; offerId: string; contactId: string; agentId: string; deadline: number }
  | {
      t: 'offerClosed';
      at: number;
      offerId: string;
      state: 'rejected' | 'expired' | 'rescinded';
      reason: string | null;
      /** Counts toward the agent's consecutive misses. */
      miss: boolean;
      cooldownUntil: number | null;
    }
  | { t: 'offerAccepted'; at: number; offerId: string }
  | { t: 'contactConnected'; at: number; contactId: string }
  | { t: 'contactReturned'; at: number; contactId: string; reason: string }
  | { t: 'contactHold'; at: number; contactId: string; on: boolean }
  | { t: 'contactDisposition'; at: number; contactId: string; disposition: string }
  | { t: 'contactQuality'; at: number; contactId: string; quality: QualitySummary }
  | {
      t: 'contactEnded';
      at: number;
      contactId: string;
      outcome: ContactOutcome;
      reason: string;
      endedBy: 'agent' | 'user' | 'system';
      overflowedTo: string | null;
    }
  | { t: 'wrapUpStarted'; at: number; agentId: string; contactId: string; deadline: number }
  | { t: 'wrapUpEnded'; at: number; agentId: string; contactId: string }
  | { t: 'recovery'; at: number };

/** An event as stored: its position in the log. */
export interface StoredEvent {
  seq: number;
  event: AcdLogEvent;
}
