/**
 * The data streamer core: one run over one source, and the one owner of the run's state. It opens the sink
 * (schema, partitions, the producer's epoch), pulls the source on demand (source-pump.ts), puts each item in
 * its partition's lane (partition-lane.ts), whose sealed batches flow through an RxJS pipeline that sends,
 * times out and retries them (batch-pipeline.ts), and accounts for every item taken until the run ends.
 *
 * The run's states, and the only transitions (see `TRANSITIONS`):
 *   idle -> opening -> streaming -> draining -> ended (every item applied: the summary)
 *   opening | streaming | draining -> failing -> sealing -> ended (the `DataStreamerError`)
 *
 * Backpressure. `buffered` counts items taken from the source and not yet acknowledged; the pump reads only
 * while `buffered < bound`, with `bound = partitions * pageSize * perPartitionParallelOperations`. It cannot
 * deadlock: while every open batch is below `pageSize`, `buffered < partitions * pageSize <= bound`, so the pump
 * reads until some batch fills and is sealed. A batch leaves when full (`pageSize` items or `pageBytes`
 * bytes), when its oldest item is `autoFlushInterval` old (and a slot of its partition is free), or when the
 * source ends; at most `perPartitionParallelOperations` batches of a partition are under way at once.
 *
 * Failure (an item refused by `prepare`, an item over `pageBytes`, a source error, a batch failing for good,
 * a throwing `onBatch` or result subscriber, cancellation): the first error wins. The run goes `failing`: no
 * further batch starts and no retry, the source is cancelled, and the run waits for the batches under way to
 * settle (one that succeeds is applied, and reported; on cancellation they are abandoned at once) and for a
 * read in progress to return (at most one request timeout). Then `sealing`: the partitions with batches of
 * unknown outcome are sealed (unknown-outcomes.ts). It then rejects with a `DataStreamerError` whose
 * `failedItems` are every taken item not known to be applied, in source order, and whose `inDoubtItems` are
 * those of partitions that could not be sealed.
 *
 * Resuming (with the sink's `inDoubt` ledger): a failing run records the batches it left in doubt. A later run
 * of the same producer, once its own epoch is registered and before it takes anything, seals each such
 * partition for the old epoch (nothing more of that run applies there after it) and learns the highest batch
 * of it that applied; a resent item of a batch up to that one is dropped as it is taken (it applied once, and
 * writing it again would take its key back behind what applied after it), counted among the items applied.
 * When such a seal cannot be made, the run fails to open.
 */
import { type Buggify, type Logger, neverBuggify } from '@datastreamer/protocol';
import { defer, firstValueFrom, Observable, ReplaySubject } from 'rxjs';
import { ClientError } from '../errors/client-error.js';
import type { DataStreamerError } from '../errors/data-streamer-error.js';
import { clockScheduler } from '../runtime/clock-scheduler.js';
import { AutoFlushQueue } from './auto-flush-queue.js';
import type { BatchResult } from './batch-pipeline.js';
import { FailedItems } from './failed-items.js';
import type { InDoubtOrigin } from './in-doubt-ledger.js';
import { type EarlierApplies, earlierRunInfo, resolveInDoubt } from './in-doubt-resume.js';
import { type LaneHost, PartitionLane } from './partition-lane.js';
import { nextRunId } from './producer-id.js';
import { errorCodeOf, type RetryPolicy, retryWithBackoff } from './retry-policy.js';
import { SourcePump } from './source-pump.js';
import { openSourceReader, type StreamerSource } from './sources/open-source-reader.js';
import type { SourceReader } from './sources/source-reader.js';
import type { StreamBatch } from './stream-batch.js';
import { dataStreamerError, type StreamFailure, streamFailure } from './stream-failure.js';
import {
  type DataStreamerOptions,
  type ResolvedStreamerOptions,
  resolveStreamerOptions,
} from './streamer-options.js';
import type { BatchAck, PreparedItem, StreamerSink, StreamerTopology } from './streamer-sink.js';
import { StreamerStats } from './streamer-stats.js';
import type { DataStreamerSummary, StreamerBatchInfo, StreamerGauge } from './streamer-summary.js';
import { DEFAULT_SETTLE_TIMEOUT_MS } from './streamer-timeouts.js';
import { UnknownOutcomes } from './unknown-outcomes.js';

