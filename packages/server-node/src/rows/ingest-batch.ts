/**
 * One batch of checked rows as the store takes them: every item's key tuple written one after another into
 * one growable byte buffer, every stored row (none for a REMOVE) into another, positions and lengths in
 * typed arrays. So ingesting a batch of 1000 rows allocates nothing per row, the store's intents point into
 * the row buffer until the commit copies the rows in (as one block: rows of a batch are contiguous), and key
 * bytes never sit between rows. `RowIngest` fills it (see row-ingest.ts); it implements the `KeyedRows` form
 * that `applyKeyedBatch` applies.
 *
 * Lifetime: a batch is filled after {@link IngestBatch.reset} and read once filling is done (growing a
 * buffer replaces it, and positions stay valid in the new one). A batch reused for the next request must not
 * be reset while a transaction that wrote from it is open: `applyKeyedBatch` commits or aborts before it
 * returns, and `RowIngest.batch` hands out its reusable batch only when it is not in use. It does not check
 * rows or know schemas.
 */
import type { KeyedRows } from '../tx/apply-batch.js';

/** The buffers a batch starts with; they double as rows need. */
const FIRST_BYTES = 4096;
/**
 * A reusable batch whose buffers grew past this get fresh small ones on release: one huge batch must not pin
 * its memory for the node's lifetime.
 */
const KEEP_BYTES = 1 << 20;
const FIRST_ITEMS = 64;

/** A growable byte buffer written front to back. */
class GrowableBytes {
  bytes = new Uint8Array(FIRST_BYTES);
  used = 0;

  /** Claims `length` bytes at the end and returns where they start (read `bytes` afterwards). */
  reserve(length: number): number {
    const start = this.used;
    const end = start + length;
    if (end > this.bytes.length) {
      let capacity = this.bytes.length * 2;
      while (capacity < end) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(this.bytes.subarray(0, start));
      this.bytes = grown;
    }
    this.used = end;
    return start;
  }

  clear(): void {
    this.used = 0;
    if (this.bytes.length > KEEP_BYTES) this.bytes = new Uint8Array(FIRST_BYTES);
  }
}

export class IngestBatch implements KeyedRows {
  readonly #keys = new GrowableBytes();
  readonly #rows = new GrowableBytes();
  #count = 0;
  #keyStarts = new Int32Array(FIRST_ITEMS);
  #keyLengths = new Int32Array(FIRST_ITEMS);
  #rowStarts = new Int32Array(FIRST_ITEMS);
  #rowLengths = new Int32Array(FIRST_ITEMS);
  /** Set from `reset` to `release`. */
  #inUse = false;

  /** The buffer holding every key (replaced when it grows: read it once filling is done). */
  get keyBytes(): Uint8Array {
    return this.#keys.bytes;
  }

  /** The buffer holding every stored row (replaced when it grows: read it once filling is done). */
  get rowBytes(): Uint8Array {
    return this.#rows.bytes;
  }

  /** Items in the batch. */
  get count(): number {
    return this.#count;
  }

  get keyStarts(): Int32Array {
    return this.#keyStarts;
  }

  get keyLengths(): Int32Array {
    return this.#keyLengths;
  }

  get rowStarts(): Int32Array {
    return this.#rowStarts;
  }

  /** -1 for a REMOVE. */
  get rowLengths(): Int32Array {
    return this.#rowLengths;
  }

  /** Whether the batch is between {@link reset} and {@link release}. */
  get inUse(): boolean {
    return this.#inUse;
  }

  /** Empties the batch for `count` items (indexes `0..count-1`, each set once by the filler). */
  reset(count: number): this {
    this.#keys.used = 0;
    this.#rows.used = 0;
    this.#count = count;
    this.#inUse = true;
    if (count > this.#keyStarts.length) {
      let capacity = this.#keyStarts.length * 2;
      while (capacity < count) capacity *= 2;
      this.#keyStarts = new Int32Array(capacity);
      this.#keyLengths = new Int32Array(capacity);
      this.#rowStarts = new Int32Array(capacity);
      this.#rowLengths = new Int32Array(capacity);
    }
    return this;
  }

  /** Marks the batch free for the next {@link reset}, dropping oversized buffers. */
  release(): void {
    this.#inUse = false;
    this.#count = 0;
    this.#keys.clear();
    this.#rows.clear();
  }

  /**
   * Claims `length` bytes for item `index`'s key and returns where they start in {@link keyBytes} (read it
   * after this call: it may have grown), for the caller to write.
   */
  reserveKey(index: number, length: number): number {
    const start = this.#keys.reserve(length);
    this.#keyStarts[index] = start;
    this.#keyLengths[index] = length;
    return start;
  }

  /**
   * Claims `length` bytes for item `index`'s stored row (the item upserts it) and returns where they start in
   * {@link rowBytes} (read it after this call: it may have grown), for the caller to write.
   */
  reserveRow(index: number, length: number): number {
    const start = this.#rows.reserve(length);
    this.#rowStarts[index] = start;
    this.#rowLengths[index] = length;
    return start;
  }

  /** Item `index` is a REMOVE of its key. */
  setRemove(index: number): void {
    this.#rowStarts[index] = 0;
    this.#rowLengths[index] = -1;
  }
}
