import { type ErrorCode, httpStatusOf } from '@switchboard/protocol';

/**
 * WebSocket close code for an error: 1001 when the server is going away, 1011 for an
 * internal fault, else 4000 + the HTTP status (4401, 4408, 4409, 4413, 4429 …). The
 * close reason is always the error code itself.
 */
export function closeCodeFor(code: ErrorCode): number {
  if (code === 'SB_ERR_SERVER_DRAINING') return 1001;
  const status = httpStatusOf(code);
  return status >= 500 ? 1011 : 4000 + status;
}
