/**
 * The partition a key belongs to, read from its bytes: a key tuple (the key columns' elements in key order,
 * as a node stores keys and a REMOVE carries them) is decoded only in its colocation columns, hashed as
 * `colocationHash` does, and mapped by `partitionFor`. A node uses it to refuse a row sent to a partition its
 * key does not belong to (the partition a client or peer named is never trusted).
 *
 * A key whose colocation columns are all INT64 (the commonest key) is read straight from its bytes: the
 * header, the offset entries around each colocation element and the element's words, with no view or reader
 * reset per key and no full offset-table walk (the row checks did that). Other keys go through a reader.
 *
 * It does not check the key's bytes (the row checks did) and is not reentrant (one reader per instance).
 */
import { ProtocolError } from '../errors/protocol-error.js';
import { hashValue, NULL_HASH } from '../hash/colocation-hash.js';
import { combineHash, hash32LongBits } from '../hash/murmur3.js';
import { partitionFor } from '../hash/partition.js';
import type { ColumnDef, TableSchema } from '../schema/table-schema.js';
import { BinaryTupleFormat, int32LE, offsetEntry } from './binary-tuple-format.js';
import { BinaryTupleReader } from './binary-tuple-reader.js';
import { readColumnValue } from './column-value-codec.js';

/** A tuple of no elements: where the reader starts. */
const EMPTY_KEY = Uint8Array.of(0);
const HEADER_SIZE = BinaryTupleFormat.headerSize;
const OFFSET_SIZE_MASK = BinaryTupleFormat.offsetSizeMask;

export class KeyPartitions {
  readonly #reader = new BinaryTupleReader(EMPTY_KEY, 0);
  readonly #keyCount: number;
  readonly #partitions: number;
  /** For each colocation column, in colocation order: its position in the key tuple. */
  readonly #positions: Int32Array;
  readonly #columns: readonly ColumnDef[];
  /** An INT64 key value's two words (see `BinaryTupleReader.int64Words`). */
  readonly #words = new Int32Array(2);
  /** Whether every colocation column is INT64: keys are then read from their bytes directly. */
  readonly #allInt64: boolean;

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
    this.#allInt64 = this.#columns.every((column) => column.type === 'INT64');
  }

  /**
   * The partition of the key tuple `bytes[start..start + length)`.
   * @throws ProtocolError `PROTOCOL_ERROR` when the bytes are not a key tuple of this schema.
   */
  partitionOf(bytes: Uint8Array, start: number, length: number): number {
    if (this.#allInt64) return this.#int64PartitionOf(bytes, start, length);
    const reader = this.#reader.reset(bytes.subarray(start, start + length), this.#keyCount);
    const positions = this.#positions;
    const columns = this.#columns;
    let hash = 0;
    for (let i = 0; i < positions.length; i++) {
      const column = columns[i] as ColumnDef;
      const position = positions[i] as number;
      // INT64, the commonest key, is hashed from its two words: no bigint per row.
      const value =
        column.type === 'INT64'
          ? reader.int64Words(position, this.#words)
            ? hash32LongBits(this.#words[0] as number, this.#words[1] as number)
            : NULL_HASH
          : hashValue(column, readColumnValue(reader, position, column));
      hash = combineHash(hash, value);
    }
    return partitionFor(hash, this.#partitions);
  }

  /** {@link partitionOf} of a key whose colocation columns are all INT64, read from its bytes. */
  #int64PartitionOf(bytes: Uint8Array, start: number, length: number): number {
    const keyCount = this.#keyCount;
    if (length < HEADER_SIZE) throw notAKey('it has no header byte');
    const sizeLog2 = (bytes[start] as number) & OFFSET_SIZE_MASK;
    if (sizeLog2 === 3) throw notAKey('8-byte offset entries are not supported');
    const entrySize = 1 << sizeLog2;
    const table = start + HEADER_SIZE;
    const values = table + keyCount * entrySize;
    const valueSize = start + length - values;
    if (valueSize < 0) throw notAKey(`${length} bytes cannot hold the offset table of ${keyCount} elements`);
    const positions = this.#positions;
    let hash = 0;
    for (let i = 0; i < positions.length; i++) {
      const position = positions[i] as number;
      const from = position === 0 ? 0 : offsetEntry(bytes, entrySize, position - 1, start);
      const to = offsetEntry(bytes, entrySize, position, start);
      const size = to - from;
      if (from < 0 || size < 0 || to > valueSize) {
        throw notAKey(`element ${position} spans ${from}..${to} of a ${valueSize}-byte value area`);
      }
      const at = values + from;
      let value: number;
      if (size === 0) value = NULL_HASH;
      else if (size === 8) value = hash32LongBits(int32LE(bytes, at + 4), int32LE(bytes, at));
      else {
        let low: number;
        if (size === 1) low = ((bytes[at] as number) << 24) >> 24;
        else if (size === 2) low = (((bytes[at] as number) | ((bytes[at + 1] as number) << 8)) << 16) >> 16;
        else if (size === 4) low = int32LE(bytes, at);
        else throw notAKey(`element ${position} (INT64) has ${size} bytes, expected 1, 2, 4 or 8`);
        value = hash32LongBits(low < 0 ? -1 : 0, low);
      }
      hash = combineHash(hash, value);
    }
    return partitionFor(hash, this.#partitions);
  }
}

function notAKey(what: string): ProtocolError {
  return new ProtocolError('PROTOCOL_ERROR', `the bytes are not a key tuple: ${what}`);
}
