/**
 * The data streamer core: one run over one source. It owns the lifecycle (open, stream, drain, fail,
 * cancel), the pull loop with its bound, and the accounting of what was not applied. The sending half
 * (per-partition buffers, ordering, flush policy, retries, reporting) is the {@link BatchDispatcher}; the
 * meaning of items (schemas, encoding, partitioning, the wire) is the {@link StreamerSink}'s.
 *
 * Backpressure. The pull loop asks the source for at most `bound - buffered` items, where `buffered` counts
 * items taken from the source and not yet acknowledged, and `bound = partitions * pageSize *
 * perPartitionParallelOperations`: the source is never pulled past the bound. It cannot deadlock: while
 * every buffer is below `pageSize`, `buffered < partitions * pageSize <= bound`, so the loop pulls until
 * some buffer fills and is sent.
 *
 * Failure (an item refused by `prepare`, an item over `pageBytes`, a source error, a batch failing for good,
 * a throwing `onBatch`, cancellation): the first error wins. The source is cancelled, no further batch or
 * retry starts, and the stream waits for the batches in flight to settle (one that succeeds is applied, and
 * reported; on cancellation their requests are abandoned at once) and for a source read in progress to
 * return (an async source may be producing an item for it; it is waited for at most one request timeout).
 * Then it seals its epoch at every partition where a batch's outcome is unknown (an attempt left and no
 * answer came): the sink's seal answers what the partition applied and no more of this run applies there.
 * It then rejects with a `DataStreamerError` whose `failedItems` are every taken item not known to be applied,
 * in source order (the failed batch unless its seal said it applied, the pages behind it, every open buffer,
 * what the loop had read, what a push source still held), and whose `inDoubtItems` are those of batches whose
 * partition could not be sealed.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from '@datastreamer/protocol';
import { ClientError } from '../errors/client-error.js';
import type { DataStreamerError } from '../errors/data-streamer-error.js';
import { BatchDispatcher, type UnsettledBatch } from './batch-dispatcher.js';
import type { BatchSenderContext } from './batch-sender.js';
import { FailedItems } from './failed-items.js';
import { nextRunId } from './producer-id.js';
import { openSink } from './sink-opener.js';
import { openSourceReader, type StreamerSource } from './sources/open-source-reader.js';
import type { SourceReader } from './sources/source-reader.js';
import { dataStreamerError, type StreamFailure, streamFailure } from './stream-failure.js';
import {
  type DataStreamerOptions,
  type ResolvedStreamerOptions,
  resolveStreamerOptions,
} from './streamer-options.js';
import type { PreparedItem, StreamerSink } from './streamer-sink.js';
import { StreamerStats } from './streamer-stats.js';
import type { DataStreamerSummary, StreamerBatchInfo, StreamerGauge } from './streamer-summary.js';
import { DEFAULT_SETTLE_TIMEOUT_MS } from './streamer-timeouts.js';

/** What the core needs besides the options; receiver mode uses it to route results. */
export interface DataStreamerHooks<Result> {
  /**
   * Called with each acknowledged batch's results (if any), at its acknowledgement: one batch's results
   * together and in order, batches of one partition in the order they were sent.
   */
  readonly onResults?: (results: readonly Result[], info: StreamerBatchInfo) => void;
}

/**
 * Where a run is. `draining`: the source ended, the last batches are being sent. `failing`: an error ended
 * the stream and batches in flight are settling.
 */
type RunState = 'idle' | 'opening' | 'streaming' | 'draining' | 'failing' | 'ended';

/**
 * One run of the streamer over one source; see the module header. Construct, then `run()`.
 *
 * @typeParam T source items; `Entry` the sink's per-item form; `Result` receiver results.
 */
