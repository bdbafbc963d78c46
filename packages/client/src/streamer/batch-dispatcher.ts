/**
 * The sending half of the streamer: one lane per partition, each with its open buffer, the pages sealed
 * behind it and at most one batch in flight. It decides when a buffer leaves (full, overdue, or the source
 * ended), keeps a partition's batches strictly one after another (which is what keeps per-key order), sends
 * them with retries and reports each applied batch (`onBatch`, receiver results). It does not pull the
 * source or decide how the stream ends: it tells the stream when a batch settled or failed.
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
 * nothing more is sent, batches in flight settle. `abandoned`: cancelled, outcomes in flight are ignored.
 */
type DispatchMode = 'filling' | 'draining' | 'stopped' | 'abandoned';

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

export class BatchDispatcher<T, Entry, Result> {
  readonly #deps: BatchDispatcherDeps<T, Entry, Result>;
  readonly #lanes: (PartitionLane<T, Entry> | undefined)[];
  #mode: DispatchMode = 'filling';
  #inFlight = 0;

  constructor(deps: BatchDispatcherDeps<T, Entry, Result>) {
    this.#deps = deps;
    this.#lanes = new Array<PartitionLane<T, Entry> | undefined>(deps.partitions).fill(undefined);
  }

  /** Batches in flight (at most one per partition). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Adds an item to its partition's open buffer; true when the buffer is now full (`seal` it then). */
  append(partition: number, item: T, entry: Entry, seq: number): boolean {
    const lane = this.#lanes[partition] ?? this.#openLane(partition);
    return lane.append(item, entry, seq) >= this.#deps.options.pageSize;
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
    if (this.#mode === 'stopped' || this.#mode === 'abandoned') {
      return;
    }
    this.#mode = 'stopped';
    for (const lane of this.#lanes) {
      lane?.discardUnsent(this.#deps.failed);
    }
  }

  /**
   * The stream was cancelled: batches in flight and not acknowledged are reported failed now (their outcome
   * is unknown) and whatever they do later is ignored.
   */
  abandon(): void {
    this.stop();
    this.#mode = 'abandoned';
    for (const lane of this.#lanes) {
      if (lane?.inFlight !== undefined && !lane.inFlightAcked) {
        this.#deps.failed.addPage(lane.inFlight);
      }
    }
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
      this.#inFlight++;
      void this.#send(lane, page);
    }
  }

  async #send(lane: PartitionLane<T, Entry>, page: StreamPage<T, Entry>): Promise<void> {
    const { sink, sender, stats, options, failed } = this.#deps;
    const startedAt = options.clock.now();
    const outcome = await sendBatch(sink, lane.partition, page.entries, sender);
    if (this.#isAbandoned()) {
      return;
    }
    if (!outcome.ok) {
      this.#inFlight--;
      failed.addPage(page);
      lane.finishInFlight(false);
      const context = `a batch of ${page.size} items for partition ${lane.partition} failed after ${outcome.attempts} attempt(s)`;
      this.#deps.fail(streamFailure(outcome.error, 'INTERNAL', context));
      this.#deps.settled();
      return;
    }
    const ack = outcome.ack;
    lane.inFlightAcked = true;
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
      const progress = options.onBatch?.(info);
      if (progress !== undefined) {
        await progress;
      }
    } catch (error) {
      this.#deps.fail(streamFailure(error, 'CALLBACK_FAILED', 'onBatch threw'));
    }
    if (this.#isAbandoned()) {
      return;
    }
    // Only now do the items free room and the partition's next batch leave: `onBatch` may slow the stream.
    this.#inFlight--;
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

  // A method, not an inline comparison: the mode changes under awaits TypeScript cannot see into.
  #isAbandoned(): boolean {
    return this.#mode === 'abandoned';
  }

  readonly #onOverdue = (lane: PartitionLane<T, Entry>): void => {
    // A busy lane is flushed when its batch finishes (`#send` checks the age then).
    if (this.#mode === 'filling' && !lane.busy && lane.open.size > 0) {
      this.#seal(lane);
    }
  };
}
