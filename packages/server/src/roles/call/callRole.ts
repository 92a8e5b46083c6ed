import { randomBytes } from 'node:crypto';
import {
  canJoinCall,
  canSupervise,
  type EventData,
  ParticipantQualitySchema,
  SwitchboardError,
} from '@switchboard/protocol';
import { z } from 'zod';
import { requireBearer } from '../../http/authHelpers.js';
import { route } from '../../http/routes.js';
import type { MediaParticipant, MediaRoom } from '../../media/MediaService.js';
import type { ParticipantInfo, ParticipantQuality, TrackInfo } from '../../media/MediaTypes.js';
import type { RoleContext, RoleHandle } from '../../platform/RoleContext.js';
import type { SignallingSession } from '../../signalling/SignallingSession.js';
import { CallMetrics } from './CallMetrics.js';
import { offersToSend } from './offersToSend.js';

/** Who a media participant is, as the rest of the call sees it. */
interface Member {
  participantId: string;
  identity: string;
  name: string | undefined;
  session: SignallingSession;
  participant: MediaParticipant;
  room: MediaRoom;
  /** A silent monitor (`supervisor.monitor`): never announced, never publishes. */
  hidden: boolean;
}

/** `audio:0:sendonly video:1:sendonly` — enough of an SDP to follow a negotiation in the log. */
export function sdpSummary(sdp: string): string {
  return sdp
    .split(/\r?\n(?=m=)/)
    .slice(1)
    .map((section) => {
      const kind = section.slice(2, section.indexOf(' '));
      const port = section.split(' ')[1];
      const mid = /a=mid:(\S+)/.exec(section)?.[1] ?? '?';
      const dir = /a=(sendrecv|sendonly|recvonly|inactive)/.exec(section)?.[1] ?? 'sendrecv';
      return `${kind}:${mid}:${dir}${port === '0' ? ':port0' : ''}`;
    })
    .join(' ');
}

function participantId(): string {
  return `P${randomBytes(6).toString('base64url')}`;
}

/** Media quality in the protocol's shape (`call.quality`, `GET /v1/calls/:id/quality`). */
export function toQualityEvent(q: ParticipantQuality): EventData<'call.quality'> {
  return {
    callId: q.roomId,
    participantId: q.participantId,
    at: q.at,
    rttMs: q.rttMs,
    mos: q.mos,
    inboundKbps: q.inboundKbps,
    outboundKbps: q.outboundKbps,
    verdict: q.verdict,
    streams: q.streams.map((s) => ({
      trackId: s.trackId,
      kind: s.kind,
      direction: s.direction,
      rttMs: s.rttMs,
      jitterMs: s.jitterMs,
      lossPercent: s.lossPercent,
      bitrateKbps: s.bitrateKbps,
      mos: s.mos,
      verdict: s.verdict,
      judgements: s.judgements,
    })),
  };
}

/**
 * The video gateway's signalling: `call.*` messages drive the media layer; room events go
 * back to every participant's session. A session that ends leaves its calls; a session
 * that only lost its transport keeps them (media flows on; the client resumes).
 */
