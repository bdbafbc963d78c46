/**
 * The seam between the streamer core and what it streams into. The core owns flow (buffers, backpressure,
 * ordering, retries, failure accounting); the sink owns meaning (schemas, row encoding, partitioning,
 * connections, the wire). A table view implements it for plain batches; the receiver path implements it for
 * receiver batches. Nothing here talks to the network itself.
 */

/** What the sink learned when the stream opened. */
export interface StreamerTopology {
  /** The table's partition count (a positive integer): the core keeps one buffer per partition. */
  readonly partitions: number;
}

/**
 * Where `prepare` writes its answer. The core passes the same object for every item (no allocation per
 * item): set both fields on every call and keep no reference to it.
 */
export interface PreparedItem<Entry> {
  /** The item's partition, an integer in `[0, partitions)`. */
  partition: number;
  /** The item in the form `send` needs (e.g. its encoded tuple); the core stores it in the batch. */
  entry: Entry | undefined;
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
   * Called once, before the source is pulled: load the schema and the partition count. A rejection ends
   * the stream (nothing was taken from the source); it is not retried by the core.
   */
  open(signal: AbortSignal): Promise<StreamerTopology>;

  /**
   * Called once per item, in source order, when the item is taken from the source: validate and encode it
   * and say its partition, writing both into `out`. Throw a typed error for a bad item (e.g. the protocol's
   * `InvalidValueError` naming the column): the stream fails with that item among its failed items. This is
   * the hot path: allocate no more than the entry itself.
   */
  prepare(item: T, out: PreparedItem<Entry>): void;

  /**
   * One attempt to send one batch of one partition (`attempt` is 1 for the first, then 2, 3, ...). Resolve
   * once the batch is applied. Otherwise reject with an error carrying `code` (an `ErrorCodes` name) and
   * `retryable` (a `ProtocolError` or `ClientError`): a retryable one is sent again after a backoff, up to
   * `retryLimit`; any other fails the stream (an error without a code counts as `INTERNAL`). Resolve the
   * target node afresh on every call: a retry must follow a moved partition. `entries` is in source order;
   * do not mutate it or keep it after settling (the core reuses the array). `signal` aborts when the caller
   * cancels the stream: drop the request then.
   */
  send(
    partition: number,
    entries: readonly Entry[],
    attempt: number,
    signal: AbortSignal,
  ): Promise<BatchAck<Result>>;
}
