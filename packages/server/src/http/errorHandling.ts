import { type ErrorCode, SwitchboardError } from '@switchboard/protocol';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.js';

/** Fastify's own error codes mapped onto ours, so every HTTP error carries an SB_ERR_* code. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'SB_ERR_FRAME_TOO_LARGE',
  FST_ERR_CTP_INVALID_JSON_BODY: 'SB_ERR_BAD_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'SB_ERR_BAD_JSON',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'SB_ERR_BAD_FRAME',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'SB_ERR_BAD_FRAME',
  FST_ERR_BAD_URL: 'SB_ERR_NOT_FOUND',
  FST_ERR_VALIDATION: 'SB_ERR_INVALID_PARAMS',
};

export function toSwitchboardError(err: unknown): SwitchboardError {
  if (err instanceof SwitchboardError) return err;
  const fastifyError = err as Partial<FastifyError>;
  if (fastifyError.statusCode === 429) {
    return new SwitchboardError('SB_ERR_RATE_LIMITED', fastifyError.message ?? 'Too many requests.');
  }
  const mapped = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (mapped) return new SwitchboardError(mapped, fastifyError.message);
  return new SwitchboardError('SB_ERR_INTERNAL', 'Internal error; the request was not applied.');
}

/**
 * Every error leaves as `{ "error": { "code", "message", "data"? } }` with the code's
 * HTTP status; unexpected faults are logged with the request id and hidden from the client.
 */
export function installErrorHandling(app: FastifyInstance, log: Logger, metrics: Metrics): void {
  app.setErrorHandler((err, request, reply) => {
    const error = toSwitchboardError(err);
    if (error.code === 'SB_ERR_INTERNAL')
      log.error({ err, reqId: request.id, url: request.url }, 'request failed');
    metrics.errors.inc({ code: error.code });
    if (error.code === 'SB_ERR_RATE_LIMITED' && reply.getHeader('retry-after') === undefined) {
      reply.header('retry-after', '1');
    }
    reply.status(error.status).type('application/json').send({ error: error.toBody() });
  });
  app.setNotFoundHandler((request, reply) => {
    metrics.errors.inc({ code: 'SB_ERR_NOT_FOUND' });
    reply.status(404).send({
      error: {
        code: 'SB_ERR_NOT_FOUND',
        message: `No route ${request.method} ${request.url.split('?')[0]}.`,
      },
    });
  });
  // Parse JSON ourselves so malformed bodies get SB_ERR_BAD_JSON, not a framework message.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new SwitchboardError('SB_ERR_BAD_JSON', 'The request body is not valid JSON.'), undefined);
    }
  });
}
