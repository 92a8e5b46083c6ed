/**
 * Durable platform state. Roles reach storage only through this interface; the embedded
 * default is {@link SqliteStore}. Multi-node backends (Redis, PostgreSQL) implement the
 * same interface.
 */
export interface Store {
  /** A small durable key/value space for platform settings (e.g. the generated dev key). */
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
  /** True when the store can take writes (reported by `/readyz`). */
  healthy(): boolean;
  /** Closes the store; settles when nothing of it touches its files any more. */
  close(): void | Promise<void>;
}
