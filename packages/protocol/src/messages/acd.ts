import { z } from 'zod';
import { canEnqueue, canSupervise, type Grants } from '../grants.js';
import { IceConfigurationSchema } from '../ice.js';
import { Empty, request } from './define.js';

const Id = z.string().min(1).max(128);
const Channel = z.enum(['audio', 'video']);

/** The status an agent chooses (Offline only through `agent.logout`). */
export const AgentChosenStatusSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('Ready') }).strict(),
  z.object({ kind: z.literal('NotReady'), reason: z.string().min(1).max(100) }).strict(),
]);

export const AgentStatusSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('Offline') }),
  z.object({ kind: z.literal('NotReady'), reason: z.string() }),
  z.object({ kind: z.literal('Ready') }),
]);

/** Derived by the server from offers, calls, wrap-up and presence. */
export const AgentStateSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('Idle') }),
  z.object({ kind: z.literal('Offered'), offerId: z.string() }),
  z.object({ kind: z.literal('Connecting'), contactId: z.string() }),
  z.object({ kind: z.literal('OnCall'), contactId: z.string() }),
  z.object({ kind: z.literal('WrapUp'), contactId: z.string(), deadline: z.number() }),
  z.object({ kind: z.literal('Disconnected'), graceUntil: z.number() }),
]);

/** An agent as the console and the dashboard see it. */
export const AgentViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  queues: z.array(z.string()),
  skills: z.record(z.string(), z.number()),
  status: AgentStatusSchema,
  nextStatus: AgentChosenStatusSchema.nullable(),
  state: AgentStateSchema,
  connected: z.boolean(),
  pendingOfferId: z.string().nullable(),
  contacts: z.array(z.string()),
  wrapUps: z.array(z.string()),
  callsHandled: z.number().int(),
  talkMs: z.number(),
  network: z
    .object({ ok: z.boolean(), reason: z.string().nullable() })
    .describe(
      'The latest connectivity verdict (`agent.networkReport`, or live call quality); queues with requireNetworkOk offer only to agents whose network is ok.',
    ),
});

/** What the agent console shows about an offered or handled contact. */
export const ContactSummarySchema = z.object({
  contactId: z.string(),
  queueId: z.string(),
  userId: z.string(),
  channel: Channel,
  priority: z.number().int(),
  enqueuedAt: z.number().describe('Unix time, ms, the user entered the ACD.'),
  callback: z.boolean().describe('The user asked to be called back.'),
  data: z.record(z.string(), z.unknown()).describe('Opaque attributes given at enqueue (CRM data).'),
});

export const ContactStateSchema = z.enum(['waiting', 'offered', 'connecting', 'oncall', 'ended']);

/** A live contact, for the user and the supervisor. */
export const ContactInfoSchema = ContactSummarySchema.extend({
  state: ContactStateSchema,
  agentId: z.string().nullable(),
  queuedAt: z.number(),
  userConnected: z.boolean(),
});

/** A call record (one per contact). */
export const CallRecordSchema = z.object({
  contactId: z.string(),
  queueId: z.string(),
  userId: z.string(),
  channel: Channel,
  priority: z.number(),
  enqueuedAt: z.number(),
  queuedAt: z.number(),
  offeredAt: z.number().nullable(),
  answeredAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  agentId: z.string().nullable(),
  outcome: z.enum(['answered', 'abandoned', 'overflowed', 'callback']).nullable(),
  endReason: z.string().nullable(),
  waitMs: z.number().nullable(),
  talkMs: z.number().nullable(),
  holdMs: z.number().nullable(),
  wrapUpMs: z.number().nullable(),
  disposition: z.string().nullable(),
  quality: z
    .object({
      mos: z.number().optional(),
      rttMs: z.number().optional(),
      jitterMs: z.number().optional(),
      lossPercent: z.number().optional(),
      verdict: z.enum(['pass', 'warn', 'fail']).optional(),
    })
    .nullable(),
  offers: z.number().int(),
  overflowedFrom: z.string().nullable(),
  overflowedTo: z.string().nullable(),
  callback: z.boolean(),
  final: z.boolean(),
});

