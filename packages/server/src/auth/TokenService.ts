import { randomUUID } from 'node:crypto';
import {
  type AccessClaims,
  AccessClaimsSchema,
  type Grants,
  SwitchboardError,
  TOKEN_AUDIENCE,
} from '@switchboard/protocol';
import { decodeProtectedHeader, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { ApiKeys } from './ApiKeys.js';

export interface MintRequest {
  /** API key whose secret signs the token. */
  apiKey: string;
  identity: string;
  grants: Grants;
  name?: string | undefined;
  /** Lifetime; defaults to `auth.tokenTtlSeconds`, capped by `auth.maxTokenTtlSeconds`. */
  ttlSeconds?: number | undefined;
}

export interface MintedToken {
  token: string;
  expiresAt: string;
  ttlSeconds: number;
}

/** A verified token: who it speaks for, what it allows, and when it stops. */
export interface VerifiedToken extends AccessClaims {
  apiKey: string;
  expiresAt: number;
  tokenId: string;
}

const ALGORITHM = 'HS256';

/**
 * Mints and verifies short-lived access tokens (JWT, HS256 with the API key's secret,
 * `kid` = API key). Verification maps every failure to a typed error code.
 */
export class TokenService {
  readonly #keys: ApiKeys;
  readonly #defaultTtl: number;
  readonly #maxTtl: number;

  constructor(keys: ApiKeys, options: { tokenTtlSeconds: number; maxTokenTtlSeconds: number }) {
    this.#keys = keys;
    this.#defaultTtl = options.tokenTtlSeconds;
    this.#maxTtl = options.maxTokenTtlSeconds;
  }

  /** The key server-side features (demo tokens, tester tokens) sign with: the first configured. */
  get defaultApiKey(): string | undefined {
    return this.#keys.keys[0];
  }

  async mint(request: MintRequest): Promise<MintedToken> {
    const secret = this.#keys.secretOf(request.apiKey);
    if (!secret) throw new SwitchboardError('SB_ERR_BAD_CREDENTIALS', `Unknown API key "${request.apiKey}".`);
    const ttlSeconds = Math.min(request.ttlSeconds ?? this.#defaultTtl, this.#maxTtl);
    const claims = AccessClaimsSchema.parse({
      sub: request.identity,
      grants: request.grants,
      name: request.name,
    });
    const now = Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = { grants: claims.grants };
    if (claims.name !== undefined) payload.name = claims.name;
    const token = await new SignJWT(payload)
      .setProtectedHeader({ alg: ALGORITHM, kid: request.apiKey, typ: 'JWT' })
      .setIssuer(request.apiKey)
      .setSubject(claims.sub)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt(now)
      .setNotBefore(now - 5)
      .setExpirationTime(now + ttlSeconds)
      .setJti(randomUUID())
      .sign(secret);
    return { token, ttlSeconds, expiresAt: new Date((now + ttlSeconds) * 1000).toISOString() };
  }

  /** Verifies signature, audience, issuer and lifetime; throws a `SwitchboardError`. */
  async verify(token: string | undefined): Promise<VerifiedToken> {
    if (!token) throw new SwitchboardError('SB_ERR_AUTH_REQUIRED', 'An access token is required.');
    let kid: string | undefined;
    try {
      const header = decodeProtectedHeader(token);
      kid = header.kid;
      if (header.alg !== ALGORITHM) throw new Error('algorithm');
    } catch {
      throw new SwitchboardError('SB_ERR_TOKEN_INVALID', 'The access token is malformed.');
    }
    const secret = kid === undefined ? undefined : this.#keys.secretOf(kid);
    if (!secret || kid === undefined) {
      throw new SwitchboardError('SB_ERR_TOKEN_INVALID', 'The access token was signed by an unknown key.');
    }
    try {
      const { payload } = await jwtVerify(token, secret, {
        algorithms: [ALGORITHM],
        audience: TOKEN_AUDIENCE,
        issuer: kid,
        clockTolerance: 5,
        requiredClaims: ['exp', 'sub', 'jti'],
      });
      const claims = AccessClaimsSchema.safeParse(payload);
      if (!claims.success) {
        throw new SwitchboardError(
          'SB_ERR_TOKEN_INVALID',
          'The access token does not carry valid Switchboard claims.',
        );
      }
      return {
        ...claims.data,
        apiKey: kid,
        expiresAt: (payload.exp as number) * 1000,
        tokenId: payload.jti as string,
      };
    } catch (err) {
      if (err instanceof SwitchboardError) throw err;
      if (err instanceof joseErrors.JWTExpired) {
        throw new SwitchboardError('SB_ERR_TOKEN_EXPIRED', 'The access token has expired; mint a new one.');
      }
      if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'nbf') {
        throw new SwitchboardError(
          'SB_ERR_TOKEN_EXPIRED',
          'The access token is not valid yet (check clocks).',
        );
      }
      throw new SwitchboardError('SB_ERR_TOKEN_INVALID', 'The access token failed verification.');
    }
  }
}
