/**
 * The sending half of the streamer: one lane per partition, each with its open buffer, the pages sealed
 * behind it and at most one batch in flight. It decides when a buffer leaves (full by items or bytes,
 * overdue, or the source ended), keeps a partition's batches strictly one after another and numbered (which
 * is what keeps per-key order, with the node's fence), sends them with retries and reports each applied batch
 * (`onBatch`, receiver results). It does not pull the source or decide how the stream ends: it tells the
 * stream when a batch settled or failed. A batch that failed after an attempt left is kept as the lane's
 * `unsettled` batch: only the seal the stream sends before rejecting can tell whether it applied.
 *
 * Auto-flush is by age: a lane's open buffer is sealed once its OLDEST item is `autoFlushInterval` old, so a
 * steady trickle cannot starve it. Never while the lane has a batch in flight or waiting: the age is checked
 * again when that batch finishes.
 */
import { type BatchSenderContext, sendBatch } from './batch-sender.js';
import type { FailedItems } from './failed-items.js';
import { PartitionLane } from './partition-lane.js';
import { type StreamFailure, streamFailure } from './stream-failure.js';
import type { StreamPage } from './stream-page.js';
import type { ResolvedStreamerOptions } from './streamer-options.js';
import type { StreamerSink } from './streamer-sink.js';
import type { StreamerStats } from './streamer-stats.js';
import type { StreamerBatchInfo } from './streamer-summary.js';

/**
 * `filling`: the source is open. `draining`: it ended, every buffer is sealed. `stopped`: the stream failed,
 * nothing more is sent, batches in flight settle.
 */
type DispatchMode = 'filling' | 'draining' | 'stopped';

/** What the dispatcher works with; one per stream. */
export interface BatchDispatcherDeps<T, Entry, Result> {
  readonly partitions: number;
  readonly sink: StreamerSink<T, Entry, Result>;
  readonly options: ResolvedStreamerOptions;
  readonly sender: BatchSenderContext;
  readonly stats: StreamerStats;
  /** Where a failed batch's items go. */
  readonly failed: FailedItems<T>;
  readonly onResults: ((results: readonly Result[], info: StreamerBatchInfo) => void) | undefined;
  /** A batch failed for good, or reporting an applied one threw. */
  readonly fail: (failure: StreamFailure) => void;
  /** A batch finished (applied and reported, or failed): room may be free, the stream may be done. */
  readonly settled: () => void;
}

/** A batch whose outcome stayed unknown: the seal of its partition decides it. */
export interface UnsettledBatch<T, Entry> {
  readonly partition: number;
  readonly batchSeq: number;
  readonly page: StreamPage<T, Entry>;
}

export class BatchDispatcher<T, Entry, Result> {
  readonly #deps: BatchDispatcherDeps<T, Entry, Result>;
  readonly #lanes: (PartitionLane<T, Entry> | undefined)[];
  #mode: DispatchMode = 'filling';
  /** Batches whose outcome is not known yet (attempts, backoff). */
  #sending = 0;
  /** Batches acknowledged whose `onBatch` is still running. */
  #reporting = 0;

  constructor(deps: BatchDispatcherDeps<T, Entry, Result>) {
    this.#deps = deps;
    this.#lanes = new Array<PartitionLane<T, Entry> | undefined>(deps.partitions).fill(undefined);
  }

  /** Batches in flight (at most one per partition), acknowledged ones still reporting included. */
  get inFlight(): number {
    return this.#sending + this.#reporting;
  }

  /** Batches whose outcome is not known yet. */
  get sending(): number {
    return this.#sending;
  }

  /**
   * Adds an item of `bytes` bytes to its partition's open buffer (sealing the buffer first when the item
   * would take it past `pageBytes`); true when the buffer is now full (`seal` it then).
   */
  append(partition: number, item: T, entry: Entry, seq: number, bytes: number): boolean {
    const { pageSize, pageBytes } = this.#deps.options;
    const lane = this.#lanes[partition] ?? this.#openLane(partition);
    const open = lane.open;
    if (open.size > 0 && open.bytes + bytes > pageBytes) this.#seal(lane);
    return lane.append(item, entry, seq, bytes) >= pageSize || lane.open.bytes >= pageBytes;
  }

  /** Seals the partition's open buffer; it is sent as soon as the partition's previous batch finished. */
  seal(partition: number): void {
    const lane = this.#lanes[partition];
    if (lane !== undefined) {
      this.#seal(lane);
    }
  }

