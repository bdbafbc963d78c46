/**
 * One partition's share of the stream: the open buffer being filled, the pages sealed and waiting, the one
 * batch in flight, and (once the stream fails) a batch whose outcome stayed unknown. Batches of a partition
 * leave strictly one after another (the next is sent only once the previous one finished), which is what
 * keeps per-key order, and are numbered 1, 2, 3, ... (`batchSeq`, the node's fence). The lane keeps the state
 * and its buffer's age (an auto-flush timer armed at the buffer's first, oldest, item); the dispatcher
 * decides when to seal and send.
 */
import type { Clock, TimerHandle } from '@datastreamer/protocol';
import type { FailedItems } from './failed-items.js';
import { StreamPage } from './stream-page.js';

export class PartitionLane<T, Entry> {
  readonly partition: number;
  /** The buffer being filled. */
  open = new StreamPage<T, Entry>();
  /** Sealed pages waiting for the batch in flight, oldest first. */
  readonly waiting: StreamPage<T, Entry>[] = [];
  /** The batch being sent (attempts and backoff included, and `onBatch` once acknowledged). */
  inFlight: StreamPage<T, Entry> | undefined;
  /** The batch number of the batch in flight (the last one started). */
  inFlightSeq = 0;
  /** Whether an attempt of the batch in flight left: from then on it may apply without an answer. */
  inFlightSent = false;
  /**
   * A batch that failed after an attempt left (its outcome unknown), kept for the seal that decides whether
   * it applied.
   */
  unsettled: { readonly page: StreamPage<T, Entry>; readonly batchSeq: number } | undefined;
  readonly #clock: Clock;
  readonly #autoFlushInterval: number;
  /** Clock time of the open buffer's first (oldest) item. */
  #openedAt = 0;
  #timer: TimerHandle | undefined;
  #spare: StreamPage<T, Entry> | undefined;
  /** Made once per lane, so arming a timer allocates no closure. */
  readonly #onTimer: () => void;

  /**
   * @param autoFlushInterval ms; <= 0: no timer.
   * @param onDue called when the open buffer's oldest item reaches `autoFlushInterval`.
   */
  constructor(
    partition: number,
    clock: Clock,
    autoFlushInterval: number,
    onDue: (lane: PartitionLane<T, Entry>) => void,
  ) {
    this.partition = partition;
    this.#clock = clock;
    this.#autoFlushInterval = autoFlushInterval;
    this.#onTimer = () => {
      this.#timer = undefined;
      onDue(this);
    };
  }

  /** Whether a batch is in flight or waiting: then an auto-flush must wait (its age is checked later). */
  get busy(): boolean {
    return this.inFlight !== undefined || this.waiting.length > 0;
  }

  /** Whether the open buffer is non-empty and its oldest item is at least `autoFlushInterval` old. */
  get overdue(): boolean {
    return (
      this.open.size > 0 &&
      this.#autoFlushInterval > 0 &&
      this.#clock.now() - this.#openedAt >= this.#autoFlushInterval
    );
  }

  /** Adds an item of `bytes` bytes to the open buffer; returns the buffer's new size. */
  append(item: T, entry: Entry, seq: number, bytes: number): number {
    const open = this.open;
    if (open.size === 0) {
      this.#openedAt = this.#clock.now();
      if (this.#autoFlushInterval > 0) {
        this.#timer = this.#clock.setTimer(this.#autoFlushInterval, this.#onTimer);
      }
    }
    open.push(item, entry, seq, bytes);
    return open.size;
  }

  /** Moves the open buffer to the waiting pages and starts a fresh one; cancels its timer. */
  seal(): void {
    this.#cancelTimer();
    this.waiting.push(this.open);
    this.open = this.#spare ?? new StreamPage<T, Entry>();
    this.#spare = undefined;
  }

  /** Takes the oldest waiting page as the batch in flight, with the next batch number; undefined if none. */
  startNext(): StreamPage<T, Entry> | undefined {
    const page = this.waiting.shift();
    this.inFlight = page;
    this.inFlightSent = false;
    if (page !== undefined) this.inFlightSeq++;
    return page;
  }

  /** The batch in flight finished; an applied one's page is kept for reuse as a later open buffer. */
  finishInFlight(recycle: boolean): void {
    const page = this.inFlight;
    this.inFlight = undefined;
    if (recycle && page !== undefined && this.#spare === undefined) {
      page.clear();
      this.#spare = page;
    }
  }

  /** The stream failed: moves the open buffer and the waiting pages (never sent) to `failed`. */
  discardUnsent(failed: FailedItems<T>): void {
    this.#cancelTimer();
    failed.addPage(this.open);
    this.open.clear();
    for (const page of this.waiting) {
      failed.addPage(page);
    }
    this.waiting.length = 0;
  }

  #cancelTimer(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }
}
