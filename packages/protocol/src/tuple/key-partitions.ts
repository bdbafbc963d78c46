/**
 * The partition a key belongs to, read from its bytes: a key tuple (the key columns' elements in key order,
 * as a node stores keys and a REMOVE carries them) is decoded only in its colocation columns, hashed as
 * `colocationHash` does, and mapped by `partitionFor`. A node uses it to refuse a row sent to a partition its
 * key does not belong to (the partition a client or peer named is never trusted).
 *
 * It does not check the key's bytes (the row checks did) and is not reentrant (one reader per instance).
 */
import { ProtocolError } from '../errors/protocol-error.js';
import { hashValue } from '../hash/colocation-hash.js';
import { combineHash } from '../hash/murmur3.js';
import { partitionFor } from '../hash/partition.js';
import type { ColumnDef, TableSchema } from '../schema/table-schema.js';
import { BinaryTupleReader } from './binary-tuple-reader.js';
import { readColumnValue } from './column-value-codec.js';

/** A tuple of no elements: where the reader starts. */
const EMPTY_KEY = Uint8Array.of(0);

export class KeyPartitions {
  readonly #reader = new BinaryTupleReader(EMPTY_KEY, 0);
  readonly #keyCount: number;
  readonly #partitions: number;
  /** For each colocation column, in colocation order: its position in the key tuple. */
  readonly #positions: Int32Array;
  readonly #columns: readonly ColumnDef[];

  /**
   * @throws ProtocolError `INVALID_SCHEMA` when the schema has no colocation column, or one that is not a key
   *   column (Ignite requires colocation columns among the key's).
   */
  constructor(schema: TableSchema) {
    const { keyColumns, colocationColumns, columns, tableName } = schema;
    if (colocationColumns.length === 0) {
      throw new ProtocolError('INVALID_SCHEMA', `table "${tableName}" has no colocation column`);
    }
    this.#keyCount = keyColumns.length;
    this.#partitions = schema.partitions;
    this.#positions = Int32Array.from(colocationColumns, (index) => {
      const position = keyColumns.indexOf(index);
      if (position < 0) {
        throw new ProtocolError(
          'INVALID_SCHEMA',
          `table "${tableName}": colocation column ${index} is not a key column`,
        );
      }
      return position;
    });
    this.#columns = colocationColumns.map((index) => columns[index] as ColumnDef);
  }

  /**
   * The partition of the key tuple `bytes[start..start + length)`.
   * @throws ProtocolError `PROTOCOL_ERROR` when the bytes are not a key tuple of this schema.
   */
  partitionOf(bytes: Uint8Array, start: number, length: number): number {
    const reader = this.#reader.reset(bytes.subarray(start, start + length), this.#keyCount);
    const positions = this.#positions;
    const columns = this.#columns;
    let hash = 0;
    for (let i = 0; i < positions.length; i++) {
      const column = columns[i] as ColumnDef;
      hash = combineHash(hash, hashValue(column, readColumnValue(reader, positions[i] as number, column)));
    }
    return partitionFor(hash, this.#partitions);
  }
}
