/**
 * A streamer source wrapped so that each item is reported to a callback at the moment the streamer takes it
 * from the source, and handed on unchanged. The streamer numbers the items it takes 0, 1, 2, ... in that
 * same order, so the callback's count is the item's source index (the one `StreamerBatchInfo.indexes` and
 * the failed items refer to).
 *
 * Pull sources (`Iterable`, `AsyncIterable`, which includes Node `Readable` and web `ReadableStream`) report
 * an item when the streamer pulls it; an RxJS `Observable` when it emits (the streamer takes every emitted
 * item into its bounded queue). A `StreamerPublisher` cannot be wrapped: the streamer attaches to it
 * directly. Anything else is returned as it is, for the streamer to refuse with its own error.
 *
 * It does not decide what to record: the callback does (see `recorded-stream.ts`).
 */
import { StreamerPublisher, type StreamerSource } from '@datastreamer/client';
import { isObservable, Observable, type Observer } from 'rxjs';
import { SimClusterError } from '../errors/sim-cluster-error.js';

/** Called with each item the streamer takes, in order; a throw fails the stream as a source error would. */
export interface TakenItemSink<T> {
  taken(item: T): void;
}

/**
 * `source`, reporting each item to `sink.taken` as the streamer takes it.
 *
 * @throws SimClusterError `INVALID_ARGUMENT` for a `StreamerPublisher` (it cannot be observed from outside).
 */
export function recordingSource<T>(source: StreamerSource<T>, sink: TakenItemSink<T>): StreamerSource<T> {
  const value: unknown = source;
  if (typeof value !== 'object' || value === null) return source;
  if (value instanceof StreamerPublisher) {
    throw new SimClusterError(
      'INVALID_ARGUMENT',
      'a recorded stream cannot read a StreamerPublisher source (the streamer attaches to it directly); ' +
        'use an AsyncIterable, e.g. an async generator, instead',
    );
  }
  if (isObservable(value)) return recordingObservable(value as Observable<T>, sink);
  if (Symbol.asyncIterator in value) return new RecordingAsyncIterable(value as AsyncIterable<T>, sink);
  if (Symbol.iterator in value) return new RecordingIterable(value as Iterable<T>, sink);
  return source;
}

class RecordingIterable<T> implements Iterable<T> {
  readonly #source: Iterable<T>;
  readonly #sink: TakenItemSink<T>;

  constructor(source: Iterable<T>, sink: TakenItemSink<T>) {
    this.#source = source;
    this.#sink = sink;
  }

  [Symbol.iterator](): Iterator<T> {
    return new RecordingIterator(this.#source[Symbol.iterator](), this.#sink);
  }
}

class RecordingIterator<T> implements Iterator<T> {
  readonly #inner: Iterator<T>;
  readonly #sink: TakenItemSink<T>;

  constructor(inner: Iterator<T>, sink: TakenItemSink<T>) {
    this.#inner = inner;
    this.#sink = sink;
  }

  next(): IteratorResult<T> {
    const result = this.#inner.next();
    if (result.done !== true) this.#sink.taken(result.value);
    return result;
  }

  return(value?: unknown): IteratorResult<T> {
    // The streamer calls it to cancel a generator; an iterator without one has nothing to clean up.
    return this.#inner.return?.(value) ?? { done: true, value: undefined };
  }
}

class RecordingAsyncIterable<T> implements AsyncIterable<T> {
  readonly #source: AsyncIterable<T>;
  readonly #sink: TakenItemSink<T>;

  constructor(source: AsyncIterable<T>, sink: TakenItemSink<T>) {
    this.#source = source;
    this.#sink = sink;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return new RecordingAsyncIterator(this.#source[Symbol.asyncIterator](), this.#sink);
  }
}

class RecordingAsyncIterator<T> implements AsyncIterator<T> {
  readonly #inner: AsyncIterator<T>;
  readonly #sink: TakenItemSink<T>;

  constructor(inner: AsyncIterator<T>, sink: TakenItemSink<T>) {
    this.#inner = inner;
    this.#sink = sink;
  }

  next(): Promise<IteratorResult<T>> {
    return this.#inner.next().then(this.#onResult);
  }

  return(value?: unknown): Promise<IteratorResult<T>> {
    return this.#inner.return?.(value) ?? Promise.resolve({ done: true, value: undefined });
  }

  // Bound once, so a read allocates no closure.
  readonly #onResult = (result: IteratorResult<T>): IteratorResult<T> => {
    if (result.done !== true) this.#sink.taken(result.value);
    return result;
  };
}

function recordingObservable<T>(source: Observable<T>, sink: TakenItemSink<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const observer: Observer<T> = {
      next: (item) => {
        try {
          sink.taken(item);
        } catch (error) {
          // RxJS would only report a throw from `next` as unhandled; the stream must fail instead.
          subscriber.error(error);
          return;
        }
        subscriber.next(item);
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    };
    return source.subscribe(observer);
  });
}
