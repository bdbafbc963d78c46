/**
 * A Node `Readable` in object mode as a streamer source. It drains the stream's own buffer synchronously
 * (`read()` until null or the streamer's room is used) and waits for `'readable'` only when that buffer is
 * empty, so the stream's `highWaterMark` is the only read-ahead. An `'error'` (or a close before `'end'`)
 * fails the next read, or the pending one. Cancelling destroys the stream.
 */
import type { Readable } from 'node:stream';
import { ClientError } from '../../errors/client-error.js';
import type { SourceReader } from './source-reader.js';

export class NodeReadableReader<T> implements SourceReader<T> {
  readonly #stream: Readable;
  #ended = false;
  #failed = false;
  #error: unknown;
  #cancelled = false;
  #waiting:
    | { into: T[]; max: number; resolve: (count: number) => void; reject: (e: unknown) => void }
    | undefined;

  constructor(stream: Readable) {
    this.#stream = stream;
    if (stream.readableEnded) {
      this.#ended = true;
      return;
    }
    if (stream.errored !== null) {
      this.#setError(stream.errored);
    } else if (stream.destroyed) {
      this.#setError(prematureClose());
    }
    stream.on('readable', this.#onReadable);
    stream.on('end', this.#onEnd);
    stream.on('error', this.#onError);
    stream.on('close', this.#onClose);
  }

  read(into: T[], max: number): number | Promise<number> {
    if (this.#failed) {
      throw this.#error;
    }
    const count = this.#drain(into, max);
    if (count > 0 || this.#ended || this.#cancelled) {
      return count;
    }
    return new Promise<number>((resolve, reject) => {
      this.#waiting = { into, max, resolve, reject };
    });
  }

  cancel(): readonly T[] {
    if (!this.#cancelled) {
      this.#cancelled = true;
      this.#detach();
      this.#stream.on('error', ignore);
      this.#stream.destroy();
      this.#settle(0);
    }
    return [];
  }

  #drain(into: T[], max: number): number {
    let count = 0;
    while (count < max) {
      const chunk: unknown = this.#stream.read();
      if (chunk === null) {
        break;
      }
      into.push(chunk as T);
      count++;
    }
    return count;
  }

  #settle(count: number): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.resolve(count);
  }

  #setError(error: unknown): void {
    if (this.#failed || this.#ended) {
      return;
    }
    this.#failed = true;
    this.#error = error;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.reject(error);
  }

  #detach(): void {
    this.#stream.off('readable', this.#onReadable);
    this.#stream.off('end', this.#onEnd);
    this.#stream.off('error', this.#onError);
    this.#stream.off('close', this.#onClose);
  }

  readonly #onReadable = (): void => {
    const waiting = this.#waiting;
    if (waiting === undefined || this.#cancelled) {
      return;
    }
    const count = this.#drain(waiting.into, waiting.max);
    if (count > 0) {
      this.#settle(count);
    }
  };

  readonly #onEnd = (): void => {
    this.#ended = true;
    this.#detach();
    // An error listener stays, so a late error from the stream cannot crash the process.
    this.#stream.on('error', ignore);
    this.#settle(0);
  };

  readonly #onError = (error: unknown): void => {
    this.#setError(error);
  };

  readonly #onClose = (): void => {
    if (!this.#ended && !this.#cancelled) {
      this.#setError(prematureClose());
    }
  };
}

function prematureClose(): ClientError {
  return new ClientError('SOURCE_FAILED', 'source Readable closed before its end');
}

function ignore(): void {}
