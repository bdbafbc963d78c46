// The simulation's core promise: time jumps to the next event only once every pending promise callback has
// run, so ordinary async code sees a consistent world and a long virtual wait costs no real time. If events
// were batched, or time moved while continuations were still queued, interleavings would change and runs
// would stop being reproducible.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../src/clock/sim-clock.js';

/** Waits for one real platform turn, long enough for an armed auto-advance turn to have run. */
function realTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('SimClock auto-advance', () => {
  it('resolves a 5-second virtual sleep in a few real milliseconds', async () => {
    const clock = new SimClock();
    const started = performance.now();
    await clock.sleep(5_000);
    expect(clock.now()).toBe(5_000);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('runs the whole promise chain of one event before the next event, even at the same time', async () => {
    const clock = new SimClock();
    const log: string[] = [];
    const note = (entry: string) => log.push(`${clock.now()}:${entry}`);
    const a = async () => {
      await clock.sleep(10);
      note('a1');
      await Promise.resolve();
      note('a2');
      await clock.sleep(0);
      note('a3');
    };
    const b = async () => {
      await clock.sleep(10);
      note('b1');
      await Promise.resolve();
      await Promise.resolve();
      note('b2');
      await clock.sleep(5);
      note('b3');
    };
    await Promise.all([a(), b()]);
    // a's and b's sleeps are both due at 10; a's was queued first. a's whole chain up to its next sleep runs
    // before b's event. a's `sleep(0)` is queued at 10 after b's event, so it runs after b's chain.
    expect(log).toEqual(['10:a1', '10:a2', '10:b1', '10:b2', '10:a3', '15:b3']);
  });

  it('lets a long microtask chain finish before time moves', async () => {
    const clock = new SimClock();
    let depth = 0;
    const deep = async () => {
      await clock.sleep(1);
      for (let i = 0; i < 1_000; i++) {
        await Promise.resolve();
        depth++;
      }
    };
    const observed: number[] = [];
    const watcher = async () => {
      await clock.sleep(2);
      observed.push(depth);
    };
    await Promise.all([deep(), watcher()]);
    expect(observed).toEqual([1_000]);
  });

  it('does not move time while nothing is scheduled', async () => {
    const clock = new SimClock();
    await realTurn();
    await realTurn();
    expect(clock.now()).toBe(0);
    expect(clock.eventsRun).toBe(0);
  });

  it('runs one event per platform turn', async () => {
    const clock = new SimClock();
    const fired: number[] = [];
    clock.setTimer(5, () => fired.push(1));
    clock.setTimer(5, () => fired.push(2));
    await realTurn();
    expect(fired).toEqual([1]);
    await realTurn();
    expect(fired).toEqual([1, 2]);
  });

  it('stays put with autoAdvance off until stepped by hand', async () => {
    const clock = new SimClock({ autoAdvance: false });
    let done = false;
    const sleeping = clock.sleep(100).then(() => {
      done = true;
    });
    await realTurn();
    await realTurn();
    expect(done).toBe(false);
    expect(clock.now()).toBe(0);
    expect(clock.advance(100)).toBe(1);
    await sleeping;
    expect(done).toBe(true);
  });

  it('rejects a sleep with the reason of its aborted signal and drops its event', async () => {
    const clock = new SimClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(1_000, controller.signal);
    expect(clock.pendingEvents).toBe(1);
    const reason = new Error('gave up');
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
    expect(clock.pendingEvents).toBe(0);
    await expect(clock.sleep(10, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(clock.pendingEvents).toBe(0);
  });

  it('aborts a sleep from another event at the exact virtual time', async () => {
    const clock = new SimClock();
    const controller = new AbortController();
    clock.setTimer(30, () => controller.abort(new Error('deadline')));
    await expect(clock.sleep(100, controller.signal)).rejects.toThrow('deadline');
    expect(clock.now()).toBe(30);
    expect(clock.pendingEvents).toBe(0);
  });

  it('keeps running after a timer callback throws', async () => {
    const clock = new SimClock({ autoAdvance: false });
    clock.setTimer(1, () => {
      throw new Error('bad callback');
    });
    const later = clock.sleep(2);
    expect(() => clock.advance(1)).toThrow('bad callback');
    expect(clock.now()).toBe(1);
    expect(clock.advance(1)).toBe(1);
    await later;
    expect(clock.state).toBe('running');
  });

  test.prop([
    fc.array(fc.record({ delay: fc.integer({ min: 0, max: 50 }), hops: fc.nat({ max: 3 }) }), {
      maxLength: 12,
    }),
  ])('produces the same interleaving on every run of the same schedule', async (tasks) => {
    const run = async () => {
      const clock = new SimClock();
      const log: string[] = [];
      await Promise.all(
        tasks.map(async ({ delay, hops }, task) => {
          for (let hop = 0; hop <= hops; hop++) {
            await clock.sleep(delay);
            for (let i = 0; i < task % 3; i++) {
              await Promise.resolve();
            }
            log.push(`${clock.now()}:${task}.${hop}`);
          }
        }),
      );
      return log;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    // Times in the log never go backwards.
    const times = first.map((entry) => Number(entry.split(':')[0]));
    expect(times).toEqual([...times].sort((x, y) => x - y));
  });
});
