/**
 * A `Clock` that moves only when a test says so: `advance(ms)` runs the timers that fall due, in due order.
 * Keeps node tests deterministic and instant (forward timeouts fire when the test advances past them).
 */
import type { Clock, TimerHandle } from '@datastreamer/protocol';

interface Timer {
  readonly due: number;
  readonly seq: number;
  readonly callback: () => void;
  cancelled: boolean;
}

export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: Timer[] = [];

  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const timer: Timer = {
      due: this.#now + Math.max(0, delayMs),
      seq: this.#seq++,
      callback,
      cancelled: false,
    };
    this.#timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const handle = this.setTimer(ms, resolve);
      signal?.addEventListener('abort', () => {
        handle.cancel();
        reject(signal.reason);
      });
    });
  }

  /** Timers set and neither run nor cancelled. */
  get pendingTimers(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, running every timer due by then. */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      const next = this.#timers
        .filter((t) => !t.cancelled && t.due <= until)
        .sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (next === undefined) break;
      next.cancelled = true;
      this.#now = next.due;
      next.callback();
    }
    this.#timers = this.#timers.filter((t) => !t.cancelled);
    this.#now = until;
  }

  /** Sets the time back by `ms` without running anything: a machine whose clock was reset. */
  rewind(ms: number): void {
    this.#now -= ms;
  }
}