/** Per-queue KPIs (rates 0–1, null when undefined; times in ms). See docs/acd.md for formulas. */
export const QueueKpisSchema = z.object({
  queueId: z.string(),
  windowMs: z.number().nullable(),
  serviceLevelSeconds: z.number(),
  offered: z.number().int(),
  answered: z.number().int(),
  abandoned: z.number().int(),
  overflowed: z.number().int(),
  callbacks: z.number().int(),
  answeredWithinT: z.number().int(),
  abandonedWithinT: z.number().int(),
  serviceLevel: z.number().nullable(),
  serviceLevelAsteriskSL: z.number().nullable(),
  serviceLevelAsteriskSL2: z.number().nullable(),
  asaMs: z.number().nullable(),
  ahtMs: z.number().nullable(),
  abandonmentRate: z.number().nullable(),
  waiting: z.number().int(),
  longestWaitingMs: z.number(),
  estimatedWaitMs: z.number().nullable(),
  agentsByState: z.record(z.string(), z.number().int()),
  occupancy: z.number().nullable(),
});

const needsAgent = (grants: Grants) => (grants.agent === undefined ? ('agent' as const) : undefined);
const needsQueues = (grants: Grants) =>
  grants.admin === true || (grants.queues?.length ?? 0) > 0 ? undefined : ('queues' as const);
const needsSupervise = (grants: Grants) => (canSupervise(grants) ? undefined : ('supervise' as const));

const AgentResult = z.object({ agent: AgentViewSchema });

const Ticket = z.object({
  contactId: z.string(),
  queueId: z.string(),
  position: z.number().int().describe('1-based place among waiting contacts; 0 when not waiting.'),
  estimatedWaitMs: z.number().nullable().describe('null when no agent is staffed.'),
  callId: z
    .string()
    .describe(
      "The contact's call: join it while waiting to hear the queue's hold audio; the agent's media arrives there when the call connects.",
    ),
});

/**
 * The automatic call distributor. Agents (grant `agent`) act only as the agent their token
 * names; users (grant `queues`) only on contacts their identity created; supervisors
 * (grant `supervise`) watch. Media is not part of these messages: after
 * `acd.callConnecting` both sides join the named call with `call.join`.
 */
