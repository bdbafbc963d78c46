/**
 * Where each element of a BinaryTuple lies, read from its header and offset table without decoding a value:
 * what the write path needs to check a row's shape, pick its key columns and splice in defaults while the
 * row stays bytes. The checks are the protocol reader's (`BinaryTupleReader`): a 1-, 2- or 4-byte offset
 * table that fits the bytes, end offsets in order, the last one ending exactly at the end of the bytes.
 *
 * One layout is reset per tuple, so checking many rows allocates nothing. It does not check the bytes of a
 * value (see `RowShape.lengthProblem` for the cheap per-type length check).
 */

import { BinaryTupleFormat, offsetEntry } from '@datastreamer/protocol';

const HEADER_SIZE = BinaryTupleFormat.headerSize;
const OFFSET_SIZE_MASK = BinaryTupleFormat.offsetSizeMask;
const EMPTY = new Uint8Array(1);

/** The element bounds of one tuple at a time. */
export class TupleLayout {
  #bytes: Uint8Array = EMPTY;
  #count = 0;
  /**
   * `#bounds[i]` is where element `i` starts (absolute), `#bounds[i + 1]` where it ends: read from the offset
   * table once by `reset`, which has to walk it anyway, so the per-element questions are array reads.
   */
  #bounds = new Int32Array(17);

  /** The tuple the layout describes. */
  get bytes(): Uint8Array {
    return this.#bytes;
  }

  /** Elements of the tuple (what `reset` was told). */
  get count(): number {
    return this.#count;
  }

  /**
   * Points the layout at `bytes`, a tuple of `count` elements.
   *
   * @returns `null` when the header and offset table fit the bytes, else what is wrong (the caller words the
   *   error with the row and table it is about); the layout then describes no tuple.
   */
  reset(bytes: Uint8Array, count: number): string | null {
    this.#count = 0;
    this.#bytes = EMPTY;
    if (bytes.length < HEADER_SIZE) return 'the tuple is empty (no header byte)';
    const sizeLog2 = (bytes[0] as number) & OFFSET_SIZE_MASK;
    if (sizeLog2 === 3) return 'the tuple header asks for 8-byte offsets, which are not supported';
    const entrySize = 1 << sizeLog2;
    const valueBase = HEADER_SIZE + count * entrySize;
    if (bytes.length < valueBase) {
      return `${bytes.length} bytes cannot hold the offset table of ${count} elements`;
    }
    if (count >= this.#bounds.length) this.#bounds = new Int32Array(count + 1);
    const bounds = this.#bounds;
    bounds[0] = valueBase;
    const valueSize = bytes.length - valueBase;
    let previous = 0;
    for (let i = 0; i < count; i++) {
      const end = offsetEntry(bytes, entrySize, i);
      if (end < previous || end > valueSize) {
        return `element ${i} ends at ${end}, outside ${previous}..${valueSize}`;
      }
      bounds[i + 1] = valueBase + end;
      previous = end;
    }
    if (previous !== valueSize) {
      return `the ${count} elements end at ${previous} but the value area has ${valueSize} bytes`;
    }
    this.#bytes = bytes;
    this.#count = count;
    return null;
  }

  /** Absolute offset of element `index`'s first byte (valid after a successful `reset`). */
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
  }
}
