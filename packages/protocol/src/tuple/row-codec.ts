/**
 * Rows of one table schema to and from BinaryTuples, as the streamer and the table views send them.
 *
 * - A full row holds every column in schema order. A column the row does not set (its property is absent, or
 *   `undefined`) is a NULL element with its bit set in `noValueSet`, so the server applies the column's
 *   default; an explicit `null` is a NULL value and its bit stays clear.
 * - A key-only row holds the key columns in key order.
 *
 * Rows are plain objects keyed by column name; their own enumerable properties are read (a `__proto__` column
 * is handled as data, never as the prototype). A property that is not a column is an
 * {@link UnknownColumnError} (its `unknownColumn` flag tells the client to reload the schema once), and takes
 * precedence over any other problem in the row. Values go through {@link normalizeValue}, except those in
 * their type's everyday form (an INT64 number, a TIMESTAMP `Date`, ...), which are written straight into the
 * tuple with the same bytes and no allocation (see `raw-column-value.ts`). While encoding, the colocation
 * columns' normalized values, or directly their value hashes (an `Int32Array`, for the streaming hot path:
 * an INT64 number then needs no bigint), are handed out, so the colocation hash comes from the very values
 * that were written, without checking them twice. `encodeRowInto` writes the result into the caller's object,
 * so streaming a row allocates its tuple and little else; `stageRow` / `stageKey` then `writeStagedTuple`
 * allocate not even the tuple: the caller writes it into a buffer of its own (the streamer packs a
 * partition's tuples into shared chunks).
 *
 * One codec per schema version: it precomputes what each row needs and reuses one builder and one reader, so
 * it is not reentrant (it is synchronous, so sharing it within a thread is fine). It does not apply defaults
 * (the server does), fold value hashes into a colocation hash (`foldColocationHashes` does), or know about
 * the wire around a tuple.
 */
import { InvalidValueError, ProtocolError } from '../errors/protocol-error.js';
import { bitmaskSet, bitmaskTrimmedLength, createBitmask, EMPTY_BITMASK } from '../msgpack/bitmask.js';
import { isColumnType } from '../schema/column-types.js';
import { describeValue } from '../schema/describe-value.js';
import type { ColumnDef, TableSchema } from '../schema/table-schema.js';
import { denormalizeValue, normalizeValue } from '../schema/value-check.js';
import type { InternalValue } from '../schema/values.js';
import { BinaryTupleBuilder } from './binary-tuple-builder.js';
import { BinaryTupleReader } from './binary-tuple-reader.js';
import { appendColumnValue } from './column-value-codec.js';
import {
  appendRowValue,
  type ColocationSink,
  planRawColumns,
  type RawColumnPlan,
} from './raw-column-value.js';
import { decodeObject, decodeValues } from './row-decoding.js';
import { countProperties, isPlainObject, ownValue, type RowObject } from './row-object.js';
import { UnknownColumnError } from './unknown-column-error.js';

/** A full row, encoded. */
export interface EncodedRow {
  /** Every column in schema order. */
  readonly tuple: Uint8Array;
  /**
   * The columns the row did not set, as the wire's BITMASK: bit i (bit `i & 7` of byte `i >> 3`) is schema
   * column i; trailing zero bytes trimmed, so a row that sets every column has an empty mask.
   */
  readonly noValueSet: Uint8Array;
}

/**
 * Where {@link RowCodec.encodeRowInto} puts a row's encoding: any object with these two fields, e.g. the batch
 * entry that will carry the row, so no result object is made per row.
 */
export interface EncodedRowTarget {
  tuple: Uint8Array;
  noValueSet: Uint8Array;
}

/** Where {@link RowCodec.stageRow} puts a row's `noValueSet` (its tuple stays in the codec until written). */
export interface StagedRowTarget {
  noValueSet: Uint8Array;
}

const EMPTY_TUPLE = new Uint8Array(1);
const NO_TUPLE = new Uint8Array(0);

