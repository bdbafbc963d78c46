/**
 * What the write and read paths need to know about one schema version, worked out once per version: which
 * columns are key columns (in key order), which may be NULL, the encoded bytes of each column's default, and
 * the protocol's element checks of each column (`planElementChecks`: lengths, UTF-8, fields, precision). With
 * it, rows are checked, keyed and completed as bytes.
 *
 * Defaults are encoded with the protocol's `RowCodec`, so a default spliced into a row is exactly the element
 * a client would have written for that value. It does not read rows (see row-ingest.ts and row-upgrade.ts).
 */
import { type ColumnDef, normalizeValue, RowCodec, type TableSchema } from '@datastreamer/protocol';
import {
  type ElementChecks,
  elementProblem,
  type KeyForms,
  KeyPartitions,
  keyFormProblem,
  planElementChecks,
  planKeyForms,
} from '@datastreamer/protocol/internal';
import { ServerError } from '../errors/server-error.js';
import { TupleLayout } from './tuple-layout.js';

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
  /** What a value of each schema column must look like as bytes. */
  readonly #checks: ElementChecks;
  /** What a key column's canonical form is, per schema column. */
  readonly #keyForms: KeyForms;
  /** Reads a key's partition from its bytes (made at first use). */
  #keyPartitions: KeyPartitions | undefined;

  /**
   * @throws ServerError `INVALID_SCHEMA` when a default cannot be encoded for its column, or a column's
   *   precision or scale is out of range (a catalog bug).
   */
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
    try {
      this.#checks = planElementChecks(columns);
    } catch (cause) {
      throw new ServerError(
        'INVALID_SCHEMA',
        `table "${schema.tableName}" schema ${schema.version}: ${(cause as Error).message}`,
        { cause },
      );
    }
    this.#keyForms = planKeyForms(columns);
    this.defaults = encodeDefaults(schema);
  }

  /**
   * The partition the key tuple `bytes[start..start + length)` belongs to (its colocation columns, hashed).
   * @throws ProtocolError `PROTOCOL_ERROR` when the bytes are not a key tuple of this schema (rows are checked
   *   before, so a bug).
   */
  partitionOfKey(bytes: Uint8Array, start: number, length: number): number {
    this.#keyPartitions ??= new KeyPartitions(this.schema);
    return this.#keyPartitions.partitionOf(bytes, start, length);
  }

  /** The name of schema column `index`. */
  columnName(index: number): string {
    return (this.schema.columns[index] as ColumnDef).name;
  }

  /**
   * `null` when the non-NULL element `bytes[start..end)` holds a value schema column `index` allows, else
   * what is wrong with it (`BOOLEAN holds 2, expected 0 or 1`). Reads the bytes in place; see the protocol's
   * `elementProblem`.
   */
  valueProblem(index: number, bytes: Uint8Array, start: number, end: number): string | null {
    return elementProblem(this.#checks, index, bytes, start, end);
  }

  /**
   * `null` when the element `bytes[start..end)` of key column `index` (a value that passed `valueProblem`)
   * is written in its one canonical form, else what is wrong with it. Keys are stored and found by their
   * bytes: a second form of a key would be a second row of it. See the protocol's `keyFormProblem`.
   */
  keyFormProblem(index: number, bytes: Uint8Array, start: number, end: number): string | null {
    return keyFormProblem(this.#keyForms, index, bytes, start, end);
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
