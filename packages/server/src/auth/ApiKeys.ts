import { randomBytes, timingSafeEqual } from 'node:crypto';
import { SwitchboardError } from '@switchboard/protocol';

export interface ApiKey {
  key: string;
  secret: string;
}

/** Prefix of generated development keys; production refuses any key that carries it. */
export const DEV_KEY_PREFIX = 'dev_';

/** Makes a development key pair; the secret is 256 bits, base64url. */
export function generateDevKey(): ApiKey {
  return {
    key: `${DEV_KEY_PREFIX}${randomBytes(6).toString('hex')}`,
    secret: randomBytes(32).toString('base64url'),
  };
}

/** The API key/secret pairs allowed to mint tokens. Lookups never leak timing on the secret. */
export class ApiKeys {
  readonly #byKey = new Map<string, Buffer>();

  constructor(keys: readonly ApiKey[]) {
    for (const { key, secret } of keys) this.#byKey.set(key, Buffer.from(secret, 'utf8'));
  }

  /** The configured key names, in configuration order. */
  get keys(): string[] {
    return [...this.#byKey.keys()];
  }

  get size(): number {
    return this.#byKey.size;
  }

  /** The secret that signs tokens for `key`, if the key exists. */
  secretOf(key: string): Uint8Array | undefined {
    return this.#byKey.get(key);
  }

  /** Checks a key/secret pair; throws `SB_ERR_BAD_CREDENTIALS` when either is wrong. */
  authenticate(key: string, secret: string): void {
    const expected = this.#byKey.get(key);
    const given = Buffer.from(secret, 'utf8');
    // Compare against a same-length dummy when the key is unknown, so both failures cost the same.
    const reference = expected ?? Buffer.alloc(given.length);
    const equal = reference.length === given.length && timingSafeEqual(reference, given);
    if (!expected || !equal) throw new SwitchboardError('SB_ERR_BAD_CREDENTIALS');
  }
}
