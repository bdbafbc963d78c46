/**
 * Values that Raft log entries set at given indexes (the group configuration, the latest lease), kept so the
 * value in effect at any index of the log is known, and so that cutting the log's tail (a conflict) or its
 * head (a snapshot) keeps the right one.
 *
 * It knows nothing of entries: the log tells it what was set where.
 */

interface Setting<T> {
  readonly index: number;
  readonly value: T;
}

export class IndexedHistory<T> {
  /** Ascending by index; the first is the base (what the snapshot carried, at its index). */
  #settings: Setting<T>[];

  constructor(baseIndex: number, baseValue: T) {
    this.#settings = [{ index: baseIndex, value: baseValue }];
  }

  /** The newest value and the index that set it. */
  latest(): Setting<T> {
    return this.#settings.at(-1) as Setting<T>;
  }

  /** The value in effect at `index` (the newest set at or before it; the base before that). */
  at(index: number): T {
    for (let i = this.#settings.length - 1; i > 0; i--) {
      const setting = this.#settings[i] as Setting<T>;
      if (setting.index <= index) return setting.value;
    }
    return (this.#settings[0] as Setting<T>).value;
  }

  /** Records that the entry at `index` (after every index recorded so far) sets `value`. */
  set(index: number, value: T): void {
    this.#settings.push({ index, value });
  }

  /** Forgets what entries at `index` and after set (they left the log). The base stays. */
  truncateFrom(index: number): void {
    while (this.#settings.length > 1 && (this.#settings.at(-1) as Setting<T>).index >= index) {
      this.#settings.pop();
    }
  }

  /** The log now starts after `index`: the value in effect there becomes the base. */
  compactTo(index: number): void {
    const value = this.at(index);
    this.#settings = [{ index, value }, ...this.#settings.filter((s) => s.index > index)];
  }

  /** Forgets everything: `value` is in effect from `index` on. */
  reset(index: number, value: T): void {
    this.#settings = [{ index, value }];
  }
}
