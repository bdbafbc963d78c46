/**
 * The Observable of a receiver stream's results, with one thing a plain Observable cannot do: a subscriber
 * whose `next` throws fails the stream (as a throwing result consumer fails Ignite 3's), instead of its
 * error escaping as an uncaught exception while the stream goes on. RxJS catches a consumer's throw inside
 * its own subscriber and reports it apart, so this class wraps the observer given to `subscribe` and hands
 * what it caught to the stream, which fails with `CALLBACK_FAILED` and reports it through the subscriber's
 * `error` (with the stream's `failedItems`).
 *
 * Only the observer given to this Observable's own `subscribe` is wrapped. An operator in a `pipe` is RxJS's:
 * its throw is sent downstream as an error and RxJS unsubscribes from here, which cancels the stream (it
 * still seals and reports its failed items, to no one). A throw in the final `next` of a piped chain is
 * RxJS's to report; catch it there.
 */
import { Observable, type Observer, Subscriber, type Subscription, type TeardownLogic } from 'rxjs';

/** What the stream's producer side sees of the subscriber's `next`: did it throw? */
export interface ConsumerGuard {
  /** Throws what the subscriber's `next` threw since the last call, if it did. */
  rethrow(): void;
}

type Start<R> = (subscriber: Subscriber<R>, consumer: ConsumerGuard) => TeardownLogic;

class CaughtThrows implements ConsumerGuard {
  #caught: { readonly error: unknown } | undefined;

  catchFrom<V>(next: (value: V) => void): (value: V) => void {
    return (value) => {
      try {
        next(value);
      } catch (error) {
        this.#caught ??= { error };
      }
    };
  }

  rethrow(): void {
    const caught = this.#caught;
    if (caught === undefined) return;
    this.#caught = undefined;
    throw caught.error;
  }
}

const NO_THROWS: ConsumerGuard = { rethrow: () => undefined };

/** An Observable of receiver results whose direct subscribers' throws fail the stream (see the header). */
export class ReceiverResults<R> extends Observable<R> {
  /** The guard of the `subscribe` call in progress (set just around `super.subscribe`, which is synchronous). */
  #current: ConsumerGuard = NO_THROWS;

  constructor(start: Start<R>) {
    super((subscriber) => start(subscriber, this.#current));
  }

  override subscribe(observerOrNext?: Partial<Observer<R>> | ((value: R) => void) | null): Subscription;
  /** @deprecated as RxJS's own: pass an observer. */
  override subscribe(
    next?: ((value: R) => void) | null,
    error?: ((error: unknown) => void) | null,
    complete?: (() => void) | null,
  ): Subscription;
  override subscribe(
    observerOrNext?: Partial<Observer<R>> | ((value: R) => void) | null,
    error?: ((error: unknown) => void) | null,
    complete?: (() => void) | null,
  ): Subscription {
    if (observerOrNext instanceof Subscriber) return super.subscribe(observerOrNext);
    const guard = new CaughtThrows();
    const observer: Partial<Observer<R>> = {};
    const given = typeof observerOrNext === 'function' ? { next: observerOrNext } : (observerOrNext ?? {});
    const next = given.next;
    if (next !== undefined) observer.next = guard.catchFrom((value: R) => next.call(given, value));
    const onError = given.error ?? error ?? undefined;
    if (onError !== undefined) observer.error = (e: unknown) => onError.call(given, e);
    const onComplete = given.complete ?? complete ?? undefined;
    if (onComplete !== undefined) observer.complete = () => onComplete.call(given);
    this.#current = guard;
    try {
      return super.subscribe(observer);
    } finally {
      this.#current = NO_THROWS;
    }
  }
}
