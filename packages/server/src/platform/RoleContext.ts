import type { ApiKeys } from '../auth/ApiKeys.js';
import type { TokenService } from '../auth/TokenService.js';
import type { Config } from '../config/schema.js';
import type { RouteSpec } from '../http/routes.js';
import type { ReadinessCheck } from '../http/webRoutes.js';
import type { MediaService } from '../media/MediaService.js';
import type { PortAllocator } from '../media/PortAllocator.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { CallDirectory } from '../roles/call/CallDirectory.js';
import type { SignallingService } from '../signalling/SignallingService.js';
import type { SqliteStore } from '../store/SqliteStore.js';
import type { TlsMaterial } from '../tls/certificate.js';
import type { TurnService } from '../turn/TurnService.js';
import type { BoundPorts } from './Platform.js';

/**
 * What the platform hands each role at start-up: the shared services, and the places a
 * role plugs into (REST routes per listener, readiness checks). Roles register signalling
 * handlers on `signalling.dispatcher`; they never touch transports.
 */
export interface RoleContext {
  readonly config: Readonly<Config>;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly store: SqliteStore;
  readonly tokens: TokenService;
  /** The API key/secret pairs (routes that mint tokens authenticate callers with them). */
  readonly keys: ApiKeys;
  readonly tls: TlsMaterial;
  readonly signalling: SignallingService;
  readonly turn: TurnService;
  /** The one UDP port allocator (ranges `rtc` and `acd`). */
  readonly ports: PortAllocator;
  readonly media: MediaService;
  /** Who is in which call; other roles add access policies and follow joins and leaves. */
  readonly calls: CallDirectory;
  /** REST routes served on the HTTPS port (443). */
  readonly webRoutes: RouteSpec[];
  /** REST routes served on the API port (8089). */
  readonly apiRoutes: RouteSpec[];
  readonly readiness: ReadinessCheck[];
  /**
   * The TCP ports actually bound (they differ from `config.ports` when 0 or a shifted port was
   * asked for). Throws until the listeners are up: call it at request time, not at start-up.
   */
  listening(): BoundPorts;
}

/** What a started role gives back: how to stop it. */
export interface RoleHandle {
  readonly name: string;
  close(): Promise<void> | void;
}

/** A role: registers its handlers, routes and checks, and returns its handle. */
export type Role = (context: RoleContext) => Promise<RoleHandle> | RoleHandle;
