import type { AcdLogEvent } from '../../../acd/AcdLogEvent.js';
import type { CallRecord } from '../../../acd/AcdTypes.js';

/** One webhook message before it is fanned out to endpoints. */
export interface WebhookMessage {
  /** Stable across retries and restarts (derived from the ACD log sequence): receivers dedupe on it. */
  id: string;
  type: string;
  /** Unix time, ms, of the ACD event. */
  at: number;
  data: Record<string, unknown>;
}

/** Every webhook event type, for docs and endpoint filters. */
export const WEBHOOK_EVENT_TYPES = [
  'contact.queued',
  'contact.offered',
  'contact.offerClosed',
  'contact.accepted',
  'contact.connected',
  'contact.callback',
  'contact.ended',
  'agent.status',
  'agent.presence',
] as const;

/**
 * Maps a committed ACD log event (at log sequence `seq`) to its webhook message, or null for
 * events that are not part of the public contract (config changes, hold, timers).
 * `records` are the call records committed with it (for the contact's agent and outcome).
 */
export function toWebhookMessage(
  seq: number,
  event: AcdLogEvent,
  records: readonly CallRecord[],
  offers: Map<string, { contactId: string; agentId: string }>,
): WebhookMessage | null {
  const msg = (type: string, data: Record<string, unknown>): WebhookMessage => ({
    id: `msg_acd_${seq}`,
    type,
    at: event.at,
    data,
  });
  const record = (contactId: string) => records.find((r) => r.contactId === contactId);
  switch (event.t) {
    case 'contactEnqueued': {
      const c = event.contact;
      return msg('contact.queued', {
        contactId: c.id,
        queueId: c.queueId,
        userId: c.userId,
        channel: c.channel,
        priority: c.priority,
        enqueuedAt: c.enqueuedAt,
        overflowedFrom: c.overflowedFrom,
      });
    }
    case 'offerCreated':
      offers.set(event.offerId, { contactId: event.contactId, agentId: event.agentId });
      return msg('contact.offered', {
        offerId: event.offerId,
        contactId: event.contactId,
        agentId: event.agentId,
        deadline: event.deadline,
      });
    case 'offerClosed': {
      const o = offers.get(event.offerId);
      offers.delete(event.offerId);
      return msg('contact.offerClosed', {
        offerId: event.offerId,
        contactId: o?.contactId ?? null,
        agentId: o?.agentId ?? null,
        state: event.state,
        reason: event.reason,
      });
    }
    case 'offerAccepted': {
      const o = offers.get(event.offerId);
      offers.delete(event.offerId);
      return msg('contact.accepted', {
        offerId: event.offerId,
        contactId: o?.contactId ?? null,
        agentId: o?.agentId ?? null,
      });
    }
    case 'contactConnected':
      return msg('contact.connected', {
        contactId: event.contactId,
        agentId: record(event.contactId)?.agentId ?? null,
      });
    case 'contactCallback':
      return msg('contact.callback', { contactId: event.contactId, number: event.number });
    case 'contactEnded':
      return msg('contact.ended', {
        contactId: event.contactId,
        outcome: event.outcome,
        reason: event.reason,
        endedBy: event.endedBy,
        overflowedTo: event.overflowedTo,
        record: record(event.contactId) ?? null,
      });
    case 'agentStatus':
      return msg('agent.status', { agentId: event.agentId, status: event.status });
    case 'agentPresence':
      return msg('agent.presence', {
        agentId: event.agentId,
        connected: event.connected,
        graceUntil: event.graceUntil,
      });
    default:
      return null;
  }
}

/** True when `type` matches one of the endpoint's filters (`contact.*` style wildcards). */
export function eventMatches(type: string, filters: readonly string[] | undefined): boolean {
  if (filters === undefined) return true;
  return filters.some(
    (f) => f === '*' || f === type || (f.endsWith('.*') && type.startsWith(f.slice(0, -1))),
  );
}
