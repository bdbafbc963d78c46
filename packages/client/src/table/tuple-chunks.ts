/**
 * Packs the streamer's encoded tuples into per-partition byte chunks, so a buffered row holds a view of a
 * shared chunk instead of a small array of its own (an on-heap typed array with its own buffer object and
 * backing store, ~190 bytes for a ~42-byte tuple, copied by every scavenge it survives and then promoted).
 *
 * - Each partition fills its own current chunk (`chunkSize` bytes, default 16 KiB) front to back and starts
 *   a new one when the next tuple does not fit; a tuple longer than a chunk gets an array of its own.
 * - Bytes once handed out are never written again: a chunk is only ever appended to, and is dropped from
 *   here when full, so it lives exactly as long as some view of it does. No live entry can be overwritten.
 * - Retention: a partition's chunks hold rows of its consecutive pages, which the streamer acknowledges in
 *   order, so besides the bytes of the partition's buffered tuples a partition keeps at most about one
 *   chunk: the acknowledged head of its oldest live chunk plus the unfilled tail of its current one (and the
 *   few bytes left at the end of each full chunk when the next tuple did not fit). A re-encoded entry's old
 *   tuple stays in its chunk until that chunk's other rows go.
 *
 * It does not encode (the caller writes the tuple at the returned place) or free anything (the GC does).
 */

/** The default chunk size: a few hundred row-sized tuples, off the V8 heap (past its on-heap array limit). */
export const DEFAULT_TUPLE_CHUNK_SIZE = 16 * 1024;

/** Per-partition append-only byte chunks for encoded tuples. */
export class TupleChunks {
  readonly #chunkSize: number;
  /** Per partition: its current chunk (undefined until its first tuple). */
  readonly #chunks: (Uint8Array | undefined)[] = [];
  /** Per partition: the first free byte of its current chunk. */
  readonly #used: number[] = [];
  #offset = 0;

  /**
   * @param chunkSize bytes per chunk (default {@link DEFAULT_TUPLE_CHUNK_SIZE}).
   * @throws RangeError when `chunkSize` is not a positive safe integer.
   */
  constructor(chunkSize = DEFAULT_TUPLE_CHUNK_SIZE) {
    if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) {
      throw new RangeError(`the tuple chunk size must be a positive integer, got ${String(chunkSize)}`);
    }
    this.#chunkSize = chunkSize;
  }

  /**
   * Reserves `length` bytes for a tuple of `partition` and returns the array they are in; they start at
   * {@link offset}. Nobody else is ever given these bytes.
   */
  reserve(partition: number, length: number): Uint8Array {
    const size = this.#chunkSize;
    if (length > size) {
      this.#offset = 0;
      return new Uint8Array(length);
    }
    let chunk = this.#chunks[partition];
    let used = this.#used[partition] ?? 0;
    if (chunk === undefined || used + length > size) {
      chunk = new Uint8Array(size);
      this.#chunks[partition] = chunk;
      used = 0;
    }
    this.#offset = used;
    this.#used[partition] = used + length;
    return chunk;
  }

  /** Where the bytes of the last {@link reserve} start. */
  get offset(): number {
    return this.#offset;
  }
}

/** A view of `length` bytes of `array` from `offset`, or `array` itself when that is all of it. */
export function tupleView(array: Uint8Array, offset: number, length: number): Uint8Array {
  if (offset === 0 && length === array.length) return array;
  return new Uint8Array(array.buffer, array.byteOffset + offset, length);
}
