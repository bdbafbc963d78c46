/**
 * One partition's share of the stream: the open batch being filled, and the sealed batches flowing through
 * the partition's pipeline (`sendBatches`: at most `perPartitionParallelOperations` under way, in order). The
 * lane numbers its batches 1, 2, 3, ... as it seals them (`batchSeq`, the node's fence) and keeps every batch
 * it sealed and that has not settled, so a failing stream can account for each: never sent, or of unknown
 * outcome (then the stream seals the partition). Auto-flush: a request to the stream's `AutoFlushQueue` (one timer
 * for every lane, on the clock's scheduler), made at the open batch's first (oldest) item and withdrawn
 * when the batch is sealed. The pipeline is made at the lane's first seal, so a partition that only ever holds
 * an open batch costs that batch and no subscription.
 *
 * It holds no state of the stream's and decides nothing about it: the streamer seals, reads the lane's
 * batches when it fails, and is told each result.
 */
import type { Buggify } from '@datastreamer/protocol';
import { filter, type Observable, Subject, type Subscription, timer } from 'rxjs';
import type { AutoFlushQueue, FlushTarget } from './auto-flush-queue.js';
import { type BatchPipelineOptions, type BatchResult, sendBatches } from './batch-pipeline.js';
import { StreamBatch } from './stream-batch.js';
import type { BatchAck } from './streamer-sink.js';

/** What a lane needs from its stream. */
export interface LaneHost<T, Entry, Result> {
  /** The pipeline options, shared by every lane of the stream (`attempt` gets the lane's partition). */
  readonly pipeline: Omit<BatchPipelineOptions<StreamBatch<T, Entry>, BatchAck<Result>>, 'attempt'>;
  /** One attempt of one batch of `partition` (see `BatchPipelineOptions.attempt`). */
  attempt(partition: number, batch: StreamBatch<T, Entry>, attempt: number): Observable<BatchAck<Result>>;
  /** A batch settled (acknowledged and reported, failed for good, or skipped). */
  settled(
    lane: PartitionLane<T, Entry, Result>,
    result: BatchResult<StreamBatch<T, Entry>, BatchAck<Result>>,
  ): void;
  /** The open batch's oldest item reached `autoFlushInterval` (ms; <= 0: never). */
  overdue(lane: PartitionLane<T, Entry, Result>): void;
  readonly autoFlushInterval: number;
  readonly clockNow: () => number;
  /** Fault points: `streamer.auto-flush-now` arms the auto-flush timer at 0 ms. */
  readonly buggify: Buggify;
  /** The stream's auto-flush timer, shared by its lanes. */
  readonly autoFlush: AutoFlushQueue;
}

export class PartitionLane<T, Entry, Result> implements FlushTarget {
  readonly partition: number;
  /** The batch being filled. */
  open: StreamBatch<T, Entry>;
  /** Sealed batches that have not settled, oldest first (sealed, sending, or acknowledged and reporting). */
  readonly unsettled: StreamBatch<T, Entry>[] = [];
  readonly #host: LaneHost<T, Entry, Result>;
  /** Where sealed batches enter the lane's pipeline (made at the first seal). */
  #sealed: Subject<StreamBatch<T, Entry>> | undefined;
  #subscription: Subscription | undefined;
  /**
   * Emits when a batch of the lane is acknowledged or settles: a batch waiting for its turn looks again. Made
   * when a batch first waits for its turn.
   */
  #acked$: Subject<void> | undefined;
  #nextSeq = 1;
  /**
   * The highest batch number of the lane acknowledged so far (0: none). A node applies a partition's batches
   * in their order, so every batch below it applied, whatever became of its own answer.
   */
  ackedUpTo = 0;
  /** Clock time of the open batch's first (oldest) item. */
  #openedAt = 0;
  /** The auto-flush timer of the `auto-flush-now` fault point (otherwise the stream's queue times it). */
  #flush: Subscription | undefined;
  /** The open batch's auto-flush request in the stream's queue: its token, and whether it is live. */
  #flushToken = 0;
  #flushQueued = false;
  /** An acknowledged batch, cleared, kept for reuse as a later open batch. */
  #spare: StreamBatch<T, Entry> | undefined;

  constructor(partition: number, host: LaneHost<T, Entry, Result>) {
    this.partition = partition;
    this.open = new StreamBatch<T, Entry>(partition);
    this.#host = host;
  }