  /** The source ended: every non-empty buffer is sealed and sent in its turn. */
  drain(): void {
    this.#mode = 'draining';
    for (const lane of this.#lanes) {
      if (lane !== undefined && lane.open.size > 0) {
        this.#seal(lane);
      }
    }
  }

  /** The stream failed: nothing more is sent; buffers and waiting pages go to the failed items. */
  stop(): void {
    if (this.#mode === 'stopped') {
      return;
    }
    this.#mode = 'stopped';
    for (const lane of this.#lanes) {
      lane?.discardUnsent(this.#deps.failed);
    }
  }

  /** The batches whose outcome stayed unknown, one per partition at most (once nothing is in flight). */
  unsettled(): UnsettledBatch<T, Entry>[] {
    const out: UnsettledBatch<T, Entry>[] = [];
    for (const lane of this.#lanes) {
      const unsettled = lane?.unsettled;
      if (lane !== undefined && unsettled !== undefined) {
        out.push({ partition: lane.partition, batchSeq: unsettled.batchSeq, page: unsettled.page });
      }
    }
    return out;
  }

  #openLane(partition: number): PartitionLane<T, Entry> {
    const { clock, autoFlushInterval } = this.#deps.options;
    const lane = new PartitionLane<T, Entry>(partition, clock, autoFlushInterval, this.#onOverdue);
    this.#lanes[partition] = lane;
    this.#deps.stats.partitionsUsed++;
    return lane;
  }

  #seal(lane: PartitionLane<T, Entry>): void {
    lane.seal();
    if (lane.inFlight === undefined) {
      this.#sendNext(lane);
    }
  }

  #sendNext(lane: PartitionLane<T, Entry>): void {
    const page = lane.startNext();
    if (page !== undefined) {
      this.#sending++;
      void this.#send(lane, page);
    }
  }

  async #send(lane: PartitionLane<T, Entry>, page: StreamPage<T, Entry>): Promise<void> {
    const { sink, sender, stats, options, failed } = this.#deps;
    const startedAt = options.clock.now();
    const batchSeq = lane.inFlightSeq;
    const outcome = await sendBatch(
      sink,
      { partition: lane.partition, entries: page.entries, batchSeq },
      sender,
    );
    this.#sending--;
    if (!outcome.ok) {
      // Sent and unanswered: it may have applied; the seal decides. Never sent: certainly not applied.
      if (outcome.sent) lane.unsettled = { page, batchSeq };
      else failed.addPage(page);
      lane.finishInFlight(false);
      const context = `a batch of ${page.size} items for partition ${lane.partition} failed after ${outcome.attempts} attempt(s)`;
      this.#deps.fail(streamFailure(outcome.error, 'INTERNAL', context));
      this.#deps.settled();
      return;
    }
    this.#reporting++;
    const ack = outcome.ack;
    stats.applied(page.size, ack);
    const info: StreamerBatchInfo = {
      partition: lane.partition,
      items: page.size,
      // Copied once per batch: the page is cleared and reused once the lane finishes with it.
      indexes: page.seqs.slice(),
      attempt: outcome.attempt,
      node: ack.node,
      bytes: ack.bytes,
      latencyMs: options.clock.now() - startedAt,
      rerouted: ack.rerouted === true,
    };
    try {
      if (ack.results !== undefined) {
        this.#deps.onResults?.(ack.results, info);
      }
    } catch (error) {
      this.#deps.fail(streamFailure(error, 'CALLBACK_FAILED', 'a subscriber of the results threw'));
    }
    try {
      const progress = options.onBatch?.(info);
      if (progress !== undefined) {
        await progress;
      }
    } catch (error) {
      this.#deps.fail(streamFailure(error, 'CALLBACK_FAILED', 'onBatch threw'));
    }
    // Only now do the items free room and the partition's next batch leave: `onBatch` may slow the stream.
    this.#reporting--;
    stats.buffered -= page.size;
    lane.finishInFlight(true);
    if (this.#mode === 'filling' || this.#mode === 'draining') {
      if (lane.waiting.length > 0) {
        this.#sendNext(lane);
      } else if (this.#mode === 'filling' && lane.overdue) {
        this.#seal(lane);
      }
    }
    this.#deps.settled();
  }

  readonly #onOverdue = (lane: PartitionLane<T, Entry>): void => {
    // A busy lane is flushed when its batch finishes (`#send` checks the age then).
    if (this.#mode === 'filling' && !lane.busy && lane.open.size > 0) {
      this.#seal(lane);
    }
  };
}
