/**
 * A page: the unit the streamer buffers and sends. Three index-aligned arrays (source items, the sink's
 * entries, source sequence numbers) rather than an object per item, so the hot path appends numbers and
 * references only. A page is cleared and reused once its batch is acknowledged.
 */

/** Items of one partition, in source order, with their entries and sequence numbers. */
export class StreamPage<T, Entry> {
  /** The source items, kept to report failed ones. */
  readonly items: T[] = [];
  /** What the sink's `send` gets. */
  readonly entries: Entry[] = [];
  /** Each item's position in the source (0, 1, 2, ...), to report failed items in source order. */
  readonly seqs: number[] = [];
  /** The items' size on the wire, as the sink reported it (bounded by `pageBytes`). */
  bytes = 0;

  get size(): number {
    return this.items.length;
  }

  push(item: T, entry: Entry, seq: number, bytes: number): void {
    this.items.push(item);
    this.entries.push(entry);
    this.seqs.push(seq);
    this.bytes += bytes;
  }

  clear(): void {
    this.items.length = 0;
    this.entries.length = 0;
    this.seqs.length = 0;
    this.bytes = 0;
  }
}
