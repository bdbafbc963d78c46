/**
 * The auto-flush timers of one stream's lanes on a single timer. A lane whose open batch gets its first item
 * asks to be told when that item is `autoFlushInterval` old; every lane of a stream uses the same interval
 * and the clock only moves forward, so the requests come in the order they fall due, and a queue (first in,
 * first out) with one timer armed for its head replaces a timer per lane. With thousands of partitions
 * that is one timer instead of thousands, and no RxJS subscription per open batch.
 *
 * - A lane that seals or closes before its time cancels its request: the entry stays queued, marked stale by
 *   the lane's token, and is dropped when its time comes. Once no request is live the timer is cancelled and
 *   the queue emptied, so nothing is left armed after a stream ends.
 * - Requests that fall due at the same time are delivered in the order they were made, as separate timers
 *   armed in that order would be.
 *
 * It does not decide what an overdue lane does (the lane and the streamer do) nor take requests out of order
 * (a lane that must flush at once arms a timer of its own).
 */
import { type SchedulerLike, type Subscription, timer } from 'rxjs';

/** What the queue tells when a request falls due. */
export interface FlushTarget {
  /** The request made with `token` fell due: whether it is still live (then it is used up). */
  takeFlush(token: number): boolean;
  /** Called right after a live request was taken. */
  flush(): void;
}

export class AutoFlushQueue {
  readonly #scheduler: SchedulerLike;
  readonly #now: () => number;
  #targets: (FlushTarget | undefined)[] = [];
  #tokens: number[] = [];
  #due: number[] = [];
  #head = 0;
  /** Requests made and neither delivered live nor cancelled. */
  #live = 0;
  #timer: Subscription | undefined;
  #firing = false;

  constructor(scheduler: SchedulerLike, now: () => number) {
    this.#scheduler = scheduler;
    this.#now = now;
  }

  /** Requests live now (for tests and checks). */
  get live(): number {
    return this.#live;
  }

  /** Tells `target` at clock time `dueAt` (no earlier than any request made before) unless cancelled. */
  add(target: FlushTarget, token: number, dueAt: number): void {
    this.#targets.push(target);
    this.#tokens.push(token);
    this.#due.push(dueAt);
    this.#live++;
    if (this.#timer === undefined && !this.#firing) this.#arm();
  }

  /** A live request was withdrawn (its target remembers which: its token no longer matches). */
  cancel(): void {
    this.#live--;
    if (this.#live > 0 || this.#firing) return;
    this.#timer?.unsubscribe();
    this.#timer = undefined;
    this.#reset();
  }

  #arm(): void {
    if (this.#head >= this.#due.length) {
      this.#reset();
      return;
    }
    const delay = Math.max(0, (this.#due[this.#head] as number) - this.#now());
    this.#timer = timer(delay, this.#scheduler).subscribe(() => {
      this.#timer = undefined;
      this.#fire();
    });
  }

  #fire(): void {
    const now = this.#now();
    this.#firing = true;
    try {
      while (this.#head < this.#due.length && (this.#due[this.#head] as number) <= now) {
        const head = this.#head++;
        const target = this.#targets[head] as FlushTarget;
        this.#targets[head] = undefined;
        if (!target.takeFlush(this.#tokens[head] as number)) continue;
        this.#live--;
        target.flush();
      }
    } finally {
      this.#firing = false;
    }
    if (this.#live === 0) {
      this.#timer?.unsubscribe();
      this.#timer = undefined;
      this.#reset();
      return;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#due.length) this.#compact();
    if (this.#timer === undefined) this.#arm();
  }

  #compact(): void {
    const head = this.#head;
    this.#targets = this.#targets.slice(head);
    this.#tokens = this.#tokens.slice(head);
    this.#due = this.#due.slice(head);
    this.#head = 0;
  }

  #reset(): void {
    this.#targets.length = 0;
    this.#tokens.length = 0;
    this.#due.length = 0;
    this.#head = 0;
  }
}
