/**
 * Append-only byte storage in chunks, so a partition keeps its keys and rows in a few large arrays instead of
 * one `Uint8Array` (an object with its own header and backing store) per row. A stored value is addressed by a
 * position (chunk index * 65536 + offset) and its length, both kept by the caller in its own typed arrays.
 *
 * Bytes once written are never overwritten: a value that is replaced or removed is only counted as dead, and
 * the owner compacts by moving the live values into a fresh slab ({@link ByteSlab.moveTo}). So a view handed out by
 * {@link ByteSlab.view} stays valid (it pins its chunk) for as long as anyone holds it.
 *
 * It does not know which values are live: the owner does, and drives compaction.
 */

/** Offsets within a chunk stay below this, so a position is `chunk * CHUNK_SPAN + offset`. */
const CHUNK_SPAN = 0x10000;
/** The first chunk is small (stores of a few keys are common in tests), later ones double up to the span. */
const FIRST_CHUNK = 1024;
/** Values this long or longer get a chunk of their own (at offset 0), so they waste no shared chunk space. */
const OWN_CHUNK_FROM = CHUNK_SPAN >> 2;

export class ByteSlab {
  /**
   * The longest run of bytes {@link append} keeps addressable piecewise: a run this long or shorter lands in
   * one chunk, so a value at `delta` bytes into it is at position `position + delta` (a batch's rows copied
   * in as one block).
   */
  static readonly MAX_BLOCK = CHUNK_SPAN;

  #chunks: Uint8Array[] = [];
  #current: Uint8Array = new Uint8Array(0);
  #currentIndex = -1;
  #used = 0;
  /** Bytes of values the owner still references. */
  live = 0;
  /** Bytes of values the owner dropped (still in chunks until the next compaction). */
  dead = 0;

  /**
   * Copies `bytes[start, end)` in and returns its position (read it back with `end - start` as the length).
   * The bytes land in one chunk. Never fails: chunks grow as needed.
   */
  append(bytes: Uint8Array, start: number, end: number): number {
    const length = end - start;
    if (length === 0) return 0;
    this.live += length;
    if (length >= OWN_CHUNK_FROM) {
      const own = bytes.slice(start, end);
      this.#chunks.push(own);
      return (this.#chunks.length - 1) * CHUNK_SPAN;
    }
    if (this.#used + length > this.#current.length) this.#newChunk(length);
    const offset = this.#used;
    const chunk = this.#current;
    // Keys and typical rows are a few dozen bytes: a plain loop beats `set` (and its subarray) at that size.
    if (length <= 64) for (let i = 0; i < length; i++) chunk[offset + i] = bytes[start + i] as number;
    else chunk.set(bytes.subarray(start, end), offset);
    this.#used = offset + length;
    return this.#currentIndex * CHUNK_SPAN + offset;
  }

  /** The chunk holding position `position`. */
  chunkAt(position: number): Uint8Array {
    return this.#chunks[(position / CHUNK_SPAN) | 0] as Uint8Array;
  }

  /** Where position `position` starts within its chunk. */
  static offsetOf(position: number): number {
    return position & (CHUNK_SPAN - 1);
  }

  /** A view (no copy) of the `length` bytes at `position`. Valid forever: chunks are never overwritten. */
  view(position: number, length: number): Uint8Array {
    if (length === 0) return new Uint8Array(0);
    const offset = position & (CHUNK_SPAN - 1);
    return this.chunkAt(position).subarray(offset, offset + length);
  }

  /** Copies the `length` bytes at `position` into `target` from `at`, making no view. */
  copyTo(position: number, length: number, target: Uint8Array, at: number): void {
    const chunk = this.chunkAt(position);
    const offset = position & (CHUNK_SPAN - 1);
    for (let k = 0; k < length; k++) target[at + k] = chunk[offset + k] as number;
  }

  /** Whether the `length` bytes at `position` equal `bytes`. */
  equals(position: number, length: number, bytes: Uint8Array): boolean {
    return bytes.length === length && this.equalsRange(position, length, bytes, 0);
  }

  /** Whether the `length` bytes at `position` equal the `length` bytes of `bytes` at `start`. */
  equalsRange(position: number, length: number, bytes: Uint8Array, start: number): boolean {
    if (length === 0) return true;
    const chunk = this.chunkAt(position);
    const offset = position & (CHUNK_SPAN - 1);
    for (let i = 0; i < length; i++) if (chunk[offset + i] !== bytes[start + i]) return false;
    return true;
  }

  /** Counts `length` bytes as dropped by the owner. */
  release(length: number): void {
    this.live -= length;
    this.dead += length;
  }

  /** Whether dead bytes outweigh live ones enough that copying the live ones out pays. */
  wantsCompaction(): boolean {
    return this.dead > 64 * 1024 && this.dead > this.live;
  }

  /** Copies the value at `position` of this slab into `target` and returns its new position there. */
  moveTo(target: ByteSlab, position: number, length: number): number {
    const offset = position & (CHUNK_SPAN - 1);
    return target.append(this.chunkAt(position), offset, offset + length);
  }

  #newChunk(needed: number): void {
    const previous = this.#current.length;
    let size = previous === 0 ? FIRST_CHUNK : Math.min(previous * 2, CHUNK_SPAN);
    while (size < needed) size *= 2;
    this.#current = new Uint8Array(size);
    this.#chunks.push(this.#current);
    this.#currentIndex = this.#chunks.length - 1;
    this.#used = 0;
  }
}