function invalidSchema(schema: TableSchema, message: string): ProtocolError {
  return new ProtocolError(
    'INVALID_SCHEMA',
    `table "${schema.tableName}" schema ${schema.version}: ${message}`,
  );
}

/** Indexes into `length` columns: each valid, none twice. */
function checkIndexes(schema: TableSchema, what: string, indexes: readonly number[], length: number): void {
  const seen = new Set<number>();
  for (const index of indexes) {
    if (!Number.isInteger(index) || index < 0 || index >= length || seen.has(index)) {
      throw invalidSchema(schema, `${what} index ${String(index)} is out of range or repeated`);
    }
    seen.add(index);
  }
}

/** Encodes and decodes the rows of one schema version. */
export class RowCodec {
  readonly schema: TableSchema;
  /**
   * For each colocation column (in colocation order), its position in a key-only row: how to pick the
   * colocation values out of decoded key values.
   */
  readonly colocationInKey: readonly number[];

  readonly #columns: readonly ColumnDef[];
  readonly #keyColumns: readonly ColumnDef[];
  readonly #names: readonly string[];
  readonly #keyNames: readonly string[];
  readonly #columnIndex: Map<string, number>;
  /** Per schema column: 1 when a key column. */
  readonly #isKey: Uint8Array;
  /** Per schema column: 1 when nullable or with a default, so it may be left unset. */
  readonly #mayBeUnset: Uint8Array;
  /** Per schema column / key column: how a raw value may skip normalizing (see `raw-column-value.ts`). */
  readonly #rowPlan: RawColumnPlan;
  readonly #keyPlan: RawColumnPlan;
  /** The `noValueSet` bits of the row being encoded; zeroed when a row first needs it. */
  readonly #unsetBits: Uint8Array;
  /** Per schema column / key column: its slot in colocation order, or -1. */
  readonly #rowColocationSlot: Int32Array;
  readonly #keyColocationSlot: Int32Array;
  /** Per schema column / key column: 1 when a plain object inherits a property of that name. */
  readonly #inherited: Uint8Array;
  readonly #keyInherited: Uint8Array;
  readonly #builder = new BinaryTupleBuilder();
  readonly #reader = new BinaryTupleReader(EMPTY_TUPLE, 0);

  /**
   * @throws ProtocolError `INVALID_SCHEMA` when the schema is inconsistent: an unknown column type, a repeated
   *   column name, no key, a key or colocation index out of range or repeated, or a colocation column that is
   *   not a key column.
   */
  constructor(schema: TableSchema) {
    this.schema = schema;
    const columns = schema.columns;
    const count = columns.length;
    this.#columns = columns;
    this.#columnIndex = new Map();
    for (let i = 0; i < count; i++) {
      const column = columns[i] as ColumnDef;
      if (!isColumnType(column.type))
        throw invalidSchema(schema, `column "${column.name}" has an unknown type`);
      if (this.#columnIndex.has(column.name))
        throw invalidSchema(schema, `column "${column.name}" appears twice`);
      this.#columnIndex.set(column.name, i);
    }
    if (schema.keyColumns.length === 0) throw invalidSchema(schema, 'no key column');
    checkIndexes(schema, 'key column', schema.keyColumns, count);
    checkIndexes(schema, 'colocation column', schema.colocationColumns, count);

    this.#names = columns.map((c) => c.name);
    this.#keyColumns = schema.keyColumns.map((i) => columns[i] as ColumnDef);
    this.#keyNames = this.#keyColumns.map((c) => c.name);
    this.#isKey = new Uint8Array(count);
    for (const i of schema.keyColumns) this.#isKey[i] = 1;
    this.#mayBeUnset = Uint8Array.from(columns, (c) =>
      c.nullable === true || c.default !== undefined ? 1 : 0,
    );
    this.#rowPlan = planRawColumns(columns);
    this.#keyPlan = planRawColumns(this.#keyColumns);
    this.#unsetBits = createBitmask(count);
    this.#inherited = Uint8Array.from(this.#names, (name) => (name in Object.prototype ? 1 : 0));
    this.#keyInherited = Uint8Array.from(this.#keyNames, (name) => (name in Object.prototype ? 1 : 0));

    this.#rowColocationSlot = new Int32Array(count).fill(-1);
    this.#keyColocationSlot = new Int32Array(schema.keyColumns.length).fill(-1);
    const colocationInKey: number[] = [];
    schema.colocationColumns.forEach((columnIndex, slot) => {
      const keyPosition = schema.keyColumns.indexOf(columnIndex);
      if (keyPosition < 0) {
        throw invalidSchema(schema, `colocation column "${columns[columnIndex]?.name}" is not a key column`);
      }
      this.#rowColocationSlot[columnIndex] = slot;
      this.#keyColocationSlot[keyPosition] = slot;
      colocationInKey.push(keyPosition);
    });
    this.colocationInKey = colocationInKey;
  }

