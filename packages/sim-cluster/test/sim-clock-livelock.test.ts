// A simulation that never converges must fail with a reason, not hang the test run: the caps on virtual time
// and on event count stop the clock and reject every sleep with a livelock error. Stopping the clock by hand
// must likewise end every wait with a clear error.
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_MAX_EVENTS, DEFAULT_MAX_VIRTUAL_TIME_MS, SimClock } from '../src/clock/sim-clock.js';
import { SimClockError } from '../src/clock/sim-clock-error.js';

/** A timer that reschedules itself forever. */
function repeat(clock: SimClock, everyMs: number): void {
  const tick = () => {
    clock.setTimer(everyMs, tick);
  };
  clock.setTimer(everyMs, tick);
}

describe('SimClock caps', () => {
  it('documents one hour and ten million events as defaults', () => {
    expect(DEFAULT_MAX_VIRTUAL_TIME_MS).toBe(3_600_000);
    expect(DEFAULT_MAX_EVENTS).toBe(10_000_000);
  });

  it('fails with the livelock error once virtual time passes the default hour', async () => {
    const clock = new SimClock();
    for (let i = 0; i < 11; i++) {
      clock.setTimer(3_600_001, () => {});
    }
    await expect(clock.sleep(3_600_001)).rejects.toThrow(
      'livelock: virtual time passed 3600000 ms (maxVirtualTimeMs) with 12 events pending',
    );
    expect(clock.now()).toBe(0);
  });

  it('still runs an event due exactly at the cap', async () => {
    const clock = new SimClock({ maxVirtualTimeMs: 100 });
    await clock.sleep(100);
    expect(clock.now()).toBe(100);
    expect(clock.state).toBe('running');
  });

  it('turns an endless timer into a failure: state, failure, hook and every sleep agree', async () => {
    const onFailure = vi.fn();
    const clock = new SimClock({ maxVirtualTimeMs: 10_000, startMs: 500, onFailure });
    repeat(clock, 1_000);
    const pending = clock.sleep(20_000);
    await expect(pending).rejects.toThrow(
      'livelock: virtual time passed 10000 ms (maxVirtualTimeMs) with 2 events pending',
    );
    expect(clock.now()).toBe(10_500);
    expect(clock.state).toBe('failed');
    const failure = clock.failure;
    expect(failure).toBeInstanceOf(SimClockError);
    expect(failure).toMatchObject({ kind: 'livelock', code: 'INTERNAL', retryable: false });
    expect(onFailure).toHaveBeenCalledTimes(1);
    expect(onFailure).toHaveBeenCalledWith(failure);
    await expect(pending).rejects.toBe(failure);
    await expect(clock.sleep(1)).rejects.toBe(failure);
    expect(clock.pendingEvents).toBe(0);
    let fired = false;
    clock.setTimer(0, () => {
      fired = true;
    });
    expect(clock.pendingEvents).toBe(0);
    expect(() => clock.advance(1)).toThrow(failure);
    expect(fired).toBe(false);
  });

  it('catches a livelock that never moves time with maxEvents', async () => {
    const clock = new SimClock({ maxEvents: 1_000 });
    repeat(clock, 0);
    await expect(clock.sleep(1)).rejects.toThrow(
      'livelock: ran 1000 events (maxEvents) with 2 events pending at virtual time 0 ms',
    );
    expect(clock.eventsRun).toBe(1_000);
  });

  it('allows exactly maxEvents events', () => {
    const clock = new SimClock({ autoAdvance: false, maxEvents: 3 });
    for (let i = 0; i < 3; i++) {
      clock.setTimer(i, () => {});
    }
    expect(clock.runUntilIdle()).toBe(3);
    expect(clock.state).toBe('running');
  });

  it('makes runUntilIdle throw the livelock error instead of looping forever', () => {
    const clock = new SimClock({ autoAdvance: false, maxVirtualTimeMs: 60_000 });
    repeat(clock, 100);
    expect(() => clock.runUntilIdle()).toThrow(/livelock: virtual time passed 60000 ms/);
    expect(clock.eventsRun).toBe(600);
  });

  it.each([
    [{ maxVirtualTimeMs: 0 }, /maxVirtualTimeMs must be a positive number or Infinity, got 0/],
    [{ maxVirtualTimeMs: Number.NaN }, /maxVirtualTimeMs must be/],
    [{ maxEvents: 1.5 }, /maxEvents must be a positive integer or Infinity, got 1.5/],
    [{ startMs: Number.NaN }, /startMs must be a finite number, got NaN/],
  ])('rejects the options %o', (options, message) => {
    expect(() => new SimClock(options)).toThrow(SimClockError);
    expect(() => new SimClock(options)).toThrow(message);
  });

  it('accepts Infinity to lift a cap', async () => {
    const clock = new SimClock({ maxVirtualTimeMs: Number.POSITIVE_INFINITY });
    await clock.sleep(10 * DEFAULT_MAX_VIRTUAL_TIME_MS);
    expect(clock.now()).toBe(36_000_000);
  });
});

describe('SimClock.stop', () => {
  it('drops pending timers and rejects pending and later sleeps with a stopped error', async () => {
    const clock = new SimClock();
    let fired = false;
    clock.setTimer(10, () => {
      fired = true;
    });
    const first = clock.sleep(100);
    const second = clock.sleep(200);
    clock.stop();
    await expect(first).rejects.toThrow(
      'SimClock stopped at virtual time 0 ms: this timer or sleep will never end',
    );
    await expect(second).rejects.toMatchObject({ kind: 'stopped', code: 'CLOSED' });
    await expect(clock.sleep(1)).rejects.toBeInstanceOf(SimClockError);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fired).toBe(false);
    expect(clock.state).toBe('stopped');
    expect(clock.failure).toBeUndefined();
    expect(clock.pendingEvents).toBe(0);
    expect(() => clock.step()).toThrow(/SimClock stopped/);
    clock.stop();
    expect(clock.state).toBe('stopped');
  });

  it('keeps a failure as the reason when stopped afterwards', () => {
    const clock = new SimClock({ autoAdvance: false, maxEvents: 1 });
    repeat(clock, 1);
    expect(() => clock.runUntilIdle()).toThrow(/livelock/);
    clock.stop();
    expect(clock.state).toBe('failed');
  });
});
