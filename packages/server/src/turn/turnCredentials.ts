import { createHmac } from 'node:crypto';

/** A time-limited TURN credential in the TURN REST API style (coturn `use-auth-secret`). */
export interface TurnCredential {
  /** `<expiry unix seconds>:<identity>`. */
  username: string;
  /** base64(HMAC-SHA1(secret, username)). */
  credential: string;
  /** When coturn stops accepting it (new allocations and refreshes). */
  expiresAt: Date;
}

/** Characters kept as-is in the identity part; the rest are %-escaped (`:` must not appear twice). */
const SAFE = /[^A-Za-z0-9_.@+-]/g;

/** The identity as it appears after the colon: escaped and at most 128 characters. */
export function turnIdentity(identity: string): string {
  const escaped = identity.replace(
    SAFE,
    (c) =>
      `%${Buffer.from(c, 'utf8')
        .toString('hex')
        .toUpperCase()
        .replace(/(..)(?!$)/g, '$1%')}`,
  );
  return escaped.slice(0, 128) || 'anonymous';
}

/**
 * Mints a credential valid for `ttlSeconds` from `nowMs`. coturn, configured with
 * `use-auth-secret` and the same secret, recomputes the HMAC and refuses a username whose
 * expiry has passed — no per-user state and no static password on the wire.
 */
export function mintTurnCredential(
  secret: string,
  identity: string,
  ttlSeconds: number,
  nowMs: number = Date.now(),
): TurnCredential {
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) throw new RangeError('ttlSeconds must be positive');
  const expiry = Math.floor(nowMs / 1000) + Math.floor(ttlSeconds);
  const username = `${expiry}:${turnIdentity(identity)}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential, expiresAt: new Date(expiry * 1000) };
}
