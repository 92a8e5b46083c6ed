/** Prefix of the call a tester-only token may join for the browser's WebRTC leg. */
export const TESTER_CALL_PREFIX = 'tester-';

/** Longest call id the signalling accepts (`call.join`). */
const MAX_CALL_ID = 128;

/**
 * The one call a token with the `tester` grant may join: `tester-<identity>`. Binding it to
 * the identity keeps one tester from joining (and seeing the camera of) another tester's
 * call. `undefined` when the identity makes no valid call id (too long).
 */
export function testerCallId(identity: string): string | undefined {
  const id = `${TESTER_CALL_PREFIX}${identity}`;
  return identity.length > 0 && id.length <= MAX_CALL_ID ? id : undefined;
}