  /**
   * The lane's pipeline, made at its first seal: a partition that never fills or flushes a batch costs its open
   * batch only (a wide table's idle partitions), not a subscription.
   */
  #pipeline(): Subject<StreamBatch<T, Entry>> {
    if (this.#sealed !== undefined) return this.#sealed;
    const host = this.#host;
    const partition = this.partition;
    const sealed = new Subject<StreamBatch<T, Entry>>();
    this.#sealed = sealed;
    this.#subscription = sealed
      .pipe(
        sendBatches<StreamBatch<T, Entry>, BatchAck<Result>>({
          ...host.pipeline,
          attempt: (batch, attempt) => host.attempt(partition, batch, attempt),
          onStart: (batch) => {
            batch.state = 'sending';
            batch.startedAt = host.clockNow();
          },
          hold: (result) => {
            result.batch.state = 'acked';
            if (result.batch.batchSeq > this.ackedUpTo) this.ackedUpTo = result.batch.batchSeq;
            this.#acked$?.next();
            return host.pipeline.hold?.(result);
          },
          turn: (batch) => (this.#inTurn(batch) ? undefined : this.#turnOf(batch)),
        }),
      )
      .subscribe((result) => {
        const batch = result.batch;
        if (result.kind !== 'acked') batch.state = 'failed';
        const index = this.unsettled.indexOf(batch);
        if (index >= 0) this.unsettled.splice(index, 1);
        this.#acked$?.next();
        host.settled(this, result);
        if (result.kind === 'acked' && this.#spare === undefined) {
          // The streamer is done with an acknowledged batch once it settled: reuse it.
          batch.clear();
          this.#spare = batch;
        }
      });
    return sealed;
  }

  /** Emits once every batch before `batch` is acknowledged (the Subject is made at the first such wait). */
  #turnOf(batch: StreamBatch<T, Entry>): Observable<void> {
    this.#acked$ ??= new Subject<void>();
    return this.#acked$.pipe(filter(() => this.#inTurn(batch)));
  }

  /** Whether a sealed batch has not settled yet: then an overdue open batch waits (its age is checked later). */
  get busy(): boolean {
    return this.unsettled.length > 0;
  }

  /** Whether the open batch is non-empty and its oldest item is at least `autoFlushInterval` old. */
  get overdue(): boolean {
    const interval = this.#host.autoFlushInterval;
    return this.open.size > 0 && interval > 0 && this.#host.clockNow() - this.#openedAt >= interval;
  }

  /** Adds an item of `bytes` bytes to the open batch; returns the batch's new size. */
  append(item: T, entry: Entry, seq: number, bytes: number): number {
    const open = this.open;
    if (open.size === 0) {
      this.#openedAt = this.#host.clockNow();
      const interval = this.#host.autoFlushInterval;
      if (interval > 0 && this.#host.buggify('streamer.auto-flush-now')) {
        this.#flush = timer(0, this.#host.pipeline.scheduler).subscribe(() => {
          this.#flush = undefined;
          this.#host.overdue(this);
        });
      } else if (interval > 0) {
        this.#flushQueued = true;
        this.#host.autoFlush.add(this, ++this.#flushToken, this.#openedAt + interval);
      }
    }
    open.push(item, entry, seq, bytes);
    return open.size;
  }

  /** Seals the open batch (numbering it) and hands it to the pipeline; a fresh open batch starts. */
  seal(): void {
    const batch = this.open;
    if (batch.size === 0) return;
    this.#cancelFlush();
    batch.batchSeq = this.#nextSeq++;
    batch.state = 'sealed';
    this.unsettled.push(batch);
    this.open = this.#spare ?? new StreamBatch<T, Entry>(this.partition);
    this.#spare = undefined;
    this.#pipeline().next(batch);
  }

  /** Stops the lane for good: no timer, and (when `cancel`) the batches under way are abandoned at once. */
  close(cancel: boolean): void {
    this.#cancelFlush();
    this.#sealed?.complete();
    if (cancel) this.#subscription?.unsubscribe();
  }

  /** Whether every batch sealed before `batch` and not settled is acknowledged (the node may apply it now). */
  #inTurn(batch: StreamBatch<T, Entry>): boolean {
    for (const earlier of this.unsettled) {
      if (earlier === batch) return true;
      if (earlier.state !== 'acked') return false;
    }
    return true;
  }

  /** @internal The stream's auto-flush queue: the request `token` fell due; whether it is still live. */
  takeFlush(token: number): boolean {
    if (!this.#flushQueued || token !== this.#flushToken) return false;
    this.#flushQueued = false;
    return true;
  }

  /** @internal The stream's auto-flush queue: the open batch's oldest item is `autoFlushInterval` old. */
  flush(): void {
    this.#host.overdue(this);
  }

  #cancelFlush(): void {
    this.#flush?.unsubscribe();
    this.#flush = undefined;
    if (!this.#flushQueued) return;
    this.#flushQueued = false;
    this.#host.autoFlush.cancel();
  }
}
