// RxJS time operators in the client (auto-flush, timeouts) must run on virtual time under the simulation:
// `clockScheduler(simClock)` drives them, and a long RxJS interval costs no real time.

import { clockScheduler } from '@datastreamer/client';
import { bufferTime, firstValueFrom, interval, Subject, TimeoutError, take, timeout, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../src/clock/sim-clock.js';

describe('SimClock with clockScheduler', () => {
  it('drives an RxJS interval on virtual time', async () => {
    const clock = new SimClock();
    const scheduler = clockScheduler(clock);
    const started = performance.now();
    const values = await firstValueFrom(interval(1_000, scheduler).pipe(take(5), toArray()));
    expect(values).toEqual([0, 1, 2, 3, 4]);
    expect(clock.now()).toBe(5_000);
    expect(clock.pendingEvents).toBe(0);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('interleaves operator timers with sleeps in virtual-time order', async () => {
    const clock = new SimClock();
    const scheduler = clockScheduler(clock);
    const source = new Subject<number>();
    const batches: string[] = [];
    source
      .pipe(bufferTime(100, scheduler))
      .subscribe((batch) => batches.push(`${clock.now()}:${batch.join(',')}`));
    source.next(1);
    await clock.sleep(150);
    source.next(2);
    await clock.sleep(60);
    source.complete();
    expect(batches).toEqual(['100:1', '200:2', '210:']);
  });

  it('fires an RxJS timeout at the virtual deadline', async () => {
    const clock = new SimClock();
    const scheduler = clockScheduler(clock);
    const never = new Subject<number>();
    await expect(firstValueFrom(never.pipe(timeout({ first: 30_000, scheduler })))).rejects.toBeInstanceOf(
      TimeoutError,
    );
    expect(clock.now()).toBe(30_000);
  });
});