/** What the core needs besides the options; receiver mode uses it to route results. */
export interface DataStreamerHooks<Result> {
  /**
   * Called with each acknowledged batch's results (if any), at its acknowledgement: one batch's results
   * together and in order, batches of one partition in the order they were acknowledged. A throw fails the
   * stream (`CALLBACK_FAILED`).
   */
  readonly onResults?: (results: readonly Result[], info: StreamerBatchInfo) => void;
}

/** Where a run is (see the module header). */
type RunState = 'idle' | 'opening' | 'streaming' | 'draining' | 'failing' | 'sealing' | 'ended';

/** The states each state may go to. */
const TRANSITIONS: { readonly [S in RunState]: readonly RunState[] } = {
  idle: ['opening', 'failing'],
  opening: ['streaming', 'failing'],
  streaming: ['draining', 'failing'],
  draining: ['ended', 'failing'],
  failing: ['sealing'],
  sealing: ['ended'],
  ended: [],
};

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
  readonly #pump: SourcePump<T>;
  readonly #stats = new StreamerStats();
  readonly #failed = new FailedItems<T>();
  readonly #unknown = new UnknownOutcomes<T, Entry>();
  /** Emits once when the run stops for any reason: retries and backoff waits end. */
  readonly #stop$ = new ReplaySubject<void>(1);
  /** Aborted when the caller cancels: given to the sink while it opens. */
  readonly #cancel = new AbortController();
  readonly #slot: PreparedItem<Entry> = { partition: -1, entry: undefined, bytes: 0 };
  #lanes: (PartitionLane<T, Entry, Result> | undefined)[] = [];
  #laneHost: LaneHost<T, Entry, Result> | undefined;
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
  /** The next item's position in the source. */
  #nextSeq = 0;
  #startedAt = 0;
  /** The run's epoch, once the sink registered the producer. */
  #epoch: number | undefined;
  /** The sink's fault points (set when the stream opens). */
  #buggify: Buggify = neverBuggify;
  /** How long a failing run waits for a read in progress (the sink's request timeout). */
  #settleTimeoutMs = DEFAULT_SETTLE_TIMEOUT_MS;
  /** A failing run stopped waiting for the read in progress. */
  #readGivenUp = false;
  /** Resuming: what earlier runs of the producer left in doubt and turned out applied (none: undefined). */
  #earlier: EarlierApplies<T> | undefined;

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
    this.#pump = new SourcePump<T>(this.#reader, {
      room: () => this.#stats.bound - this.#stats.buffered,
      running: () => this.#state === 'streaming',
      accept: (page) => this.#acceptPage(page),
      ended: () => this.#drain(),
      failed: (error, page) => this.#fail(streamFailure(error, 'SOURCE_FAILED', 'the source failed'), page),
      lateRead: (page) => this.#takeLate(page),
      later: (resume) => {
        this.#options.clock.setTimer(0, resume);
      },
    });
  }

  /** Items held now and at most so far, and the bound (see the module header). */
  get gauge(): StreamerGauge {
    return this.#stats.gauge();
  }

  /**
   * Runs the stream (the first call starts it; later calls return the same promise). Resolves with the
   * summary once every item is applied.
   *
   * Rejects with a `DataStreamerError` carrying the items not known to be applied, in source order; its code
   * is the failing error's (`CANCELLED` on cancellation).
   */
  run(): Promise<DataStreamerSummary> {
    if (this.#state === 'idle') {
      this.#go('opening');
      void this.#open();
    }
    return this.#done;
  }

  /**
   * Cancels the stream, as the `signal` option aborting does: batches under way are abandoned, partitions
   * with batches of unknown outcome are sealed, and `run()` rejects with code `CANCELLED` (or with the earlier
   * error if the stream was already failing). Does nothing once the stream ended.
   */
  abort(reason: unknown = new ClientError('CANCELLED', 'the data stream was cancelled')): void {
    const failure: StreamFailure = { cause: reason, code: 'CANCELLED', context: 'cancelled' };
    if (this.#state === 'idle') {
      this.#pendingFailure ??= failure;
      return;
    }
    if (this.#state === 'ended' || this.#state === 'sealing') return;
    this.#cancel.abort(reason);
    this.#fail(failure);
  }

  #go(next: RunState): void {
    if (!TRANSITIONS[this.#state].includes(next)) {
      throw new ClientError('INTERNAL', `data stream: no transition from ${this.#state} to ${next}`);
    }
    this.#state = next;
  }

  // ---------------------------------------------------------------------------------------------- opening

  async #open(): Promise<void> {
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
    const scheduler = clockScheduler(this.#options.clock);
    let topology: StreamerTopology;
    try {
      const opening = {
        signal: this.#cancel.signal,
        producerId: this.#options.producerId,
        runId: nextRunId(this.#options.rng),
      };
      topology = await firstValueFrom(
        defer(() => this.#sink.open(opening)).pipe(retryWithBackoff(this.#retryPolicy(scheduler, false))),
      );
      checkTopology(topology);
    } catch (error) {
      this.#fail(streamFailure(error, 'INTERNAL', 'opening the stream failed'));
      return;
    }
    if (this.#state !== 'opening') return; // Cancelled while opening.
    this.#epoch = topology.epoch;
    try {
      this.#earlier = await resolveInDoubt(this.#sink, {
        producerId: this.#options.producerId,
        epoch: topology.epoch,
        retry: retryWithBackoff(this.#retryPolicy(scheduler, false)),
        logger: this.#logger,
      });
    } catch (error) {
      this.#fail(streamFailure(error, 'INTERNAL', 'resolving the items an earlier run left in doubt failed'));
      return;
    }
    if (this.#state !== 'opening') return; // Cancelled while resolving.
    this.#buggify = topology.buggify ?? neverBuggify;
    this.#settleTimeoutMs = topology.requestTimeoutMs ?? DEFAULT_SETTLE_TIMEOUT_MS;
    const { pageSize, perPartitionParallelOperations } = this.#options;
    const partitions = topology.partitions;
    this.#stats.partitions = partitions;
    this.#stats.bound = Math.min(
      partitions * pageSize * perPartitionParallelOperations,
      Number.MAX_SAFE_INTEGER,
    );
    this.#lanes = new Array<PartitionLane<T, Entry, Result> | undefined>(partitions).fill(undefined);
    this.#laneHost = this.#makeLaneHost(scheduler, topology);
    this.#go('streaming');
    this.#pump.start();
  }

  #retryPolicy(scheduler: ReturnType<typeof clockScheduler>, count: boolean): RetryPolicy {
    const { rng, retryLimit, retryBackoff } = this.#options;
    return {
      retryLimit,
      backoff: retryBackoff,
      rng,
      scheduler,
      stop$: this.#stop$,
      onRetry: (failedAttempt, error, delayMs) => {
        if (count) this.#stats.retries++;
        this.#logger.debug(
          { attempt: failedAttempt, delayMs, code: (error as { code?: unknown } | null)?.code },
          count ? 'batch attempt failed, retrying' : 'opening the stream failed, retrying',
        );
      },
    };
  }

  #makeLaneHost(
    scheduler: ReturnType<typeof clockScheduler>,
    topology: StreamerTopology,
  ): LaneHost<T, Entry, Result> {
    const { clock, perPartitionParallelOperations, autoFlushInterval } = this.#options;
    const attemptTimeoutMs = topology.attemptTimeoutMs ?? 0;
    return {
      pipeline: {
        ...this.#retryPolicy(scheduler, true),
        concurrency: perPartitionParallelOperations,
        attemptTimeoutMs,
        timeoutEarly: () => this.#buggify('streamer.attempt-timeout-early'),
        timeoutError: (limitMs) =>
          new ClientError('REQUEST_TIMEOUT', `a batch attempt got no answer within ${limitMs} ms`),
        stopped: () => this.#state !== 'streaming' && this.#state !== 'draining',
        outOfTurn: (error) => errorCodeOf(error) === 'OUT_OF_ORDER_BATCH',
        hold: (result) => this.#report(result.batch, result.ack, result.attempts),
        // Only `onBatch` can make a batch's slot wait (its promise).
        holdWaits: this.#options.onBatch !== undefined,
      },
      attempt: (partition, batch, attempt) => this.#attempt(partition, batch, attempt),
      settled: (lane, result) => this.#settled(lane, result),
      overdue: (lane) => this.#onOverdue(lane),
      autoFlushInterval,
      clockNow: () => clock.now(),
      buggify: this.#buggify,
      autoFlush: new AutoFlushQueue(scheduler, () => clock.now()),
    };
  }

  // ---------------------------------------------------------------------------------------------- flow

  /** Hands the items just read to their lanes; an item `prepare` refuses, or too large, fails the stream. */
  #acceptPage(page: T[]): void {
    let taken = 0;
    let lastPartition = -1;
    try {
      while (taken < page.length && this.#state === 'streaming') {
        lastPartition = this.#take(page[taken] as T);
        taken++;
      }
    } catch (error) {
      // The refused item is `page[taken]`: it is reported first, then the rest of the page.
      const rest = page.slice(taken);
      page.length = 0;
      this.#fail(streamFailure(error, 'INVALID_ROW', 'an item was refused'), rest);
      return;
    }
    page.length = 0;
    // Fault point, asked once per page (not per item): the last item's batch leaves now, however small.
    if (lastPartition >= 0 && this.#state === 'streaming' && this.#buggify('streamer.page-split')) {
      this.#lanes[lastPartition]?.seal();
    }
  }

  /**
   * Prepares one item and adds it to its lane; returns its partition. A function of its own, called per item,
   * so the engine optimizes it as a whole (a long loop inlined in the page's function is optimized on the run,
   * and dropped back to slow code at every page's end).
   * @throws whatever `prepare` throws; ClientError `ROW_TOO_LARGE`, or `INTERNAL` for an impossible partition.
   */
  #take(item: T): number {
    const slot = this.#slot;
    this.#sink.prepare(item, slot);
    const partition = slot.partition;
    const partitions = this.#stats.partitions;
    if (!(Number.isInteger(partition) && partition >= 0 && partition < partitions)) {
      throw new ClientError('INTERNAL', `the sink put an item in partition ${partition} of ${partitions}`);
    }
    const pageBytes = this.#options.pageBytes;
    if (slot.bytes > pageBytes) {
      throw new ClientError(
        'ROW_TOO_LARGE',
        `item ${this.#nextSeq} of the source (its position, from 0) takes ${slot.bytes} bytes in a batch, ` +
          `more than pageBytes (${pageBytes}): it can never be sent`,
      );
    }
    const earlier = this.#earlier?.originOf(item, partition);
    if (earlier !== undefined) {
      // A resent item an earlier run applied (see the module header): taken and counted, not written again.
      slot.entry = undefined;
      this.#stats.items++;
      this.#reportEarlier(partition, this.#nextSeq++, earlier);
      return partition;
    }
    this.#append(partition, item, slot.entry as Entry, slot.bytes);
    slot.entry = undefined;
    return partition;
  }

  /**
   * Tells `onBatch` of a resent item an earlier run applied (item `seq` of the source): a one-item batch info
   * with `earlierRun` set, nothing sent (attempt 0, no node, 0 bytes). Its promise is not waited for (the item
   * holds no slot); a throw or a rejection fails the stream as any `onBatch` failure does.
   */
  #reportEarlier(partition: number, seq: number, origin: InDoubtOrigin): void {
    if (this.#options.onBatch === undefined) return;
    void this.#callOnBatch(earlierRunInfo(partition, seq, origin));
  }

  /** Adds an item to its partition's open batch, sealing the batch before it would pass `pageBytes` or once full. */
  #append(partition: number, item: T, entry: Entry, bytes: number): void {
    const { pageSize, pageBytes } = this.#options;
    const lane = this.#lanes[partition] ?? this.#openLane(partition);
    if (lane.open.size > 0 && lane.open.bytes + bytes > pageBytes) lane.seal();
    const size = lane.append(item, entry, this.#nextSeq++, bytes);
    // Counted as taken before sealing: whatever sending sets off, the item is now the lane's.
    this.#stats.take();
    if (size >= pageSize || lane.open.bytes >= pageBytes) lane.seal();
  }

  #openLane(partition: number): PartitionLane<T, Entry, Result> {
    const lane = new PartitionLane<T, Entry, Result>(partition, this.#laneHost as LaneHost<T, Entry, Result>);
    this.#lanes[partition] = lane;
    this.#stats.partitionsUsed++;
    return lane;
  }

  /**
   * One attempt of one batch: the sink's `send`, as an Observable. Its request carries the stream's cancel
   * signal, not one of its own: cancelling the stream cancels every request under way (the connection watches
   * one signal once, however many requests carry it), and an attempt abandoned otherwise (its timeout) is
   * only unsubscribed: its answer, or its request's own timeout, is ignored. Such an attempt may still be on
   * its way out (the sink resolving its route, say) and leave later, so the batch counts as sent from then
   * on: should it fail for good, its partition is sealed rather than its items reported as never applied.
   */
  #attempt(partition: number, batch: StreamBatch<T, Entry>, attempt: number): Observable<BatchAck<Result>> {
    const request = this.#sink.send({
      partition,
      entries: batch.entries,
      attempt,
      batchSeq: batch.batchSeq,
      signal: this.#cancel.signal,
      sent: batch.markSent,
    });
    return new Observable<BatchAck<Result>>((subscriber) => {
      let settled = false;
      request.then(
        (ack) => {
          settled = true;
          subscriber.next(ack);
          subscriber.complete();
        },
        (error: unknown) => {
          settled = true;
          subscriber.error(error);
        },
      );
      return () => {
        if (!settled) batch.markSent();
      };
    });
  }

  /**
   * An acknowledged batch: counted, its results delivered and `onBatch` awaited, inside its slot (the
   * partition's next batch waits for it). Never rejects: a throwing callback fails the stream. Returns
   * undefined when there is nothing to wait for (no `onBatch` promise), and builds no batch info when nobody
   * reads it: with neither callback an acknowledgement costs a count.
   */
  #report(batch: StreamBatch<T, Entry>, ack: BatchAck<Result>, attempt: number): Promise<void> | undefined {
    this.#stats.applied(batch.size, ack);
    const onResults = ack.results === undefined ? undefined : this.#hooks.onResults;
    const onBatch = this.#options.onBatch;
    if (onResults === undefined && onBatch === undefined) return undefined;
    const info: StreamerBatchInfo = {
      partition: batch.partition,
      items: batch.size,
      // Copied once per batch: the batch is cleared and reused once it settled.
      indexes: batch.seqs.slice(),
      attempt,
      node: ack.node,
      bytes: ack.bytes,
      latencyMs: this.#options.clock.now() - batch.startedAt,
      rerouted: ack.rerouted === true,
    };
    try {
      if (ack.results !== undefined) onResults?.(ack.results, info);
    } catch (error) {
      this.#fail(streamFailure(error, 'CALLBACK_FAILED', 'a subscriber of the results threw'));
    }
    return this.#callOnBatch(info);
  }

  /**
   * `onBatch` for `info` (if any): its promise, whose rejection fails the stream, or undefined when it returned
   * none. A throw fails the stream.
   */
  #callOnBatch(info: StreamerBatchInfo): Promise<void> | undefined {
    const failed = (error: unknown) => this.#fail(streamFailure(error, 'CALLBACK_FAILED', 'onBatch threw'));
    try {
      const progress = this.#options.onBatch?.(info);
      if (progress !== undefined) return Promise.resolve(progress).then(undefined, failed);
    } catch (error) {
      failed(error);
    }
    return undefined;
  }

  /** A batch settled: free its room, or account for it when it did not apply. */
  #settled(
    lane: PartitionLane<T, Entry, Result>,
    result: BatchResult<StreamBatch<T, Entry>, BatchAck<Result>>,
  ): void {
    const batch = result.batch;
    switch (result.kind) {
      case 'acked':
        // Only now do the items free room: `onBatch` may slow the stream.
        this.#stats.buffered -= result.batch.size;
        if (this.#state === 'streaming' && lane.overdue && lane.unsettled.length < this.#slots()) lane.seal();
        break;
      case 'failed':
        this.#keepUnapplied(lane.partition, batch);
        this.#fail(
          streamFailure(
            result.error,
            'INTERNAL',
            `a batch of ${batch.size} items for partition ${lane.partition} failed after ${result.attempts} attempt(s)`,
          ),
        );
        break;
      case 'skipped':
        this.#failed.addBatch(batch);
        break;
    }
    this.#progress();
  }

  /** A batch that did not apply for sure, or whose outcome is unknown (then its partition is sealed). */
  #keepUnapplied(partition: number, batch: StreamBatch<T, Entry>): void {
    if (batch.sent) this.#unknown.add(partition, batch);
    else this.#failed.addBatch(batch);
  }

  readonly #onOverdue = (lane: PartitionLane<T, Entry, Result>): void => {
    // A lane with every slot taken is flushed when a batch of it settles (`#settled` checks the age then).
    if (this.#state === 'streaming' && lane.open.size > 0 && lane.unsettled.length < this.#slots())
      lane.seal();
  };

  #slots(): number {
    return this.#options.perPartitionParallelOperations;
  }

  /** The source ended: every open batch is sealed and sent in its turn. */
  #drain(): void {
    this.#go('draining');
    for (const lane of this.#lanes) lane?.seal();
    this.#progress();
  }

  /** Room freed or a batch settled: pull more, or end the run when nothing is left. */
  #progress(): void {
    switch (this.#state) {
      case 'streaming':
        this.#pump.demand();
        return;
      case 'draining':
        if (this.#stats.buffered === 0) this.#finish();
        return;
      case 'failing':
        if (
          this.#lanes.every((lane) => lane === undefined || !lane.busy) &&
          (!this.#pump.reading || this.#readGivenUp)
        ) {
          void this.#sealAndFinish();
        }
        return;
      default:
        return;
    }
  }

  // ---------------------------------------------------------------------------------------------- failure

  /**
   * Ends the run with `failure` unless it already stopped (the first error wins): no batch starts or retries
   * any more, the source is cancelled, and everything taken and not under way is failed. `unsent` are items the
   * pump read and did not hand over (the refused one first).
   */
  #fail(failure: StreamFailure, unsent: readonly T[] = []): void {
    if (this.#state === 'failing' || this.#state === 'sealing' || this.#state === 'ended') {
      this.#logger.debug(
        { err: failure.cause, context: failure.context },
        'further error after the stream stopped',
      );
      return;
    }
    this.#go('failing');
    this.#failure = failure;
    this.#stop$.next();
    this.#stop$.complete();
    this.#pump.stop();
    // Sequence numbers continue after every item already in a lane, in source order: first what the pump read
    // and had not handed over, then what a read in progress already delivered, then what a push source still
    // held (it came later).
    for (const item of unsent) this.#failed.add(item, this.#nextSeq++);
    for (const item of this.#pump.takeDelivered()) this.#failed.add(item, this.#nextSeq++);
    for (const item of this.#reader.cancel(failure.cause)) this.#failed.add(item, this.#nextSeq++);
    const cancelled = this.#cancel.signal.aborted;
    for (const lane of this.#lanes) {
      if (lane === undefined) continue;
      lane.close(cancelled);
      this.#failed.addBatch(lane.open);
      lane.open.clear();
      if (cancelled) this.#abandon(lane);
    }
    this.#logger.warn({ code: failure.code, context: failure.context }, 'data stream failing');
    if (this.#pump.reading) {
      // An async source may never deliver: wait for the read in progress at most one request timeout.
      this.#options.clock.setTimer(this.#settleTimeoutMs, () => {
        if (!this.#pump.reading || this.#state !== 'failing') return;
        this.#readGivenUp = true;
        this.#logger.warn(
          { waitedMs: this.#settleTimeoutMs },
          'a source read was still in progress when the failing stream ended; an item it delivers later is not reported',
        );
        this.#progress();
      });
    }
    this.#progress();
  }

  /** Cancelled: the lane's batches under way are abandoned now, each accounted for by what is known of it. */
  #abandon(lane: PartitionLane<T, Entry, Result>): void {
    for (const batch of lane.unsettled.splice(0)) {
      // An acknowledged batch applied (only its `onBatch` was still running).
      if (batch.state !== 'acked') this.#keepUnapplied(lane.partition, batch);
    }
  }

  /** A read finished after the run stopped: its items are failed, unless the run no longer waits for them. */
  #takeLate(page: readonly T[]): void {
    if (this.#state === 'failing' && !this.#readGivenUp) {
      for (const item of page) this.#failed.add(item, this.#nextSeq++);
    } else if (page.length > 0) {
      this.#logger.error(
        { items: page.length },
        'the source delivered items after the failing stream stopped waiting for it; they are not reported',
      );
    }
    this.#progress();
  }

  async #sealAndFinish(): Promise<void> {
    this.#go('sealing');
    const inDoubt = this.#sink.inDoubt;
    const { producerId } = this.#options;
    const epoch = this.#epoch as number;
    const applied = await this.#unknown.settle(
      (partition) => this.#sink.seal(partition),
      this.#failed,
      this.#logger,
      (partition) => this.#lanes[partition]?.ackedUpTo ?? 0,
      (partition, batch) =>
        inDoubt?.ledger.record(inDoubt.scope, producerId, epoch, partition, batch.batchSeq, batch.items),
    );
    this.#stats.buffered -= applied;
    this.#finish();
  }

  #finish(): void {
    const failure = this.#failure;
    this.#state = 'ended';
    this.#options.signal?.removeEventListener('abort', this.#onSignalAbort);
    const producerId = this.#options.producerId;
    if (failure === undefined) {
      for (const lane of this.#lanes) lane?.close(false);
      this.#stop$.next();
      this.#stop$.complete();
      const durationMs = this.#options.clock.now() - this.#startedAt;
      this.#resolve(this.#stats.summary(durationMs, producerId, this.#epoch as number));
    } else {
      this.#reject(
        dataStreamerError(failure, this.#failed.inSourceOrder(), { producerId, epoch: this.#epoch }),
      );
    }
  }

  readonly #onSourceFailure = (error: unknown): void => {
    const failure = streamFailure(error, 'SOURCE_FAILED', 'the source failed');
    if (this.#state === 'idle') this.#pendingFailure ??= failure;
    else this.#fail(failure);
  };

  readonly #onSignalAbort = (): void => {
    this.abort(this.#options.signal?.reason);
  };
}

/** @throws ClientError `INTERNAL` when the sink reported an impossible topology. */
function checkTopology(topology: StreamerTopology): void {
  const { partitions, epoch } = topology;
  if (!Number.isSafeInteger(partitions) || partitions <= 0) {
    throw new ClientError('INTERNAL', `the sink reported ${partitions} partitions; expected an integer > 0`);
  }
  if (!Number.isSafeInteger(epoch) || epoch < 1) {
    throw new ClientError('INTERNAL', `the sink reported epoch ${epoch}; expected an integer >= 1`);
  }
}
