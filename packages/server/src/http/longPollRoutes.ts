import {
  CreateSessionRequestSchema,
  type ErrorBody,
  PollQuerySchema,
  RESUME_KEY_HEADER,
  type ServerFrame,
  SessionInfoSchema,
  SwitchboardError,
} from '@switchboard/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseValue } from '../signalling/parseFrame.js';
import type { SignallingService } from '../signalling/SignallingService.js';
import type { SessionTransport, SignallingSession } from '../signalling/SignallingSession.js';
import { TokenBucket } from '../signalling/TokenBucket.js';
import { type RouteSpec, route } from './routes.js';

const MAX_BATCH = 32;

const PollResponseSchema = z.object({
  frames: z.array(z.record(z.string(), z.unknown())).describe('Server frames with seq > ack, in order.'),
  closed: z
    .object({ code: z.string(), message: z.string() })
    .optional()
    .describe('Present when the session left this transport (replaced, expired, closed).'),
});

interface HeldPoll {
  reply: FastifyReply;
  after: number;
  timer: NodeJS.Timeout;
  resolve: () => void;
}

/**
 * The long-poll transport of one session. "Attached" while the client keeps polling;
 * a held poll is answered as soon as a frame is queued or after `pollHoldMs`.
 */
class LongPollLink implements SessionTransport {
  readonly kind = 'longpoll' as const;
  readonly bucket: TokenBucket;
  readonly #session: SignallingSession;
  readonly #service: SignallingService;
  #held: HeldPoll | null = null;
  #closedWith: ErrorBody | null = null;

  constructor(session: SignallingSession, service: SignallingService) {
    this.#session = session;
    this.#service = service;
    this.bucket = new TokenBucket(service.config.messagesPerSecond, service.config.messageBurst);
  }

  get closedWith(): ErrorBody | null {
    return this.#closedWith;
  }

  /** Answers now when frames are waiting, else holds the poll. */
  poll(reply: FastifyReply, after: number, holdMs: number): Promise<void> {
    this.#release([]);
    const { frames } = this.#session.framesAfter(after);
    if (frames.length > 0 || holdMs === 0) {
      reply.send({ frames });
      return Promise.resolve();
    }
    this.#service.metrics.connections.inc({ transport: 'longpoll' });
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#flush(), holdMs);
      this.#held = { reply, after, timer, resolve };
      reply.raw.once('close', () => {
        if (this.#held?.reply === reply) this.#release(undefined);
      });
    });
  }

  #flush(): void {
    const held = this.#held;
    if (!held) return;
    this.#release(this.#session.framesAfter(held.after).frames);
  }

  /** Ends the held poll: `frames` to send, or undefined when the client already went. */
  #release(frames: ServerFrame[] | undefined): void {
    const held = this.#held;
    if (!held) return;
    this.#held = null;
    clearTimeout(held.timer);
    this.#service.metrics.connections.dec({ transport: 'longpoll' });
    this.#session.touch();
    if (frames && !held.reply.sent) {
      held.reply.send(this.#closedWith ? { frames, closed: this.#closedWith } : { frames });
    }
    held.resolve();
  }

  deliver(): void {
    this.#flush();
  }

  close(error: ErrorBody | null): void {
    this.#closedWith = error ?? { code: 'SB_ERR_SESSION_EXPIRED', message: 'The session was closed.' };
    const held = this.#held;
    this.#release(held ? this.#session.framesAfter(held.after).frames : undefined);
  }
}

