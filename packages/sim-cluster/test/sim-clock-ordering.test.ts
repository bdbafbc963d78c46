// Events must run in (dueTime, sequence) order: equal due times in the order they were queued, a timer set
// from inside a callback after everything already due, cancelled timers never. Any deviation changes the
// outcome of a simulated run from one build to the next. Stepped by hand, so each check is exact.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../src/clock/sim-clock.js';
import { SimClockError } from '../src/clock/sim-clock-error.js';

function manualClock(startMs?: number): SimClock {
  return startMs === undefined
    ? new SimClock({ autoAdvance: false })
    : new SimClock({ autoAdvance: false, startMs });
}

describe('SimClock ordering', () => {
  test.prop([fc.array(fc.integer({ min: -5, max: 40 }), { maxLength: 200 })])(
    'runs timers by due time, and equal due times in insertion order',
    (delays) => {
      const clock = manualClock();
      const order: number[] = [];
      for (const [index, delay] of delays.entries()) {
        clock.setTimer(delay, () => order.push(index));
      }
      expect(clock.runUntilIdle()).toBe(delays.length);
      const expected = delays
        .map((delay, index) => ({ due: Math.max(0, delay), index }))
        .sort((a, b) => a.due - b.due || a.index - b.index)
        .map(({ index }) => index);
      expect(order).toEqual(expected);
    },
  );

  test.prop([
    fc.array(fc.record({ delay: fc.integer({ min: 0, max: 30 }), cancelled: fc.boolean() }), {
      maxLength: 400,
    }),
  ])('never runs a cancelled timer and keeps the order of the rest', (timers) => {
    const clock = manualClock();
    const order: number[] = [];
    const handles = timers.map(({ delay }, index) => clock.setTimer(delay, () => order.push(index)));
    timers.forEach(({ cancelled }, index) => {
      if (cancelled) {
        handles[index]?.cancel();
      }
    });
    const live = timers.filter(({ cancelled }) => !cancelled).length;
    expect(clock.pendingEvents).toBe(live);
    expect(clock.runUntilIdle()).toBe(live);
    const expected = timers
      .map(({ delay, cancelled }, index) => ({ delay, cancelled, index }))
      .filter(({ cancelled }) => !cancelled)
      .sort((a, b) => a.delay - b.delay || a.index - b.index)
      .map(({ index }) => index);
    expect(order).toEqual(expected);
  });

  it('stays ordered when many cancellations trigger a purge', () => {
    const clock = manualClock();
    const order: number[] = [];
    const handles = Array.from({ length: 3_000 }, (_, i) =>
      clock.setTimer((i * 7919) % 1000, () => order.push(i)),
    );
    handles.forEach((handle, i) => {
      if (i % 3 !== 0) {
        handle.cancel();
      }
    });
    expect(clock.pendingEvents).toBe(1_000);
    // More timers after the purge still slot in correctly.
    clock.setTimer(500, () => order.push(-1));
    clock.runUntilIdle();
    const expected = [...Array.from({ length: 1_000 }, (_, k) => 3 * k), -1]
      .map((i) => ({ i, due: i === -1 ? 500 : (i * 7919) % 1000, seq: i === -1 ? 3_000 : i }))
      .sort((a, b) => a.due - b.due || a.seq - b.seq)
      .map(({ i }) => i);
    expect(order).toEqual(expected);
  });

  it('runs a zero-delay timer set inside a callback after the current one and after those already due', () => {
    const clock = manualClock();
    const log: string[] = [];
    clock.setTimer(10, () => {
      log.push('first');
      clock.setTimer(0, () => log.push(`nested@${clock.now()}`));
      log.push('first done');
    });
    clock.setTimer(10, () => log.push('second'));
    clock.setTimer(11, () => log.push('third'));
    clock.runUntilIdle();
    expect(log).toEqual(['first', 'first done', 'second', 'nested@10', 'third']);
  });

  it('cancels idempotently, and cancelling after the timer ran does nothing', () => {
    const clock = manualClock();
    const fired: string[] = [];
    const early = clock.setTimer(1, () => fired.push('early'));
    const late = clock.setTimer(5, () => fired.push('late'));
    const kept = clock.setTimer(6, () => fired.push('kept'));
    clock.advance(1);
    early.cancel();
    late.cancel();
    late.cancel();
    expect(clock.pendingEvents).toBe(1);
    clock.runUntilIdle();
    expect(fired).toEqual(['early', 'kept']);
    kept.cancel();
    expect(clock.pendingEvents).toBe(0);
  });

  it('advances time exactly, running what falls inside the window, including timers queued on the way', () => {
    const clock = manualClock(1_000);
    const log: string[] = [];
    clock.setTimer(10, () => {
      log.push(`a@${clock.now()}`);
      clock.setTimer(15, () => log.push(`b@${clock.now()}`));
      clock.setTimer(16, () => log.push(`c@${clock.now()}`));
    });
    expect(clock.advance(25)).toBe(2);
    expect(clock.now()).toBe(1_025);
    expect(log).toEqual(['a@1010', 'b@1025']);
    expect(clock.pendingEvents).toBe(1);
    expect(clock.step()).toBe(true);
    expect(clock.now()).toBe(1_026);
    expect(clock.step()).toBe(false);
    expect(clock.eventsRun).toBe(3);
  });

  it('does not move time backwards when stepping to an event due earlier than an advance target', () => {
    const clock = manualClock();
    clock.advance(50);
    clock.setTimer(-10, () => {});
    clock.step();
    expect(clock.now()).toBe(50);
  });

  it.each([[Number.NaN], [Number.POSITIVE_INFINITY]])(
    'rejects the delay %s with a typed error',
    async (ms) => {
      const clock = manualClock();
      expect(() => clock.setTimer(ms, () => {})).toThrow(SimClockError);
      expect(() => clock.setTimer(ms, () => {})).toThrow(/timer delay must be a finite number/);
      await expect(clock.sleep(ms)).rejects.toMatchObject({
        kind: 'invalidArgument',
        code: 'INVALID_ARGUMENT',
      });
      expect(clock.pendingEvents).toBe(0);
    },
  );

  it.each([[-1], [Number.NaN], [Number.POSITIVE_INFINITY]])('rejects advance(%s)', (ms) => {
    expect(() => manualClock().advance(ms)).toThrow(/advance\(ms\) needs a finite ms >= 0/);
  });
});
