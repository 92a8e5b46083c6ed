import { type GrantName, type Grants, SwitchboardError } from '@switchboard/protocol';
import type { FastifyRequest } from 'fastify';
import type { ApiKeys } from '../auth/ApiKeys.js';
import type { TokenService, VerifiedToken } from '../auth/TokenService.js';

/** Checks `Authorization: Basic base64(apiKey:apiSecret)`; returns the API key. */
export function requireApiKey(request: FastifyRequest, keys: ApiKeys): string {
  const header = request.headers.authorization;
  if (!header?.startsWith('Basic ')) {
    throw new SwitchboardError(
      'SB_ERR_AUTH_REQUIRED',
      'Send the API key and secret as HTTP Basic credentials.',
    );
  }
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw new SwitchboardError('SB_ERR_BAD_CREDENTIALS', 'Malformed Basic credentials.');
  const key = decoded.slice(0, colon);
  keys.authenticate(key, decoded.slice(colon + 1));
  return key;
}

/** Checks `Authorization: Bearer <access token>` and that `allowed(grants)` holds. */
export async function requireBearer(
  request: FastifyRequest,
  tokens: TokenService,
  grant: GrantName | 'any',
  allowed: (grants: Grants) => boolean,
): Promise<VerifiedToken> {
  const header = request.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
  const verified = await tokens.verify(token);
  if (!allowed(verified.grants)) {
    throw new SwitchboardError('SB_ERR_FORBIDDEN', `This call needs the "${grant}" grant.`, { grant });
  }
  return verified;
}
