/**
 * Where each element of a BinaryTuple lies, read from its header and offset table without decoding a value:
 * what the write path needs to check a row's shape, pick its key columns and splice in defaults while the
 * row stays bytes. The checks are the protocol reader's (`BinaryTupleReader`): a 1-, 2- or 4-byte offset
 * table that fits the bytes, end offsets in order, the last one ending exactly at the end of the bytes.
 *
 * The tuple may be a range of a larger buffer (`resetRange`: a row inside a received message), read in place
 * with every bound absolute in that buffer. One layout is reset per tuple, so checking many rows allocates
 * nothing. It does not check the bytes of a value (see `RowShape.valueProblem`).
 */

import { BinaryTupleFormat } from '@datastreamer/protocol/internal';

const HEADER_SIZE = BinaryTupleFormat.headerSize;
const OFFSET_SIZE_MASK = BinaryTupleFormat.offsetSizeMask;
const EMPTY = new Uint8Array(1);

/** The element bounds of one tuple at a time. */
export class TupleLayout {
  #bytes: Uint8Array = EMPTY;
  #count = 0;
  #start = 0;
  #end = 0;
  /**
   * `#bounds[i]` is where element `i` starts (absolute), `#bounds[i + 1]` where it ends: read from the offset
   * table once by `reset`, which has to walk it anyway, so the per-element questions are array reads.
   */
  #bounds = new Int32Array(17);

  /** The bytes holding the tuple the layout describes (the tuple is `bytes[tupleStart..tupleEnd)`). */
  get bytes(): Uint8Array {
    return this.#bytes;
  }

  /** Elements of the tuple (what `reset` was told). */
  get count(): number {
    return this.#count;
  }

  /** Where the tuple starts in {@link bytes} (what `resetRange` was told; 0 after `reset`). */
  get tupleStart(): number {
    return this.#start;
  }

  /** Where the tuple ends in {@link bytes} (exclusive). */
  get tupleEnd(): number {
    return this.#end;
  }

  /**
   * Points the layout at `bytes`, a tuple of `count` elements: {@link resetRange} over all of `bytes`.
   *
   * @returns `null` when the header and offset table fit the bytes, else what is wrong (the caller words the
   *   error with the row and table it is about); the layout then describes no tuple.
   */
  reset(bytes: Uint8Array, count: number): string | null {
    return this.resetRange(bytes, 0, bytes.length, count);
  }

  /**
   * Points the layout at the tuple `bytes[start..end)` of `count` elements, e.g. a row inside a received
   * message, with no view of it made: every bound the layout gives is absolute in `bytes`. The caller
   * guarantees `0 <= start <= end <= bytes.length`.
   *
   * @returns `null` when the header and offset table fit the range, else what is wrong, worded exactly as
   *   `reset` of a copy of the range words it; the layout then describes no tuple.
   */
  resetRange(bytes: Uint8Array, start: number, end: number, count: number): string | null {
    this.#count = 0;
    this.#bytes = EMPTY;
    const length = end - start;
    if (length < HEADER_SIZE) return 'the tuple is empty (no header byte)';
    const sizeLog2 = (bytes[start] as number) & OFFSET_SIZE_MASK;
    if (sizeLog2 === 3) return 'the tuple header asks for 8-byte offsets, which are not supported';
    const entrySize = 1 << sizeLog2;
    const valueBase = HEADER_SIZE + count * entrySize;
    if (length < valueBase) {
      return `${length} bytes cannot hold the offset table of ${count} elements`;
    }
    if (count >= this.#bounds.length) this.#bounds = new Int32Array(count + 1);
    const bounds = this.#bounds;
    const base = start + valueBase;
    bounds[0] = base;
    const valueSize = length - valueBase;
    // Read here rather than with the protocol's `offsetEntry`, which reads a table at the start of its array;
    // 1-byte entries (every tuple under 256 value bytes) get a loop of their own.
    let previous = 0;
    let at = start + HEADER_SIZE;
    if (entrySize === 1) {
      for (let i = 0; i < count; i++) {
        const offset = bytes[at + i] as number;
        if (offset < previous || offset > valueSize) return outside(i, offset, previous, valueSize);
        bounds[i + 1] = base + offset;
        previous = offset;
      }
    } else {
      for (let i = 0; i < count; i++, at += entrySize) {
        const low = (bytes[at] as number) | ((bytes[at + 1] as number) << 8);
        // A 4-byte entry with the top bit set reads as a large positive number, which this refuses.
        const offset =
          entrySize === 2
            ? low
            : (low | ((bytes[at + 2] as number) << 16) | ((bytes[at + 3] as number) << 24)) >>> 0;
        if (offset < previous || offset > valueSize) return outside(i, offset, previous, valueSize);
        bounds[i + 1] = base + offset;
        previous = offset;
      }
    }
    if (previous !== valueSize) {
      return `the ${count} elements end at ${previous} but the value area has ${valueSize} bytes`;
    }
    this.#bytes = bytes;
    this.#start = start;
    this.#end = end;
    this.#count = count;
    return null;
  }

  /** Absolute offset of element `index`'s first byte (valid after a successful `reset` or `resetRange`). */
  start(index: number): number {
    return this.#bounds[index] as number;
  }

  /** Absolute offset just past element `index`'s last byte. */
  end(index: number): number {
    return this.#bounds[index + 1] as number;
  }

  /** Bytes of element `index`; 0 is NULL. */
  length(index: number): number {
    return (this.#bounds[index + 1] as number) - (this.#bounds[index] as number);
  }

  /** Lets go of the tuple, so the layout does not keep a request frame alive. */
  release(): void {
    this.#bytes = EMPTY;
    this.#count = 0;
    this.#start = 0;
    this.#end = 0;
  }
}

function outside(element: number, offset: number, previous: number, valueSize: number): string {
  return `element ${element} ends at ${offset}, outside ${previous}..${valueSize}`;
}
