/**
 * An RxJS `Observable` as a streamer source. An Observable cannot be paused, so its items wait in a queue
 * capped at `maxBufferedItems`: the item past the cap fails the stream at once with a `BUFFER_OVERFLOW` error
 * naming that option (RxJS's own buffers are unbounded; this one is not). An Observable error also fails
 * the stream at once. Items still queued then are handed back by `cancel`, so the core reports them as
 * failed; items emitted after the streamer stopped are not taken. Subscribes on the first read.
 *
 * The subscription goes through `takeUntil` on a stop signal, so stopping reaches the source even while it
 * is still inside `subscribe`: a synchronous source (`while (!subscriber.closed) subscriber.next(...)`) sees
 * its subscriber closed at the overflow and stops, where a plain `subscribe` would hand the subscription
 * back only after the source returned, which such a source never does.
 */
import { type Observable, Subject, type Subscription, takeUntil } from 'rxjs';
import { ClientError } from '../../errors/client-error.js';
import type { SourceReader, SourceReaderHooks } from './source-reader.js';

export class ObservableReader<T> implements SourceReader<T> {
  readonly #source: Observable<T>;
  readonly #maxBuffered: number;
  readonly #hooks: SourceReaderHooks;
  /** Emitted items not yet taken: `#queue[#head ...]`. */
  #queue: T[] = [];
  #head = 0;
  #subscription: Subscription | undefined;
  /** Emits once when the reader stops: `takeUntil` then unsubscribes from the source, synchronously. */
  readonly #stop$ = new Subject<void>();
  #subscribed = false;
  #completed = false;
  #stopped = false;
  #waiting: { into: T[]; max: number; resolve: (count: number) => void } | undefined;

  constructor(source: Observable<T>, maxBufferedItems: number, hooks: SourceReaderHooks) {
    this.#source = source;
    this.#maxBuffered = maxBufferedItems;
    this.#hooks = hooks;
  }

  read(into: T[], max: number): number | Promise<number> {
    if (!this.#subscribed) {
      this.#subscribed = true;
      const subscription = this.#source.pipe(takeUntil(this.#stop$)).subscribe({
        next: this.#onNext,
        error: this.#onError,
        complete: this.#onComplete,
      });
      // A synchronous source may have failed the stream before `subscribe` returned (it stopped already).
      if (this.#stopped) {
        subscription.unsubscribe();
      } else {
        this.#subscription = subscription;
      }
    }
    if (this.#stopped) {
      return 0;
    }
    const count = this.#take(into, max);
    if (count > 0 || this.#completed) {
      return count;
    }
    return new Promise<number>((resolve) => {
      this.#waiting = { into, max, resolve };
    });
  }

  cancel(): readonly T[] {
    if (this.#stopped) {
      return [];
    }
    this.#stopped = true;
    this.#stop$.next();
    this.#stop$.complete();
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
    const leftovers = this.#queue.slice(this.#head);
    this.#queue = [];
    this.#head = 0;
    this.#settle(0);
    return leftovers;
  }

  #take(into: T[], max: number): number {
    const queue = this.#queue;
    const count = Math.min(max, queue.length - this.#head);
    for (let i = 0; i < count; i++) {
      into.push(queue[this.#head + i] as T);
    }
    this.#head += count;
    if (this.#head === queue.length) {
      queue.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > queue.length) {
      // Drop the taken prefix now and then, so the queue does not keep growing at the front.
      this.#queue = queue.slice(this.#head);
      this.#head = 0;
    }
    return count;
  }

  #settle(count: number): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.resolve(count);
  }

  readonly #onNext = (item: T): void => {
    if (this.#stopped) {
      return;
    }
    const waiting = this.#waiting;
    if (waiting !== undefined) {
      // The streamer is waiting with room: hand the item over directly.
      this.#waiting = undefined;
      waiting.into.push(item);
      waiting.resolve(1);
      return;
    }
    this.#queue.push(item);
    if (this.#queue.length - this.#head > this.#maxBuffered) {
      this.#hooks.fail(
        new ClientError(
          'BUFFER_OVERFLOW',
          `Observable source emitted more than maxBufferedItems (${this.#maxBuffered}) items ahead of the ` +
            'streamer; an Observable cannot be paused: raise maxBufferedItems, slow the source, or use a ' +
            'pull-based source (AsyncIterable, Iterable, Readable, ReadableStream, StreamerPublisher)',
        ),
      );
    }
  };

  readonly #onError = (error: unknown): void => {
    if (!this.#stopped) {
      this.#hooks.fail(error);
    }
  };

  readonly #onComplete = (): void => {
    this.#completed = true;
    if (this.#queue.length === this.#head) {
      this.#settle(0);
    }
  };
}
