/**
 * Why a STUN/TURN operation failed.
 * - `timeout`: no response within the transaction timeout (all retransmissions spent).
 * - `error-response`: the server answered with an error class message; see `status`.
 * - `integrity`: a response failed MESSAGE-INTEGRITY or FINGERPRINT verification.
 * - `decode`: bytes that are not a well-formed STUN message / ChannelData frame.
 * - `transport`: the socket failed (connect refused, TLS handshake, reset, closed).
 * - `state`: the call is not valid now (e.g. `send` before `allocate`, or after `close`).
 */
export type StunErrorKind = 'timeout' | 'error-response' | 'integrity' | 'decode' | 'transport' | 'state';

/** The one error type thrown by the STUN/TURN client. */
export class StunError extends Error {
  override readonly name = 'StunError';
  readonly kind: StunErrorKind;
  /** STUN error code (e.g. 401, 403, 437, 438, 508) for `error-response`. */
  readonly status: number | undefined;
  /** Reason phrase sent by the server for `error-response`. */
  readonly reason: string | undefined;

  constructor(
    kind: StunErrorKind,
    message: string,
    options: { status?: number; reason?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.status = options.status;
    this.reason = options.reason;
  }

  /** An error response from the server, e.g. `StunError.response(403, 'Forbidden IP')`. */
  static response(status: number, reason: string, method: string): StunError {
    return new StunError('error-response', `${method} refused: ${status} ${reason}`, { status, reason });
  }
}