  /**
   * Encodes a full row. When `colocation` is given, its slots `0..colocationColumns.length - 1` receive, in
   * colocation order, the colocation columns' normalized values (an `InternalValue[]`) or their value hashes
   * (an `Int32Array` of exactly that length, to fold with `foldColocationHashes`): see `ColocationSink`.
   *
   * @throws ProtocolError `INVALID_ARGUMENT` when `colocation` is an `Int32Array` of another length.
   * @throws UnknownColumnError when the row has a property that is not a column.
   * @throws InvalidValueError naming the column when a key column is missing, a column that is neither
   *   nullable nor defaulted is missing, or a value does not fit its column (see {@link normalizeValue}).
   * @throws ProtocolError `INVALID_ROW` when `row` is not an object.
   */
  encodeRow(row: object, colocation?: ColocationSink): EncodedRow {
    const encoded: EncodedRowTarget = { tuple: NO_TUPLE, noValueSet: EMPTY_BITMASK };
    this.encodeRowInto(row, encoded, colocation);
    return encoded;
  }

  /**
   * Encodes a full row as {@link encodeRow} does, into `target`'s `tuple` and `noValueSet` (both set together,
   * and only when the row encodes), for a caller that keeps the result in an object of its own.
   *
   * @throws as {@link encodeRow}; `target` is then left as it was.
   */
  encodeRowInto(row: object, target: EncodedRowTarget, colocation?: ColocationSink): void {
    const noValueSet = this.#appendRow(row, colocation);
    target.tuple = this.#builder.build();
    target.noValueSet = noValueSet;
  }

  /**
   * Encodes a full row as {@link encodeRowInto} does, but keeps the tuple in the codec instead of copying it
   * into an array of its own: `target.noValueSet` is set (only when the row encodes), and the tuple, whose
   * length is returned, is written out by {@link writeStagedTuple} wherever the caller chose, e.g. a slot of
   * a larger buffer picked from the colocation hashes this call handed out. The staged tuple lasts until the
   * codec's next call.
   *
   * @throws as {@link encodeRow}; `target` is then left as it was.
   */
  stageRow(row: object, target: StagedRowTarget, colocation?: ColocationSink): number {
    target.noValueSet = this.#appendRow(row, colocation);
    return this.#builder.byteLength;
  }

  /**
   * Encodes the key columns of `key` as {@link encodeKey} does, keeping the tuple in the codec (see
   * {@link stageRow}), and returns its length. With `onlyKeyColumns`, properties that are not columns are
   * ignored too (a streamer REMOVE reads the key columns and nothing else).
   *
   * @throws as {@link encodeKey} (no `UnknownColumnError` with `onlyKeyColumns`).
   */
  stageKey(key: object, colocation?: ColocationSink, onlyKeyColumns = false): number {
    this.#appendKey(key, colocation, onlyKeyColumns);
    return this.#builder.byteLength;
  }

  /**
   * Writes the tuple of the last {@link stageRow} or {@link stageKey} into `target` at `offset`, byte for byte
   * what {@link encodeRow} or {@link encodeKey} would have returned, and returns its length.
   *
   * @throws ProtocolError `VALUE_NOT_ENCODABLE` when `target` has less room than that after `offset`.
   */
  writeStagedTuple(target: Uint8Array, offset: number): number {
    return this.#builder.buildInto(target, offset);
  }

