/**
 * An `Iterable` as a streamer source: pulled synchronously, at most the room the streamer has, so a
 * generator runs only as far as the streamer can hold.
 */
import type { SourceReader } from './source-reader.js';

export class IterableReader<T> implements SourceReader<T> {
  readonly #iterator: Iterator<T>;
  #done = false;

  constructor(source: Iterable<T>) {
    this.#iterator = source[Symbol.iterator]();
  }

  read(into: T[], max: number): number {
    if (this.#done) {
      return 0;
    }
    let count = 0;
    while (count < max) {
      // A throwing iterator leaves the items already appended in `into`: they were taken, and the core
      // reports them.
      const result = this.#iterator.next();
      if (result.done === true) {
        this.#done = true;
        break;
      }
      into.push(result.value);
      count++;
    }
    return count;
  }

  cancel(): readonly T[] {
    if (!this.#done) {
      this.#done = true;
      try {
        this.#iterator.return?.();
      } catch {
        // The source's own cleanup failed; the stream is ending anyway and reports its own error.
      }
    }
    return [];
  }
}
