/**
 * What the write and read paths need to know about one schema version, worked out once per version: which
 * columns are key columns (in key order), which may be NULL, the encoded bytes of each column's default, and
 * the element lengths each column type allows. With it, rows are checked, keyed and completed as bytes.
 *
 * Defaults are encoded with the protocol's `RowCodec`, so a default spliced into a row is exactly the element
 * a client would have written for that value. It does not read rows (see row-ingest.ts and row-upgrade.ts).
 */
import {
  type ColumnDef,
  type ColumnType,
  normalizeValue,
  RowCodec,
  type TableSchema,
} from '@datastreamer/protocol';
import { ServerError } from '../errors/server-error.js';
import { TupleLayout } from './tuple-layout.js';

/** Element lengths a type allows: a list of exact lengths, or `{ min }` for variable-length types. */
const LENGTHS: { readonly [T in ColumnType]: readonly number[] | { readonly min: number } } = {
  BOOLEAN: [1],
  INT8: [1],
  INT16: [1, 2],
  INT32: [1, 2, 4],
  INT64: [1, 2, 4, 8],
  FLOAT: [4],
  DOUBLE: [4, 8],
  DECIMAL: { min: 3 },
  DATE: [3],
  TIME: [4, 5, 6],
  DATETIME: [7, 8, 9],
  TIMESTAMP: [8, 12],
  UUID: [16],
  STRING: { min: 1 },
  BYTES: { min: 1 },
};

/** One schema version, prepared for byte-level row handling. */
export class RowShape {
  readonly schema: TableSchema;
  readonly version: number;
  readonly columnCount: number;
  readonly keyCount: number;
  /** The schema index of each key column, in key order. */
  readonly keyIndexes: Int32Array;
  /** Per schema column: 1 when NULL is allowed. */
  readonly nullable: Uint8Array;
  /** Per schema column: 1 when a key column. */
  readonly isKey: Uint8Array;
  /** Per schema column: the encoded element of its default, or `null` when it has none (or a null default). */
  readonly defaults: readonly (Uint8Array | null)[];
  /** Per schema column: bit n set when an element of n bytes is allowed (n < 32); 0 when `minLength` rules. */
  readonly #lengthMask: Uint32Array;
  readonly #minLength: Uint8Array;

  /** @throws ServerError `INVALID_SCHEMA` when a default cannot be encoded for its column (a catalog bug). */
  constructor(schema: TableSchema) {
    const columns = schema.columns;
    const count = columns.length;
    this.schema = schema;
    this.version = schema.version;
    this.columnCount = count;
    this.keyCount = schema.keyColumns.length;
    this.keyIndexes = Int32Array.from(schema.keyColumns);
    this.isKey = new Uint8Array(count);
    for (const index of schema.keyColumns) this.isKey[index] = 1;
    this.nullable = Uint8Array.from(columns, (c) => (c.nullable === true ? 1 : 0));
    this.#lengthMask = new Uint32Array(count);
    this.#minLength = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const rule = LENGTHS[(columns[i] as ColumnDef).type];
      if (Array.isArray(rule)) {
        let mask = 0;
        for (const n of rule as readonly number[]) mask |= 1 << n;
        this.#lengthMask[i] = mask;
        this.#minLength[i] = 1;
      } else {
        this.#minLength[i] = (rule as { readonly min: number }).min;
      }
    }
    this.defaults = encodeDefaults(schema);
  }

  /** The name of schema column `index`. */
  columnName(index: number): string {
    return (this.schema.columns[index] as ColumnDef).name;
  }

  /** `null` when a non-NULL element of `length` bytes can hold a value of column `index`, else why not. */
  lengthProblem(index: number, length: number): string | null {
    const mask = this.#lengthMask[index] as number;
    const ok =
      mask === 0
        ? length >= (this.#minLength[index] as number)
        : length < 32 && ((mask >>> length) & 1) === 1;
    if (ok) return null;
    const column = this.schema.columns[index] as ColumnDef;
    return `column "${column.name}" (${column.type}) cannot be ${length} bytes long`;
  }
}

/** The encoded element of every column's default (null where there is none). */
function encodeDefaults(schema: TableSchema): (Uint8Array | null)[] {
  const columns = schema.columns;
  if (!columns.some((c) => c.default !== undefined && c.default !== null)) return columns.map(() => null);
  let tuple: Uint8Array;
  try {
    const values = columns.map((c) =>
      c.default === undefined || c.default === null ? null : normalizeValue(c, c.default),
    );
    tuple = new RowCodec(schema).encodeRowValues(values);
  } catch (cause) {
    throw new ServerError(
      'INVALID_SCHEMA',
      `table "${schema.tableName}" schema ${schema.version}: a column default cannot be encoded: ${(cause as Error).message}`,
      { cause },
    );
  }
  const layout = new TupleLayout();
  const problem = layout.reset(tuple, columns.length);
  if (problem !== null) throw new ServerError('INTERNAL', `encoded defaults do not parse: ${problem}`);
  return columns.map((c, i) =>
    c.default === undefined || c.default === null ? null : tuple.slice(layout.start(i), layout.end(i)),
  );
}

/** The {@link RowShape} of every schema version seen, made once per version (schemas are immutable). */
export class RowShapes {
  readonly #cache = new WeakMap<TableSchema, RowShape>();

  /** The shape of `schema`. */
  of(schema: TableSchema): RowShape {
    let shape = this.#cache.get(schema);
    if (shape === undefined) {
      shape = new RowShape(schema);
      this.#cache.set(schema, shape);
    }
    return shape;
  }
}
