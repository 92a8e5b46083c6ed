import { EventEmitter } from 'node:events';

/**
 * A typed event emitter whose `safeEmit` catches a throwing listener (reporting it through
 * `onListenerError`) so one bad subscriber cannot break routing.
 */
export class SafeEmitter<E extends { [K in keyof E]: unknown[] }> {
  readonly #ee = new EventEmitter();
  readonly #onListenerError: (event: string, error: unknown) => void;

  constructor(onListenerError: (event: string, error: unknown) => void = () => {}) {
    this.#ee.setMaxListeners(0);
    this.#onListenerError = onListenerError;
  }

  on<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#ee.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#ee.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#ee.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  listenerCount<K extends keyof E & string>(event: K): number {
    return this.#ee.listenerCount(event);
  }

  /** Calls every listener; a listener's exception is reported, never propagated. */
  safeEmit<K extends keyof E & string>(event: K, ...args: E[K]): void {
    for (const listener of this.#ee.rawListeners(event) as ((...a: unknown[]) => void)[]) {
      try {
        listener(...args);
      } catch (error) {
        try {
          this.#onListenerError(event, error);
        } catch {
          // the error reporter itself must not break the emitter either
        }
      }
    }
  }

  removeAllListeners(): void {
    this.#ee.removeAllListeners();
  }
}
