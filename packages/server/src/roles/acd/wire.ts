import { type EventData, type Verdict, worstVerdict } from '@switchboard/protocol';
import type { AgentView, ContactView } from '../../acd/AcdTypes.js';
import type { ParticipantQuality } from '../../media/MediaTypes.js';

/** The call id both sides of an ACD contact join for media (`call.join`). */
export function callIdFor(contactId: string): string {
  return `acd-${contactId}`;
}

/** The contact id of an ACD call id, or undefined for other calls. */
export function contactIdOfCall(callId: string): string | undefined {
  return callId.startsWith('acd-') ? callId.slice(4) : undefined;
}

/** An agent in the protocol's shape (`agent.state`, `acd.agentState`). */
export function agentToWire(a: AgentView): EventData<'agent.state'> {
  return {
    id: a.id,
    name: a.name,
    queues: a.queues,
    skills: a.skills,
    status: a.status,
    nextStatus: a.nextStatus,
    state: a.state,
    connected: a.connected,
    pendingOfferId: a.pendingOfferId,
    contacts: a.contacts,
    wrapUps: a.wrapUps,
    callsHandled: a.callsHandled,
    talkMs: a.talkMs,
    network: { ...a.network },
  };
}

export function contactSummary(c: ContactView): EventData<'agent.offer'>['contact'] {
  return {
    contactId: c.id,
    queueId: c.queueId,
    userId: c.userId,
    channel: c.channel,
    priority: c.priority,
    enqueuedAt: c.enqueuedAt,
    callback: c.callback !== null,
    data: c.data,
  };
}

export function contactInfo(c: ContactView): NonNullable<EventData<'acd.contact'>['contact']> {
  return {
    ...contactSummary(c),
    state: c.state,
    agentId: c.agentId,
    queuedAt: c.queuedAt,
    userConnected: c.userConnected,
  };
}

/** One side's quality sample reduced to the figures the dashboard shows. */
export function sideQuality(q: ParticipantQuality): {
  rttMs: number | null;
  jitterMs: number;
  lossPercent: number;
  mos: number;
  /** RTT, jitter and loss only (see AgentQualityGate). */
  networkVerdict: 'pass' | 'warn' | 'fail';
} {
  let jitterMs = 0;
  let lossPercent = 0;
  const verdicts: Verdict[] = [];
  for (const stream of q.streams) {
    jitterMs = Math.max(jitterMs, stream.jitterMs);
    lossPercent = Math.max(lossPercent, stream.lossPercent);
    for (const j of stream.judgements) if (j.metric !== 'bitrateKbps') verdicts.push(j.verdict);
  }
  return { rttMs: q.rttMs, jitterMs, lossPercent, mos: q.mos, networkVerdict: worstVerdict(verdicts) };
}
