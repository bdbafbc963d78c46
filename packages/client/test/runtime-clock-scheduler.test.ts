// RxJS time operators must run on the injected clock, or the simulation's virtual time would not reach them:
// a `bufferTime` flush or a `timeout` would wait for real time, or never fire. These tests drive the
// scheduler with a minimal hand-stepped clock, so every emission is checked at an exact time.

import { type Clock, realClock, type TimerHandle } from '@datastreamer/protocol';
import {
  bufferTime,
  delay,
  firstValueFrom,
  interval,
  map,
  of,
  Subject,
  TimeoutError,
  take,
  timeout,
  timer,
  toArray,
} from 'rxjs';
import { describe, expect, it } from 'vitest';
import { clockScheduler } from '../src/runtime/clock-scheduler.js';

interface Pending {
  readonly due: number;
  readonly seq: number;
  callback: (() => void) | undefined;
}

/** Test-only clock: time moves only through `advanceTo`/`advance`, timers run in (due, insertion) order. */
class SteppedClock implements Clock {
  #now = 0;
  #seq = 0;
  #pending: Pending[] = [];

  now(): number {
    return this.#now;
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const entry: Pending = { due: this.#now + Math.max(0, delayMs), seq: this.#seq++, callback };
    this.#pending.push(entry);
    return {
      cancel: () => {
        entry.callback = undefined;
      },
    };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(ms, resolve));
  }

  /** Timers not cancelled and not yet run. */
  get pendingCount(): number {
    return this.#pending.filter((entry) => entry.callback !== undefined).length;
  }

  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      this.#pending = this.#pending.filter((entry) => entry.callback !== undefined);
      this.#pending.sort((a, b) => a.due - b.due || a.seq - b.seq);
      const next = this.#pending[0];
      if (next === undefined || next.due > target) {
        break;
      }
      this.#pending.shift();
      this.#now = next.due;
      const callback = next.callback;
      next.callback = undefined;
      callback?.();
    }
    this.#now = target;
  }
}

function setup() {
  const clock = new SteppedClock();
  const scheduler = clockScheduler(clock);
  const log: string[] = [];
  const record = (label: string) => (value: unknown) => log.push(`${clock.now()}:${label}:${String(value)}`);
  return { clock, scheduler, log, record };
}

