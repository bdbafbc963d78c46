/**
 * Packs the streamer's encoded tuples into per-partition byte chunks, so a buffered row holds a view of a
 * shared chunk instead of a small array of its own (an on-heap typed array with its own buffer object and
 * backing store, ~190 bytes for a ~42-byte tuple, copied by every scavenge it survives and then promoted).
 *
 * - Each partition fills its own current chunk front to back and starts a new one when the next tuple does
 *   not fit. A partition's chunks grow with use: its first chunk is small (`initialChunkSize`, default
 *   256 bytes, a handful of rows) and each next one twice the size of the one before, up to `chunkSize`
 *   (default 16 KiB). A partition that sees a few rows of a stream costs a few hundred bytes, not 16 KiB: a
 *   stream over thousands of mostly idle partitions stays small. A tuple longer than `chunkSize` gets an
 *   array of its own.
 * - Bytes once handed out are never written again: a chunk is only ever appended to, and is dropped from
 *   here when full, so it lives exactly as long as some view of it does. No live entry can be overwritten,
 *   and no chunk is recycled (a batch in flight keeps its chunks alive through its entries' views).
 * - Retention: a partition's chunks hold rows of its consecutive pages, which the streamer acknowledges in
 *   order, so besides the bytes of the partition's buffered tuples a partition keeps at most about one
 *   chunk: the acknowledged head of its oldest live chunk plus the unfilled tail of its current one (and the
 *   few bytes left at the end of each full chunk when the next tuple did not fit). A re-encoded entry's old
 *   tuple stays in its chunk until that chunk's other rows go.
 * - {@link TupleChunks.reservedBytes}: the bytes of the partitions' current chunks, what this object holds
 *   for rows to come (full chunks belong to the entries viewing them).
 *
 * It does not encode (the caller writes the tuple at the returned place) or free anything (the GC does).
 */

/** The largest chunk: a few hundred row-sized tuples, off the V8 heap (past its on-heap array limit). */
export const DEFAULT_TUPLE_CHUNK_SIZE = 16 * 1024;
/** A partition's first chunk: a handful of row-sized tuples. */
export const DEFAULT_INITIAL_TUPLE_CHUNK_SIZE = 256;

function checkSize(name: string, size: number): void {
  if (!Number.isSafeInteger(size) || size <= 0) {
    throw new RangeError(`the ${name} must be a positive integer, got ${String(size)}`);
  }
}

/** Per-partition append-only byte chunks for encoded tuples. */
export class TupleChunks {
  readonly #chunkSize: number;
  readonly #initialSize: number;
  /** Per partition: its current chunk (undefined until its first tuple). Dense: extended with pushes. */
  readonly #chunks: (Uint8Array | undefined)[] = [];
  /** Per partition: the first free byte of its current chunk. */
  readonly #used: number[] = [];
  #offset = 0;
  #reserved = 0;

  /**
   * @param chunkSize the largest chunk, bytes (default {@link DEFAULT_TUPLE_CHUNK_SIZE}).
   * @param initialChunkSize a partition's first chunk, bytes (default {@link DEFAULT_INITIAL_TUPLE_CHUNK_SIZE},
   *   at most `chunkSize`).
   * @throws RangeError when a size is not a positive safe integer.
   */
  constructor(chunkSize = DEFAULT_TUPLE_CHUNK_SIZE, initialChunkSize = DEFAULT_INITIAL_TUPLE_CHUNK_SIZE) {
    checkSize('tuple chunk size', chunkSize);
    checkSize('initial tuple chunk size', initialChunkSize);
    this.#chunkSize = chunkSize;
    this.#initialSize = Math.min(initialChunkSize, chunkSize);
  }

  /**
   * Reserves `length` bytes for a tuple of `partition` and returns the array they are in; they start at
   * {@link offset}. Nobody else is ever given these bytes.
   */
  reserve(partition: number, length: number): Uint8Array {
    const max = this.#chunkSize;
    if (length > max) {
      this.#offset = 0;
      return new Uint8Array(length);
    }
    const chunks = this.#chunks;
    while (chunks.length <= partition) {
      chunks.push(undefined);
      this.#used.push(0);
    }
    let chunk = chunks[partition];
    let used = this.#used[partition] ?? 0;
    if (chunk === undefined || used + length > chunk.length) {
      let size = chunk === undefined ? this.#initialSize : Math.min(max, chunk.length * 2);
      while (size < length) size = Math.min(max, size * 2);
      this.#reserved += size - (chunk === undefined ? 0 : chunk.length);
      chunk = new Uint8Array(size);
      chunks[partition] = chunk;
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

  /** Bytes of the partitions' current chunks (reserved for rows to come, and holding the latest rows). */
  get reservedBytes(): number {
    return this.#reserved;
  }
}

/** A view of `length` bytes of `array` from `offset`, or `array` itself when that is all of it. */
export function tupleView(array: Uint8Array, offset: number, length: number): Uint8Array {
  if (offset === 0 && length === array.length) return array;
  return new Uint8Array(array.buffer, array.byteOffset + offset, length);
}