  /** Appends a full row's elements to the builder and returns its `noValueSet`. */
  #appendRow(row: object, colocation: ColocationSink | undefined): Uint8Array {
    if (colocation instanceof Int32Array) this.#checkHashSink(colocation);
    const record = this.#asRecord(row);
    const columns = this.#columns;
    const names = this.#names;
    const count = columns.length;
    const careful = !isPlainObject(record);
    const builder = this.#builder.reset();
    const plan = this.#rowPlan;
    const unsetBits = this.#unsetBits;
    let unset = false;
    let found = 0;
    try {
      for (let i = 0; i < count; i++) {
        const name = names[i] as string;
        const raw = careful || this.#inherited[i] === 1 ? ownValue(record, name) : record[name];
        if (raw === undefined) {
          const column = columns[i] as ColumnDef;
          if (this.#isKey[i] === 1) throw this.#missingKey(column);
          if (this.#mayBeUnset[i] === 0) {
            throw new InvalidValueError(
              name,
              `column "${name}" (${column.type}) is not nullable and has no default: the row must set it`,
            );
          }
          if (!unset) {
            unset = true;
            unsetBits.fill(0);
          }
          bitmaskSet(unsetBits, i);
          builder.appendNull();
          continue;
        }
        found++;
        const slot = this.#rowColocationSlot[i] as number;
        appendRowValue(builder, columns[i] as ColumnDef, plan, i, raw, slot, colocation);
      }
    } catch (error) {
      throw this.#unknownColumn(record) ?? error;
    }
    if (found !== countProperties(record)) {
      const unknown = this.#unknownColumn(record);
      if (unknown !== undefined) throw unknown;
    }
    return unset ? unsetBits.slice(0, bitmaskTrimmedLength(unsetBits)) : EMPTY_BITMASK;
  }

  /**
   * Encodes the key columns of `key`, in key order. Properties that are value columns are allowed and
   * ignored (a full row can serve as its own key); properties that are not columns are not. When `colocation`
   * is given, it receives the colocation values or hashes as in {@link encodeRow}.
   *
   * @throws ProtocolError `INVALID_ARGUMENT` when `colocation` is an `Int32Array` of another length.
   * @throws UnknownColumnError when `key` has a property that is not a column.
   * @throws InvalidValueError naming the column when a key column is missing or its value does not fit.
   * @throws ProtocolError `INVALID_ROW` when `key` is not an object.
   */
  encodeKey(key: object, colocation?: ColocationSink): Uint8Array {
    this.#appendKey(key, colocation);
    return this.#builder.build();
  }

