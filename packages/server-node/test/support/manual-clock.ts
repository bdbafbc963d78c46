/**
 * A `Clock` that moves only when a test says so: `advance(ms)` runs the timers that fall due, in due order;
 * `step()` runs exactly one timer (moving time to it), so a simulation can check invariants after every
 * event. Timers wait in a heap ordered by (due time, creation order). Keeps node tests deterministic and
 * instant (forward timeouts fire when the test advances past them).
 */
import type { Clock, TimerHandle } from '@datastreamer/protocol';

interface Timer {
  readonly due: number;
  readonly seq: number;
  readonly callback: () => void;
  cancelled: boolean;
}

function before(a: Timer, b: Timer): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #heap: Timer[] = [];

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
    this.#push(timer);
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
    return this.#heap.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, running every timer due by then. */
  advance(ms: number): void {
    const until = this.#now + ms;
    while (this.step(until));
    this.#now = until;
  }

  /** Sets the time back by `ms` without running anything: a machine whose clock was reset. */
  rewind(ms: number): void {
    this.#now -= ms;
  }

  /** Runs the next timer due at or before `until`, moving time to it; false when there is none. */
  step(until = Number.POSITIVE_INFINITY): boolean {
    for (;;) {
      const next = this.#heap[0];
      if (next === undefined || next.due > until) return false;
      this.#pop();
      if (next.cancelled) continue;
      this.#now = next.due;
      next.callback();
      return true;
    }
  }

  /** Moves time to `time` (no earlier than now) without running anything. */
  advanceTo(time: number): void {
    this.#now = Math.max(this.#now, time);
  }

  #push(timer: Timer): void {
    const heap = this.#heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as Timer, heap[parent] as Timer)) break;
      [heap[i], heap[parent]] = [heap[parent] as Timer, heap[i] as Timer];
      i = parent;
    }
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && before(heap[left] as Timer, heap[smallest] as Timer)) smallest = left;
      if (right < heap.length && before(heap[right] as Timer, heap[smallest] as Timer)) smallest = right;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest] as Timer, heap[i] as Timer];
      i = smallest;
    }
  }
}
