import { z } from 'zod';
import { IceConfigurationSchema } from '../ice.js';
import { Empty, request } from './define.js';

const CallId = z.string().min(1).max(128);
const Sdp = z
  .string()
  .min(10)
  .max(64 * 1024);

export const TrackInfoSchema = z.object({
  trackId: z.string(),
  participantId: z.string(),
  kind: z.enum(['audio', 'video']),
  mimeType: z.string(),
  muted: z.boolean(),
});

export const ParticipantInfoSchema = z.object({
  participantId: z.string(),
  identity: z.string(),
  name: z.string().optional(),
  tracks: z.array(TrackInfoSchema),
});

const JudgementSchema = z.object({
  metric: z.enum(['rttMs', 'jitterMs', 'lossPercent', 'bitrateKbps']),
  value: z.number(),
  threshold: z.number(),
  margin: z.number(),
  verdict: z.enum(['pass', 'warn', 'fail']),
});

/** Quality of one participant's media, every few seconds (units: ms, percent, kbps). */
export const ParticipantQualitySchema = z.object({
  callId: z.string(),
  participantId: z.string(),
  at: z.number().describe('Unix time, ms.'),
  rttMs: z.number().nullable(),
  mos: z.number(),
  inboundKbps: z.number(),
  outboundKbps: z.number(),
  verdict: z.enum(['pass', 'warn', 'fail']),
  streams: z.array(
    z.object({
      trackId: z.string(),
      kind: z.enum(['audio', 'video']),
      direction: z.enum(['inbound', 'outbound']),
      rttMs: z.number().nullable(),
      jitterMs: z.number(),
      lossPercent: z.number(),
      bitrateKbps: z.number(),
      mos: z.number(),
      verdict: z.enum(['pass', 'warn', 'fail']),
      judgements: z.array(JudgementSchema),
    }),
  ),
});

/**
 * Calls through the video gateway. Negotiation: the client offers to publish (`call.publish`,
 * also for ICE restarts); the server offers to deliver other participants' tracks
 * (`call.offer` event → `call.answer`). The server gathers its candidates completely before
 * answering or offering (no server-side trickle); clients may trickle with `call.candidate`.
 */
export const CALL_REQUESTS = {
  'call.join': request({
    stage: 'session',
    params: z.object({ callId: CallId, name: z.string().max(128).optional() }).strict(),
    result: z.object({
      callId: z.string(),
      participantId: z.string(),
      participants: z.array(ParticipantInfoSchema),
      ice: IceConfigurationSchema,
    }),
    grant: 'calls (this call id), or being a party of the ACD call',
    doc: 'Join a call (created on first join). Other participants get `call.participantJoined`; the server sends `call.offer` when there are tracks to deliver.',
  }),
  'call.publish': request({
    stage: 'session',
    params: z.object({ callId: CallId, sdp: Sdp }).strict(),
    result: z.object({ sdp: z.string() }),
    grant: 'membership of the call',
    doc: 'Send an SDP offer (publish tracks, stop publishing, or restart ICE); the result is the answer.',
  }),
  'call.answer': request({
    stage: 'session',
    params: z.object({ callId: CallId, offerId: z.number().int(), sdp: Sdp }).strict(),
    result: Empty,
    grant: 'membership of the call',
    doc: 'Answer a `call.offer` from the server.',
  }),
  'call.candidate': request({
    stage: 'session',
    params: z
      .object({ callId: CallId, candidate: z.string().max(1024), sdpMid: z.string().max(32).optional() })
      .strict(),
    result: Empty,
    grant: 'membership of the call',
    doc: 'Trickle one local ICE candidate (optional: complete gathering before `call.publish` works too).',
  }),
  'call.subscribe': request({
    stage: 'session',
    params: z.object({ callId: CallId, trackId: z.string().min(1).max(256) }).strict(),
    result: Empty,
    grant: 'membership of the call',
    doc: 'Receive a track (tracks are subscribed automatically on join; this re-subscribes after `call.unsubscribe`).',
  }),
  'call.unsubscribe': request({
    stage: 'session',
    params: z.object({ callId: CallId, trackId: z.string().min(1).max(256) }).strict(),
    result: Empty,
    grant: 'membership of the call',
    doc: 'Stop receiving a track.',
  }),
  'call.mute': request({
    stage: 'session',
    params: z
      .object({
        callId: CallId,
        track: z.string().min(1).max(256).describe('"audio", "video" or a trackId of your own.'),
        muted: z.boolean(),
      })
      .strict(),
    result: z.object({ tracks: z.array(TrackInfoSchema) }),
    grant: 'membership of the call',
    doc: 'Mute or unmute your own published track(s); others get `call.trackMuted`.',
  }),
  'call.leave': request({
    stage: 'session',
    params: z.object({ callId: CallId }).strict(),
    result: Empty,
    doc: 'Leave a call; the others get `call.participantLeft`. The call ends with its last participant.',
  }),
} as const;

export const CALL_EVENTS = {
  'call.offer': z.object({ callId: z.string(), offerId: z.number().int(), sdp: z.string() }),
  'call.participantJoined': z.object({ callId: z.string(), participant: ParticipantInfoSchema }),
  'call.participantLeft': z.object({
    callId: z.string(),
    participantId: z.string(),
    reason: z.enum(['left', 'inactive', 'failed', 'room-closed', 'server-closed', 'session-ended']),
  }),
  'call.trackPublished': z.object({ callId: z.string(), track: TrackInfoSchema }),
  'call.trackUnpublished': z.object({ callId: z.string(), track: TrackInfoSchema }),
  'call.trackMuted': z.object({ callId: z.string(), track: TrackInfoSchema }),
  'call.quality': ParticipantQualitySchema,
} as const;
