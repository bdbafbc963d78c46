/**
 * The platform clock: `Clock` on `Date.now` and `setTimeout`, for running the nodes and the client for real
 * (the demo, TCP mode). This file and the simulation's clock are the only places allowed to touch platform
 * time; everything else is handed a `Clock`.
 *
 * It does not keep virtual time, order timers beyond what the platform does, or unref timers: a pending
 * timer keeps the process alive like any ordinary timer, until it fires or is cancelled.
 */
import { ProtocolError } from '../errors/protocol-error.js';
import type { Clock, TimerHandle } from './clock.js';

/**
 * The longest delay `setTimeout` honours (2^31 - 1 ms, about 24.8 days). Node fires a longer one after 1 ms
 * with a warning, so longer delays are split into hops of at most this length.
 */
const MAX_PLATFORM_DELAY_MS = 2_147_483_647;

/** A platform timer that may need several hops to cover a delay longer than the platform allows. */
class RealTimer implements TimerHandle {
  #id: ReturnType<typeof setTimeout> | undefined;
  #immediate: ReturnType<typeof setImmediate> | undefined;
  #remainingMs: number;
  #callback: (() => void) | undefined;

  constructor(delayMs: number, callback: () => void) {
    this.#remainingMs = delayMs;
    this.#callback = callback;
    this.#arm();
  }

  cancel(): void {
    if (this.#id !== undefined) {
      clearTimeout(this.#id);
      this.#id = undefined;
    }
    if (this.#immediate !== undefined) {
      clearImmediate(this.#immediate);
      this.#immediate = undefined;
    }
    this.#callback = undefined;
  }

  #arm(): void {
    // Node clamps a 0 ms setTimeout to 1 ms: with one timer per simulated network message that put a 1 ms
    // floor under every request (per-row upserts ran at ~450/s on the bench). setImmediate runs in this turn.
    if (this.#remainingMs === 0) {
      this.#immediate = setImmediate(fireTimer, this);
      return;
    }
    const hop = Math.min(this.#remainingMs, MAX_PLATFORM_DELAY_MS);
    this.#remainingMs -= hop;
    this.#id = setTimeout(fireTimer, hop, this);
  }

  /** @internal The platform timer fired (see `fireTimer`). */
  fire(): void {
    this.#id = undefined;
    this.#immediate = undefined;
    if (this.#remainingMs > 0) {
      this.#arm();
      return;
    }
    const callback = this.#callback;
    this.#callback = undefined;
    // A throwing callback propagates as an uncaught exception, exactly as a bare platform timer would.
    callback?.();
  }
}

/**
 * What every platform timer calls, with its `RealTimer` as the argument: one function for all timers, so
 * arming one allocates no closure (there is one timer per request and per simulated message).
 */
function fireTimer(timer: RealTimer): void {
  timer.fire();
}

function checkDelay(what: string, ms: number): number {
  if (Number.isNaN(ms) || ms === Number.POSITIVE_INFINITY) {
    throw new ProtocolError('INVALID_ARGUMENT', `${what} must be a finite number of milliseconds, got ${ms}`);
  }
  // Negative (including -Infinity) means "as soon as possible", as the Clock contract says.
  return Math.max(ms, 0);
}

/**
 * The `Clock` of the running platform: `now()` is `Date.now()` (wall-clock milliseconds since the epoch) and
 * timers are ordinary, ref'd `setTimeout` timers (`setImmediate` for a zero delay) that `cancel` clears.
 */
export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }

  /**
   * Calls `callback` once after `delayMs` (0 or negative: at the end of this event-loop turn, through
   * `setImmediate`, since Node would stretch a 0 ms `setTimeout` to 1 ms). Delays longer than the
   * platform maximum (about 24.8 days) are honoured by re-arming.
   *
   * @throws ProtocolError `INVALID_ARGUMENT` when `delayMs` is NaN or +Infinity.
   */
  setTimer(delayMs: number, callback: () => void): TimerHandle {
    return new RealTimer(checkDelay('timer delay', delayMs), callback);
  }

  /**
   * Resolves after `ms`. If `signal` aborts first (or is already aborted) the timer is cleared and the
   * promise rejects with `signal.reason`.
   *
   * Rejects with ProtocolError `INVALID_ARGUMENT` when `ms` is NaN or +Infinity.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    let delay: number;
    try {
      delay = checkDelay('sleep duration', ms);
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted) {
      return Promise.reject(signal.reason);
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        timer.cancel();
        reject(signal?.reason);
      };
      const timer = new RealTimer(delay, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** A shared `RealClock`; it holds no state, so one instance serves everyone. */
export const realClock: Clock = new RealClock();
