/**
 * The stream-wide auto-flush timer on RxJS virtual time: requests delivered at their time in the order made,
 * cancelled ones skipped, one timer armed at a time, none left once no request is live.
 */
import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { AutoFlushQueue, type FlushTarget } from '../src/streamer/auto-flush-queue.js';

/** A lane-like target: one live request at a time, recorded when it fires. */
class Target implements FlushTarget {
  token = 0;
  queued = false;
  constructor(
    readonly name: string,
    readonly fired: [string, number][],
    readonly now: () => number,
  ) {}
  request(queue: AutoFlushQueue, dueAt: number): void {
    this.queued = true;
    queue.add(this, ++this.token, dueAt);
  }
  withdraw(queue: AutoFlushQueue): void {
    if (!this.queued) return;
    this.queued = false;
    queue.cancel();
  }
  takeFlush(token: number): boolean {
    if (!this.queued || token !== this.token) return false;
    this.queued = false;
    return true;
  }
  flush(): void {
    this.fired.push([this.name, this.now()]);
  }
}

/** What a test gets: a queue on virtual time whose timers are counted, and named targets recording firings. */
interface Rig {
  readonly queue: AutoFlushQueue;
  readonly armed: Subscription[];
  readonly fired: [string, number][];
  readonly target: (name: string) => Target;
  readonly testScheduler: TestScheduler;
}

/** Runs `body` on a fresh `TestScheduler`, with a queue on it that counts the timers it arms. */
function onVirtualTime(body: (rig: Rig) => void): void {
  const testScheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  testScheduler.run(() => {
    const now = () => testScheduler.now();
    const armed: Subscription[] = [];
    const scheduler: SchedulerLike = {
      now,
      schedule<S>(work: (this: SchedulerAction<S>, state?: S) => void, delay?: number, state?: S) {
        const subscription = testScheduler.schedule(work, delay, state);
        armed.push(subscription);
        return subscription;
      },
    };
    const fired: [string, number][] = [];
    const queue = new AutoFlushQueue(scheduler, now);
    body({ queue, armed, fired, target: (name) => new Target(name, fired, now), testScheduler });
  });
}

describe('AutoFlushQueue', () => {
  it('tells each live request at its time, in the order made, and skips withdrawn ones', () => {
    onVirtualTime(({ queue, fired, target, testScheduler }) => {
      const [a, b, c] = [target('a'), target('b'), target('c')];
      testScheduler.schedule(() => a.request(queue, 100), 0);
      testScheduler.schedule(() => b.request(queue, 110), 10);
      testScheduler.schedule(() => c.request(queue, 110), 10);
      testScheduler.schedule(() => b.withdraw(queue), 50);
      testScheduler.schedule(() => b.request(queue, 160), 60);
      testScheduler.flush();
      expect(fired).toEqual([
        ['a', 100],
        ['c', 110],
        ['b', 160],
      ]);
      expect(queue.live).toBe(0);
    });
  });

  it('arms one timer for many requests due at the same time', () => {
    onVirtualTime(({ queue, armed, fired, target, testScheduler }) => {
      const targets = Array.from({ length: 1000 }, (_, i) => target(`t${i}`));
      for (const t of targets) t.request(queue, 100);
      testScheduler.flush();
      expect(fired.map(([name]) => name)).toEqual(targets.map((t) => t.name));
      expect(armed).toHaveLength(1);
    });
  });

  it('cancels its timer once no request is live, and leaves nothing armed', () => {
    onVirtualTime(({ queue, armed, fired, target, testScheduler }) => {
      const [a, b] = [target('a'), target('b')];
      a.request(queue, 5000);
      b.request(queue, 5000);
      a.withdraw(queue);
      expect(armed.every((s) => s.closed)).toBe(false);
      b.withdraw(queue);
      expect(queue.live).toBe(0);
      expect(armed.every((s) => s.closed)).toBe(true);
      // A request made afterwards arms a fresh timer.
      a.request(queue, 5000);
      testScheduler.flush();
      expect(fired).toEqual([['a', 5000]]);
      expect(armed).toHaveLength(2);
    });
  });
});
