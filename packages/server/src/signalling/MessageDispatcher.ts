import {
  type ErrorCode,
  REQUESTS,
  type RequestParams,
  type RequestResult,
  type RequestType,
  SwitchboardError,
} from '@switchboard/protocol';
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.js';
import type { ValidRequest } from './parseFrame.js';
import type { SignallingSession, TransportKind } from './SignallingSession.js';

/** What a handler gets besides its parameters. */
export interface HandlerContext {
  session: SignallingSession;
  transport: TransportKind;
  log: Logger;
}

export type RequestHandler<T extends RequestType> = (
  params: RequestParams<T>,
  context: HandlerContext,
) => RequestResult<T> | Promise<RequestResult<T>>;

type AnyHandler = (params: unknown, context: HandlerContext) => unknown;

/**
 * Routes validated requests of an established session to the role that handles them,
 * after the grant check; turns every outcome into a response frame on the session.
 * Roles register handlers; they never see raw frames.
 */
export class MessageDispatcher {
  readonly #handlers = new Map<RequestType, AnyHandler>();
  readonly #log: Logger;
  readonly #metrics: Metrics;

  constructor(log: Logger, metrics: Metrics) {
    this.#log = log;
    this.#metrics = metrics;
  }

  handle<T extends RequestType>(type: T, handler: RequestHandler<T>): void {
    if (this.#handlers.has(type)) throw new Error(`A handler for "${type}" is already registered.`);
    this.#handlers.set(type, handler as AnyHandler);
  }

  /** Counts an error sent to a client (also used by transports for pre-session errors). */
  countError(code: ErrorCode): void {
    this.#metrics.errors.inc({ code });
  }

  countMessage(transport: TransportKind, type: string): void {
    this.#metrics.messages.inc({ transport, type });
  }

  /** Answers one validated request on `session` (the response is queued on the session). */
  async dispatch(session: SignallingSession, request: ValidRequest, transport: TransportKind): Promise<void> {
    const definition = REQUESTS[request.type];
    try {
      if (definition.stage === 'handshake') {
        throw new SwitchboardError('SB_ERR_ALREADY_AUTHENTICATED', 'This session is already established.');
      }
      const missing =
        'missingGrant' in definition && definition.missingGrant
          ? (definition.missingGrant as (g: typeof session.grants, p: unknown) => string | undefined)(
              session.grants,
              request.params,
            )
          : undefined;
      if (missing) {
        throw new SwitchboardError('SB_ERR_FORBIDDEN', `"${request.type}" needs the "${missing}" grant.`, {
          grant: missing,
        });
      }
      const handler = this.#handlers.get(request.type);
      if (!handler)
        throw new SwitchboardError('SB_ERR_UNKNOWN_TYPE', `"${request.type}" is not served by this node.`);
      const result = await handler(request.params, { session, transport, log: this.#log });
      session.respond(request.id, request.type, result ?? {});
    } catch (err) {
      const error =
        err instanceof SwitchboardError
          ? err
          : new SwitchboardError('SB_ERR_INTERNAL', 'Internal error; the request was not applied.');
      if (!(err instanceof SwitchboardError)) {
        this.#log.error({ err, type: request.type, sessionId: session.id }, 'handler failed');
      }
      this.countError(error.code);
      session.fail(request.id, request.type, error.toBody());
    }
  }
}
