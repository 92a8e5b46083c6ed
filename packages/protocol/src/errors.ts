/**
 * The one registry of Switchboard error codes. Every failure a caller can act on has a
 * stable string code here; the same code travels over WebSocket, long-poll, REST and
 * the SDK. `docs/errors.md` is generated from this table and a test keeps them in step.
 */
export const ERRORS = {
  SB_ERR_BAD_JSON: { status: 400, doc: 'The frame or request body is not valid JSON.' },
  SB_ERR_BAD_FRAME: {
    status: 400,
    doc: 'The frame is JSON but not a valid envelope (missing `v`, `id` or `type`, or wrong field types).',
  },
  SB_ERR_UNSUPPORTED_VERSION: {
    status: 400,
    doc: 'The frame names a protocol version this server does not speak; the error data lists the supported ones.',
  },
  SB_ERR_UNKNOWN_TYPE: { status: 400, doc: 'The message type is not part of the protocol.' },
  SB_ERR_INVALID_PARAMS: {
    status: 400,
    doc: "The message's parameters fail their schema; the error data lists each failing path.",
  },
  SB_ERR_FRAME_TOO_LARGE: {
    status: 413,
    doc: 'The frame or request body exceeds the configured limit (`signalling.maxFrameBytes`).',
  },
  SB_ERR_RATE_LIMITED: {
    status: 429,
    doc: 'Too many messages or requests from this connection or address; retry after the indicated delay.',
  },
  SB_ERR_TOO_MANY_CONNECTIONS: {
    status: 429,
    doc: 'This address already holds the maximum number of signalling connections or sessions.',
  },
  SB_ERR_UNREACHABLE: {
    status: 504,
    doc: 'Raised by the SDK, not the server: a transport did not open within `openTimeoutMs` (e.g. a firewall silently dropping 8989 or 8089); the SDK then tries the next route, ending with WSS on 443.',
  },
  SB_ERR_AUTH_REQUIRED: {
    status: 401,
    doc: 'No access token was presented, or a message was sent before the session authenticated.',
  },
  SB_ERR_AUTH_TIMEOUT: {
    status: 401,
    doc: 'The connection did not authenticate within `signalling.authTimeoutMs` and was closed.',
  },
  SB_ERR_TOKEN_EXPIRED: {
    status: 401,
    doc: 'The access token has expired (or is not yet valid); mint a new one.',
  },
  SB_ERR_TOKEN_INVALID: {
    status: 401,
    doc: 'The access token is malformed, its signature does not verify, or it was signed by an unknown key.',
  },
  SB_ERR_FORBIDDEN: {
    status: 403,
    doc: 'The token is valid but its grants do not allow this action (the error data names the grant needed).',
  },
  SB_ERR_BAD_CREDENTIALS: { status: 401, doc: 'The API key or secret is wrong.' },
  SB_ERR_ALREADY_AUTHENTICATED: {
    status: 409,
    doc: 'The session is already authenticated; `auth` was sent twice.',
  },
  SB_ERR_SESSION_NOT_FOUND: {
    status: 404,
    doc: 'No such signalling session, or the resume key does not match: create a new session.',
  },
  SB_ERR_SESSION_EXPIRED: {
    status: 410,
    doc: 'The session outlived its reclaim window without a transport attached and was closed: create a new session.',
  },
  SB_ERR_SESSION_REPLACED: {
    status: 409,
    doc: 'Another transport (a newer connection or poll) took over this session; this one is closed.',
  },
  SB_ERR_IDLE_TIMEOUT: {
    status: 408,
    doc: 'The connection sent nothing (not even a keep-alive) for too long.',
  },
  SB_ERR_SERVER_DRAINING: {
    status: 503,
    doc: 'The server is shutting down and takes no new sessions; reconnect (to another node) after the hinted delay.',
  },
  SB_ERR_NOT_FOUND: { status: 404, doc: 'No such HTTP route or resource.' },
  SB_ERR_METHOD_NOT_ALLOWED: { status: 405, doc: 'The HTTP method is not allowed on this route.' },
  SB_ERR_PORTS_EXHAUSTED: {
    status: 503,
    doc: 'Every UDP port of the media range is in use (the error data names the range); retry later or widen the range.',
  },
  SB_ERR_MEDIA_WORKER_LOST: {
    status: 503,
    doc: 'The media worker process that held this call stopped; the call ended for everyone in it. Join again: the call is placed on a running worker.',
  },
  SB_ERR_PORT_UNAVAILABLE: {
    status: 409,
    doc: 'The requested UDP port is outside the range or already in use.',
  },
  SB_ERR_CALL_NOT_FOUND: { status: 404, doc: 'No such call (media room), or it has ended.' },
  SB_ERR_PARTICIPANT_NOT_FOUND: { status: 404, doc: 'No such participant in this call, or it has left.' },
  SB_ERR_TRACK_NOT_FOUND: { status: 404, doc: 'No such published track in this call.' },
  SB_ERR_NEGOTIATION_FAILED: {
    status: 400,
    doc: 'The SDP offer or answer could not be applied (malformed, no common codec, or stale); the error data says why.',
  },
  SB_ERR_QUEUE_NOT_FOUND: { status: 404, doc: 'No ACD queue with this id is configured.' },
  SB_ERR_QUEUE_CLOSED: {
    status: 503,
    doc: 'The queue exists but is closed (`open: false`) and takes no new contacts; existing contacts continue.',
  },
  SB_ERR_QUEUE_FULL: {
    status: 503,
    doc: 'The queue holds its `maxLength` of waiting contacts and has no overflow target; try again later.',
  },
  SB_ERR_QUEUE_NOT_EMPTY: {
    status: 409,
    doc: 'The queue still has contacts (waiting, offered or in a call); close it and let them drain before removing it.',
  },
  SB_ERR_AGENT_NOT_FOUND: { status: 404, doc: 'No ACD agent with this id is configured.' },
  SB_ERR_AGENT_BUSY: {
    status: 409,
    doc: 'The agent has a contact (connecting, in a call or in wrap-up) and cannot log out or be removed now.',
  },
  SB_ERR_NOT_YOUR_AGENT: {
    status: 403,
    doc: 'An agent tried to act for another agent (status, wrap-up, presence); only the agent or a supervisor may.',
  },
  SB_ERR_CONTACT_NOT_FOUND: { status: 404, doc: 'No contact with this id is known to the ACD.' },
  SB_ERR_CONTACT_ENDED: {
    status: 410,
    doc: 'The contact has already ended (answered and closed, abandoned, overflowed, or its resume window passed).',
  },
  SB_ERR_NOT_YOUR_CONTACT: {
    status: 403,
    doc: 'The contact belongs to another user, or to a call another agent handles; nothing was changed.',
  },
  SB_ERR_OFFER_NOT_FOUND: {
    status: 404,
    doc: 'No offer with this id is known (or it is too old to be remembered).',
  },
  SB_ERR_OFFER_NOT_YOURS: {
    status: 403,
    doc: 'The offer was made to another agent; only the agent it was offered to may accept or reject it.',
  },
  SB_ERR_OFFER_EXPIRED: {
    status: 410,
    doc: 'The offer reached its deadline (`offerTimeoutSeconds`) before it was accepted; the contact went back to its place.',
  },
  SB_ERR_OFFER_RESCINDED: {
    status: 410,
    doc: 'The offer was withdrawn (the user hung up, another agent accepted a ring-all offer, or the agent changed status).',
  },
  SB_ERR_LISTEN_ONLY: {
    status: 403,
    doc: 'This participant joined to monitor (`supervisor.monitor`): it receives media but may not publish or mute.',
  },
  SB_ERR_INVALID_TRANSITION: {
    status: 409,
    doc: 'The action does not apply in the current state of the agent, contact or offer (the error data names the state).',
  },
  SB_ERR_WIDGET_KEY_INVALID: {
    status: 401,
    doc: 'The widget key is not one of the configured `web.widgetKeys` (or widget keys are off); no token was minted.',
  },
  SB_ERR_ORIGIN_NOT_ALLOWED: {
    status: 403,
    doc: 'The page’s Origin is not among the widget key’s allowed origins (or the request has no Origin); no token was minted.',
  },
  SB_ERR_INTERNAL: {
    status: 500,
    doc: 'An unexpected server fault; the request was not applied. The log has the details under the request id.',
  },
} as const satisfies Record<string, { status: number; doc: string }>;