export const ACD_REQUESTS = {
  'agent.login': request({
    stage: 'session',
    params: z
      .object({
        agentId: Id,
        status: AgentChosenStatusSchema.optional().describe('First status (default NotReady "login").'),
      })
      .strict(),
    result: AgentResult.extend({ ice: IceConfigurationSchema }),
    missingGrant: needsAgent,
    grant: 'agent (the token’s agent id)',
    doc: 'Log in as the token’s agent; this session receives its offers. Logging in again while logged in (another session, or after a drop or a restart) takes the agent over and reconnects it.',
  }),
  'agent.logout': request({
    stage: 'session',
    params: Empty.optional(),
    result: AgentResult,
    missingGrant: needsAgent,
    grant: 'agent',
    doc: 'Log out (refused with SB_ERR_AGENT_BUSY while holding a call or wrap-up); a pending offer is withdrawn.',
  }),
  'agent.status': request({
    stage: 'session',
    params: z
      .object({ status: z.enum(['Ready', 'NotReady']), reason: z.string().min(1).max(100).optional() })
      .strict(),
    result: AgentResult,
    missingGrant: needsAgent,
    grant: 'agent',
    doc: 'Set Ready or NotReady (with a pause reason, default "break"). Leaving Ready withdraws a pending offer without penalty.',
  }),
  'agent.nextStatus': request({
    stage: 'session',
    params: z
      .object({
        status: z.enum(['Ready', 'NotReady']).nullable(),
        reason: z.string().min(1).max(100).optional(),
      })
      .strict(),
    result: AgentResult,
    missingGrant: needsAgent,
    grant: 'agent',
    doc: 'Status to take once the current calls and wrap-ups are over (null clears it).',
  }),
  'agent.accept': request({
    stage: 'session',
    params: z.object({ offerId: Id }).strict(),
    result: z.object({ offerId: z.string(), contact: ContactSummarySchema, callId: z.string() }),
    missingGrant: needsAgent,
    grant: 'agent',
    doc: 'Accept an offer (idempotent). Refused after the deadline (SB_ERR_OFFER_EXPIRED), after a withdrawal (SB_ERR_OFFER_RESCINDED), or when offered to someone else (SB_ERR_OFFER_NOT_YOURS). Then `acd.callConnecting` goes to both sides.',
  }),
  'agent.reject': request({
    stage: 'session',
    params: z.object({ offerId: Id, reason: z.string().min(1).max(100).optional() }).strict(),
    result: z.object({ offerId: z.string() }),
    missingGrant: needsAgent,
    grant: 'agent',
    doc: 'Reject an offer: the contact keeps its place; counts as a missed offer.',
  }),
  'agent.hold': request({
    stage: 'session',
    params: z.object({ contactId: Id, on: z.boolean() }).strict(),
    result: z.object({ contactId: z.string() }),
    missingGrant: needsAgent,
    grant: 'agent',
    doc: 'Put the live call on hold (`on: true`) or take it off hold.',
  }),
  'agent.hangup': request({
    stage: 'session',
    params: z.object({ contactId: Id }).strict(),
    result: z.object({ record: CallRecordSchema }),
    missingGrant: needsAgent,
    grant: 'agent',
    doc: 'End the live call the agent handles; wrap-up starts (if the queue has one).',
  }),
  'agent.wrapup': request({
    stage: 'session',
    params: z
      .object({
        contactId: Id,
        disposition: z.string().min(1).max(200).optional(),
        notes: z.string().max(2000).optional(),
      })
      .strict(),
    result: z.object({ record: CallRecordSchema }),
    missingGrant: needsAgent,
    grant: 'agent',
    doc: 'Set the disposition of a call during the call or its wrap-up (notes are appended to it as "disposition: notes").',
  }),
  'agent.wrapupDone': request({
    stage: 'session',
    params: z.object({ contactId: Id.optional() }).strict().optional(),
    result: AgentResult,
    missingGrant: needsAgent,
    grant: 'agent',
    doc: 'End the wrap-up (of one contact, or all) before its deadline.',
  }),
  'contact.enqueue': request({
    stage: 'session',
    params: z
      .object({
        queueId: Id,
        channel: Channel.default('audio'),
        priority: z.number().int().min(-100).max(100).optional(),
        data: z
          .record(z.string(), z.unknown())
          .optional()
          .describe('Opaque attributes for the agent (keep it small).'),
      })
      .strict(),
    result: Ticket.extend({ ice: IceConfigurationSchema }),
    missingGrant: (grants, params) => (canEnqueue(grants, params.queueId) ? undefined : 'queues'),
    grant: 'queues (this queue id)',
    doc: 'Put the caller in a queue. `contact.position` events follow; `acd.callConnecting` when an agent accepts.',
  }),
  'contact.cancel': request({
    stage: 'session',
    params: z.object({ contactId: Id }).strict(),
    result: z.object({ record: CallRecordSchema }),
    missingGrant: needsQueues,
    grant: 'queues',
    doc: 'Leave the queue (abandon) or hang up the call, for a contact this identity created.',
  }),
  'contact.callback': request({
    stage: 'session',
    params: z.object({ contactId: Id, number: z.string().min(1).max(64).optional() }).strict(),
    result: z.object({ contactId: z.string() }),
    missingGrant: needsQueues,
    grant: 'queues',
    doc: 'Ask to be called back and leave: the contact keeps its place; `contact.callback` rings this identity’s session (or the number) when an agent accepts.',
  }),
  'contact.resume': request({
    stage: 'session',
    params: z.object({ contactId: Id }).strict(),
    result: Ticket,
    missingGrant: needsQueues,
    grant: 'queues',
    doc: 'Take a contact over in this session (after a dropped connection or a restart), within the resume grace: same place in the queue.',
  }),
  'agent.networkReport': request({
    stage: 'session',
    params: z
      .object({
        ok: z.boolean().describe('The agent side of the connectivity check passed (warnings count as ok).'),
        reason: z
          .string()
          .min(1)
          .max(200)
          .optional()
          .describe('Why not, in a few words (shown to supervisors).'),
        summary: z
          .string()
          .max(2000)
          .optional()
          .describe('The check’s own summary, for the log (e.g. "UDP 10000–20000 blocked").'),
      })
      .strict(),
    result: AgentResult,
    missingGrant: needsAgent,
    grant: 'agent',
    doc: 'Report the result of the connectivity check the agent console runs at login. Queues with `requireNetworkOk` offer only to agents whose latest verdict is ok; live call quality that breaks the spec thresholds also sets it (reason "call-quality").',
  }),
  'supervisor.monitor': request({
    stage: 'session',
    params: z
      .object({
        contactId: Id.describe('The contact whose call to listen to (from `acd.contact`).'),
      })
      .strict(),
    result: z.object({
      contactId: z.string(),
      callId: z
        .string()
        .describe('Join it with `call.join` from this session: you join hidden and listen-only.'),
      agentId: z.string().nullable(),
    }),
    missingGrant: needsSupervise,
    grant: 'supervise (or admin)',
    doc: 'Silent monitoring: allows this session’s next `call.join` of the contact’s call as a hidden participant that receives every track, is not announced to the others (no `call.participantJoined`, not in their participant lists) and cannot publish (`call.publish` and `call.mute` are refused with SB_ERR_LISTEN_ONLY). Refused with SB_ERR_CONTACT_NOT_FOUND for an unknown contact and SB_ERR_CALL_NOT_FOUND when the contact is not connecting or on call.',
  }),
  'acd.subscribe': request({
    stage: 'session',
    params: z
      .object({ queueIds: z.array(Id).max(64).optional().describe('Default: every queue.') })
      .strict()
      .optional(),
    result: z.object({ kpis: z.array(QueueKpisSchema), agents: z.array(AgentViewSchema) }),
    missingGrant: needsSupervise,
    grant: 'supervise (or admin)',
    doc: 'Stream `acd.kpis`, `acd.agentState`, `acd.contact` and `acd.quality` events to this session (the supervisor dashboard); the result is the current snapshot.',
  }),
  'acd.unsubscribe': request({
    stage: 'session',
    params: Empty.optional(),
    result: Empty,
    missingGrant: needsSupervise,
    grant: 'supervise (or admin)',
    doc: 'Stop the supervisor stream.',
  }),
} as const;

