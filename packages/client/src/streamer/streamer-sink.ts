/**
 * The seam between the streamer core and what it streams into. The core owns flow (buffers, backpressure,
 * ordering, retries, batch numbering, failure accounting); the sink owns meaning (schemas, row encoding,
 * partitioning, producer registration, connections, the wire). A table view implements it for plain batches;
 * the receiver path implements it for receiver batches. Nothing here talks to the network itself.
 */

import type { Buggify } from '@datastreamer/protocol';
import type { InDoubtScope } from './in-doubt-ledger.js';

/** What the core tells the sink when the stream opens. */
export interface SinkOpening {
  /** Aborts when the caller cancels the stream. */
  readonly signal: AbortSignal;
  /** The producer this run writes as (the `producerId` option, or a fresh id). */
  readonly producerId: string;
  /** This run's own id (a UUID): registering it again gets the same epoch. */
  readonly runId: string;
}

/** What the sink learned when the stream opened. */
export interface StreamerTopology {
  /** The table's partition count (a positive integer): the core keeps one buffer per partition. */
  readonly partitions: number;
  /**
   * The producer's epoch for this run, as the cluster registered it (>= 1). Every batch attempt carries it,
   * so a later run of the same producer fences this one's late attempts.
   */
  readonly epoch: number;
  /**
   * How long one request may go unanswered, in ms (the client's request timeout): it bounds how long a
   * failing stream waits for a source read in progress. Default 30000.
   */
  readonly requestTimeoutMs?: number;
  /**
   * How long one batch attempt may take, in ms, before the core abandons it (its request aborted) and retries
   * it as if it had timed out: a backstop for an attempt that never settles, above whatever timeouts the
   * sink's own requests have. Default: none (the sink's requests must time out by themselves).
   */
  readonly attemptTimeoutMs?: number;
  /** The client's fault points (simulation only; see protocol's `Buggify`). Default: none fires. */
  readonly buggify?: Buggify;
}

/**
 * Where `prepare` writes its answer. The core passes the same object for every item (no allocation per
 * item): set every field on every call and keep no reference to it.
 */
export interface PreparedItem<Entry> {
  /** The item's partition, an integer in `[0, partitions)`. */
  partition: number;
  /** The item in the form `send` needs (e.g. its encoded tuple); the core stores it in the batch. */
  entry: Entry | undefined;
  /** What the item adds to a batch on the wire, in bytes (its encoded form plus its framing, roughly). */
  bytes: number;
}

/** One attempt to send one batch of one partition. */
export interface BatchAttempt<Entry> {
  readonly partition: number;
  /** The batch's items, in source order; do not mutate it or keep it after settling (the core reuses it). */
  readonly entries: readonly Entry[];
  /** 1 for the first attempt, then 2, 3, ... */
  readonly attempt: number;
  /**
   * The batch's number within this run and partition (1, 2, 3, ...): every attempt of one batch carries the
   * same number, so the node applies it at most once and never after a later batch of the partition.
   */
  readonly batchSeq: number;
  /** Aborts when the caller cancels the stream: drop the request then. */
  readonly signal: AbortSignal;
  /**
   * Call it once the request left (its frame was handed to a connection): from then on the batch may apply
   * even if no answer comes, so a failing stream seals the partition to learn whether it did.
   */
  readonly sent: () => void;
}

/** A batch's acknowledgement: it was applied (one transaction) on `node`. */
export interface BatchAck<Result> {
  /** The node that applied the batch. */
  readonly node: string;
  /** The request's size on the wire, in bytes (0 if unknown). */
  readonly bytes: number;
  /**
   * Whether the batch did not go straight to its primary: the node forwarded it, or the response said the
   * partition assignment changed. Default false. Counted in the summary's `rerouted`.
   */
  readonly rerouted?: boolean;
  /** Receiver mode: what the receiver returned for this batch, in its order. Default: none. */
  readonly results?: readonly Result[];
}

/**
 * What the streamer core needs from a destination.
 *
 * Schema changes: `send` handles `SCHEMA_VERSION_MISMATCH` itself, by re-encoding the same entries for the
 * expected version and resending within the same call (only the sink knows schemas, and a mismatch is not a
 * failure of the batch). Should one escape, the core treats it as any retryable error: backoff, and it
 * counts against `retryLimit`.
 *
 * @typeParam T the source item type (a row, a `DataStreamerItem`, a receiver-mode event).
 * @typeParam Entry the per-item form `prepare` produces and `send` consumes.
 * @typeParam Result receiver results (`never` for plain batches).
 */
export interface StreamerSink<T, Entry, Result = never> {
  /**
   * Called once, before the source is pulled: load the schema and the partition count, and register the
   * producer for this run (its epoch). A rejection ends the stream (nothing was taken from the source); a
   * retryable one is retried under the stream's retry policy.
   */
  open(opening: SinkOpening): Promise<StreamerTopology>;

  /**
   * Called once per item, in source order, when the item is taken from the source: validate and encode it
   * and say its partition and size, writing them into `out`. Throw a typed error for a bad item (e.g. the
   * protocol's `InvalidValueError` naming the column): the stream fails with that item among its failed
   * items. This is the hot path: allocate no more than the entry itself.
   */
  prepare(item: T, out: PreparedItem<Entry>): void;

  /**
   * One attempt to send one batch. Resolve once the batch is applied (or the node says it was: a duplicate).
   * Otherwise reject with an error carrying `code` (an `ErrorCodes` name) and `retryable` (a `ProtocolError`
   * or `ClientError`): a retryable one is sent again after a backoff, up to `retryLimit`; any other fails the
   * stream (an error without a code counts as `INTERNAL`). Resolve the target node afresh on every call: a
   * retry must follow a moved partition.
   */
  send(attempt: BatchAttempt<Entry>): Promise<BatchAck<Result>>;

  /**
   * Seals this run's epoch (or `epoch`, an earlier run's of the same producer) on `partition`: afterwards
   * nothing more of it applies there. Resolves with the highest batch number of that run the partition
   * applied (0: none), which makes the outcome of batches whose answer never came certain. Called while the
   * stream fails, for partitions with such batches, and when a resume opens, for the partitions an earlier
   * run left in doubt (see `inDoubt`); reject when the partition could not be reached in a bounded time (a
   * few request timeouts): the core then reports those items in doubt (or fails the resume's opening).
   */
  seal(partition: number, epoch?: number): Promise<number>;

  /**
   * Where the client remembers what failed runs left in doubt (see in-doubt-ledger.ts), and under which scope
   * (the destination: one table). With it, a failing run records its items in doubt, and a later run of the
   * same producer resolves them before taking anything, so resuming them is exact. Default: none (a resumed
   * item in doubt is sent again as it is).
   */
  readonly inDoubt?: InDoubtScope | undefined;
}
