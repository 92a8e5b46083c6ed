import {
  type EventData,
  type EventType,
  type Grants,
  SwitchboardError,
  type Verdict,
} from '@switchboard/protocol';
import { HOLD_AUDIO_PARTICIPANT_ID } from '@switchboard/protocol/runtime';
import { AcdService } from '../../acd/AcdService.js';
import type { AcdStore } from '../../acd/AcdStore.js';
import type { Actor, ChosenStatus, ContactView, QualitySummary } from '../../acd/AcdTypes.js';
import { SqliteAcdStore } from '../../acd/SqliteAcdStore.js';
import { HoldClips } from '../../media/hold/HoldClips.js';
import type { RoleContext, RoleHandle } from '../../platform/RoleContext.js';
import type { SignallingSession } from '../../signalling/SignallingSession.js';
import type { PlayingAudio } from '../call/CallDirectory.js';
import { AcdMetrics } from './AcdMetrics.js';
import { AgentQualityGate } from './AgentQualityGate.js';
import { acdRoutes } from './acdRoutes.js';
import { OutboxAcdStore } from './webhooks/OutboxAcdStore.js';
import { WebhookDispatcher } from './webhooks/WebhookDispatcher.js';
import { WebhookOutbox } from './webhooks/WebhookOutbox.js';
import { agentToWire, callIdFor, contactIdOfCall, contactInfo, contactSummary, sideQuality } from './wire.js';

/** What the ACD role gives the platform (and the media wiring) besides `close()`. */
export interface AcdRoleHandle extends RoleHandle {
  /**
   * The running ACD. The media side listens to `contactConnecting` / `callEnded` and calls
   * `mediaConnected`, `mediaFailed` and `setCallQuality` (see docs/acd.md, "Media seam").
   */
  readonly acd: AcdService;
  /** The call id the user and the agent of a contact join (`acd-<contactId>`). */
  callIdFor(contactId: string): string;
  /**
   * Whether a session may join an ACD call: its user (the identity that created the contact)
   * or its agent (the token's `agent` grant), while the contact is connecting or on call;
   * the user also while waiting or offered (hold audio plays there).
   */
  mayJoinCall(identity: string, grants: Grants, callId: string): boolean;
  /** The webhook outbox's delivery counts (tests, diagnostics). */
  webhookCounts(): { pending: number; delivered: number; failed: number };
}

const MAX_DATA_BYTES = 4096;

function agentOf(session: SignallingSession): Actor & { kind: 'agent' } {
  const agentId = session.grants.agent;
  // The dispatcher's grant check guarantees it; this guards a handler called without it.
  if (agentId === undefined) throw new SwitchboardError('SB_ERR_FORBIDDEN', 'Needs the "agent" grant.');
  return { kind: 'agent', agentId };
}

function userOf(session: SignallingSession): Actor {
  return { kind: 'user', userId: session.identity };
}

function chosen(status: 'Ready' | 'NotReady', reason: string | undefined): ChosenStatus {
  return status === 'Ready' ? { kind: 'Ready' } : { kind: 'NotReady', reason: reason ?? 'break' };
}

/** How long the user's and the agent's media may take to start flowing after accept. */
const MEDIA_SETUP_TIMEOUT_MS = 30_000;

/**
 * The ACD as a platform role: opens {@link AcdService} on the platform's SQLite file, serves
 * the `agent.*`, `contact.*` and `acd.*` messages, maps signalling sessions to agents and
 * contacts (presence follows the session), routes ACD events to the agent's session, the
 * user's session and subscribed supervisors, serves the REST API and metrics, and delivers
 * signed webhooks from a durable outbox. Media is not here: see {@link AcdRoleHandle.acd}.
 */
