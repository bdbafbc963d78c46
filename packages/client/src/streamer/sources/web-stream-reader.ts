/**
 * A web `ReadableStream` as a streamer source: one chunk (item) per read, through a default reader that the
 * streamer holds (the stream is locked for the stream's duration). Cancelling cancels the stream.
 */
import type { SourceReader } from './source-reader.js';

type ReadResult<T> = Awaited<ReturnType<ReadableStreamDefaultReader<T>['read']>>;

export class WebStreamReader<T> implements SourceReader<T> {
  readonly #reader: ReadableStreamDefaultReader<T>;
  #done = false;
  #into: T[] = [];

  constructor(source: ReadableStream<T>) {
    this.#reader = source.getReader();
  }

  read(into: T[]): number | Promise<number> {
    if (this.#done) {
      return 0;
    }
    this.#into = into;
    return this.#reader.read().then(this.#onResult, this.#onError);
  }

  cancel(reason: unknown): readonly T[] {
    if (!this.#done) {
      this.#done = true;
      // A pending read resolves done once cancelled; the promise itself can only report the source's error.
      this.#reader.cancel(reason).catch(ignore);
    }
    return [];
  }

  // A read answered before a cancel still delivers its chunk: the stream handed it over.
  readonly #onResult = (result: ReadResult<T>): number => {
    if (result.done) {
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