/** A stable Switchboard error code, e.g. `SB_ERR_TOKEN_EXPIRED`. */
export type ErrorCode = keyof typeof ERRORS;

export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERRORS, value);
}

/** HTTP status used when the error crosses a REST or long-poll boundary. */
export function httpStatusOf(code: ErrorCode): number {
  return ERRORS[code].status;
}

/** The wire form of an error: in a response frame, an HTTP body or a close reason. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  data?: Record<string, unknown>;
}

/**
 * An error a caller can act on. Thrown inside the server and the SDK; serialised as
 * {@link ErrorBody} on the wire.
 */
export class SwitchboardError extends Error {
  readonly code: ErrorCode;
  readonly data: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, data?: Record<string, unknown>) {
    super(message ?? ERRORS[code].doc);
    this.name = 'SwitchboardError';
    this.code = code;
    this.data = data;
  }

  get status(): number {
    return ERRORS[this.code].status;
  }

  toBody(): ErrorBody {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }

  static fromBody(body: ErrorBody): SwitchboardError {
    return new SwitchboardError(body.code, body.message, body.data);
  }
}

/** Renders the registry as the Markdown page `docs/errors.md`. */
export function renderErrorDocs(): string {
  const rows = ERROR_CODES.map((code) => `| \`${code}\` | ${ERRORS[code].status} | ${ERRORS[code].doc} |`);
  return [
    '# Error codes',
    '',
    '<!-- Generated from packages/protocol/src/errors.ts by `npm run docs`; a test fails when they differ. -->',
    '',
    'Every error Switchboard returns carries one of these stable codes — in a response frame',
    '(`{"error":{"code":…,"message":…}}`), in an HTTP error body, or as the reason of a WebSocket close.',
    'The HTTP status applies where the error crosses HTTP (REST and long-poll).',
    '',
    '| code | HTTP | meaning |',
    '|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