export const ACD_EVENTS = {
  'agent.offer': z.object({
    offerId: z.string(),
    deadline: z.number().describe('Unix time, ms; accept before it.'),
    queueId: z.string(),
    contact: ContactSummarySchema,
  }),
  'agent.offerRescinded': z.object({ offerId: z.string(), contactId: z.string(), reason: z.string() }),
  'agent.offerExpired': z.object({ offerId: z.string(), contactId: z.string() }),
  'agent.state': AgentViewSchema,
  'acd.callConnecting': z.object({
    contactId: z.string(),
    callId: z.string().describe('The call both sides join with `call.join` for media.'),
    channel: Channel,
    side: z.enum(['agent', 'user']),
    agentId: z.string(),
    queueId: z.string(),
  }),
  'acd.callEnded': z.object({
    contactId: z.string(),
    callId: z.string(),
    endedBy: z.enum(['agent', 'user', 'system']),
    reason: z.string(),
  }),
  'contact.position': z.object({
    contactId: z.string(),
    queueId: z.string(),
    position: z.number().int(),
    estimatedWaitMs: z.number().nullable(),
  }),
  'contact.ended': z.object({
    contactId: z.string(),
    outcome: z.enum(['answered', 'abandoned', 'overflowed', 'callback']).nullable(),
    reason: z.string().nullable(),
    overflowedTo: z.string().nullable(),
  }),
  'contact.callback': z.object({
    contactId: z.string(),
    agentId: z.string(),
    callId: z.string(),
    number: z.string().nullable(),
  }),
  'acd.kpis': QueueKpisSchema,
  'acd.agentState': AgentViewSchema,
  'acd.contact': z.object({
    event: z.enum(['queued', 'offered', 'connecting', 'connected', 'ended', 'overflowed']),
    contact: ContactInfoSchema.nullable(),
    contactId: z.string(),
    queueId: z.string(),
    at: z.number(),
  }),
  'acd.quality': z
    .object({
      contactId: z.string(),
      callId: z.string(),
      queueId: z.string(),
      agentId: z.string().nullable(),
      side: z.enum(['agent', 'user']).describe('Whose media this is.'),
      participantId: z.string(),
      at: z.number(),
      rttMs: z.number().nullable(),
      jitterMs: z.number().describe('Worst stream jitter.'),
      lossPercent: z.number().describe('Worst stream loss.'),
      mos: z.number(),
      inboundKbps: z.number(),
      outboundKbps: z.number(),
      verdict: z.enum(['pass', 'warn', 'fail']),
    })
    .describe(
      'Live media quality of one side of an ACD call, as the server measures it, judged against the spec.',
    ),
} as const;
