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
import type { KeyedRows } from './keyed-rows.js';

/** The buffers a batch starts with; they double as rows need. */
const FIRST_BYTES = 4096;
/**
 * A reusable batch whose buffers grew past this get fresh small ones on release: one huge batch must not pin
 * its memory for the node's lifetime.
 */
const KEEP_BYTES = 1 << 20;
const FIRST_ITEMS = 64;
/** The arena a batch gets when the `storage.arena-tiny` fault point fires: it grows within the batch. */
const TINY_BYTES = 8;
const NO_BYTES = new Uint8Array(0);
const NO_VIEW = new DataView(NO_BYTES.buffer);

/** A DataView of exactly the bytes of `bytes`, so both index alike. */
function dataViewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A growable byte buffer written front to back. */
class GrowableBytes {
  bytes = new Uint8Array(FIRST_BYTES);
  used = 0;
  /** A DataView of `bytes`, made when first asked for after `bytes` was replaced. */
  #view: DataView | null = null;

  /** {@link bytes} as a DataView (read it after `reserve`: growing replaces both). */
  view(): DataView {
    let view = this.#view;
    if (view === null) {
      view = dataViewOf(this.bytes);
      this.#view = view;
    }
    return view;
  }

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
      this.#view = null;
    }
    this.used = end;
    return start;
  }

  clear(): void {
    this.used = 0;
    if (this.bytes.length > KEEP_BYTES) {
      this.bytes = new Uint8Array(FIRST_BYTES);
      this.#view = null;
    }
  }

  /** Starts over from a buffer of `size` bytes (the `storage.arena-tiny` fault point). */
  shrinkTo(size: number): void {
    this.used = 0;
    this.bytes = new Uint8Array(size);
    this.#view = null;
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
  /** The buffer rows were last copied from (a received message) and a DataView of it, until `release`. */
  #source: Uint8Array = NO_BYTES;
  #sourceView: DataView = NO_VIEW;

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
  reset(count: number, tiny = false): this {
    this.#keys.used = 0;
    this.#rows.used = 0;
    if (tiny) {
      this.#keys.shrinkTo(TINY_BYTES);
      this.#rows.shrinkTo(TINY_BYTES);
    }
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
    // The batch is kept for the next request: it must not keep this one's message alive.
    this.#source = NO_BYTES;
    this.#sourceView = NO_VIEW;
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

  /**
   * Copies `source[from..to)` into {@link keyBytes} at `at` (claimed with {@link reserveKey}). For rows read
   * from ranges of one message: see {@link copyToRows}.
   */
  copyToKeys(at: number, source: Uint8Array, from: number, to: number): void {
    copyRange(this.#keys.view(), at, this.#viewOf(source), from, to);
  }

  /**
   * Copies `source[from..to)` into {@link rowBytes} at `at` (claimed with {@link reserveRow}). Made for
   * rows read from ranges of one message: the copy goes four bytes a step through DataViews (about twice as
   * fast as a byte loop, and faster than `set` of a view below ~100 bytes, on Node 20), and the message's
   * DataView is made once and kept until {@link release}.
   */
  copyToRows(at: number, source: Uint8Array, from: number, to: number): void {
    copyRange(this.#rows.view(), at, this.#viewOf(source), from, to);
  }

  #viewOf(source: Uint8Array): DataView {
    if (source !== this.#source) {
      this.#source = source;
      this.#sourceView = dataViewOf(source);
    }
    return this.#sourceView;
  }

  /** Item `index` is a REMOVE of its key. */
  setRemove(index: number): void {
    this.#rowStarts[index] = 0;
    this.#rowLengths[index] = -1;
  }
}

/** Copies `source[from..to)` into `target` at `at` (room made by the caller). */
function copyRange(target: DataView, at: number, source: DataView, from: number, to: number): void {
  const shift = at - from;
  let i = from;
  // Unaligned 4-byte reads and writes are fine for a DataView; the byte order only has to agree.
  for (const last = to - 4; i <= last; i += 4) target.setUint32(i + shift, source.getUint32(i, true), true);
  for (; i < to; i++) target.setUint8(i + shift, source.getUint8(i));
}
