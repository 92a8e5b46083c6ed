/** One timer entry: what falls due, for which entity. Handlers re-check state when it fires. */
export interface TimerEntry {
  at: number;
  kind: 'offer' | 'wrapup' | 'agentGrace' | 'cooldown' | 'resume' | 'escalation' | 'maxWait';
  id: string;
}

/**
 * A binary min-heap of deadlines. Cancellation is lazy: handlers validate an entry against the
 * current state when it fires, so nothing needs to be removed from the middle.
 */
export class TimerQueue {
  readonly #heap: (TimerEntry & { seq: number })[] = [];
  #seq = 0;

  get size(): number {
    return this.#heap.length;
  }

  peek(): TimerEntry | undefined {
    return this.#heap[0];
  }

  push(entry: TimerEntry): void {
    const heap = this.#heap;
    heap.push({ ...entry, seq: ++this.#seq });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >>> 1;
      if (this.#less(heap[parent]!, heap[i]!)) break;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  }

  /** Removes and returns the earliest entry due at or before `now`. */
  popDue(now: number): TimerEntry | undefined {
    const heap = this.#heap;
    const top = heap[0];
    if (top === undefined || top.at > now) return undefined;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && this.#less(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && this.#less(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i]!, heap[m]!];
        i = m;
      }
    }
    return top;
  }

  #less(a: TimerEntry & { seq: number }, b: TimerEntry & { seq: number }): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  clear(): void {
    this.#heap.length = 0;
  }
}
