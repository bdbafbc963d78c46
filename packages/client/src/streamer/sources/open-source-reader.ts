/**
 * Recognises what kind of source the caller passed and adapts it to a {@link SourceReader}. The checks run in
 * an order that matters: a Node `Readable` and a web `ReadableStream` are async iterables too, but their own
 * adapters read them more cheaply and cancel them properly. A string is iterable but never a stream of rows,
 * so it is refused like any other unsupported value. An Observable made by `fromPull` is read through the
 * source it carries, so it is pulled rather than buffered.
 */
import type { Readable } from 'node:stream';
import { isObservable, type Observable } from 'rxjs';
import { InvalidOptionError } from '../../errors/invalid-option-error.js';
import { PullObservable } from '../from-pull.js';
import { StreamerPublisher } from '../streamer-publisher.js';
import { AsyncIterableReader } from './async-iterable-reader.js';
import { IterableReader } from './iterable-reader.js';
import { NodeReadableReader } from './node-readable-reader.js';
import { ObservableReader } from './observable-reader.js';
import type { SourceReader, SourceReaderHooks } from './source-reader.js';
import { WebStreamReader } from './web-stream-reader.js';

/** Every input kind `streamData` accepts. */
export type StreamerSource<T> =
  | AsyncIterable<T>
  | Iterable<T>
  | Readable
  | ReadableStream<T>
  | Observable<T>
  | StreamerPublisher<T>;

function isWebStream(source: object): source is ReadableStream<unknown> {
  return typeof ReadableStream === 'function' && source instanceof ReadableStream;
}

function isNodeReadable(source: object): source is Readable {
  // Duck-typed, so a Readable from another copy of the stream module (readable-stream) is recognised too.
  const candidate = source as Partial<Record<'read' | 'on' | 'pipe', unknown>> & { readable?: unknown };
  return (
    typeof candidate.read === 'function' &&
    typeof candidate.on === 'function' &&
    typeof candidate.pipe === 'function' &&
    typeof candidate.readable === 'boolean'
  );
}

function describeSource(source: unknown): string {
  if (source === null) {
    return 'null';
  }
  if (typeof source === 'object') {
    return `an object (${source.constructor?.name ?? 'no prototype'})`;
  }
  return `a ${typeof source}`;
}

/**
 * The reader for `source`.
 *
 * @param maxBufferedItems the cap of an Observable's queue (see `DataStreamerOptions.maxBufferedItems`).
 * @throws InvalidOptionError (option `source`) when `source` is none of the supported kinds, is a Node
 *   `Readable` not in object mode, or is a `StreamerPublisher` already in use.
 */
export function openSourceReader<T>(
  source: StreamerSource<T>,
  maxBufferedItems: number,
  hooks: SourceReaderHooks,
): SourceReader<T> {
  const value: unknown = source;
  if (value instanceof PullObservable) {
    // An Observable that can be pulled (`fromPull`): read its source, never subscribe.
    return openSourceReader((value as PullObservable<T>).pullSource, maxBufferedItems, hooks);
  }
  if (typeof value === 'object' && value !== null) {
    if (value instanceof StreamerPublisher) {
      try {
        return (value as StreamerPublisher<T>).attach(hooks);
      } catch (error) {
        throw new InvalidOptionError('source', error instanceof Error ? error.message : String(error));
      }
    }
    if (isObservable(value)) {
      return new ObservableReader(value as Observable<T>, maxBufferedItems, hooks);
    }
    if (isWebStream(value)) {
      return new WebStreamReader(value as ReadableStream<T>);
    }
    if (isNodeReadable(value)) {
      if (!value.readableObjectMode) {
        throw new InvalidOptionError(
          'source',
          'a Node Readable source must be in object mode (each chunk is one item); got a byte stream',
        );
      }
      return new NodeReadableReader<T>(value);
    }
  }
  if (typeof value === 'object' && value !== null && Symbol.asyncIterator in value) {
    return new AsyncIterableReader(value as AsyncIterable<T>);
  }
  if (typeof value === 'object' && value !== null && Symbol.iterator in value) {
    return new IterableReader(value as Iterable<T>);
  }
  throw new InvalidOptionError(
    'source',
    `source must be an AsyncIterable, Iterable, object-mode Readable, ReadableStream, Observable or StreamerPublisher; got ${describeSource(value)}`,
  );
}