  /** Appends the key columns of `key` to the builder; other columns are allowed, unknown ones only if `lenient`. */
  #appendKey(key: object, colocation: ColocationSink | undefined, lenient = false): void {
    if (colocation instanceof Int32Array) this.#checkHashSink(colocation);
    const record = this.#asRecord(key);
    const columns = this.#keyColumns;
    const names = this.#keyNames;
    const count = columns.length;
    const careful = !isPlainObject(record);
    const builder = this.#builder.reset();
    const plan = this.#keyPlan;
    let found = 0;
    try {
      for (let i = 0; i < count; i++) {
        const column = columns[i] as ColumnDef;
        const name = names[i] as string;
        const raw = careful || this.#keyInherited[i] === 1 ? ownValue(record, name) : record[name];
        if (raw === undefined) throw this.#missingKey(column);
        found++;
        appendRowValue(builder, column, plan, i, raw, this.#keyColocationSlot[i] as number, colocation);
      }
    } catch (error) {
      throw (lenient ? undefined : this.#unknownColumn(record)) ?? error;
    }
    if (!lenient && found !== countProperties(record)) {
      const unknown = this.#unknownColumn(record);
      if (unknown !== undefined) throw unknown;
    }
  }

  /**
   * Encodes a full row from internal values in schema order (`null` for NULL), e.g. a stored row the server
   * sends back.
   *
   * @throws ProtocolError `VALUE_NOT_ENCODABLE` when the count or a value's kind does not fit the schema.
   */
  encodeRowValues(values: readonly InternalValue[]): Uint8Array {
    return this.#encodeValues(this.#columns, values);
  }

  /**
   * Encodes a key-only row from internal values in key order.
   *
   * @throws ProtocolError `VALUE_NOT_ENCODABLE` when the count or a value's kind does not fit the key.
   */
  encodeKeyValues(values: readonly InternalValue[]): Uint8Array {
    return this.#encodeValues(this.#keyColumns, values);
  }

  /**
   * Decodes a full row into a plain object with every column, in the documented output types (see
   * {@link denormalizeValue}); NULL is `null`.
   *
   * @throws ProtocolError `PROTOCOL_ERROR` when the tuple is malformed or does not fit the schema.
   */
  decodeRow(tuple: Uint8Array): Record<string, unknown> {
    return decodeObject(this.#reader, this.#columns, this.#names, this.#inherited, tuple);
  }

  /**
   * Decodes a key-only row into a plain object with the key columns.
   *
   * @throws ProtocolError `PROTOCOL_ERROR` when the tuple is malformed or does not fit the key.
   */
  decodeKey(tuple: Uint8Array): Record<string, unknown> {
    return decodeObject(this.#reader, this.#keyColumns, this.#keyNames, this.#keyInherited, tuple);
  }

  /**
   * Decodes a full row into internal values in schema order.
   *
   * @throws ProtocolError `PROTOCOL_ERROR` when the tuple is malformed or does not fit the schema.
   */
  decodeRowValues(tuple: Uint8Array): InternalValue[] {
    return decodeValues(this.#reader, this.#columns, tuple);
  }

  /**
   * Decodes a key-only row into internal values in key order.
   *
   * @throws ProtocolError `PROTOCOL_ERROR` when the tuple is malformed or does not fit the key.
   */
  decodeKeyValues(tuple: Uint8Array): InternalValue[] {
    return decodeValues(this.#reader, this.#keyColumns, tuple);
  }

  #asRecord(row: object): RowObject {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw new ProtocolError(
        'INVALID_ROW',
        `a row of table "${this.schema.tableName}" must be an object keyed by column name, got ${describeValue(row)}`,
      );
    }
    return row as RowObject;
  }

  /** A typed array drops writes past its end, so a short one would fold into a wrong hash without a word. */
  #checkHashSink(hashes: Int32Array): void {
    const slots = this.colocationInKey.length;
    if (hashes.length !== slots) {
      throw new ProtocolError(
        'INVALID_ARGUMENT',
        `table "${this.schema.tableName}" has ${slots} colocation columns: the colocation hash array has ${hashes.length} slots`,
      );
    }
  }

  #missingKey(column: ColumnDef): InvalidValueError {
    return new InvalidValueError(
      column.name,
      `key column "${column.name}" (${column.type}) of table "${this.schema.tableName}" is missing from the row`,
    );
  }

  /** The error for the first own property of `record` that is not a column, if there is one. */
  #unknownColumn(record: RowObject): UnknownColumnError | undefined {
    for (const property of Object.keys(record)) {
      if (!this.#columnIndex.has(property)) {
        return new UnknownColumnError(property, this.schema.tableName, this.schema.version);
      }
    }
    return undefined;
  }

  #encodeValues(columns: readonly ColumnDef[], values: readonly InternalValue[]): Uint8Array {
    if (values.length !== columns.length) {
      throw new ProtocolError(
        'VALUE_NOT_ENCODABLE',
        `table "${this.schema.tableName}": ${values.length} values given for ${columns.length} columns`,
      );
    }
    const builder = this.#builder.reset();
    for (let i = 0; i < columns.length; i++) {
      appendColumnValue(builder, columns[i] as ColumnDef, values[i] as InternalValue);
    }
    return builder.build();
  }
}
