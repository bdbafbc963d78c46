/**
 * The simulation's clock: virtual time and one event queue ordered by `(dueTime, sequence)`, which
 * **advances by itself** to the next event whenever the process is otherwise idle. Tests and simulated
 * components just await ordinary promises; a 5-second virtual sleep costs no real time.
 *
 * How it advances: while events are pending it keeps exactly one platform `setImmediate` armed. Node runs an
 * immediate only once the microtask queue (promise callbacks, `process.nextTick`) is empty, so by the time
 * it fires, every continuation of the previous event has run to completion. The immediate runs ONE event,
 * jumping virtual time to that event's due time, then arms the next. One event per turn, even when several
 * are due at the same instant, because that is what Node does with real timers (microtasks drain between
 * timer callbacks): the promise continuations of event A always run before event B, and the order never
 * depends on how events happen to be batched.
 *
 * Determinism: nothing here reads real time. The same schedule of timers runs in the same order on every
 * run. The limit is what it cannot see: code that waits on a real platform macrotask (real I/O, a platform
 * timer) races with the clock; in the simulation nothing may.
 *
 * Caps: `maxVirtualTimeMs` and `maxEvents` turn a livelock (timers rescheduling forever, a retry loop that
 * never converges) into a failure with a reason: the clock stops, every pending and later `sleep` rejects
 * with a {@link SimClockError} of kind `livelock`, `failure` holds it and `onFailure` is called.
 *
 * Manual stepping (`step`, `advance`, `runUntilIdle`) runs events synchronously, for unit tests that want
 * to place time exactly; promise continuations then run only after the call returns. It is meant for
 * `autoAdvance: false`; with auto-advance on, both may be used and simply share the queue.
 *
 * A throwing timer callback behaves as a throwing platform timer: the exception propagates (uncaught from
 * the auto-advance turn, or out of the manual-stepping call); the clock stays consistent and goes on.
 *
 * This file and `real-clock.ts` are the only places allowed to touch platform timers.
 */
import type { Clock, TimerHandle } from '@datastreamer/protocol';
import { EventQueue, type QueuedEvent } from './event-queue.js';
import { PendingSleep } from './pending-sleep.js';
import { SimClockError } from './sim-clock-error.js';

/** Default `maxVirtualTimeMs`: one hour of virtual time. */
export const DEFAULT_MAX_VIRTUAL_TIME_MS = 3_600_000;
/** Default `maxEvents`: ten million events. */
export const DEFAULT_MAX_EVENTS = 10_000_000;

/** Cancelled events are purged from the heap once there are this many and they make up half of it. */
const COMPACT_MIN_CANCELLED = 64;

export interface SimClockOptions {
  /** Virtual time at the start, in ms. Default 0. */
  readonly startMs?: number;
  /**
   * Whether time advances by itself when the process is idle. Default `true`. With `false`, only `step`,
   * `advance` and `runUntilIdle` move time.
   */
  readonly autoAdvance?: boolean;
  /**
   * Virtual time (ms after `startMs`) past which running an event is a livelock. Default
   * {@link DEFAULT_MAX_VIRTUAL_TIME_MS} (one hour). `Infinity` disables the cap.
   */
  readonly maxVirtualTimeMs?: number;
  /**
   * Number of events after which running another is a livelock. Default {@link DEFAULT_MAX_EVENTS}
   * (ten million). `Infinity` disables the cap.
   */
  readonly maxEvents?: number;
  /** Called once when the clock fails (a cap was exceeded), after pending sleeps were rejected. */
  readonly onFailure?: (error: SimClockError) => void;
}

/** Where the clock is in its life: it only ever leaves `running`, never returns to it. */
export type SimClockState = 'running' | 'stopped' | 'failed';

/** A queued timer; doubles as its own `TimerHandle`. `callback` is cleared once it ran or was cancelled. */
class SimTimer implements QueuedEvent, TimerHandle {
  readonly due: number;
  readonly seq: number;
  callback: (() => void) | undefined;
  readonly #onCancel: () => void;

  constructor(due: number, seq: number, callback: () => void, onCancel: () => void) {
    this.due = due;
    this.seq = seq;
    this.callback = callback;
    this.#onCancel = onCancel;
  }

  cancel(): void {
    if (this.callback !== undefined) {
      this.callback = undefined;
      this.#onCancel();
    }
  }
}

/** The handle `setTimer` returns once the clock stopped: the timer never fires, so there is nothing to cancel. */
const inertHandle: TimerHandle = { cancel: () => {} };

function checkCap(name: string, value: number, integer: boolean): number {
  const valid =
    value === Number.POSITIVE_INFINITY ||
    (value > 0 && (integer ? Number.isSafeInteger(value) : Number.isFinite(value)));
  if (!valid) {
    throw new SimClockError(
      'invalidArgument',
      `${name} must be a positive ${integer ? 'integer' : 'number'} or Infinity, got ${value}`,
    );
  }
  return value;
}

