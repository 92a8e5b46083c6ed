import { SwitchboardError } from '@switchboard/protocol';
import type { Config } from '../../config/schema.js';

/** One public widget key as configured under `web.widgetKeys`. */
export type WidgetKey = NonNullable<Config['web']['widgetKeys']>[number];

/**
 * The key non-production profiles get when `web.widgetKeys` is not set: the demo site on
 * the platform's own origin may call the queue "sales". Never active in production.
 */
export const DEMO_WIDGET_KEY: WidgetKey = Object.freeze({
  key: 'sb-demo-widget',
  origins: ['self'],
  queues: ['sales'],
});

/**
 * Public widget keys: which page origins may use which key, and for which queues. A key is
 * not a secret (it sits in the page); what protects it is the browser-enforced `Origin`
 * header, the per-address rate limit and the narrow, short-lived token it buys.
 */
export class WidgetKeys {
  readonly #keys: ReadonlyMap<string, WidgetKey>;

  constructor(keys: readonly WidgetKey[]) {
    this.#keys = new Map(keys.map((k) => [k.key, k]));
  }

  /** The configured keys, or the demo key outside production when none are configured. */
  static fromConfig(config: Pick<Config, 'profile' | 'web'>): WidgetKeys {
    const configured = config.web.widgetKeys;
    if (configured) return new WidgetKeys(configured);
    return new WidgetKeys(config.profile === 'production' ? [] : [DEMO_WIDGET_KEY]);
  }

  get size(): number {
    return this.#keys.size;
  }

  /**
   * The key `key` when `origin` may use it; `host` is the Host header the browser sent to
   * us (for the "self" origin). Throws SB_ERR_WIDGET_KEY_INVALID or SB_ERR_ORIGIN_NOT_ALLOWED.
   */
  authorize(key: string, origin: string | undefined, host: string | undefined): WidgetKey {
    const found = this.#keys.get(key);
    if (!found) throw new SwitchboardError('SB_ERR_WIDGET_KEY_INVALID', 'Unknown widget key.');
    if (!origin || origin === 'null') {
      throw new SwitchboardError(
        'SB_ERR_ORIGIN_NOT_ALLOWED',
        'A widget key is usable only from a web page (the request has no Origin).',
      );
    }
    if (!found.origins.some((allowed) => originMatches(allowed, origin, host))) {
      throw new SwitchboardError(
        'SB_ERR_ORIGIN_NOT_ALLOWED',
        `Origin ${origin} may not use this widget key.`,
        {
          origin,
        },
      );
    }
    return found;
  }
}

function originMatches(allowed: string, origin: string, host: string | undefined): boolean {
  if (allowed === '*') return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  // "self": the page was served by this platform, under whatever name reached us.
  if (allowed === 'self') return host !== undefined && parsed.protocol === 'https:' && parsed.host === host;
  return parsed.origin === new URL(allowed).origin;
}
