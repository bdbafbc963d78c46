/**
 * An `AsyncIterable` as a streamer source: one `next()` per read, asked only when the streamer has room.
 * Cancelling calls `return()`; a `next()` already asked still delivers its item, which the source produced
 * for the streamer (the core reports it as failed).
 */
import type { SourceReader } from './source-reader.js';

export class AsyncIterableReader<T> implements SourceReader<T> {
  readonly #iterator: AsyncIterator<T>;
  #done = false;
  #into: T[] = [];

  constructor(source: AsyncIterable<T>) {
    this.#iterator = source[Symbol.asyncIterator]();
  }

  read(into: T[]): number | Promise<number> {
    if (this.#done) {
      return 0;
    }
    this.#into = into;
    return this.#iterator.next().then(this.#onResult, this.#onError);
  }

  cancel(): readonly T[] {
    if (!this.#done) {
      this.#done = true;
      try {
        // Not awaited: a generator blocked inside `next()` finishes its return only after that.
        this.#iterator.return?.().catch(ignore);
      } catch {
        // The source's own cleanup failed; the stream is ending anyway.
      }
    }
    return [];
  }

  // Bound once, so a read allocates no closure.
  readonly #onResult = (result: IteratorResult<T>): number => {
    if (result.done === true) {
      this.#done = true;
      return 0;
    }
    this.#into.push(result.value);
    return 1;
  };

  readonly #onError = (error: unknown): number => {
    this.#done = true;
    throw error;
  };
}

function ignore(): void {}
