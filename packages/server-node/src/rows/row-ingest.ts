/**
 * The write path of rows: checks a row or key tuple as it arrived against its schema version and turns it
 * into what the store keeps, without decoding a value. A full row (PUT) gives its key tuple (the key columns'
 * elements, in key order) and its stored row (version prefix + tuple, copied once); columns the row marked in
 * `noValueSet` get their default (or NULL) spliced in, and only such rows are rebuilt. A key tuple is checked
 * and used as it is.
 *
 * Checks, each failing with `INVALID_ROW` naming the row and, where there is one, the column (extension
 * `column`): the tuple's offset table fits the schema's column count; no key column is NULL or left unset;
 * no NULL in a column that is not nullable (an unset column without a default counts as NULL); no
 * `noValueSet` bit past the last column; and every value the row sets, key columns included, is one its
 * column allows, judged on its bytes in the same pass (`RowShape.valueProblem`, the protocol's element
 * checks: length for the type, well-formed UTF-8, BOOLEAN 0 or 1, date and time fields in range, nanoseconds
 * below 10^9 and within the column's precision, DECIMAL digits within precision and scale). A key column
 * must also be in the one canonical form a tuple builder writes (`RowShape.keyFormProblem`: an INT64 `1` in 1
 * byte, not 8), since keys are stored and found by their bytes and a second form would be a second row of the
 * key. So every row this node stores decodes, no key is stored twice, and a bad row fails its whole request
 * before anything is applied.
 *
 * Outputs go either into a batch ({@link RowIngest.putInto}, {@link RowIngest.removeInto}: keys and stored
 * rows written one after another into the batch's two buffers, nothing allocated per row; see
 * ingest-batch.ts), or into caller arrays at an index ({@link RowIngest.put}, {@link RowIngest.key}: one key
 * and one stored row array per PUT, for the single-row and transactional paths that keep rows apart). The
 * `...RangeInto` variants read the row in place from a range of a larger buffer (a decoded streamer batch's
 * message), making no view of it: the layout, the key columns and the row copy all read the range.
 * Not reentrant (one layout and writer per instance).
 */
import { type Buggify, neverBuggify } from '@datastreamer/protocol';
import { IngestBatch } from './ingest-batch.js';
import { columnError, markedLength, type RowContext, rowError } from './ingest-errors.js';
import type { PutRange, RemoveRange } from './row-range.js';
import type { RowShape } from './row-shape.js';
import { versionPrefixLength, writeVersionPrefix } from './stored-row.js';
import { TupleLayout } from './tuple-layout.js';
import { TupleWriter } from './tuple-writer.js';

export type { RowContext } from './ingest-errors.js';

/** Below this many bytes a loop beats `set` (measured on Node 20: `set` of a whole array costs ~10 ns). */
const SMALL_COPY = 8;
/** The `noValueSet` of a row that sets every column. */
const NO_MASK = new Uint8Array(0);

export class RowIngest {
  readonly #layout = new TupleLayout();
  readonly #writer = new TupleWriter();
  readonly #batch = new IngestBatch();
  readonly #buggify: Buggify;

  /** @param buggify fault points (simulation only): `storage.arena-tiny` starts a batch's arena tiny. */
  constructor(buggify: Buggify = neverBuggify) {
    this.#buggify = buggify;
  }

  /**
   * A batch for `count` items: this ingest's reusable one, or a fresh one while that one is in use (a
   * nested request). Call `release()` on it once the transaction that wrote from it has committed or
   * aborted.
   */
  batch(count: number): IngestBatch {
    const own = this.#batch;
    return (own.inUse ? new IngestBatch() : own).reset(count, this.#buggify('storage.arena-tiny'));
  }

  /**
   * Checks the full row `tuple` (a PUT written with `shape`'s version) and makes it item `index` of `batch`:
   * its key tuple and its stored row, written into the batch's buffers.
   *
   * @throws ServerError `INVALID_ROW` (see the module header); the batch's item is then left unset.
   */
  putInto(
    batch: IngestBatch,
    shape: RowShape,
    noValueSet: Uint8Array,
    tuple: Uint8Array,
    index: number,
    context: RowContext,
  ): void {
    this.#putInto(batch, shape, noValueSet, 0, noValueSet.length, tuple, 0, tuple.length, index, context);
  }

  /**
   * {@link RowIngest.putInto} for the row `put` locates: its `noValueSet` is `bytes[maskStart..maskEnd)` and
   * its tuple `bytes[tupleStart..tupleEnd)` (a decoded streamer batch's rows, read from its message): same
   * checks, same errors, same output.
   *
   * @throws ServerError `INVALID_ROW` (see the module header); the batch's item is then left unset.
   */
  putRangeInto(put: PutRange): void {
    const { bytes, maskStart } = put;
    this.#putInto(
      put.batch,
      put.shape,
      bytes,
      maskStart,
      put.maskEnd - maskStart,
      bytes,
      put.tupleStart,
      put.tupleEnd,
      put.index,
      put.context,
    );
  }

