/**
 * Time for the ACD: `now()` in epoch milliseconds and one-shot timers at an absolute time.
 * Deadlines are persisted as epoch ms so they survive a restart; in process the system clock
 * is monotonic (anchored once to the wall clock) so a wall-clock step cannot fire or starve timers.
 */
export interface Clock {
  now(): number;
  /** Runs `fn` once at or after `at` (epoch ms). Returns a cancel function. */
  schedule(at: number, fn: () => void): () => void;
}

/** The real clock: `performance.timeOrigin + performance.now()`, unref'd timers. */
export class SystemClock implements Clock {
  now(): number {
    return Math.floor(performance.timeOrigin + performance.now());
  }

  schedule(at: number, fn: () => void): () => void {
    // setTimeout caps at 2^31-1 ms; re-arm for very far deadlines.
    const delay = Math.max(0, at - this.now());
    let cancel: () => void = () => {};
    const timer = setTimeout(
      () => {
        if (this.now() >= at) fn();
        else cancel = this.schedule(at, fn);
      },
      Math.min(delay, 2_000_000_000),
    );
    timer.unref();
    cancel = () => clearTimeout(timer);
    return () => cancel();
  }
}

/** A clock for tests: time moves only through `advance`/`set`, firing due timers in order. */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  schedule(at: number, fn: () => void): () => void {
    const key = ++this.#seq;
    this.#timers.set(key, { at, fn });
    return () => this.#timers.delete(key);
  }

  /** Moves time forward by `ms`, firing every timer that falls due, earliest first. */
  advance(ms: number): void {
    this.set(this.#now + ms);
  }

  set(target: number): void {
    // Bounded: each round fires one timer; timers scheduled in the past fire at most once each.
    for (let guard = 0; guard < 1_000_000; guard++) {
      let nextKey = -1;
      let next: { at: number; fn: () => void } | undefined;
      for (const [key, timer] of this.#timers) {
        if (timer.at <= target && (next === undefined || timer.at < next.at)) {
          next = timer;
          nextKey = key;
        }
      }
      if (next === undefined) break;
      this.#timers.delete(nextKey);
      this.#now = Math.max(this.#now, next.at);
      next.fn();
    }
    this.#now = Math.max(this.#now, target);
  }

  /** Moves time without firing timers: simulates a timer that runs late (a busy event loop). */
  jump(ms: number): void {
    this.#now += ms;
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }
}
