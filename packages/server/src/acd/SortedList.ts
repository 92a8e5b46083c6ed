/**
 * An array kept sorted by a comparator: binary-search insert and delete. For the sizes an ACD
 * holds (tens of thousands per queue) a memmove-backed splice beats a tree on constant factors.
 */
export class SortedList<T> {
  readonly #items: T[] = [];
  readonly #compare: (a: T, b: T) => number;

  constructor(compare: (a: T, b: T) => number) {
    this.#compare = compare;
  }

  get size(): number {
    return this.#items.length;
  }

  /** The position the item has (or would have). */
  #lowerBound(item: T): number {
    let lo = 0;
    let hi = this.#items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#compare(this.#items[mid]!, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(item: T): void {
    this.#items.splice(this.#lowerBound(item), 0, item);
  }

  /** Removes the item (found by comparator equality then identity). Returns whether it was there. */
  delete(item: T): boolean {
    for (let i = this.#lowerBound(item); i < this.#items.length; i++) {
      const candidate = this.#items[i]!;
      if (candidate === item) {
        this.#items.splice(i, 1);
        return true;
      }
      if (this.#compare(candidate, item) !== 0) return false;
    }
    return false;
  }

  /** Zero-based rank of an item in the list, or -1. */
  indexOf(item: T): number {
    for (let i = this.#lowerBound(item); i < this.#items.length; i++) {
      const candidate = this.#items[i]!;
      if (candidate === item) return i;
      if (this.#compare(candidate, item) !== 0) return -1;
    }
    return -1;
  }

  at(index: number): T | undefined {
    return this.#items[index];
  }

  [Symbol.iterator](): Iterator<T> {
    return this.#items[Symbol.iterator]();
  }

  toArray(): T[] {
    return [...this.#items];
  }
}