/**
 * Virtual time for the simulation; see the module header for how it advances, its caps and manual stepping.
 */
export class SimClock implements Clock {
  readonly #startMs: number;
  readonly #autoAdvance: boolean;
  readonly #maxVirtualTimeMs: number;
  readonly #maxEvents: number;
  readonly #onFailure: ((error: SimClockError) => void) | undefined;

  readonly #queue = new EventQueue<SimTimer>();
  readonly #sleeps = new Set<PendingSleep>();
  #now: number;
  #nextSeq = 0;
  /** Queued events not cancelled: what `pendingEvents` reports. */
  #live = 0;
  /** Cancelled events still sitting in the heap (lazy deletion). */
  #cancelledInQueue = 0;
  #eventsRun = 0;
  #turnArmed = false;
  #failure: SimClockError | undefined;
  #stopError: SimClockError | undefined;

  /**
   * @throws SimClockError `invalidArgument` when `startMs` is not finite, or a cap is not a positive number
   *   (`maxEvents`: a positive integer) or `Infinity`.
   */
  constructor(options: SimClockOptions = {}) {
    const startMs = options.startMs ?? 0;
    if (!Number.isFinite(startMs)) {
      throw new SimClockError('invalidArgument', `startMs must be a finite number, got ${startMs}`);
    }
    this.#startMs = startMs;
    this.#now = startMs;
    this.#autoAdvance = options.autoAdvance ?? true;
    this.#maxVirtualTimeMs = checkCap(
      'maxVirtualTimeMs',
      options.maxVirtualTimeMs ?? DEFAULT_MAX_VIRTUAL_TIME_MS,
      false,
    );
    this.#maxEvents = checkCap('maxEvents', options.maxEvents ?? DEFAULT_MAX_EVENTS, true);
    this.#onFailure = options.onFailure;
  }

  /** Virtual milliseconds (`startMs` at the start). */
  now(): number {
    return this.#now;
  }

  /** Events queued and not cancelled. */
  get pendingEvents(): number {
    return this.#live;
  }

  /** Events run so far (counted against `maxEvents`). */
  get eventsRun(): number {
    return this.#eventsRun;
  }

  /** The livelock error, once a cap was exceeded. */
  get failure(): SimClockError | undefined {
    return this.#failure;
  }

  get state(): SimClockState {
    if (this.#failure !== undefined) {
      return 'failed';
    }
    return this.#stopError === undefined ? 'running' : 'stopped';
  }

  /**
   * Queues `callback` at `now() + delayMs` (negative counts as 0: after the current event and everything
   * already queued for the same instant). Once the clock stopped or failed, the timer never fires.
   *
   * @throws SimClockError `invalidArgument` when `delayMs` is NaN or +Infinity.
   */
  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const delay = checkDelay('timer delay', delayMs);
    if (this.#terminalError() !== undefined) {
      return inertHandle;
    }
    const timer = new SimTimer(this.#now + delay, this.#nextSeq++, callback, this.#onCancel);
    this.#queue.push(timer);
    this.#live++;
    this.#armTurn();
    return timer;
  }

  /**
   * Resolves after `ms` of virtual time. Rejects with `signal.reason` if the signal aborts first; with the
   * clock's {@link SimClockError} if it stops or fails first, or already has; with a `SimClockError` of kind
   * `invalidArgument` when `ms` is NaN or +Infinity.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const terminal = this.#terminalError();
    if (terminal !== undefined) {
      return Promise.reject(terminal);
    }
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
      const sleeper = new PendingSleep(resolve, reject, signal, this.#sleeps);
      sleeper.timer = this.setTimer(delay, sleeper.wake);
    });
  }

  /**
   * Stops the clock for good: pending timers never fire, pending and later sleeps reject with a
   * `SimClockError` of kind `stopped`, `setTimer` returns handles that never fire. Idempotent; does nothing
   * after a failure.
   */
  stop(): void {
    if (this.#terminalError() !== undefined) {
      return;
    }
    const error = new SimClockError(
      'stopped',
      `SimClock stopped at virtual time ${this.#now - this.#startMs} ms: this timer or sleep will never end`,
    );
    this.#stopError = error;
    this.#halt(error);
  }

  /**
   * Runs the earliest pending event now, whatever its due time, and returns whether there was one.
   *
   * @throws SimClockError the clock's error if it is stopped or failed, or fails now (a cap was exceeded).
   */
  step(): boolean {
    this.#throwIfTerminal();
    const ran = this.#runNext(Number.POSITIVE_INFINITY);
    this.#throwIfFailed();
    return ran;
  }

  /**
   * Runs, in order, every event due within `ms` from now (including events they queue inside that
   * window), then sets the time to exactly `now() + ms`. Returns the number of events run.
   *
   * @throws SimClockError `invalidArgument` when `ms` is negative or not finite; the clock's error if it is
   *   stopped or failed, or fails during the call.
   */
  advance(ms: number): number {
    if (!(ms >= 0 && Number.isFinite(ms))) {
      throw new SimClockError('invalidArgument', `advance(ms) needs a finite ms >= 0, got ${ms}`);
    }
    this.#throwIfTerminal();
    const target = this.#now + ms;
    let ran = 0;
    while (this.#runNext(target)) {
      ran++;
    }
    this.#throwIfFailed();
    this.#now = target;
    return ran;
  }

  /**
   * Runs events in order until none is pending. Returns the number run. Timers that keep rescheduling
   * themselves end in the livelock error once a cap is exceeded.
   *
   * @throws SimClockError the clock's error if it is stopped or failed, or fails during the call.
   */
  runUntilIdle(): number {
    this.#throwIfTerminal();
    let ran = 0;
    while (this.#runNext(Number.POSITIVE_INFINITY)) {
      ran++;
    }
    this.#throwIfFailed();
    return ran;
  }

  // Shared by every timer of this clock, so a timer costs no closure of its own.
  readonly #onCancel = (): void => {
    this.#live--;
    this.#cancelledInQueue++;
    // Cancelled timers (a request timeout after its response, say) would otherwise stay in the heap until
    // their due time; purge them once they are the majority.
    if (this.#cancelledInQueue >= COMPACT_MIN_CANCELLED && this.#cancelledInQueue * 2 > this.#queue.size) {
      this.#queue.retain(isLive);
      this.#cancelledInQueue = 0;
    }
  };

  readonly #turn = (): void => {
    this.#turnArmed = false;
    try {
      this.#runNext(Number.POSITIVE_INFINITY);
    } finally {
      // Re-armed even when the callback threw, so one bad callback cannot freeze time.
      this.#armTurn();
    }
  };

  #armTurn(): void {
    if (this.#turnArmed || !this.#autoAdvance || this.#live === 0 || this.#terminalError() !== undefined) {
      return;
    }
    this.#turnArmed = true;
    setImmediate(this.#turn);
  }

  /** Runs the earliest live event if it is due at or before `limit`; false when there is none (or on failure). */
  #runNext(limit: number): boolean {
    if (this.#terminalError() !== undefined) {
      return false;
    }
    let next = this.#queue.peek();
    while (next !== undefined && next.callback === undefined) {
      this.#queue.pop();
      this.#cancelledInQueue--;
      next = this.#queue.peek();
    }
    if (next === undefined || next.due > limit) {
      return false;
    }
    if (next.due - this.#startMs > this.#maxVirtualTimeMs) {
      this.#fail(
        `livelock: virtual time passed ${this.#maxVirtualTimeMs} ms (maxVirtualTimeMs) with ${this.#live} events pending`,
      );
      return false;
    }
    if (this.#eventsRun >= this.#maxEvents) {
      this.#fail(
        `livelock: ran ${this.#maxEvents} events (maxEvents) with ${this.#live} events pending at virtual time ${this.#now - this.#startMs} ms`,
      );
      return false;
    }
    this.#queue.pop();
    this.#live--;
    this.#eventsRun++;
    this.#now = next.due;
    const callback = next.callback;
    next.callback = undefined;
    callback?.();
    return true;
  }

  #fail(message: string): void {
    const error = new SimClockError('livelock', message);
    this.#failure = error;
    this.#halt(error);
    this.#onFailure?.(error);
  }

  /** Drops every queued timer and rejects every pending sleep with `error`. */
  #halt(error: SimClockError): void {
    for (const timer of this.#queue.drain()) {
      timer.callback = undefined;
    }
    this.#live = 0;
    this.#cancelledInQueue = 0;
    const sleeps = [...this.#sleeps];
    this.#sleeps.clear();
    for (const sleeper of sleeps) {
      sleeper.fail(error);
    }
  }

  #terminalError(): SimClockError | undefined {
    return this.#failure ?? this.#stopError;
  }

  #throwIfTerminal(): void {
    const error = this.#terminalError();
    if (error !== undefined) {
      throw error;
    }
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) {
      throw this.#failure;
    }
  }
}

function isLive(timer: SimTimer): boolean {
  return timer.callback !== undefined;
}

function checkDelay(what: string, ms: number): number {
  if (Number.isNaN(ms) || ms === Number.POSITIVE_INFINITY) {
    throw new SimClockError('invalidArgument', `${what} must be a finite number of milliseconds, got ${ms}`);
  }
  return Math.max(ms, 0);
}
