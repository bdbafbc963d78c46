/**
 * `fromPull(source)`: an Observable over a source that can be pulled (an iterable, an async iterable, a web
 * `ReadableStream`, an object-mode Node `Readable`), which keeps that source at hand for the streamer.
 *
 * RxJS has no demand channel: an Observable pushes, and whoever subscribes can only keep up or buffer. So a
 * plain Observable given to the streamer is buffered up to `maxBufferedItems` and fails with
 * `BUFFER_OVERFLOW` past that. A `PullObservable` is an Observable like any other (subscribing reads the
 * source from the start, item after item, as fast as the source yields), and it also carries the source: given
 * to `view.streamData`, or piped straight into `streamInto`, the streamer reads the source itself, only while
 * it has room. Real pull backpressure, no buffer, no overflow, and the result (`streamInto`'s summary) still
 * composes in `pipe` with everything else.
 *
 * An operator in between (`map`, `filter`, ...) returns a plain Observable again: transform in the source (an
 * async generator) to keep the pull. Like the source it wraps, a `PullObservable` is read once.
 */
import type { Readable } from 'node:stream';
import { from, isObservable, Observable } from 'rxjs';
import { ClientError } from '../errors/client-error.js';
import { StreamerPublisher } from './streamer-publisher.js';

/** What `fromPull` takes: sources that can wait for their reader. */
export type PullSource<T> = Iterable<T> | AsyncIterable<T> | ReadableStream<T> | Readable;

/** An Observable that also hands its source to the streamer, to be pulled (see the module header). */
export class PullObservable<T> extends Observable<T> {
  /** The source the streamer pulls instead of subscribing. */
  readonly pullSource: PullSource<T>;

  constructor(source: PullSource<T>) {
    super((subscriber) => from(source as AsyncIterable<T>).subscribe(subscriber));
    this.pullSource = source;
  }
}

/**
 * Wraps a pull source as an Observable the streamer pulls (see the module header).
 *
 * @example
 * ```ts
 * fromPull(readPlays()).pipe(streamInto(view, { pageSize: 500 })).subscribe((summary) => ...);
 * ```
 * @returns a `PullObservable` (`source` itself when it already is one).
 * @throws ClientError `INVALID_ARGUMENT` when `source` is not an iterable (strings excluded), an async
 *   iterable or a `ReadableStream` (an Observable or a `StreamerPublisher` is named as such: pass them to
 *   `streamData` as they are).
 */
export function fromPull<T>(source: PullSource<T> | PullObservable<T>): PullObservable<T> {
  const value: unknown = source;
  if (value instanceof PullObservable) return value as PullObservable<T>;
  if (isObservable(value) || value instanceof StreamerPublisher) {
    throw new ClientError(
      'INVALID_ARGUMENT',
      `fromPull: got ${isObservable(value) ? 'an Observable, which cannot be pulled' : 'a StreamerPublisher, which the streamer already pulls'}; ` +
        'pass it to streamData as it is',
    );
  }
  const pullable =
    typeof value === 'object' &&
    value !== null &&
    (Symbol.asyncIterator in value ||
      Symbol.iterator in value ||
      (typeof ReadableStream === 'function' && value instanceof ReadableStream));
  if (!pullable) {
    const kind =
      value === null
        ? 'null'
        : typeof value === 'object'
          ? 'an object that is not iterable'
          : `a ${typeof value}`;
    throw new ClientError(
      'INVALID_ARGUMENT',
      `fromPull: the source must be an Iterable, AsyncIterable, ReadableStream or object-mode Readable; got ${kind}`,
    );
  }
  return new PullObservable(source as PullSource<T>);
}