describe('clockScheduler', () => {
  it('reads now() from the clock', () => {
    const { clock, scheduler } = setup();
    expect(scheduler.now()).toBe(0);
    clock.advance(1234);
    expect(scheduler.now()).toBe(1234);
  });

  it('emits timer() at its due time and not before', () => {
    const { clock, scheduler, log, record } = setup();
    timer(100, scheduler).subscribe({
      next: record('next'),
      complete: () => log.push(`${clock.now()}:done`),
    });
    clock.advance(99);
    expect(log).toEqual([]);
    clock.advance(1);
    expect(log).toEqual(['100:next:0', '100:done']);
    expect(clock.pendingCount).toBe(0);
  });

  it('runs interval() by rescheduling its own action, and stops when take() completes', () => {
    const { clock, scheduler, log, record } = setup();
    interval(10, scheduler)
      .pipe(take(3))
      .subscribe({ next: record('tick'), complete: () => log.push(`${clock.now()}:done`) });
    clock.advance(100);
    expect(log).toEqual(['10:tick:0', '20:tick:1', '30:tick:2', '30:done']);
    expect(clock.pendingCount).toBe(0);
  });

  it('shifts values by delay()', () => {
    const { clock, scheduler, record, log } = setup();
    of(1, 2, 3).pipe(delay(50, scheduler)).subscribe(record('v'));
    clock.advance(49);
    expect(log).toEqual([]);
    clock.advance(1);
    expect(log).toEqual(['50:v:1', '50:v:2', '50:v:3']);
  });

  it('cuts bufferTime() windows on the clock', () => {
    const { clock, scheduler, log } = setup();
    const source = new Subject<number>();
    source
      .pipe(bufferTime(100, scheduler))
      .subscribe((batch) => log.push(`${clock.now()}:[${batch.join(',')}]`));
    source.next(1);
    clock.advance(40);
    source.next(2);
    clock.advance(70);
    source.next(3);
    clock.advance(90);
    source.complete();
    expect(log).toEqual(['100:[1,2]', '200:[3]', '200:[]']);
    expect(clock.pendingCount).toBe(0);
  });

  it('errors with TimeoutError when nothing arrives in time', () => {
    const { clock, scheduler, log } = setup();
    new Subject<number>().pipe(timeout({ first: 100, scheduler })).subscribe({
      error: (error: unknown) =>
        log.push(`${clock.now()}:${error instanceof TimeoutError ? 'timeout' : 'other'}`),
    });
    clock.advance(100);
    expect(log).toEqual(['100:timeout']);
  });

  it('does not time out when a value arrives first, and cancels the timeout timer', () => {
    const { clock, scheduler, log, record } = setup();
    const source = new Subject<number>();
    source.pipe(timeout({ first: 100, scheduler })).subscribe({ next: record('v'), error: record('error') });
    clock.advance(99);
    source.next(7);
    source.complete();
    clock.advance(1000);
    expect(log).toEqual(['99:v:7']);
    expect(clock.pendingCount).toBe(0);
  });

  it('cancels the pending timer when unsubscribed', () => {
    const { clock, scheduler, log, record } = setup();
    const subscription = timer(100, scheduler).subscribe(record('next'));
    expect(clock.pendingCount).toBe(1);
    subscription.unsubscribe();
    expect(clock.pendingCount).toBe(0);
    clock.advance(200);
    expect(log).toEqual([]);
  });

  it('reschedules with the latest state and delay', () => {
    const { clock, scheduler, log } = setup();
    scheduler.schedule(
      function (this, n) {
        const step = n ?? 0;
        log.push(`${clock.now()}:${step}`);
        if (step < 3) {
          this.schedule(step + 1, (step + 1) * 10);
        }
      },
      5,
      0,
    );
    clock.advance(1000);
    expect(log).toEqual(['5:0', '15:1', '35:2', '65:3']);
  });

  it('replaces a pending timer when an action is rescheduled before it fires', () => {
    const { clock, scheduler, log } = setup();
    const action = scheduler.schedule((state?: string) => log.push(`${clock.now()}:${state}`), 100, 'first');
    expect(clock.pendingCount).toBe(1);
    expect('schedule' in action).toBe(true);
    if ('schedule' in action && typeof action.schedule === 'function') {
      action.schedule('second', 30);
    }
    expect(clock.pendingCount).toBe(1);
    clock.advance(200);
    expect(log).toEqual(['30:second']);
  });

  it('runs work with delay 0 asynchronously, after the current call', () => {
    const { clock, scheduler, log } = setup();
    scheduler.schedule(() => log.push('work'), 0);
    log.push('after schedule');
    clock.advance(0);
    expect(log).toEqual(['after schedule', 'work']);
  });

  it('unsubscribes a throwing action and lets the error reach the clock', () => {
    const { clock, scheduler } = setup();
    let runs = 0;
    const action = scheduler.schedule(function (this) {
      runs++;
      this.schedule(undefined, 10);
      throw new Error('work failed');
    }, 10);
    expect(() => clock.advance(10)).toThrow('work failed');
    expect(action.closed).toBe(true);
    expect(clock.pendingCount).toBe(0);
    clock.advance(100);
    expect(runs).toBe(1);
  });

  it('runs interval() and map() on RealClock in real time', async () => {
    const scheduler = clockScheduler(realClock);
    const start = scheduler.now();
    const values = await firstValueFrom(
      interval(5, scheduler).pipe(
        take(3),
        map((n) => n * 2),
        toArray(),
      ),
    );
    expect(values).toEqual([0, 2, 4]);
    expect(scheduler.now() - start).toBeGreaterThanOrEqual(13);
  });
});