export function acdRole(ctx: RoleContext): AcdRoleHandle {
  const { signalling, log: rootLog } = ctx;
  const log = rootLog.child({ subsystem: 'acd' });
  const cfg = ctx.config.acd;
  const hooks = ctx.config.webhooks;

  // ------------------------------------------------------------ store, webhooks, service
  const outbox = new WebhookOutbox(ctx.store.db);
  let dispatcher: WebhookDispatcher | null = null;
  const sqlite = new SqliteAcdStore(ctx.store);
  let failed = false;
  const backing: AcdStore =
    hooks.endpoints.length > 0
      ? new OutboxAcdStore({
          inner: sqlite,
          db: ctx.store.db,
          outbox,
          endpoints: hooks.endpoints,
          onCommit: () => dispatcher?.kick(),
        })
      : sqlite;
  // Readiness turns false once a commit failed (the ACD then refuses work with SB_ERR_INTERNAL).
  const store: AcdStore = {
    commit(events, records) {
      try {
        return backing.commit(events, records);
      } catch (err) {
        failed = true;
        throw err;
      }
    },
    loadEvents: (afterSeq) => backing.loadEvents(afterSeq),
    getRecord: (contactId) => backing.getRecord(contactId),
    listRecords: (query) => backing.listRecords(query),
    close: () => backing.close(),
  };
  const acd = AcdService.open({
    store,
    options: {
      agentGraceMs: cfg.agentGraceMs,
      userResumeGraceMs: cfg.userResumeGraceMs,
      missedOfferLimit: cfg.missedOfferLimit,
      missCooldownMs: cfg.missCooldownMs,
      sweepIntervalMs: cfg.sweepIntervalMs,
      // Liveness comes from the signalling session (detached / closed), not from heartbeats.
      heartbeatTimeoutMs: 0,
    },
  });
  const metrics = new AcdMetrics(ctx.metrics.registry, acd, cfg.metricsWindowMs);
  if (hooks.endpoints.length > 0) {
    dispatcher = new WebhookDispatcher(outbox, hooks, log.child({ subsystem: 'webhooks' }), (r) =>
      metrics.webhookResult(r),
    );
    dispatcher.kick();
  }
  acd.on('error', (err) => log.error({ err }, 'acd fault'));

  // ------------------------------------------------------------ sessions ↔ agents and contacts
  const sessionsById = new Map<string, SignallingSession>();
  const agentSession = new Map<string, SignallingSession>();
  const sessionAgent = new WeakMap<SignallingSession, string>();
  const contactSession = new Map<string, SignallingSession>();
  const sessionContacts = new WeakMap<SignallingSession, Set<string>>();
  /** Subscribed supervisors → the queues they watch (null: all). */
  const supervisors = new Map<SignallingSession, Set<string> | null>();
  const hooked = new WeakSet<SignallingSession>();

  /** Runs a presence call; a refusal there (agent removed, contact ended) is not an error. */
  const quietly = (what: string, fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      if (err instanceof SwitchboardError && err.code !== 'SB_ERR_INTERNAL') return;
      log.error({ err, what }, 'acd presence call failed');
    }
  };

  function contactsOf(session: SignallingSession): Set<string> {
    let set = sessionContacts.get(session);
    if (!set) {
      set = new Set();
      sessionContacts.set(session, set);
    }
    return set;
  }

  function bindContact(contactId: string, session: SignallingSession): void {
    const previous = contactSession.get(contactId);
    if (previous && previous !== session) sessionContacts.get(previous)?.delete(contactId);
    contactSession.set(contactId, session);
    contactsOf(session).add(contactId);
    hook(session);
  }

  function unbindContact(contactId: string): void {
    const session = contactSession.get(contactId);
    contactSession.delete(contactId);
    if (session) sessionContacts.get(session)?.delete(contactId);
  }

  function bindAgent(agentId: string, session: SignallingSession): SignallingSession | undefined {
    const previous = agentSession.get(agentId);
    if (previous && previous !== session) sessionAgent.delete(previous);
    agentSession.set(agentId, session);
    sessionAgent.set(session, agentId);
    hook(session);
    return previous;
  }

  function unbindAgent(agentId: string, session: SignallingSession): void {
    if (agentSession.get(agentId) === session) agentSession.delete(agentId);
    if (sessionAgent.get(session) === agentId) sessionAgent.delete(session);
  }

  /** The session currently speaking for the agent (only it drives presence). */
  const boundAgent = (session: SignallingSession): string | undefined => {
    const agentId = sessionAgent.get(session);
    return agentId !== undefined && agentSession.get(agentId) === session ? agentId : undefined;
  };

  function hook(session: SignallingSession): void {
    if (hooked.has(session)) return;
    hooked.add(session);
    sessionsById.set(session.id, session);
    session.events.on('detached', () => {
      // The transport dropped: a pending offer is withdrawn at once (no penalty); calls are
      // kept for acd.agentGraceMs; a waiting user keeps their place for userResumeGraceMs.
      const agentId = boundAgent(session);
      if (agentId !== undefined) quietly('agentDisconnected', () => acd.agentDisconnected(agentId));
      for (const contactId of contactsOf(session)) {
        quietly('userDisconnected', () => acd.userDisconnected(contactId));
      }
    });
    session.events.on('resumed', () => {
      const agentId = boundAgent(session);
      if (agentId !== undefined) quietly('agentReconnected', () => acd.agentReconnected(agentId));
      for (const contactId of contactsOf(session)) {
        quietly('resume', () => {
          const c = acd.getContact(contactId);
          if (c.state !== 'ended' && !c.userConnected) acd.resume(userOf(session), contactId, session.id);
        });
      }
    });
    session.events.on('closed', () => {
      sessionsById.delete(session.id);
      supervisors.delete(session);
      const agentId = boundAgent(session);
      if (agentId !== undefined) {
        // Gone for good: the grace runs; a new session's `agent.login` takes the agent back.
        quietly('agentDisconnected', () => acd.agentDisconnected(agentId));
        unbindAgent(agentId, session);
      }
      for (const contactId of [...contactsOf(session)]) {
        quietly('userGone', () => {
          const c = acd.getContact(contactId);
          if (c.state === 'waiting' || c.state === 'offered') acd.userDisconnected(contactId);
          // The user left a call being set up or in progress: it ends (hang-up by the user).
          else if (c.state === 'connecting' || c.state === 'oncall') acd.hangUp(userOf(session), contactId);
        });
        unbindContact(contactId);
      }
    });
  }

  // ------------------------------------------------------------ ACD events → sessions
  const userSession = (contactId: string, sessionId?: string | null) =>
    contactSession.get(contactId) ?? (sessionId ? sessionsById.get(sessionId) : undefined);

  function toSupervisors<E extends EventType>(
    queueIds: readonly string[],
    event: E,
    data: EventData<E>,
  ): void {
    for (const [session, filter] of supervisors) {
      if (filter === null || queueIds.some((q) => filter.has(q))) session.emit(event, data);
    }
  }

  function contactEvent(
    event: EventData<'acd.contact'>['event'],
    contactId: string,
    queueId: string,
    view?: ContactView | null,
  ): void {
    if (supervisors.size === 0) return;
    let contact: ContactView | null = view ?? null;
    if (view === undefined) {
      try {
        contact = acd.getContact(contactId);
      } catch {
        contact = null;
      }
    }
    toSupervisors([queueId], 'acd.contact', {
      event,
      contactId,
      queueId,
      contact: contact ? contactInfo(contact) : null,
      at: Date.now(),
    });
  }

  acd.on('offerCreated', (o) => {
    metrics.offers.inc({ result: 'created' });
    const session = agentSession.get(o.agentId);
    if (session) {
      const contact = acd.getContact(o.contactId);
      session.emit('agent.offer', {
        offerId: o.offerId,
        deadline: o.deadline,
        queueId: o.queueId,
        contact: contactSummary(contact),
      });
    }
    contactEvent('offered', o.contactId, o.queueId);
  });
  acd.on('offerRescinded', (o) => {
    metrics.offers.inc({ result: 'rescinded' });
    agentSession.get(o.agentId)?.emit('agent.offerRescinded', {
      offerId: o.offerId,
      contactId: o.contactId,
      reason: o.reason,
    });
  });
  acd.on('offerExpired', (o) => {
    metrics.offers.inc({ result: 'expired' });
    agentSession.get(o.agentId)?.emit('agent.offerExpired', { offerId: o.offerId, contactId: o.contactId });
  });
  acd.on('contactConnecting', (e) => {
    metrics.offers.inc({ result: 'accepted' });
    const data = {
      contactId: e.contactId,
      callId: callIdFor(e.contactId),
      channel: e.channel,
      agentId: e.agentId,
      queueId: e.queueId,
    };
    agentSession.get(e.agentId)?.emit('acd.callConnecting', { ...data, side: 'agent' });
    if (!e.callback)
      userSession(e.contactId, e.sessionId)?.emit('acd.callConnecting', { ...data, side: 'user' });
    contactEvent('connecting', e.contactId, e.queueId);
  });
  acd.on('callbackDue', (e) => {
    userSession(e.contactId, e.sessionId)?.emit('contact.callback', {
      contactId: e.contactId,
      agentId: e.agentId,
      callId: callIdFor(e.contactId),
      number: e.number,
    });
  });
  acd.on('callConnected', (e) => {
    const c = acd.getContact(e.contactId);
    contactEvent('connected', e.contactId, c.queueId, c);
  });
  acd.on('callEnded', (e) => {
    const data = {
      contactId: e.contactId,
      callId: callIdFor(e.contactId),
      endedBy: e.endedBy,
      reason: e.reason,
    };
    agentSession.get(e.agentId)?.emit('acd.callEnded', data);
    userSession(e.contactId)?.emit('acd.callEnded', data);
  });
  acd.on('contactQueued', (e) => {
    if (e.sessionId) {
      const session = sessionsById.get(e.sessionId);
      if (session && session.identity === e.userId) bindContact(e.contactId, session);
    }
    contactEvent('queued', e.contactId, e.queueId);
  });
  acd.on('contactOverflowed', (e) => contactEvent('overflowed', e.contactId, e.fromQueueId, null));
  acd.on('contactPosition', (e) => {
    userSession(e.contactId, e.sessionId)?.emit('contact.position', {
      contactId: e.contactId,
      queueId: e.queueId,
      position: e.position,
      estimatedWaitMs: e.estimatedWaitMs,
    });
  });
  acd.on('contactEnded', (record) => {
    metrics.contacts.inc({ queue: record.queueId, outcome: record.outcome ?? 'unknown' });
    userSession(record.contactId)?.emit('contact.ended', {
      contactId: record.contactId,
      outcome: record.outcome,
      reason: record.endReason,
      overflowedTo: record.overflowedTo,
    });
    // After the notifications of the same change (`callEnded` follows `contactEnded`).
    queueMicrotask(() => unbindContact(record.contactId));
    contactEvent('ended', record.contactId, record.queueId, null);
  });
  acd.on('agentStateChanged', (view) => {
    const wire = agentToWire(view);
    agentSession.get(view.id)?.emit('agent.state', wire);
    toSupervisors(view.queues, 'acd.agentState', wire);
  });
  acd.on('recovered', (r) => log.warn(r, 'acd recovered after a restart'));

  const kpiTimer = setInterval(() => {
    if (supervisors.size === 0) return;
    try {
      const kpis = acd.listQueues().map((q) => acd.queueKpis(q.id));
      for (const [session, filter] of supervisors) {
        for (const k of kpis) if (filter === null || filter.has(k.queueId)) session.emit('acd.kpis', k);
      }
    } catch (err) {
      log.error({ err }, 'kpi stream failed');
    }
  }, cfg.kpiIntervalMs);
  kpiTimer.unref();

  // ------------------------------------------------------------ signalling handlers
  const d = signalling.dispatcher;
  d.handle('agent.login', ({ agentId, status }, { session }) => {
    const actor = agentOf(session);
    const view = acd.getAgent(agentId);
    if (actor.agentId !== agentId)
      throw new SwitchboardError('SB_ERR_NOT_YOUR_AGENT', undefined, { agentId });
    const previous = bindAgent(agentId, session);
    try {
      if (view.status.kind === 'Offline') {
        acd.login(actor, agentId, status);
      } else {
        // Logged in already (another session, a dropped one, or a restart): take it over.
        if (!view.connected) acd.agentReconnected(agentId);
        if (status) acd.setStatus(actor, agentId, status);
      }
    } catch (err) {
      unbindAgent(agentId, session);
      if (previous && !previous.closed) bindAgent(agentId, previous);
      throw err;
    }
    log.info({ agentId, sessionId: session.id }, 'agent logged in');
    return {
      agent: agentToWire(acd.getAgent(agentId)),
      ice: ctx.turn.iceServersFor(session.identity),
    };
  });
  d.handle('agent.logout', (_params, { session }) => {
    const { agentId } = agentOf(session);
    const view = acd.logout(agentOf(session), agentId);
    unbindAgent(agentId, session);
    return { agent: agentToWire(view) };
  });
  d.handle('agent.status', ({ status, reason }, { session }) => {
    const actor = agentOf(session);
    return { agent: agentToWire(acd.setStatus(actor, actor.agentId, chosen(status, reason))) };
  });
  d.handle('agent.nextStatus', ({ status, reason }, { session }) => {
    const actor = agentOf(session);
    const next = status === null ? null : chosen(status, reason);
    return { agent: agentToWire(acd.setNextStatus(actor, actor.agentId, next)) };
  });
  d.handle('agent.accept', ({ offerId }, { session }) => {
    const { offer, contact } = acd.accept(agentOf(session), offerId);
    return { offerId: offer.id, contact: contactSummary(contact), callId: callIdFor(contact.id) };
  });
  d.handle('agent.reject', ({ offerId, reason }, { session }) => {
    const wasPending = acd.getOffer(offerId).state === 'pending';
    const offer = acd.reject(agentOf(session), offerId, reason ?? 'rejected');
    if (wasPending) metrics.offers.inc({ result: 'rejected' });
    return { offerId: offer.id };
  });
  d.handle('agent.hold', ({ contactId, on }, { session }) => {
    acd.hold(agentOf(session), contactId, on);
    // The customer on hold hears the queue's hold audio (the console mutes the agent).
    if (on) startHold(contactId, true);
    else stopHold(contactId);
    return { contactId };
  });
  d.handle('agent.hangup', ({ contactId }, { session }) => ({
    record: acd.hangUp(agentOf(session), contactId),
  }));
  d.handle('agent.wrapup', ({ contactId, disposition, notes }, { session }) => {
    const text = [disposition, notes].filter((s) => s !== undefined && s !== '').join(': ');
    if (text === '') {
      throw new SwitchboardError('SB_ERR_INVALID_PARAMS', 'Give a disposition, notes, or both.');
    }
    return { record: acd.setDisposition(agentOf(session), contactId, text) };
  });
  d.handle('agent.wrapupDone', (params, { session }) => {
    const actor = agentOf(session);
    return { agent: agentToWire(acd.endWrapUp(actor, actor.agentId, params?.contactId)) };
  });

  d.handle('contact.enqueue', ({ queueId, channel, priority, data }, { session }) => {
    if (data !== undefined && JSON.stringify(data).length > MAX_DATA_BYTES) {
      throw new SwitchboardError('SB_ERR_INVALID_PARAMS', `"data" is limited to ${MAX_DATA_BYTES} bytes.`);
    }
    hook(session);
    const ticket = acd.enqueue(userOf(session), {
      queueId,
      sessionId: session.id,
      channel,
      ...(priority !== undefined ? { priority } : {}),
      ...(data !== undefined ? { data } : {}),
    });
    if (ticket.contact.state !== 'ended') bindContact(ticket.contact.id, session);
    return {
      contactId: ticket.contact.id,
      queueId: ticket.contact.queueId,
      position: ticket.position,
      estimatedWaitMs: ticket.estimatedWaitMs,
      callId: callIdFor(ticket.contact.id),
      ice: ctx.turn.iceServersFor(session.identity),
    };
  });
  d.handle('contact.cancel', ({ contactId }, { session }) => ({
    record: acd.hangUp(userOf(session), contactId),
  }));
  d.handle('contact.callback', ({ contactId, number }, { session }) => {
    acd.requestCallback(userOf(session), contactId, { number: number ?? null });
    return { contactId };
  });
  d.handle('contact.resume', ({ contactId }, { session }) => {
    hook(session);
    const ticket = acd.resume(userOf(session), contactId, session.id);
    bindContact(contactId, session);
    return {
      contactId,
      queueId: ticket.contact.queueId,
      position: ticket.position,
      estimatedWaitMs: ticket.estimatedWaitMs,
      callId: callIdFor(contactId),
    };
  });

  d.handle('agent.networkReport', ({ ok, reason, summary }, { session }) => {
    const actor = agentOf(session);
    log.info({ agentId: actor.agentId, ok, reason, summary }, 'agent network report');
    const view = acd.setAgentNetworkVerdict(actor.agentId, { ok, reason: reason ?? 'connectivity-check' });
    return { agent: agentToWire(view) };
  });

  d.handle('supervisor.monitor', ({ contactId }, { session }) => {
    const c = acd.getContact(contactId);
    if (c.state !== 'connecting' && c.state !== 'oncall') {
      throw new SwitchboardError('SB_ERR_CALL_NOT_FOUND', `Contact "${contactId}" is not on a call.`, {
        contactId,
        state: c.state,
      });
    }
    const callId = callIdFor(contactId);
    ctx.calls.allowMonitor(session.id, callId);
    log.info({ contactId, callId, supervisor: session.identity }, 'silent monitoring allowed');
    return { contactId, callId, agentId: c.agentId };
  });

  d.handle('acd.subscribe', (params, { session }) => {
    const filter = params?.queueIds ? new Set(params.queueIds) : null;
    for (const q of filter ?? []) acd.getQueue(q);
    hook(session);
    supervisors.set(session, filter);
    const queues = acd.listQueues().filter((q) => filter === null || filter.has(q.id));
    return {
      kpis: queues.map((q) => acd.queueKpis(q.id)),
      agents: acd
        .listAgents()
        .filter((a) => filter === null || a.queues.some((q) => filter.has(q)))
        .map(agentToWire),
    };
  });
  d.handle('acd.unsubscribe', (_params, { session }) => {
    supervisors.delete(session);
    return {};
  });

  // ------------------------------------------------------------ REST, readiness
  function mayJoinCall(identity: string, grants: Grants, callId: string): boolean {
    const contactId = contactIdOfCall(callId);
    if (contactId === undefined) return false;
    let c: ContactView;
    try {
      c = acd.getContact(contactId);
    } catch {
      return false;
    }
    if (c.state === 'connecting' || c.state === 'oncall') {
      return c.userId === identity || (grants.agent !== undefined && grants.agent === c.agentId);
    }
    // A waiting user joins early: they hear the hold audio there, and the agent's media
    // arrives in the same room without another round-trip when the call connects.
    return (c.state === 'waiting' || c.state === 'offered') && c.userId === identity;
  }

  // --- Media seam: the user's and the agent's media meet in call `acd-<contactId>`. ---
  ctx.calls.addAccessPolicy((identity, grants, callId) => mayJoinCall(identity, grants, callId));
  interface MediaSetup {
    contactId: string;
    published: Set<'user' | 'agent'>;
    timer: NodeJS.Timeout;
  }
  const setups = new Map<string, MediaSetup>();
  const sideOf = (contactId: string, identity: string): 'user' | 'agent' | undefined => {
    const c = acd.getContact(contactId);
    if (c.userId === identity) return 'user';
    if (c.agentId && agentSession.get(c.agentId)?.identity === identity) return 'agent';
    return undefined;
  };
  const endSetup = (callId: string) => {
    const setup = setups.get(callId);
    if (setup) clearTimeout(setup.timer);
    setups.delete(callId);
  };
  acd.on('contactConnecting', (e) => {
    const callId = callIdFor(e.contactId);
    endSetup(callId);
    const timer = setTimeout(() => {
      if (!setups.has(callId)) return;
      endSetup(callId);
      try {
        acd.mediaFailed(e.contactId, 'media-timeout');
      } catch (err) {
        log.warn({ err, contactId: e.contactId }, 'media timeout after the contact moved on');
      }
    }, MEDIA_SETUP_TIMEOUT_MS);
    timer.unref();
    const setup: MediaSetup = { contactId: e.contactId, published: new Set(), timer };
    setups.set(callId, setup);
    // The user may have published their microphone already while on hold.
    for (const identity of publishedIn.get(callId) ?? []) {
      const side = sideOf(e.contactId, identity);
      if (side) setup.published.add(side);
    }
  });
  // --- Hold audio: the queue's clip plays into the contact's room while the user waits, and
  // while the agent holds the call. ---
  const clips = new HoldClips(ctx.config.dataDir);
  // The call role names a server track's participant `server-<name>`: clients know the hold
  // audio by the protocol's id, so the name is tied to it at compile time.
  const HOLD_TRACK_NAME = 'hold';
  HOLD_AUDIO_PARTICIPANT_ID satisfies `server-${typeof HOLD_TRACK_NAME}`;
  const holds = new Map<string, PlayingAudio>();
  /** Identities whose media reached the server in each ACD call (a user may publish while on hold). */
  const publishedIn = new Map<string, Set<string>>();
  const stopHold = (contactId: string) => {
    const hold = holds.get(contactId);
    if (!hold) return;
    holds.delete(contactId);
    hold.stop();
  };
  const startHold = (contactId: string, agentHold = false) => {
    if (holds.has(contactId)) return;
    let c: ContactView;
    try {
      c = acd.getContact(contactId);
    } catch {
      return;
    }
    const waiting = c.state === 'waiting' || c.state === 'offered';
    if (!waiting && !(agentHold && c.state === 'oncall')) return;
    const spec = acd.getQueue(c.queueId).holdAudio;
    if (spec === null) return;
    let packets: ReturnType<HoldClips['load']>['packets'];
    try {
      packets = clips.load(spec).packets;
    } catch (err) {
      log.error(
        { err, queueId: c.queueId, holdAudio: spec },
        'hold audio unusable; the user waits in silence',
      );
      return;
    }
    // Only the customer hears it: the agent holding the call is not played music.
    const playing = ctx.calls.playAudio(callIdFor(contactId), packets, HOLD_TRACK_NAME, [c.userId]);
    if (playing) holds.set(contactId, playing);
  };
  ctx.calls.events.on('joined', ({ callId, identity }) => {
    const contactId = contactIdOfCall(callId);
    if (contactId === undefined) return;
    try {
      if (acd.getContact(contactId).userId === identity) startHold(contactId);
    } catch {
      // Not an ACD contact (any more): nothing to play.
    }
  });
  // The agent was connected: hold stops before the agent's media joins the room.
  acd.on('contactConnecting', (e) => stopHold(e.contactId));
  acd.on('callEnded', (e) => stopHold(e.contactId));
  acd.on('contactEnded', (record) => {
    stopHold(record.contactId);
    publishedIn.delete(callIdFor(record.contactId));
    // A contact that ends without a call (cancel, abandon, overflow) closes its hold room.
    void ctx.calls.closeCall(callIdFor(record.contactId));
  });
  ctx.calls.events.on('published', ({ callId, identity }) => {
    if (contactIdOfCall(callId) === undefined) return;
    let set = publishedIn.get(callId);
    if (!set) {
      set = new Set();
      publishedIn.set(callId, set);
    }
    set.add(identity);
  });

  ctx.calls.events.on('published', ({ callId, identity }) => {
    const setup = setups.get(callId);
    if (!setup) return;
    const side = sideOf(setup.contactId, identity);
    if (!side) return;
    setup.published.add(side);
    if (setup.published.size < 2) return;
    endSetup(callId);
    acd.mediaConnected(setup.contactId);
  });
  ctx.calls.events.on('left', ({ callId, identity, reason }) => {
    const contactId = contactIdOfCall(callId);
    if (contactId === undefined) return;
    publishedIn.get(callId)?.delete(identity);
    let contact: ContactView;
    try {
      contact = acd.getContact(contactId);
    } catch {
      return;
    }
    const side = sideOf(contactId, identity);
    if (!side) return;
    // A waiting user who left (or was dropped) gets the hold audio again when they rejoin.
    if (side === 'user') stopHold(contactId);
    try {
      if (contact.state === 'connecting') {
        endSetup(callId);
        acd.mediaFailed(contactId, `media-${reason}`);
      } else if (contact.state === 'oncall') {
        acd.hangUp(
          side === 'user'
            ? { kind: 'user', userId: contact.userId }
            : { kind: 'agent', agentId: contact.agentId! },
          contactId,
        );
      }
    } catch (err) {
      log.warn({ err, contactId, reason }, 'could not end the ACD call after a media leave');
    }
  });
  // --- Live quality: to supervisors (`acd.quality`), the call record, and the agent's network gate.
  /** participantId → who it is in which ACD call (hidden monitors are never announced here). */
  const callMembers = new Map<string, { callId: string; identity: string }>();
  /** contactId → the worst sample so far (for the call record). */
  const worstQuality = new Map<string, QualitySummary>();
  const gate = new AgentQualityGate();
  ctx.calls.events.on('joined', ({ callId, identity, participantId }) => {
    if (contactIdOfCall(callId) !== undefined) callMembers.set(participantId, { callId, identity });
  });
  ctx.calls.events.on('left', ({ participantId }) => callMembers.delete(participantId));
  ctx.media.observer.on('quality', (q) => {
    const member = callMembers.get(q.participantId);
    const contactId = contactIdOfCall(q.roomId);
    if (!member || contactId === undefined) return;
    let contact: ContactView;
    try {
      contact = acd.getContact(contactId);
    } catch {
      return;
    }
    if (contact.state !== 'oncall' && contact.state !== 'connecting') return;
    const side = sideOf(contactId, member.identity);
    if (!side) return;
    const sample = sideQuality(q);
    const worst = worstQuality.get(contactId);
    if (!worst || (worst.mos ?? 5) > sample.mos) {
      worstQuality.set(contactId, {
        mos: sample.mos,
        ...(sample.rttMs !== null ? { rttMs: sample.rttMs } : {}),
        jitterMs: sample.jitterMs,
        lossPercent: sample.lossPercent,
        verdict: sample.networkVerdict,
      });
    }
    if (supervisors.size > 0) {
      toSupervisors([contact.queueId], 'acd.quality', {
        contactId,
        callId: q.roomId,
        queueId: contact.queueId,
        agentId: contact.agentId,
        side,
        participantId: q.participantId,
        at: q.at,
        rttMs: sample.rttMs,
        jitterMs: sample.jitterMs,
        lossPercent: sample.lossPercent,
        mos: sample.mos,
        inboundKbps: q.inboundKbps,
        outboundKbps: q.outboundKbps,
        verdict: q.verdict,
      });
    }
    if (side === 'agent' && contact.agentId !== null)
      gateOnCallQuality(contact.agentId, sample.networkVerdict);
  });

  function gateOnCallQuality(agentId: string, verdict: Verdict): void {
    try {
      const change = gate.sample(agentId, verdict, acd.getAgent(agentId).network);
      if (change) acd.setAgentNetworkVerdict(agentId, change);
    } catch (err) {
      log.warn({ err, agentId }, 'could not set the network verdict from call quality');
    }
  }

  acd.on('callEnded', (e) => {
    const summary = worstQuality.get(e.contactId);
    worstQuality.delete(e.contactId);
    if (summary) quietly('setCallQuality', () => acd.setCallQuality(e.contactId, summary));
    if (e.agentId) gate.forget(e.agentId);
    endSetup(callIdFor(e.contactId));
    stopHold(e.contactId);
    publishedIn.delete(callIdFor(e.contactId));
    void ctx.calls.closeCall(callIdFor(e.contactId));
  });

  ctx.webRoutes.push(...acdRoutes(acd, ctx.tokens));
  ctx.readiness.push({ name: 'acd', ok: () => !closed && !failed });

  let closed = false;
  return {
    name: 'acd',
    acd,
    callIdFor,
    mayJoinCall,
    webhookCounts: () => outbox.counts(),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(kpiTimer);
      for (const contactId of [...holds.keys()]) stopHold(contactId);
      await dispatcher?.close();
      acd.close();
    },
  };
}