export function callRole(ctx: RoleContext): RoleHandle {
  const { media, signalling, log } = ctx;
  const members = new Map<string, Member>();
  /** callId → participantIds, for fan-out. */
  const byCall = new Map<string, Set<string>>();
  const bySession = new WeakMap<SignallingSession, Map<string, Member>>();
  const metrics = new CallMetrics(ctx.metrics.registry, media);

  const info = (p: ParticipantInfo): EventData<'call.participantJoined'>['participant'] => {
    const m = members.get(p.participantId);
    return {
      participantId: p.participantId,
      identity: m?.identity ?? 'unknown',
      ...(m?.name ? { name: m.name } : {}),
      tracks: p.tracks,
    };
  };

  function fanOut<E extends Parameters<SignallingSession['emit']>[0]>(
    callId: string,
    event: E,
    data: EventData<E>,
    except?: string,
  ): void {
    for (const id of byCall.get(callId) ?? []) {
      if (id !== except) members.get(id)?.session.emit(event, data);
    }
  }

  async function roomFor(callId: string): Promise<MediaRoom> {
    let existing = media.findRoom(callId);
    while (existing?.closed) {
      // Still closing (its last participant just left, e.g. a page reload): a new room of the
      // same id can only exist once it is gone — in a worker process that is an IPC round trip.
      await existing.close();
      const after = media.findRoom(callId);
      if (after === existing) throw new SwitchboardError('SB_ERR_INTERNAL', `call ${callId} did not close`);
      existing = after;
    }
    if (existing) return existing;
    const room = media.createRoom(callId, { autoSubscribe: true });
    byCall.set(callId, new Set());
    const track =
      (event: 'call.trackPublished' | 'call.trackUnpublished' | 'call.trackMuted') => (t: TrackInfo) =>
        fanOut(
          callId,
          event,
          { callId, track: t },
          event === 'call.trackMuted' ? undefined : t.participantId,
        );
    room.on('participantJoined', (p) => {
      if (members.get(p.participantId)?.hidden) return;
      fanOut(callId, 'call.participantJoined', { callId, participant: info(p) }, p.participantId);
    });
    room.on('trackPublished', (t) => {
      track('call.trackPublished')(t);
      const member = members.get(t.participantId);
      if (member)
        directory.events.emit('published', {
          callId,
          identity: member.identity,
          participantId: t.participantId,
        });
    });
    room.on('trackUnpublished', track('call.trackUnpublished'));
    room.on('trackMuted', track('call.trackMuted'));
    room.on('quality', (q) => members.get(q.participantId)?.session.emit('call.quality', toQualityEvent(q)));
    room.on('participantLeft', ({ participantId: id, reason }) => {
      const member = members.get(id);
      forget(id);
      if (member?.hidden) directory.forgetMonitor(member.session.id, callId);
      else {
        if (member)
          directory.events.emit('left', { callId, identity: member.identity, participantId: id, reason });
        fanOut(callId, 'call.participantLeft', { callId, participantId: id, reason });
      }
      if (member && reason !== 'left') {
        // The participant's own client learns it too (e.g. removed for inactivity).
        member.session.emit('call.participantLeft', { callId, participantId: id, reason });
      }
      closeIfEmpty(room);
    });
    room.on('closed', () => byCall.delete(callId));
    return room;
  }

  /**
   * Closes a call's room once nobody is in it — nor joining it: a join in flight when the last
   * participant leaves would otherwise land in a closing room and fail.
   */
  function closeIfEmpty(room: MediaRoom): void {
    if (room.participants.length > 0) return;
    for (const m of members.values()) if (m.room === room) return;
    void room.close();
  }

  function forget(id: string): void {
    const member = members.get(id);
    if (!member) return;
    members.delete(id);
    byCall.get(member.room.id)?.delete(id);
    bySession.get(member.session)?.delete(member.room.id);
  }

  function memberOf(session: SignallingSession, callId: string): Member {
    const member = bySession.get(session)?.get(callId);
    if (!member)
      throw new SwitchboardError('SB_ERR_CALL_NOT_FOUND', `You are not in call "${callId}"; join it first.`);
    return member;
  }

  async function leaveAll(session: SignallingSession): Promise<void> {
    for (const member of [...(bySession.get(session)?.values() ?? [])]) {
      await member.room.leave(member.participantId).catch(() => undefined);
    }
  }

  const d = signalling.dispatcher;
  const directory = ctx.calls;
  directory.setCloser(async (callId) => {
    const room = media.findRoom(callId);
    if (room && !room.closed) await room.close();
  });
  directory.setAudioPlayer((callId, packets, name, listeners) => {
    const room = media.findRoom(callId);
    if (!room || room.closed) return undefined;
    return room.playAudio(name, packets, listeners);
  });
  d.handle('call.join', async ({ callId, name }, { session }) => {
    const hidden = directory.isMonitor(session.id, callId);
    if (
      !hidden &&
      !canJoinCall(session.grants, callId) &&
      !directory.mayJoin(session.identity, session.grants, callId)
    ) {
      throw new SwitchboardError(
        'SB_ERR_FORBIDDEN',
        `Joining call "${callId}" needs the "calls" grant for it.`,
        {
          grant: 'calls',
        },
      );
    }
    let calls = bySession.get(session);
    if (calls?.has(callId)) {
      throw new SwitchboardError('SB_ERR_INVALID_TRANSITION', `This session is already in call "${callId}".`);
    }
    if (!calls) {
      calls = new Map();
      bySession.set(session, calls);
      session.events.on('closed', () => void leaveAll(session));
    }
    const room = await roomFor(callId);
    const id = participantId();
    // Register before joining so the join event can already name the participant.
    const member: Member = {
      participantId: id,
      identity: session.identity,
      name,
      session,
      room,
      participant: null as never,
      hidden,
    };
    members.set(id, member);
    try {
      member.participant = await room.join(id, session.identity);
    } catch (err) {
      members.delete(id);
      closeIfEmpty(room);
      throw err;
    }
    calls.set(callId, member);
    byCall.get(callId)?.add(id);
    member.participant.on('negotiationNeeded', ({ offerId, sdp }) => {
      log.debug({ callId, participantId: id, offerId, offer: sdpSummary(sdp) }, 'server offer');
      session.emit('call.offer', { callId, offerId, sdp });
    });
    log.info({ callId, participantId: id, identity: session.identity, hidden }, 'joined call');
    if (!hidden) directory.events.emit('joined', { callId, identity: session.identity, participantId: id });
    return {
      callId,
      participantId: id,
      participants: room.participants
        .filter((p) => p.participantId !== id && members.get(p.participantId)?.hidden !== true)
        .map(info),
      ice: ctx.turn.iceServersFor(session.identity),
    };
  });
  d.handle('call.publish', async ({ callId, sdp }, { session }) => {
    const member = memberOf(session, callId);
    // A monitor offers too (receive-only, so the server can deliver), but never to send.
    if (member.hidden && offersToSend(sdp)) {
      throw new SwitchboardError('SB_ERR_LISTEN_ONLY', 'A monitor cannot publish; offer receive-only.', {
        callId,
      });
    }
    log.debug({ callId, participantId: member.participantId, offer: sdpSummary(sdp) }, 'client offer');
    const answer = await member.participant.handleOffer(sdp);
    log.debug(
      { callId, participantId: member.participantId, offer: sdpSummary(sdp), answer: sdpSummary(answer) },
      'client offer answered',
    );
    return { sdp: answer };
  });
  d.handle('call.answer', async ({ callId, offerId, sdp }, { session }) => {
    const member = memberOf(session, callId);
    log.debug(
      { callId, participantId: member.participantId, offerId, answer: sdpSummary(sdp) },
      'client answer',
    );
    await member.participant.handleAnswer(sdp, offerId);
    return {};
  });
  d.handle('call.candidate', async ({ callId, candidate, sdpMid }, { session }) => {
    await memberOf(session, callId).participant.addIceCandidate(candidate, sdpMid);
    return {};
  });
  d.handle('call.subscribe', async ({ callId, trackId }, { session }) => {
    const member = memberOf(session, callId);
    await member.room.subscribe(member.participantId, trackId);
    return {};
  });
  d.handle('call.unsubscribe', async ({ callId, trackId }, { session }) => {
    const member = memberOf(session, callId);
    await member.room.unsubscribe(member.participantId, trackId);
    return {};
  });
  d.handle('call.mute', async ({ callId, track, muted }, { session }) => {
    const member = memberOf(session, callId);
    if (member.hidden) throw new SwitchboardError('SB_ERR_LISTEN_ONLY', undefined, { callId });
    return { tracks: await member.participant.setMuted(track, muted) };
  });
  d.handle('call.leave', async ({ callId }, { session }) => {
    const member = memberOf(session, callId);
    await member.room.leave(member.participantId);
    return {};
  });

  ctx.webRoutes.push(
    route({
      method: 'GET',
      url: '/v1/calls/:id/quality',
      summary: 'Live media quality of every participant of a call, judged against the spec.',
      tags: ['calls'],
      auth: 'bearer',
      grant: 'supervise, or calls with this call id',
      response: z.object({
        callId: z.string(),
        at: z.number(),
        participants: z.array(ParticipantQualitySchema),
      }),
      handler: async ({ params }, request) => {
        const callId = params.id ?? '';
        await requireBearer(
          request,
          ctx.tokens,
          'supervise',
          (g) => canSupervise(g) || canJoinCall(g, callId),
        );
        const room = media.findRoom(callId);
        if (!room || room.closed) throw new SwitchboardError('SB_ERR_CALL_NOT_FOUND', `No call "${callId}".`);
        const q = await room.quality();
        return { callId, at: q.at, participants: q.participants.map(toQualityEvent) };
      },
    }),
  );

  return {
    name: 'call',
    close: () => metrics.close(),
  };
}
