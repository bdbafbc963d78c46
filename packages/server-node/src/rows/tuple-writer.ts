/**
 * Builds a BinaryTuple from element byte ranges of other tuples (and NULLs), with room for a prefix in front:
 * how the node makes a key tuple out of a full row, splices column defaults into a row, and upgrades a row to
 * a newer schema, all without decoding a value. The output is Ignite 3's layout with the smallest offset
 * entries that fit (as `BinaryTupleBuilder` writes it), so the bytes equal what a client would encode.
 *
 * The writer is reused: `reset`, `add`/`addNull` per element, then `build` (a new array) or `writeTo` (into
 * a caller's buffer, e.g. a batch's). It holds no reference to the sources after either. It does not check the element bytes (they come from tuples already checked).
 */

const EMPTY = new Uint8Array(0);
/** Below this many bytes a loop beats `set(subarray(...))`, which allocates a view. */
const SMALL_COPY = 16;

export class TupleWriter {
  #sources: Uint8Array[] = [];
  #starts: number[] = [];
  #ends: number[] = [];
  #count = 0;
  #valueSize = 0;

  /** Starts a new tuple. */
  reset(): this {
    this.#count = 0;
    this.#valueSize = 0;
    return this;
  }

  /** Appends an element: the bytes `source[start..end)` (an empty range is NULL). */
  add(source: Uint8Array, start: number, end: number): void {
    const i = this.#count++;
    this.#sources[i] = source;
    this.#starts[i] = start;
    this.#ends[i] = end;
    this.#valueSize += end - start;
  }

  /** Appends all of `element` as one element (`null` or empty: NULL). */
  addBytes(element: Uint8Array | null): void {
    if (element === null) this.add(EMPTY, 0, 0);
    else this.add(element, 0, element.length);
  }

  /** Appends a NULL element. */
  addNull(): void {
    this.add(EMPTY, 0, 0);
  }

  /**
   * The tuple of the elements added since `reset`, in a new array with `prefix` zero bytes in front of it
   * (for the caller to fill).
   */
  build(prefix = 0): Uint8Array {
    const out = new Uint8Array(prefix + this.byteLength());
    this.writeTo(out, prefix);
    return out;
  }

  /** The bytes the tuple of the elements added since `reset` takes. */
  byteLength(): number {
    const valueSize = this.#valueSize;
    return 1 + this.#count * entrySizeOf(valueSize) + valueSize;
  }

  /**
   * Writes the tuple of the elements added since `reset` into `out` at `at` ({@link byteLength} bytes, which
   * the caller has made room for), and starts a new tuple.
   *
   * @returns the offset just past the tuple.
   */
  writeTo(out: Uint8Array, at: number): number {
    const count = this.#count;
    const valueSize = this.#valueSize;
    const entrySize = entrySizeOf(valueSize);
    out[at] = entrySize === 1 ? 0 : entrySize === 2 ? 1 : 2;
    let entry = at + 1;
    let to = entry + count * entrySize;
    let end = 0;
    const sources = this.#sources;
    for (let i = 0; i < count; i++) {
      const source = sources[i] as Uint8Array;
      const from = this.#starts[i] as number;
      const until = this.#ends[i] as number;
      const length = until - from;
      if (length < SMALL_COPY) {
        for (let b = from; b < until; b++) out[to++] = source[b] as number;
      } else {
        out.set(source.subarray(from, until), to);
        to += length;
      }
      end += length;
      out[entry] = end & 0xff;
      if (entrySize > 1) out[entry + 1] = (end >> 8) & 0xff;
      if (entrySize > 2) {
        out[entry + 2] = (end >> 16) & 0xff;
        out[entry + 3] = (end >>> 24) & 0xff;
      }
      entry += entrySize;
      // Drop the reference at once: a writer kept by the node must not keep request frames alive.
      sources[i] = EMPTY;
    }
    this.#count = 0;
    this.#valueSize = 0;
    return to;
  }
}

/** The offset entry size (1, 2 or 4 bytes) of a tuple whose values take `valueSize` bytes. */
function entrySizeOf(valueSize: number): 1 | 2 | 4 {
  return valueSize <= 0xff ? 1 : valueSize <= 0xffff ? 2 : 4;
}