/** The long-poll API on 8089: create a session, send frames, poll for frames, close. */
export function longPollRoutes(service: SignallingService, tokenRequestsPerMinute: number): RouteSpec[] {
  const links = new WeakMap<SignallingSession, LongPollLink>();

  function linkFor(session: SignallingSession): LongPollLink {
    let link = links.get(session);
    if (!link || link.closedWith) {
      link = new LongPollLink(session, service);
      links.set(session, link);
    }
    session.attach(link);
    return link;
  }

  function sessionOf(request: FastifyRequest, params: Record<string, string>): SignallingSession {
    const key = request.headers[RESUME_KEY_HEADER];
    if (typeof key !== 'string' || key === '') {
      throw new SwitchboardError(
        'SB_ERR_AUTH_REQUIRED',
        `Send the session's resume key in ${RESUME_KEY_HEADER}.`,
      );
    }
    return service.sessions.lookup(params.id ?? '', key);
  }

  return [
    route({
      method: 'POST',
      url: '/v1/lp/sessions',
      summary: 'Create a long-poll signalling session with an access token.',
      tags: ['long-poll'],
      auth: 'none',
      body: CreateSessionRequestSchema,
      response: SessionInfoSchema,
      successStatus: 201,
      rateLimitPerMinute: tokenRequestsPerMinute,
      handler: async ({ body }, request) => {
        if (body.v !== undefined && body.v !== 1) {
          throw new SwitchboardError(
            'SB_ERR_UNSUPPORTED_VERSION',
            `Protocol version ${body.v} is not supported.`,
            {
              supported: [1],
            },
          );
        }
        const session = await service.authenticate(body.token, request.ip);
        linkFor(session);
        service.dispatcher.countMessage('longpoll', 'auth');
        return service.info(session, false);
      },
    }),
    route({
      method: 'POST',
      url: '/v1/lp/sessions/:id/messages',
      summary: 'Send one request frame (or an array of up to 32); responses arrive through poll.',
      tags: ['long-poll'],
      auth: 'none',
      body: z.unknown(),
      response: z.object({ accepted: z.number().int() }),
      successStatus: 202,
      handler: async ({ body, params }, request) => {
        const session = sessionOf(request, params);
        const link = linkFor(session);
        const frames = Array.isArray(body) ? body : [body];
        if (frames.length === 0 || frames.length > MAX_BATCH) {
          throw new SwitchboardError('SB_ERR_BAD_FRAME', `Send between 1 and ${MAX_BATCH} frames.`);
        }
        for (const frame of frames) {
          if (!link.bucket.take()) {
            service.dispatcher.countError('SB_ERR_RATE_LIMITED');
            throw new SwitchboardError('SB_ERR_RATE_LIMITED', 'Slow down.', {
              retryAfterMs: link.bucket.retryAfterMs(),
            });
          }
          const outcome = parseValue(frame);
          if (!outcome.ok) {
            service.dispatcher.countMessage('longpoll', 'invalid');
            service.dispatcher.countError(outcome.error.code);
            session.fail(outcome.re, outcome.type, outcome.error.toBody());
            continue;
          }
          service.dispatcher.countMessage('longpoll', outcome.request.type);
          await service.dispatcher.dispatch(session, outcome.request, 'longpoll');
        }
        return { accepted: frames.length };
      },
    }),
    route({
      method: 'GET',
      url: '/v1/lp/sessions/:id/poll',
      summary: 'Acknowledge frames up to `ack` and wait (up to pollHoldMs) for newer ones.',
      tags: ['long-poll'],
      auth: 'none',
      query: PollQuerySchema,
      response: PollResponseSchema,
      handler: async ({ query, params }, request, reply) => {
        const session = sessionOf(request, params);
        const ack = query.ack ?? 0;
        session.ack(ack);
        const link = linkFor(session);
        const holdMs = Math.min(query.holdMs ?? service.config.pollHoldMs, service.config.pollHoldMs);
        await link.poll(reply, ack, holdMs);
        return undefined;
      },
    }),
    route({
      method: 'DELETE',
      url: '/v1/lp/sessions/:id',
      summary: 'End the session now.',
      tags: ['long-poll'],
      auth: 'none',
      response: z.object({}),
      handler: ({ params }, request) => {
        sessionOf(request, params).close('client');
        return {};
      },
    }),
  ];
}
