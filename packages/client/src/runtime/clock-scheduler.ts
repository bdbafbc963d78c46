/**
 * An RxJS scheduler on an injected `Clock`, so RxJS time operators (`timer`, `interval`, `delay`,
 * `bufferTime`, `debounceTime`, `timeout`, ...) run on whatever time the clock keeps: wall-clock time with
 * `RealClock`, virtual time under the simulation. Pass it as the operators' `scheduler` argument.
 *
 * Modelled on RxJS's own `AsyncScheduler`/`AsyncAction`: every piece of work is an action (a `Subscription`)
 * that holds at most one pending clock timer; work may reschedule its own action (`this.schedule(state,
 * delay)`, which is how `interval` repeats) and unsubscribing cancels the pending timer.
 *
 * It does not run work synchronously: even a delay of 0 goes through `clock.setTimer`, like RxJS's
 * `asyncScheduler` (use no scheduler at all for synchronous emission). Unlike `asyncScheduler` it does not
 * use `setInterval` for repeating actions: each repetition sets a new timer `delay` after the current time,
 * which on virtual time is exact and on real time drifts by the callback latency.
 */

import type { Clock, TimerHandle } from '@datastreamer/protocol';
import { type SchedulerAction, type SchedulerLike, Subscription } from 'rxjs';

type Work<T> = (this: SchedulerAction<T>, state?: T) => void;

/** One unit of scheduled work; reschedulable from inside its own work, cancelled by unsubscribing. */
class ClockAction<T> extends Subscription implements SchedulerAction<T> {
  readonly #clock: Clock;
  #work: Work<T> | undefined;
  #state: T | undefined;
  #timer: TimerHandle | undefined;

  constructor(clock: Clock, work: Work<T>) {
    super();
    this.#clock = clock;
    this.#work = work;
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) {
      return this;
    }
    // The latest state wins, as in RxJS: rescheduling before the timer fires replaces both state and delay.
    this.#state = state;
    this.#timer?.cancel();
    this.#timer = this.#clock.setTimer(delay, this.#run);
    return this;
  }

  override unsubscribe(): void {
    if (this.closed) {
      return;
    }
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#work = undefined;
    this.#state = undefined;
    super.unsubscribe();
  }

  // Bound once per action, so rescheduling (every tick of an `interval`) allocates no closure.
  readonly #run = (): void => {
    this.#timer = undefined;
    const work = this.#work;
    if (work === undefined) {
      return;
    }
    try {
      work.call(this, this.#state);
    } catch (error) {
      // Same as RxJS's AsyncAction: a throwing action is dead, and the error surfaces through the clock
      // (an uncaught exception from a timer), not swallowed here.
      this.unsubscribe();
      throw error;
    }
  };
}

/** `SchedulerLike` whose time is `clock.now()` and whose delayed work runs through `clock.setTimer`. */
class ClockScheduler implements SchedulerLike {
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  now(): number {
    return this.#clock.now();
  }

  schedule<T>(work: Work<T>, delay = 0, state?: T): Subscription {
    return new ClockAction<T>(this.#clock, work).schedule(state, delay);
  }
}

/**
 * An RxJS scheduler on `clock`: `now()` reads the clock and delayed work runs on its timers.
 *
 * @example
 * ```ts
 * const scheduler = clockScheduler(clock);
 * interval(1000, scheduler).pipe(take(3)); // three ticks, one virtual second apart under the simulation
 * ```
 */
export function clockScheduler(clock: Clock): SchedulerLike {
  return new ClockScheduler(clock);
}
