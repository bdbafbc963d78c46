// RealClock is the only production path to platform timers: a timer that is not cleared on cancel, a sleep
// that ignores its signal, or a long delay that the platform silently turns into 1 ms would all leak into
// real runs. Most tests use vitest's fake timers so they are exact and instant; one uses real time.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProtocolError } from '../src/errors/protocol-error.js';
import { RealClock, realClock } from '../src/runtime/real-clock.js';

describe('RealClock', () => {
  describe('on fake platform timers', () => {
    beforeEach(() => {
      vi.useFakeTimers({
        toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'Date'],
        now: 1_000_000,
      });
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('reads now() from Date.now()', () => {
      const clock = new RealClock();
      expect(clock.now()).toBe(1_000_000);
      vi.advanceTimersByTime(250);
      expect(clock.now()).toBe(1_000_250);
    });

    it('fires a timer once, after its delay', () => {
      const fired: number[] = [];
      new RealClock().setTimer(100, () => fired.push(Date.now()));
      vi.advanceTimersByTime(99);
      expect(fired).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(fired).toEqual([1_000_100]);
      vi.advanceTimersByTime(1000);
      expect(fired).toHaveLength(1);
    });

    it('treats a negative delay as zero', () => {
      const fired: string[] = [];
      new RealClock().setTimer(-50, () => fired.push('now'));
      vi.advanceTimersByTime(0);
      expect(fired).toEqual(['now']);
    });

    it('clears the platform timer on cancel', () => {
      const fired: string[] = [];
      const handle = new RealClock().setTimer(100, () => fired.push('late'));
      expect(vi.getTimerCount()).toBe(1);
      handle.cancel();
      expect(vi.getTimerCount()).toBe(0);
      vi.advanceTimersByTime(1000);
      expect(fired).toEqual([]);
      handle.cancel();
    });

    it('honours a delay longer than the platform maximum', () => {
      const delay = 2 ** 31 + 5_000;
      const fired: number[] = [];
      const handle = new RealClock().setTimer(delay, () => fired.push(Date.now() - 1_000_000));
      vi.advanceTimersByTime(2 ** 31 - 1);
      expect(fired).toEqual([]);
      vi.advanceTimersByTime(5_000);
      expect(fired).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(fired).toEqual([delay]);
      handle.cancel();
    });

    it('cancels a long timer between its hops', () => {
      const fired: string[] = [];
      const handle = new RealClock().setTimer(2 ** 32, () => fired.push('late'));
      vi.advanceTimersByTime(2 ** 31);
      handle.cancel();
      expect(vi.getTimerCount()).toBe(0);
      vi.advanceTimersByTime(2 ** 32);
      expect(fired).toEqual([]);
    });

    it('resolves sleep after its duration', async () => {
      let done = false;
      const sleeping = new RealClock().sleep(30).then(() => {
        done = true;
      });
      await vi.advanceTimersByTimeAsync(29);
      expect(done).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await sleeping;
      expect(done).toBe(true);
    });

    it('rejects sleep with the reason of a signal that aborts, and clears its timer', async () => {
      const controller = new AbortController();
      const sleeping = new RealClock().sleep(1000, controller.signal);
      const reason = new Error('caller gave up');
      controller.abort(reason);
      await expect(sleeping).rejects.toBe(reason);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('rejects sleep at once when the signal is already aborted', async () => {
      const reason = new Error('already');
      await expect(new RealClock().sleep(10, AbortSignal.abort(reason))).rejects.toBe(reason);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('ignores a signal aborted after the sleep ended', async () => {
      const controller = new AbortController();
      const sleeping = new RealClock().sleep(10, controller.signal);
      await vi.advanceTimersByTimeAsync(10);
      await expect(sleeping).resolves.toBeUndefined();
      controller.abort(new Error('too late'));
    });

    it.each([[Number.NaN], [Number.POSITIVE_INFINITY]])(
      'rejects the delay %s with INVALID_ARGUMENT',
      async (ms) => {
        const clock = new RealClock();
        expect(() => clock.setTimer(ms, () => {})).toThrow(ProtocolError);
        expect(() => clock.setTimer(ms, () => {})).toThrow(/timer delay must be a finite number/);
        await expect(clock.sleep(ms)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
        expect(vi.getTimerCount()).toBe(0);
      },
    );
  });

  it('sleeps for real time on the shared instance', async () => {
    const start = performance.now();
    await realClock.sleep(15);
    // Node may fire a timer up to 1 ms early relative to performance.now rounding.
    expect(performance.now() - start).toBeGreaterThanOrEqual(14);
  });
});
