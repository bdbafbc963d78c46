/**
 * Time as the rest of the code sees it. Production code never reads the platform clock or sets platform
 * timers itself: it is handed a `Clock`. `RealClock` wraps the platform; the simulation's clock keeps virtual
 * time, so the same code runs in both.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch (real) or since the simulation began (virtual). */
  now(): number;
  /**
   * Calls `callback` once, `delayMs` from now (a negative or zero delay means "as soon as possible, after
   * the current work"). Returns a handle that cancels the call if it has not run yet.
   */
  setTimer(delayMs: number, callback: () => void): TimerHandle;
  /** Resolves after `ms`; rejects with the signal's reason if `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** A scheduled call that has not necessarily run yet. */
export interface TimerHandle {
  /** Cancels the call; does nothing if it already ran or was cancelled. */
  cancel(): void;
}
