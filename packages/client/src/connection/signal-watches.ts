/**
 * Abort signals watched once, however many requests carry them: the requests of every connection of a client
 * that share a signal (a stream's batch attempts, hundreds in flight over several nodes) share one abort
 * listener, which cancels each of them and is removed when the last of them settles. Adding and removing an
 * `AbortSignal` listener per request costs more with every listener already there, and more than ten
 * listeners on one signal make Node warn of a leak.
 *
 * It does not know what cancelling a request means (the request's connection does).
 */

/** What a watch cancels when its signal aborts. */
export interface Cancellable {
  cancel(reason: unknown): void;
}

/** The watched signals of one client (or one connection), one listener each. */
export class SignalWatches {
  readonly #watches = new Map<AbortSignal, SignalWatch>();

  /** Signals watched now (one abort listener each). */
  get size(): number {
    return this.#watches.size;
  }

  /** `member` is cancelled when `signal` aborts, until it leaves; the first member adds the listener. */
  join(signal: AbortSignal, member: Cancellable): void {
    let watch = this.#watches.get(signal);
    if (watch === undefined) {
      watch = new SignalWatch(signal, () => this.#watches.delete(signal));
      this.#watches.set(signal, watch);
    }
    watch.members.add(member);
  }

  /** `member` no longer waits; the last one to leave removes the listener. */
  leave(signal: AbortSignal, member: Cancellable): void {
    this.#watches.get(signal)?.remove(member);
  }
}

class SignalWatch {
  readonly members = new Set<Cancellable>();
  readonly #signal: AbortSignal;
  readonly #forget: () => void;

  constructor(signal: AbortSignal, forget: () => void) {
    this.#signal = signal;
    this.#forget = forget;
    signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  remove(member: Cancellable): void {
    this.members.delete(member);
    if (this.members.size > 0) return;
    this.#signal.removeEventListener('abort', this.#onAbort);
    this.#forget();
  }

  readonly #onAbort = (): void => {
    // Each cancellation makes its member leave: iterate over a copy.
    for (const member of [...this.members]) member.cancel(this.#signal.reason);
  };
}
