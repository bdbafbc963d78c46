/**
 * The bookkeeping of one `SimClock.sleep`: its timer, its abort listener, and its place in the clock's set
 * of pending sleeps, so that stopping or failing the clock can reject every sleep still waiting.
 *
 * It does not schedule anything itself; the clock sets `timer` and calls `wake` through it.
 */
import type { TimerHandle } from '@datastreamer/protocol';
import type { SimClockError } from './sim-clock-error.js';

/** A `sleep` waiting for its timer, so that stopping or failing the clock can reject it. */
export class PendingSleep {
  /** Set right after construction, once the clock has queued the timer. */
  timer: TimerHandle | undefined;
  readonly #resolve: () => void;
  readonly #reject: (reason: unknown) => void;
  readonly #signal: AbortSignal | undefined;
  readonly #sleeps: Set<PendingSleep>;

  constructor(
    resolve: () => void,
    reject: (reason: unknown) => void,
    signal: AbortSignal | undefined,
    sleeps: Set<PendingSleep>,
  ) {
    this.#resolve = resolve;
    this.#reject = reject;
    this.#signal = signal;
    this.#sleeps = sleeps;
    sleeps.add(this);
    signal?.addEventListener('abort', this.abort, { once: true });
  }

  readonly wake = (): void => {
    this.#sleeps.delete(this);
    this.#signal?.removeEventListener('abort', this.abort);
    this.#resolve();
  };

  readonly abort = (): void => {
    this.timer?.cancel();
    this.#sleeps.delete(this);
    this.#reject(this.#signal?.reason);
  };

  fail(error: SimClockError): void {
    this.#signal?.removeEventListener('abort', this.abort);
    this.#reject(error);
  }
}
