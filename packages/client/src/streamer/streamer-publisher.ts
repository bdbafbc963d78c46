/**
 * A push source with backpressure, for producers that are not iterables: `await publisher.submit(item)`
 * resolves once the streamer has taken the item (it had room), the awaitable counterpart of a blocking
 * submit. `close()` ends the stream after the items already submitted; `fail(error)` aborts it. Once the
 * stream ended (closed, failed or cancelled) `submit` rejects with a `CLOSED` "streamer is closed" error, and
 * so do submissions the streamer had not taken yet: an item whose `submit` rejected was never accepted, so it
 * is not among the stream's failed items.
 *
 * Items submitted without awaiting wait here, in order, until the streamer takes them: awaiting each submit
 * is what bounds memory.
 */
import { ClientError } from '../errors/client-error.js';
import type { SourceReader, SourceReaderHooks } from './sources/source-reader.js';

interface Submission<T> {
  readonly item: T;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Where the publisher is: taking items, closed by its owner (drains, then ends), or ended for good. */
type PublisherState = 'open' | 'closing' | 'ended';

/**
 * A source the caller pushes into. Give it to one `streamData` call, then submit.
 *
 * @example
 * ```ts
 * const publisher = new StreamerPublisher<Row>();
 * const done = view.streamData(publisher);
 * for (const row of rows) await publisher.submit(row);
 * publisher.close();
 * await done;
 * ```
 */
export class StreamerPublisher<T> {
  #state: PublisherState = 'open';
  #endReason: unknown;
  /** Submitted items not yet taken: `#queue[#head ...]`. */
  #queue: Submission<T>[] = [];
  #head = 0;
  #hooks: SourceReaderHooks | undefined;
  #failure: { readonly error: unknown } | undefined;
  #waiting:
    | { into: T[]; max: number; resolve: (count: number) => void; reject: (e: unknown) => void }
    | undefined;

  /**
   * Offers `item` to the stream. Resolves once the streamer took it.
   *
   * Rejects with a `ClientError` of code `CLOSED` ("streamer is closed") after `close()`, `fail()`, or the
   * end of the stream, including when the stream ends before taking this item.
   */
  submit(item: T): Promise<void> {
    if (this.#state !== 'open' || this.#failure !== undefined) {
      return Promise.reject(this.#closedError());
    }
    const waiting = this.#waiting;
    if (waiting !== undefined) {
      this.#waiting = undefined;
      waiting.into.push(item);
      waiting.resolve(1);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
    });
  }

  /** Ends the stream once the items already submitted are taken. Idempotent. */
  close(): void {
    if (this.#state !== 'open') {
      return;
    }
    this.#state = 'closing';
    if (this.#queue.length === this.#head) {
      this.#settle(0);
    }
  }

  /**
   * Aborts the stream: it rejects with a `DataStreamerError` whose cause is `error`. Submissions not yet
   * taken are refused. Does nothing once the stream ended.
   */
  fail(error: unknown): void {
    if (this.#state === 'ended' || this.#failure !== undefined) {
      return;
    }
    this.#failure = { error };
    if (this.#hooks !== undefined) {
      this.#hooks.fail(error);
    } else {
      // Not streaming yet: the first read reports it.
      this.#refuseQueued(error);
    }
  }

  /**
   * The streamer's side of the publisher. Internal: `streamData` calls it once.
   *
   * @throws ClientError `INVALID_ARGUMENT` when the publisher is already attached to a stream.
   */
  attach(hooks: SourceReaderHooks): SourceReader<T> {
    if (this.#hooks !== undefined) {
      throw new ClientError(
        'INVALID_ARGUMENT',
        'a StreamerPublisher feeds one stream only; it is already in use',
      );
    }
    this.#hooks = hooks;
    // Once per stream, so the closure costs nothing per item. `#read` is a method, not an arrow property:
    // a property typed `(into: T[]) => ...` would make the class invariant in T, and a
    // `StreamerPublisher<Row>` could then not feed a view that streams `Row | DataStreamerItem<Row>`.
    return { read: (into, max) => this.#read(into, max), cancel: this.#cancel };
  }

  #read(into: T[], max: number): number | Promise<number> {
    if (this.#failure !== undefined) {
      throw this.#failure.error;
    }
    if (this.#state === 'ended') {
      return 0;
    }
    const queue = this.#queue;
    const count = Math.min(max, queue.length - this.#head);
    for (let i = 0; i < count; i++) {
      const submission = queue[this.#head + i] as Submission<T>;
      into.push(submission.item);
      submission.resolve();
    }
    this.#head += count;
    if (this.#head === queue.length) {
      queue.length = 0;
      this.#head = 0;
    }
    if (count > 0) {
      return count;
    }
    if (this.#state === 'closing') {
      this.#state = 'ended';
      return 0;
    }
    return new Promise<number>((resolve, reject) => {
      this.#waiting = { into, max, resolve, reject };
    });
  }

  readonly #cancel = (reason: unknown): readonly T[] => {
    if (this.#state !== 'ended') {
      this.#state = 'ended';
      this.#endReason = reason;
      this.#refuseQueued(reason);
      this.#settle(0);
    }
    return [];
  };

  #settle(count: number): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (waiting === undefined) {
      return;
    }
    if (count === 0 && this.#state === 'closing') {
      this.#state = 'ended';
    }
    waiting.resolve(count);
  }

  #refuseQueued(reason: unknown): void {
    const queue = this.#queue;
    const error = this.#closedError(reason);
    for (let i = this.#head; i < queue.length; i++) {
      queue[i]?.reject(error);
    }
    this.#queue = [];
    this.#head = 0;
  }

  #closedError(reason: unknown = this.#failure?.error ?? this.#endReason): ClientError {
    return new ClientError('CLOSED', 'streamer is closed: it no longer accepts items', {
      cause: reason,
    });
  }
}
