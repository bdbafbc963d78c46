/**
 * The per-partition fence of streamer batches: for each stream (a client's streamer run, by `streamId`), the
 * highest `batchSeq` applied to the partition. A batch at or below it is stale: that batch, or a later one of
 * the same partition, was applied already (a client sends a partition's next batch only once the previous one
 * is acknowledged), so applying it again could overwrite newer values with older ones.
 *
 * It is partition state: it lives on the partition's replica (kept across a crash with the committed data) and
 * is handed to a new owner with the partition's snapshot. It does not apply batches nor decide ownership.
 *
 * Memory is bounded: at most {@link BATCH_FENCE_CAPACITY} streams per partition, the least recently used
 * evicted first. Eviction is safe enough: a stream is only evicted after that many other streams wrote to the
 * partition since its last batch, and an attempt of a batch is only in flight for the client's request
 * timeout; a stream idle that long has nothing left in flight, and its next batch (if any) has a higher seq
 * than anything it sent before, so it is applied as it must be.
 */

/** How many streams one partition remembers (least recently used evicted first). */
export const BATCH_FENCE_CAPACITY = 4096;

/** One stream's entry as it travels with a snapshot: the stream id and the highest seq applied. */
export type BatchFenceEntry = readonly [streamId: string, batchSeq: number];

export class BatchFence {
  /** streamId -> highest applied seq, least recently used first (a Map iterates in insertion order). */
  readonly #streams = new Map<string, number>();
  readonly #capacity: number;

  /**
   * @param entries the state to start from (e.g. a snapshot's, least recently used first); default none.
   * @param capacity streams kept; default {@link BATCH_FENCE_CAPACITY}.
   */
  constructor(entries: readonly BatchFenceEntry[] = [], capacity = BATCH_FENCE_CAPACITY) {
    this.#capacity = capacity;
    for (const [streamId, batchSeq] of entries) this.raise(streamId, batchSeq);
  }

  /** Whether a batch `batchSeq` of stream `streamId` may be applied (its seq is above the highest applied). */
  admits(streamId: string, batchSeq: number): boolean {
    const highest = this.#streams.get(streamId);
    return highest === undefined || batchSeq > highest;
  }

  /** Records that batch `batchSeq` of `streamId` was applied (never lowers the fence); marks it recently used. */
  raise(streamId: string, batchSeq: number): void {
    const highest = this.#streams.get(streamId);
    if (highest !== undefined) this.#streams.delete(streamId);
    this.#streams.set(streamId, highest === undefined || batchSeq > highest ? batchSeq : highest);
    if (this.#streams.size > this.#capacity) {
      const oldest = this.#streams.keys().next();
      if (oldest.done !== true) this.#streams.delete(oldest.value);
    }
  }

  /** How many streams are remembered. */
  get size(): number {
    return this.#streams.size;
  }

  /** The state as plain data, least recently used first (what a new owner rebuilds it from). */
  entries(): BatchFenceEntry[] {
    return [...this.#streams];
  }
}
