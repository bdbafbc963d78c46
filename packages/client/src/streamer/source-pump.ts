/**
 * The pull side of the streamer: the source is read only when there is room, as an Observable of *demands*.
 * The streamer emits a demand whenever room may have freed (at the start, and when a batch settles); each
 * demand runs one fill, which reads as many pages as there is room for and hands each to the streamer; demands
 * that come while a fill is running are dropped (`exhaustMap`), which is safe because the fill checks the room
 * again after every read and completes in the same synchronous step as it finds none. So the source is never
 * pulled past the bound, and never left idle while there is room.
 *
 * A *page* is one read: up to the room's worth of items the source had (one, for an async iterator), and at
 * most {@link TURN_ITEMS}. A fill reads at most that many items before it lets everything else waiting run
 * (`host.later`, a zero-delay timer on the clock, which the real clock runs after pending I/O): a
 * synchronous source with room for all of it, or an async one whose promises are always resolved, would
 * otherwise be read, encoded and sent in one uninterrupted turn, starving the client's timers and sockets
 * (and, in one process, the cluster's heartbeats). It does not buffer, partition or send (the streamer does).
 */
import { exhaustMap, Observable, Subject, type Subscription } from 'rxjs';
import type { SourceReader } from './sources/source-reader.js';

/** What the pump asks of its stream. */
export interface PumpHost<T> {
  /** How many more items may be taken now (<= 0: none). */
  room(): number;
  /** Whether the stream still takes items. */
  running(): boolean;
  /** A page was read: `page[0 ..]` are taken from the source; the host empties it. */
  accept(page: T[]): void;
  /** The source ended (a read gave nothing). */
  ended(): void;
  /** The source failed; `page` holds what the failing read delivered before it threw (taken, to report). */
  failed(error: unknown, page: readonly T[]): void;
  /** A read finished while the stream no longer runs: `page` holds what it delivered. */
  lateRead(page: T[]): void;
  /** Runs `resume` once whatever else is waiting has run (a zero-delay timer). */
  later(resume: () => void): void;
}

/** Items a fill reads before it lets other work run (see the module header). */
export const TURN_ITEMS = 8192;

export class SourcePump<T> {
  readonly #reader: SourceReader<T>;
  readonly #host: PumpHost<T>;
  readonly #demands = new Subject<void>();
  readonly #page: T[] = [];
  #subscription: Subscription | undefined;
  /** Whether a read is in progress (an async source may still deliver into it). */
  #reading = false;
  /** Items read since the fill last let other work run. */
  #readThisTurn = 0;

  constructor(reader: SourceReader<T>, host: PumpHost<T>) {
    this.#reader = reader;
    this.#host = host;
  }

  /** Whether a read is in progress. */
  get reading(): boolean {
    return this.#reading;
  }

  /** Starts pulling: the first demand fills the room. */
  start(): void {
    this.#subscription = this.#demands.pipe(exhaustMap(() => this.#fill())).subscribe();
    this.demand();
  }

  /** Room may have freed: read more if there is. */
  demand(): void {
    this.#demands.next();
  }

  /**
   * What a read still in progress already put in the page (a push source delivers into it before the read
   * settles): taken from the page, so it is reported once, before anything the source still holds.
   */
  takeDelivered(): T[] {
    return this.#reading ? this.#page.splice(0) : [];
  }

  /** No more demands are served; a read in progress still delivers (to `lateRead`). */
  stop(): void {
    this.#subscription?.unsubscribe();
    this.#demands.complete();
  }

  /**
   * One fill, as an Observable that completes in the very step it finds no room (an `async` function would
   * complete a microtask later, and a demand arriving in between would be dropped by `exhaustMap`).
   * Synchronous reads loop in place; an asynchronous read continues the loop when it settles.
   */
  #fill(): Observable<never> {
    return new Observable<never>((subscriber) => {
      const host = this.#host;
      const page = this.#page;
      const readLoop = (): void => {
        while (host.running()) {
          const room = host.room();
          if (room <= 0) break;
          if (this.#readThisTurn >= TURN_ITEMS) {
            // Enough for one turn: the fill goes on (and stays open) once other work ran.
            host.later(() => {
              this.#readThisTurn = 0;
              readLoop();
            });
            return;
          }
          this.#reading = true;
          let read: number | Promise<number>;
          try {
            read = this.#reader.read(page, Math.min(room, TURN_ITEMS - this.#readThisTurn));
          } catch (error) {
            this.#failed(error);
            break;
          }
          if (typeof read !== 'number') {
            read.then(
              (count) => {
                if (this.#delivered(count)) readLoop();
                else subscriber.complete();
              },
              (error: unknown) => {
                this.#failed(error);
                subscriber.complete();
              },
            );
            return;
          }
          if (!this.#delivered(read)) break;
        }
        subscriber.complete();
      };
      readLoop();
    });
  }

  /** A read returned `count` items into the page: hands them over; false when the fill must end. */
  #delivered(count: number): boolean {
    const host = this.#host;
    const page = this.#page;
    this.#reading = false;
    this.#readThisTurn += count;
    if (!host.running()) {
      // The stream stopped during the read: what it delivered was taken, and is accounted for.
      host.lateRead(page);
      page.length = 0;
      return false;
    }
    if (count === 0) {
      host.ended();
      return false;
    }
    host.accept(page);
    return true;
  }

  #failed(error: unknown): void {
    this.#reading = false;
    const page = this.#page.splice(0);
    this.#host.failed(error, page);
  }
}
