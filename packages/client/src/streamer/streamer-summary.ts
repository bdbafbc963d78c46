/**
 * What a data stream reports: per batch as it is acknowledged (`onBatch`), live (the buffer gauge) and at the
 * end (the summary). Plain data; the core fills it in.
 */

/** One acknowledged batch, as given to `onBatch`. */
export interface StreamerBatchInfo {
  readonly partition: number;
  /** Items in the batch. */
  readonly items: number;
  /**
   * The source positions (0, 1, 2, ... in the order the source produced them) of the batch's items, in the
   * batch's order, which is source order within a partition. Lets a caller map an acknowledgement back to
   * its own items (e.g. to record what was acknowledged). A fresh array per batch, the caller's to keep.
   */
  readonly indexes: readonly number[];
  /** The attempt that succeeded: 1 when no retry was needed. */
  readonly attempt: number;
  /** The node that applied it. */
  readonly node: string;
  /** Request size in bytes, as the sink reported it. */
  readonly bytes: number;
  /** Clock milliseconds from the first attempt to the acknowledgement, retries and backoff included. */
  readonly latencyMs: number;
  /** Whether it was forwarded or the partition assignment changed (see `BatchAck.rerouted`). */
  readonly rerouted: boolean;
  /**
   * Set when the item was applied by an earlier run of the producer, not by this one: a resume sent it again,
   * that run had left its batch in doubt, and the resume's seal found the batch applied, so the item is not
   * written again (it is counted among the summary's `items`). Then `items` is 1, `attempt` 0, `node` empty
   * and `bytes` 0. Absent for a batch this run sent.
   */
  readonly earlierRun?: { readonly epoch: number; readonly batchSeq: number };
}

/** The streamer's buffer occupancy: items taken from the source and not yet acknowledged. */
export interface StreamerGauge {
  /** Items held now. */
  readonly bufferedItems: number;
  /** The most items held at once so far. */
  readonly peakBufferedItems: number;
  /**
   * The most items the streamer will ever hold: `partitions * pageSize * perPartitionParallelOperations`
   * (0 until the stream opened). The source is never pulled past it. An Observable source may in addition
   * hold up to `maxBufferedItems` emitted items that the streamer has not taken yet.
   */
  readonly bufferBound: number;
}

/** The result of a stream that applied every item. */
export interface DataStreamerSummary extends StreamerGauge {
  /** Items applied (every item the source produced). */
  readonly items: number;
  /** Batches applied. */
  readonly batches: number;
  /** Batch attempts after the first (resends after a retryable error). */
  readonly retries: number;
  /** Batches acknowledged as forwarded or after an assignment change. */
  readonly rerouted: number;
  /** Bytes sent in acknowledged requests, as the sink reported them. */
  readonly bytes: number;
  /** Clock milliseconds from the start to the last acknowledgement. */
  readonly durationMs: number;
  /** The table's partition count. */
  readonly partitions: number;
  /** Partitions that received at least one item. */
  readonly partitionsUsed: number;
  /** The producer the run wrote as (the `producerId` option, or the fresh id drawn for it). */
  readonly producerId: string;
  /** The run's epoch: a later run of the same producer gets a higher one and fences this one. */
  readonly epoch: number;
}
