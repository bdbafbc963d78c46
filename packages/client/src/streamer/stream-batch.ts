/**
 * A batch: the items of one partition the streamer sends together (what a *page*, one read from the source,
 * is split into). Three index-aligned arrays (source items, the sink's entries, source positions) rather than
 * an object per item, so the hot path appends numbers and references only. Once sealed it carries its number
 * within its partition (`batchSeq`, the node's fence) and what became of it. A batch is cleared and reused as
 * the next open buffer once it was acknowledged.
 */

/** Where a batch is. */
export type BatchState =
  /** Being filled (the partition's open buffer). */
  | 'open'
  /** Sealed, waiting for a slot to be sent. */
  | 'sealed'
  /** Its attempts are under way (retries and backoff included). */
  | 'sending'
  /** Acknowledged: applied; `onBatch` may still be running. */
  | 'acked'
  /** Failed for good, or its outcome is unknown: the stream decides (failed items, or a seal). */
  | 'failed';

/** Items of one partition, in source order, with their entries and source positions. */
export class StreamBatch<T, Entry> {
  /** The partition every item belongs to. */
  readonly partition: number;
  /** The source items, kept to report failed ones. */
  readonly items: T[] = [];
  /** What the sink's `send` gets. */
  readonly entries: Entry[] = [];
  /** Each item's position in the source (0, 1, 2, ...), to report failed items in source order. */
  readonly seqs: number[] = [];
  /** The items' size on the wire, as the sink reported it (bounded by `pageBytes`). */
  bytes = 0;
  /** Its number within the run and partition (1, 2, ...), set when sealed. */
  batchSeq = 0;
  state: BatchState = 'open';
  /** Whether an attempt left (its request was handed to a connection): it may apply without an answer. */
  sent = false;
  /** Clock time its first attempt started (for `latencyMs`). */
  startedAt = 0;

  constructor(partition: number) {
    this.partition = partition;
  }

  /** The sink calls it when an attempt's request left (`BatchAttempt.sent`); bound, so it can be handed over. */
  readonly markSent = (): void => {
    this.sent = true;
  };

  get size(): number {
    return this.items.length;
  }

  push(item: T, entry: Entry, seq: number, bytes: number): void {
    this.items.push(item);
    this.entries.push(entry);
    this.seqs.push(seq);
    this.bytes += bytes;
  }

  /** Makes the batch an empty open buffer again. */
  clear(): void {
    this.items.length = 0;
    this.entries.length = 0;
    this.seqs.length = 0;
    this.bytes = 0;
    this.batchSeq = 0;
    this.state = 'open';
    this.sent = false;
    this.startedAt = 0;
  }
}
