/**
 * The partition-aware codec: one schema version of one table, ready to use: the schema, its row codec, and
 * the partition of the last row or key encoded (folded from the value hashes the codec computed while it wrote
 * the colocation columns, so a value is checked once, and an INT64 key given as a number never becomes a
 * bigint). The client encodes streamer rows and view calls with it, a node its receivers' table calls: one
 * way to get from a row to its tuple and partition on both sides.
 *
 * Like `RowCodec` it keeps scratch state between a call and the read that follows it, so it
 * is not reentrant: encode (or stage), then read `partition` (and write the staged tuple), with nothing in
 * between (all of it is synchronous).
 * It does not load schemas (the client's schema cache does) or send anything.
 */
import { foldColocationHashes } from '../hash/colocation-hash.js';
import { partitionFor } from '../hash/partition.js';
import type { ColumnDef, TableSchema } from '../schema/table-schema.js';
import { type EncodedRow, RowCodec, type StagedRowTarget } from './row-codec.js';

export class VersionedSchema {
  readonly schema: TableSchema;
  readonly codec: RowCodec;
  /** The key columns' names, in key order. */
  readonly keyNames: readonly string[];
  /** Filled by the codec with the value hashes of the colocation columns of the row or key being encoded. */
  readonly #colocationHashes: Int32Array;
  readonly #partitions: number;
  readonly #keyNameSet: ReadonlySet<string>;

  /** @throws ProtocolError `INVALID_SCHEMA` when the schema is inconsistent (see `RowCodec`). */
  constructor(schema: TableSchema) {
    this.schema = schema;
    this.codec = new RowCodec(schema);
    this.keyNames = schema.keyColumns.map((index) => (schema.columns[index] as ColumnDef).name);
    this.#keyNameSet = new Set(this.keyNames);
    this.#colocationHashes = new Int32Array(schema.colocationColumns.length);
    this.#partitions = schema.partitions;
  }

  get version(): number {
    return this.schema.version;
  }

  get tableId(): number {
    return this.schema.tableId;
  }

  get partitions(): number {
    return this.schema.partitions;
  }

  /** Whether `name` is a key column. */
  isKeyColumn(name: string): boolean {
    return this.#keyNameSet.has(name);
  }

  /**
   * Encodes a full row; its partition is then {@link partition}.
   * @throws as `RowCodec.encodeRow` (an `UnknownColumnError`, an `InvalidValueError` naming the column).
   */
  encodeRow(row: object): EncodedRow {
    return this.codec.encodeRow(row, this.#colocationHashes);
  }

  /**
   * Encodes a full row into the codec: `target.noValueSet` is set and the tuple's length returned; its
   * partition is then {@link partition} and {@link writeStagedTuple} writes the tuple where the caller wants.
   * @throws as `RowCodec.stageRow`; `target` is then left as it was.
   */
  stageRow(row: object, target: StagedRowTarget): number {
    return this.codec.stageRow(row, target, this.#colocationHashes);
  }

  /**
   * Encodes the key columns of `key` into the codec and returns the tuple's length; its partition is then
   * {@link partition} and {@link writeStagedTuple} writes the tuple. Every other property is ignored, columns
   * or not (a streamer REMOVE reads only the key).
   * @throws as `RowCodec.stageKey` (an `InvalidValueError` naming a missing or invalid key column).
   */
  stageKey(key: object): number {
    return this.codec.stageKey(key, this.#colocationHashes, true);
  }

  /**
   * Writes the tuple of the last `stageRow` / `stageKey` into `target` at `offset`; returns its length.
   * @throws as `RowCodec.writeStagedTuple` when `target` has too little room after `offset`.
   */
  writeStagedTuple(target: Uint8Array, offset: number): number {
    return this.codec.writeStagedTuple(target, offset);
  }

  /**
   * Encodes the key columns of `key` (value columns are ignored); its partition is then {@link partition}.
   * @throws as `RowCodec.encodeKey`.
   */
  encodeKey(key: object): Uint8Array {
    return this.codec.encodeKey(key, this.#colocationHashes);
  }

  /**
   * The partition of the row or key encoded last.
   * @throws ProtocolError `INVALID_ARGUMENT` when the schema has no colocation column.
   */
  partition(): number {
    return partitionFor(foldColocationHashes(this.#colocationHashes), this.#partitions);
  }

  /**
   * The partition of a row's key, read from the row's own key-column properties only, so it works for a row
   * this version cannot encode (a column it does not know yet: the key never changes between versions).
   * Not for the hot path: it builds the key object.
   *
   * @throws as `RowCodec.encodeKey` when a key column is missing or invalid.
   */
  keyPartition(row: object): number {
    const key: Record<string, unknown> = {};
    const record = row as Readonly<Record<string, unknown>>;
    for (const name of this.keyNames) {
      if (Object.hasOwn(record, name)) {
        Object.defineProperty(key, name, {
          value: record[name],
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
    }
    this.encodeKey(key);
    return this.partition();
  }
}