  /** The mask is `mask[maskStart..maskStart + maskLength)`, the tuple `tuple[tupleStart..tupleEnd)`. */
  #putInto(
    batch: IngestBatch,
    shape: RowShape,
    mask: Uint8Array,
    maskStart: number,
    maskLength: number,
    tuple: Uint8Array,
    tupleStart: number,
    tupleEnd: number,
    index: number,
    context: RowContext,
  ): void {
    try {
      const rewrite = this.#checkRow(
        shape,
        mask,
        maskStart,
        maskLength,
        tuple,
        tupleStart,
        tupleEnd,
        index,
        context,
      );
      this.#addKeyColumns(shape);
      const writer = this.#writer;
      // Reserve first: reserving may grow the arena into a new buffer, which `keyBytes` then returns.
      const keyStart = batch.reserveKey(index, writer.byteLength());
      writer.writeTo(batch.keyBytes, keyStart);
      const prefix = versionPrefixLength(shape.version);
      if (rewrite) {
        this.#addWithDefaults(shape, mask, maskStart, maskLength);
        const start = batch.reserveRow(index, prefix + writer.byteLength());
        const bytes = batch.rowBytes;
        writeVersionPrefix(bytes, shape.version, start);
        writer.writeTo(bytes, start + prefix);
      } else {
        const start = batch.reserveRow(index, prefix + tupleEnd - tupleStart);
        const bytes = batch.rowBytes;
        writeVersionPrefix(bytes, shape.version, start);
        // A tuple that is its own array goes in with one `set`; a range of a message through the batch's
        // DataViews, with no view of the range made.
        if (tupleStart === 0 && tupleEnd === tuple.length) copyInto(bytes, start + prefix, tuple);
        else batch.copyToRows(start + prefix, tuple, tupleStart, tupleEnd);
      }
    } finally {
      this.#layout.release();
    }
  }

  /**
   * Checks `tuple` as the key of a REMOVE (a key tuple, or a full row whose value columns are ignored) and
   * makes it item `index` of `batch`: its key tuple written into the batch's key buffer, no row.
   *
   * @throws ServerError `INVALID_ROW` when the tuple is neither, or a key column is NULL or malformed.
   */
  removeInto(
    batch: IngestBatch,
    shape: RowShape,
    tuple: Uint8Array,
    index: number,
    context: RowContext,
  ): void {
    this.#removeInto(batch, shape, tuple, 0, tuple.length, index, context);
  }

  /**
   * {@link RowIngest.removeInto} for the tuple `remove` locates, `bytes[tupleStart..tupleEnd)`: same checks,
   * same errors, same output.
   *
   * @throws ServerError `INVALID_ROW` when the tuple is neither a key nor a full row, or a key column is NULL
   *   or malformed.
   */
  removeRangeInto(remove: RemoveRange): void {
    const { batch, shape, bytes, tupleStart, tupleEnd, index, context } = remove;
    this.#removeInto(batch, shape, bytes, tupleStart, tupleEnd, index, context);
  }

  /** The key is `bytes[tupleStart..tupleEnd)`. */
  #removeInto(
    batch: IngestBatch,
    shape: RowShape,
    bytes: Uint8Array,
    tupleStart: number,
    tupleEnd: number,
    index: number,
    context: RowContext,
  ): void {
    try {
      if (this.#checkKey(shape, bytes, tupleStart, tupleEnd, index, context, true)) {
        const start = batch.reserveKey(index, tupleEnd - tupleStart);
        if (tupleStart === 0 && tupleEnd === bytes.length) copyInto(batch.keyBytes, start, bytes);
        else batch.copyToKeys(start, bytes, tupleStart, tupleEnd);
      } else {
        this.#addKeyColumns(shape);
        const writer = this.#writer;
        const keyStart = batch.reserveKey(index, writer.byteLength());
        writer.writeTo(batch.keyBytes, keyStart);
      }
      batch.setRemove(index);
    } finally {
      this.#layout.release();
    }
  }

  /**
   * Checks the full row `tuple` (a PUT written with `shape`'s version) and sets `keys[index]` to its key
   * tuple and `rows[index]` to its stored row, each a new array.
   *
   * @throws ServerError `INVALID_ROW` (see the module header).
   */
  put(
    shape: RowShape,
    noValueSet: Uint8Array,
    tuple: Uint8Array,
    index: number,
    context: RowContext,
    keys: Uint8Array[],
    rows: (Uint8Array | null)[],
  ): void {
    try {
      const maskLength = noValueSet.length;
      const rewrite = this.#checkRow(
        shape,
        noValueSet,
        0,
        maskLength,
        tuple,
        0,
        tuple.length,
        index,
        context,
      );
      this.#addKeyColumns(shape);
      keys[index] = this.#writer.build(0);
      const prefix = versionPrefixLength(shape.version);
      let stored: Uint8Array;
      if (rewrite) {
        this.#addWithDefaults(shape, noValueSet, 0, maskLength);
        stored = this.#writer.build(prefix);
      } else {
        stored = new Uint8Array(prefix + tuple.length);
        stored.set(tuple, prefix);
      }
      writeVersionPrefix(stored, shape.version);
      rows[index] = stored;
    } finally {
      this.#layout.release();
    }
  }

  /**
   * Checks the key tuple `tuple` (the key columns in key order) and sets `keys[index]` to it (no copy: keys
   * are not kept by the store beyond the transaction). With `fullRowAllowed`, a full row is accepted too and
   * its key columns taken (a REMOVE item whose value columns were sent along; they are ignored).
   *
   * @throws ServerError `INVALID_ROW` when the tuple is neither, or a key column is NULL or malformed.
   */
  key(
    shape: RowShape,
    tuple: Uint8Array,
    index: number,
    context: RowContext,
    fullRowAllowed: boolean,
    keys: Uint8Array[],
  ): void {
    try {
      if (this.#checkKey(shape, tuple, 0, tuple.length, index, context, fullRowAllowed)) {
        keys[index] = tuple;
      } else {
        this.#addKeyColumns(shape);
        keys[index] = this.#writer.build(0);
      }
    } finally {
      this.#layout.release();
    }
  }

  /**
   * Checks one write of a transaction as another node sends it (TX_ROWS_WRITE): `row` a full row of
   * `shape`'s version with every column set, stored as it is, and `key` its key tuple; or `row` `null` (a
   * delete) and `key` a key tuple. Writes nothing: a peer's rows pass the same checks as a client's.
   *
   * @throws ServerError `INVALID_ROW` (see the module header), also when `key` is not the row's own key.
   */
  checkWrite(shape: RowShape, key: Uint8Array, row: Uint8Array | null, index: number): void {
    try {
      if (row === null) {
        this.#checkKey(shape, key, 0, key.length, index, 'request', false);
        return;
      }
      this.#checkRow(shape, NO_MASK, 0, 0, row, 0, row.length, index, 'request');
      this.#addKeyColumns(shape);
      if (!sameBytes(this.#writer.build(0), key)) {
        throw rowError(shape, index, 'request', 'is written under a key that is not its own');
      }
    } finally {
      this.#layout.release();
    }
  }

  /**
   * Checks the full row `tuple[tupleStart..tupleEnd)` whose `noValueSet` is `mask[maskStart..maskStart +
   * maskLength)`, leaving the layout on it.
   *
   * @returns whether the stored row must be rebuilt (an unset column gets its default, or NULL in place of
   *   the bytes the client left there).
   */
  #checkRow(
    shape: RowShape,
    mask: Uint8Array,
    maskStart: number,
    maskLength: number,
    tuple: Uint8Array,
    tupleStart: number,
    tupleEnd: number,
    index: number,
    context: RowContext,
  ): boolean {
    const layout = this.#layout;
    const count = shape.columnCount;
    const problem = layout.resetRange(tuple, tupleStart, tupleEnd, count);
    if (problem !== null) {
      throw rowError(shape, index, context, `is not a row of ${count} columns: ${problem}`);
    }
    // Trailing zero bytes mark nothing: a mask of zeros (every column set) then costs no test per column.
    const marked = maskLength > 0 ? markedLength(shape, mask, maskStart, maskLength, index, context) : 0;
    let rewrite = false;
    for (let c = 0; c < count; c++) {
      const length = layout.length(c);
      const unset = c >> 3 < marked && ((mask[maskStart + (c >> 3)] as number) & (1 << (c & 7))) !== 0;
      if (unset) {
        if (shape.isKey[c] === 1) {
          throw columnError(shape, index, context, c, 'is a key column and must be set');
        }
        if (shape.defaults[c] !== null) rewrite = true;
        else if (shape.nullable[c] === 1) rewrite ||= length !== 0;
        else throw columnError(shape, index, context, c, 'is not set, and is neither nullable nor defaulted');
      } else if (length === 0) {
        if (shape.nullable[c] === 0) {
          const what = shape.isKey[c] === 1 ? 'is a key column and cannot be NULL' : 'is not nullable';
          throw columnError(shape, index, context, c, `${what}, but the row holds NULL`);
        }
      } else {
        const wrong = shape.valueProblem(c, tuple, layout.start(c), layout.end(c));
        if (wrong !== null) throw columnError(shape, index, context, c, `holds a malformed value: ${wrong}`);
        if (shape.isKey[c] === 1) this.#checkKeyForm(shape, index, context, c, c);
      }
    }
    return rewrite;
  }

  /**
   * Checks `tuple[tupleStart..tupleEnd)` as a key, leaving the layout on it.
   *
   * @returns `true` when it is a key tuple (usable as it is), `false` when it is a full row (allowed by
   *   `fullRowAllowed`) whose key columns must be taken.
   */
  #checkKey(
    shape: RowShape,
    tuple: Uint8Array,
    tupleStart: number,
    tupleEnd: number,
    index: number,
    context: RowContext,
    fullRowAllowed: boolean,
  ): boolean {
    const layout = this.#layout;
    const problem = layout.resetRange(tuple, tupleStart, tupleEnd, shape.keyCount);
    if (problem === null) {
      for (let k = 0; k < shape.keyCount; k++) {
        this.#checkKeyElement(shape, index, context, shape.keyIndexes[k] as number, k);
      }
      return true;
    }
    // A full row can never pass as a key-only tuple (see TupleLayout: its offsets would not end at the end
    // of the bytes), so trying the key form first is unambiguous.
    if (
      fullRowAllowed &&
      shape.columnCount > shape.keyCount &&
      layout.resetRange(tuple, tupleStart, tupleEnd, shape.columnCount) === null
    ) {
      for (let k = 0; k < shape.keyCount; k++) {
        const c = shape.keyIndexes[k] as number;
        this.#checkKeyElement(shape, index, context, c, c);
      }
      return false;
    }
    throw rowError(shape, index, context, `is not a key of ${shape.keyCount} columns: ${problem}`);
  }

  /** Checks element `element` of the tuple in the layout as key column `column` (a schema index). */
  #checkKeyElement(
    shape: RowShape,
    index: number,
    context: RowContext,
    column: number,
    element: number,
  ): void {
    const layout = this.#layout;
    if (layout.length(element) === 0) {
      throw columnError(shape, index, context, column, 'is a key column and cannot be NULL');
    }
    const wrong = shape.valueProblem(column, layout.bytes, layout.start(element), layout.end(element));
    if (wrong !== null) throw columnError(shape, index, context, column, `holds a malformed value: ${wrong}`);
    this.#checkKeyForm(shape, index, context, column, element);
  }

  /** Checks that element `element` of the tuple in the layout, key column `column`, is in its canonical form. */
  #checkKeyForm(shape: RowShape, index: number, context: RowContext, column: number, element: number): void {
    const layout = this.#layout;
    const wrong = shape.keyFormProblem(column, layout.bytes, layout.start(element), layout.end(element));
    if (wrong !== null) {
      throw columnError(shape, index, context, column, `is a key column not in its canonical form: ${wrong}`);
    }
  }

  /** Starts the writer on the key tuple of the full row in the layout. */
  #addKeyColumns(shape: RowShape): void {
    const layout = this.#layout;
    const tuple = layout.bytes;
    const writer = this.#writer.reset();
    for (let k = 0; k < shape.keyCount; k++) {
      const c = shape.keyIndexes[k] as number;
      writer.add(tuple, layout.start(c), layout.end(c));
    }
  }

  /**
   * Starts the writer on the full row in the layout, the columns unset in `mask[maskStart..maskStart +
   * maskLength)` replaced by their default or NULL.
   */
  #addWithDefaults(shape: RowShape, mask: Uint8Array, maskStart: number, maskLength: number): void {
    const layout = this.#layout;
    const tuple = layout.bytes;
    const writer = this.#writer.reset();
    for (let c = 0; c < shape.columnCount; c++) {
      const unset = c >> 3 < maskLength && ((mask[maskStart + (c >> 3)] as number) & (1 << (c & 7))) !== 0;
      if (unset) writer.addBytes(shape.defaults[c] ?? null);
      else writer.add(tuple, layout.start(c), layout.end(c));
    }
  }
}

/** Copies all of `source` into `target` at `at` (room made by the caller). */
function copyInto(target: Uint8Array, at: number, source: Uint8Array): void {
  const length = source.length;
  if (length < SMALL_COPY) for (let i = 0; i < length; i++) target[at + i] = source[i] as number;
  else target.set(source, at);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