export class DataStreamer<T, Entry, Result = never> {
  readonly #sink: StreamerSink<T, Entry, Result>;
  readonly #options: ResolvedStreamerOptions;
  readonly #hooks: DataStreamerHooks<Result>;
  readonly #logger: Logger;
  readonly #reader: SourceReader<T>;
  readonly #stats = new StreamerStats();
  readonly #failed = new FailedItems<T>();
  /** Aborted when the stream stops for any reason: ends backoff waits. */
  readonly #stop = new AbortController();
  /** Aborted when the caller cancels: given to the sink. */
  readonly #cancel = new AbortController();
  /** The pull loop's read buffer: `#page[#pageTaken ...]` were read but not yet handed to a lane. */
  readonly #page: T[] = [];
  #pageTaken = 0;
  /** Whether a source read is in progress: a failing stream settles only once it returned. */
  #reading = false;
  readonly #slot: PreparedItem<Entry> = { partition: -1, entry: undefined, bytes: 0 };
  #resolve: (summary: DataStreamerSummary) => void = () => {};
  #reject: (error: DataStreamerError<T>) => void = () => {};
  readonly #done = new Promise<DataStreamerSummary>((resolve, reject) => {
    this.#resolve = resolve;
    this.#reject = reject;
  });

  #state: RunState = 'idle';
  /** A failure (cancellation, a push source failing) that came before `run()`: the run ends with it. */
  #pendingFailure: StreamFailure | undefined;
  #failure: StreamFailure | undefined;
  #dispatcher: BatchDispatcher<T, Entry, Result> | undefined;
  #roomWaiter: (() => void) | undefined;
  /** The next item's position in the source. */
  #nextSeq = 0;
  #startedAt = 0;
  /** The run's epoch, once the sink registered the producer. */
  #epoch: number | undefined;
  /** How long a failing stream waits for a read in progress (the sink's request timeout). */
  #settleTimeoutMs = DEFAULT_SETTLE_TIMEOUT_MS;
  /** A failing stream stopped waiting for the read in progress (it took longer than `#settleTimeoutMs`). */
  #readGivenUp = false;
  /** The seals of a failing stream started (they run once). */
  #sealing = false;

  /**
   * @param options see {@link DataStreamerOptions}; validated here, before anything is pulled or sent.
   * @throws InvalidOptionError naming the bad option, or `source` when it is not a supported input kind.
   */
  constructor(
    sink: StreamerSink<T, Entry, Result>,
    source: StreamerSource<T>,
    options: DataStreamerOptions = {},
    hooks: DataStreamerHooks<Result> = {},
  ) {
    this.#options = resolveStreamerOptions(options);
    this.#sink = sink;
    this.#hooks = hooks;
    this.#logger = this.#options.logger.child({ component: 'data-streamer' });
    this.#reader = openSourceReader(source, this.#options.maxBufferedItems, { fail: this.#onSourceFailure });
    // Every request and backoff wait in flight listens on these two signals (one batch per partition at a
    // time, plus retries): far more than Node's default of 10 listeners before it warns of a leak.
    setMaxListeners(0, this.#stop.signal, this.#cancel.signal);
  }

  /** Items held now and at most so far, and the bound (see the module header). */
  get gauge(): StreamerGauge {
    return this.#stats.gauge();
  }

  /**
   * Runs the stream (the first call starts it; later calls return the same promise). Resolves with the
   * summary once every item is applied.
   *
   * Rejects with a `DataStreamerError` carrying the items not applied, in source order; its code is the
   * failing error's (`CANCELLED` on cancellation).
   */
  run(): Promise<DataStreamerSummary> {
    if (this.#state === 'idle') {
      this.#state = 'opening';
      void this.#start();
    }
    return this.#done;
  }

  /**
   * Cancels the stream, as the `signal` option aborting does: requests in flight are abandoned, partitions
   * with batches of unknown outcome are sealed, and `run()` rejects with code `CANCELLED` (or with the earlier
   * error if the stream was already failing). Does nothing once the stream ended.
   */
  abort(reason: unknown = new ClientError('CANCELLED', 'the data stream was cancelled')): void {
    const failure: StreamFailure = { cause: reason, code: 'CANCELLED', context: 'cancelled' };
    if (this.#state === 'idle') {
      this.#pendingFailure ??= failure;
      return;
    }
    if (this.#isEnded()) {
      return;
    }
    this.#cancel.abort(reason);
    this.#fail(failure);
  }

  async #start(): Promise<void> {
    const signal = this.#options.signal;
    if (this.#pendingFailure !== undefined) {
      this.#fail(this.#pendingFailure);
      return;
    }
    if (signal?.aborted === true) {
      this.abort(signal.reason);
      return;
    }
    signal?.addEventListener('abort', this.#onSignalAbort, { once: true });
    this.#startedAt = this.#options.clock.now();
    let partitions: number;
    try {
      const producer = { producerId: this.#options.producerId, runId: nextRunId(this.#options.rng) };
      const topology = await openSink(this.#sink, producer, this.#senderContext());
      partitions = topology.partitions;
      if (!Number.isSafeInteger(partitions) || partitions <= 0) {
        throw new ClientError(
          'INTERNAL',
          `the sink reported ${partitions} partitions; expected an integer > 0`,
        );
      }
      if (!Number.isSafeInteger(topology.epoch) || topology.epoch < 1) {
        throw new ClientError(
          'INTERNAL',
          `the sink reported epoch ${topology.epoch}; expected an integer >= 1`,
        );
      }
      this.#epoch = topology.epoch;
      this.#settleTimeoutMs = topology.requestTimeoutMs ?? DEFAULT_SETTLE_TIMEOUT_MS;
    } catch (error) {
      this.#fail(streamFailure(error, 'INTERNAL', 'opening the stream failed'));
      return;
    }
    if (this.#state !== 'opening') {
      return; // Cancelled while opening.
    }
    const { pageSize, perPartitionParallelOperations } = this.#options;
    this.#stats.partitions = partitions;
    this.#stats.bound = Math.min(
      partitions * pageSize * perPartitionParallelOperations,
      Number.MAX_SAFE_INTEGER,
    );
    const dispatcher = new BatchDispatcher<T, Entry, Result>({
      partitions,
      sink: this.#sink,
      options: this.#options,
      sender: this.#senderContext(),
      stats: this.#stats,
      failed: this.#failed,
      onResults: this.#hooks.onResults,
      fail: (failure) => this.#fail(failure),
      settled: this.#onBatchSettled,
    });
    this.#dispatcher = dispatcher;
    this.#state = 'streaming';
    await this.#pump(dispatcher);
  }

  #senderContext(): BatchSenderContext {
    const { clock, rng, retryLimit, retryBackoff } = this.#options;
    return {
      clock,
      rng,
      logger: this.#logger,
      retryLimit,
      backoff: retryBackoff,
      sendSignal: this.#cancel.signal,
      stopSignal: this.#stop.signal,
      onRetry: () => {
        this.#stats.retries++;
      },
    };
  }

  /** The pull loop: reads as much as there is room for, hands it to lanes, waits for room, repeats. */
  async #pump(dispatcher: BatchDispatcher<T, Entry, Result>): Promise<void> {
    while (this.#state === 'streaming') {
      const room = this.#stats.bound - this.#stats.buffered;
      if (room <= 0) {
        await new Promise<void>((resolve) => {
          this.#roomWaiter = resolve;
        });
        continue;
      }
      let count: number;
      this.#reading = true;
      try {
        const read = this.#reader.read(this.#page, room);
        count = typeof read === 'number' ? read : await read;
      } catch (error) {
        this.#reading = false;
        this.#fail(streamFailure(error, 'SOURCE_FAILED', 'the source failed'));
        this.#onBatchSettled();
        return;
      }
      this.#reading = false;
      if (this.#isStopped()) {
        // The stream failed during the read: what it delivered was taken, and is reported.
        this.#takeUnsentPage();
        this.#onBatchSettled();
        return;
      }
      if (count === 0) {
        this.#state = 'draining';
        dispatcher.drain();
        this.#onBatchSettled();
        return;
      }
      this.#acceptPage(dispatcher);
    }
  }

  /**
   * Hands the items just read to their lanes; an item that `prepare` refuses, or that is larger than a batch
   * may be, fails the stream.
   */
  #acceptPage(dispatcher: BatchDispatcher<T, Entry, Result>): void {
    const page = this.#page;
    const slot = this.#slot;
    const partitions = this.#stats.partitions;
    const pageBytes = this.#options.pageBytes;
    try {
      while (this.#pageTaken < page.length && this.#state === 'streaming') {
        const item = page[this.#pageTaken] as T;
        this.#sink.prepare(item, slot);
        const partition = slot.partition;
        if (!(Number.isInteger(partition) && partition >= 0 && partition < partitions)) {
          throw new ClientError(
            'INTERNAL',
            `the sink put an item in partition ${partition} of ${partitions}`,
          );
        }
        if (slot.bytes > pageBytes) {
          throw new ClientError(
            'ROW_TOO_LARGE',
            `item ${this.#nextSeq} of the source (its position, from 0) takes ${slot.bytes} bytes in a batch, ` +
              `more than pageBytes (${pageBytes}): it can never be sent`,
          );
        }
        const full = dispatcher.append(partition, item, slot.entry as Entry, this.#nextSeq++, slot.bytes);
        slot.entry = undefined;
        // Counted as taken before sealing: whatever sending sets off, the item is now the lane's.
        this.#pageTaken++;
        this.#stats.take();
        if (full) {
          dispatcher.seal(partition);
        }
      }
    } catch (error) {
      // The refused item is `page[#pageTaken]`: `#fail` reports it first, then the rest of the page.
      this.#fail(streamFailure(error, 'INVALID_ROW', 'an item was refused'));
    }
    page.length = 0;
    this.#pageTaken = 0;
  }

  /**
   * Ends the stream with `failure` unless it already stopped (the first error wins): stops retries, cancels
   * the source, and moves everything taken and not in flight to the failed items. Settles at once when
   * nothing is in flight; otherwise the last batch to settle does.
   */
  #fail(failure: StreamFailure): void {
    if (this.#isStopped()) {
      this.#logger.debug(
        { err: failure.cause, context: failure.context },
        'further error after the stream stopped',
      );
      return;
    }
    this.#state = 'failing';
    this.#failure = failure;
    this.#stop.abort(failure.cause);
    // Sequence numbers continue after every item already in a lane, in source order: first what the loop
    // read and had not handed over, then what a push source still held (it came later).
    this.#takeUnsentPage();
    for (const item of this.#reader.cancel(failure.cause)) {
      this.#failed.add(item, this.#nextSeq++);
    }
    this.#dispatcher?.stop();
    this.#logger.warn({ code: failure.code, context: failure.context }, 'data stream failing');
    if (this.#reading) {
      // An async source may never deliver: wait for the read in progress at most one request timeout.
      this.#options.clock.setTimer(this.#settleTimeoutMs, () => {
        if (!this.#reading) return;
        this.#readGivenUp = true;
        this.#logger.warn(
          { waitedMs: this.#settleTimeoutMs },
          'a source read was still in progress when the failing stream ended; an item it delivers later is not reported',
        );
        this.#onBatchSettled();
      });
    }
    this.#wakePump();
    this.#onBatchSettled();
  }

  /** Moves what the loop read and did not hand to a lane to the failed items (or logs it, if too late). */
  #takeUnsentPage(): void {
    const page = this.#page;
    const late = page.length - this.#pageTaken;
    if ((this.#isEnded() || this.#sealing) && late > 0) {
      this.#logger.error(
        { items: late },
        'the source delivered items after the failing stream stopped waiting for it; they are not reported',
      );
    } else {
      for (let i = this.#pageTaken; i < page.length; i++) {
        this.#failed.add(page[i] as T, this.#nextSeq++);
      }
    }
    page.length = 0;
    this.#pageTaken = 0;
  }

  /**
   * Seals every partition with a batch of unknown outcome, then ends the failing stream: a batch its seal
   * says applied is not reported, one it says did not is failed, one whose seal failed is failed and in doubt.
   */
  async #sealThenFinish(): Promise<void> {
    this.#sealing = true;
    const unsettled = this.#dispatcher?.unsettled() ?? [];
    await Promise.all(unsettled.map((batch) => this.#settle(batch)));
    this.#finish();
  }

  async #settle(batch: UnsettledBatch<T, Entry>): Promise<void> {
    let appliedSeq: number;
    try {
      appliedSeq = await this.#sink.seal(batch.partition);
    } catch (error) {
      this.#logger.warn(
        { partition: batch.partition, batchSeq: batch.batchSeq, items: batch.page.size, err: error },
        'the partition could not be sealed: the batch is in doubt',
      );
      this.#failed.addPage(batch.page, true);
      return;
    }
    if (appliedSeq >= batch.batchSeq) {
      // It applied; only its answer was lost. Its items are not failed.
      this.#stats.buffered -= batch.page.size;
    } else {
      this.#failed.addPage(batch.page);
    }
  }

  #finish(): void {
    if (this.#isEnded()) {
      return;
    }
    this.#state = 'ended';
    this.#options.signal?.removeEventListener('abort', this.#onSignalAbort);
    const failure = this.#failure;
    const producerId = this.#options.producerId;
    if (failure === undefined) {
      const durationMs = this.#options.clock.now() - this.#startedAt;
      this.#resolve(this.#stats.summary(durationMs, producerId, this.#epoch as number));
    } else {
      this.#reject(
        dataStreamerError(failure, this.#failed.inSourceOrder(), { producerId, epoch: this.#epoch }),
      );
    }
  }

  #wakePump(): void {
    const waiter = this.#roomWaiter;
    this.#roomWaiter = undefined;
    waiter?.();
  }

  // Methods rather than inline comparisons: the state changes under calls TypeScript cannot see into.
  #isEnded(): boolean {
    return this.#state === 'ended';
  }

  #isStopped(): boolean {
    return this.#state === 'failing' || this.#state === 'ended';
  }

  /** A batch or a read settled (or the stream failed): free room, or end when nothing is pending. */
  readonly #onBatchSettled = (): void => {
    switch (this.#state) {
      case 'streaming':
        this.#wakePump();
        return;
      case 'draining':
        if (this.#stats.buffered === 0) {
          this.#finish();
        }
        return;
      case 'failing': {
        if (this.#sealing) return;
        const dispatcher = this.#dispatcher;
        // A cancelled stream does not wait for `onBatch` of batches already acknowledged (they applied).
        const pending = this.#cancel.signal.aborted ? dispatcher?.sending : dispatcher?.inFlight;
        if ((pending ?? 0) === 0 && (!this.#reading || this.#readGivenUp)) {
          void this.#sealThenFinish();
        }
        return;
      }
      default:
        return;
    }
  };

  readonly #onSourceFailure = (error: unknown): void => {
    const failure = streamFailure(error, 'SOURCE_FAILED', 'the source failed');
    if (this.#state === 'idle') {
      this.#pendingFailure ??= failure;
    } else {
      this.#fail(failure);
    }
  };

  readonly #onSignalAbort = (): void => {
    this.abort(this.#options.signal?.reason);
  };
}
