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

/** `testScheduler`, counting the timers armed on it and keeping their subscriptions. */
function counting(testScheduler: TestScheduler): { scheduler: SchedulerLike; armed: Subscription[] } {
  const armed: Subscription[] = [];
  const scheduler: SchedulerLike = {
    now: () => testScheduler.now(),
    schedule<S>(work: (this: SchedulerAction<S>, state?: S) => void, delay?: number, state?: S) {
      const subscription = testScheduler.schedule(work, delay, state);
      armed.push(subscription);
      return subscription;
    },
  };
  return { scheduler, armed };
}

describe('AutoFlushQueue', () => {
  it('tells each live request at its time, in the order made, and skips withdrawn ones', () => {
    const testScheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    testScheduler.run(() => {
      const now = () => testScheduler.now();
      const queue = new AutoFlushQueue(testScheduler, now);
      const fired: [string, number][] = [];
      const [a, b, c] = ['a', 'b', 'c'].map((name) => new Target(name, fired, now)) as [
        Target,
        Target,
        Target,
      ];
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
    const testScheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    testScheduler.run(() => {
      const now = () => testScheduler.now();
      const { scheduler, armed } = counting(testScheduler);
      const queue = new AutoFlushQueue(scheduler, now);
      const fired: [string, number][] = [];
      const targets = Array.from({ length: 1000 }, (_, i) => new Target(`t${i}`, fired, now));
      for (const target of targets) target.request(queue, 100);
      testScheduler.flush();
      expect(fired).toHaveLength(1000);
      expect(fired.map(([name]) => name)).toEqual(targets.map((t) => t.name));
      expect(armed).toHaveLength(1);
    });
  });

  it('cancels its timer once no request is live, and leaves nothing armed', () => {
    const testScheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    testScheduler.run(() => {
      const now = () => testScheduler.now();
      const { scheduler, armed } = counting(testScheduler);
      const queue = new AutoFlushQueue(scheduler, now);
      const fired: [string, number][] = [];
      const [a, b] = [new Target('a', fired, now), new Target('b', fired, now)];
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
