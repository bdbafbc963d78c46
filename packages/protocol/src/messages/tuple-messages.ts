/**
 * Codecs of the single- and multi-row table ops. Rows and keys travel as BinaryTuples in `bin` values (a
 * full row: every column in schema order; a key: the key columns in key order), written with the schema
 * version the client used; the partition is computed by the client from the colocation columns.
 *
 * | op | request payload | result payload |
 * |---|---|---|
 * | TUPLE_GET (12) | `tableId: int, schemaVersion: int, partition: int, key: bin` | `rowResult` |
 * | TUPLE_GET_ALL (15) | `tableId: int, schemaVersion: int, count: int, (partition: int, key: bin)*` | `count: int, rowResult*` (in key order) |
 * | TUPLE_UPSERT (10) | `tableId: int, schemaVersion: int, partition: int, noValueSet: BITMASK, row: bin` | (none) |
 * | TUPLE_UPSERT_ALL (13) | `tableId: int, schemaVersion: int, count: int, (partition: int, noValueSet: BITMASK, row: bin)*` | (none) |
 * | TUPLE_DELETE (28) | `tableId: int, schemaVersion: int, partition: int, key: bin` | `deleted: bool` |
 * | TUPLE_DELETE_ALL (29) | `tableId: int, schemaVersion: int, count: int, (partition: int, key: bin)*` | `count: int, deleted: bool*` (in key order) |
 *
 * `rowResult` is `nil` (no such row) or `schemaVersion: int, row: bin` (the version the row tuple is written
 * with). `noValueSet` marks the columns the row did not set (defaults apply), as in the streamer batch.
 * Decoded tuples are views of the received frame, not copies.
 */

import type { MsgPackReader } from '../msgpack/msgpack-reader.js';
import type { MsgPackWriter } from '../msgpack/msgpack-writer.js';
import { NO_RESULT, type OpCodec, type RequestBase } from './op-codec.js';

/** A row as read: its tuple and the schema version it is written with. */
export interface RowResult {
  readonly schemaVersion: number;
  readonly row: Uint8Array;
}

/** A key tuple and the partition of its row. */
export interface PartitionKey {
  readonly partition: number;
  readonly key: Uint8Array;
}

/** A full-row tuple, the columns it does not set, and its partition. */
export interface PartitionRow {
  readonly partition: number;
  readonly noValueSet: Uint8Array;
  readonly row: Uint8Array;
}

interface TupleTarget {
  readonly tableId: number;
  readonly schemaVersion: number;
}

export interface TupleGetRequest extends RequestBase<'TUPLE_GET'>, TupleTarget, PartitionKey {}
export interface TupleGetAllRequest extends RequestBase<'TUPLE_GET_ALL'>, TupleTarget {
  readonly keys: readonly PartitionKey[];
}
export interface TupleUpsertRequest extends RequestBase<'TUPLE_UPSERT'>, TupleTarget, PartitionRow {}
export interface TupleUpsertAllRequest extends RequestBase<'TUPLE_UPSERT_ALL'>, TupleTarget {
  readonly rows: readonly PartitionRow[];
}
export interface TupleDeleteRequest extends RequestBase<'TUPLE_DELETE'>, TupleTarget, PartitionKey {}
export interface TupleDeleteAllRequest extends RequestBase<'TUPLE_DELETE_ALL'>, TupleTarget {
  readonly keys: readonly PartitionKey[];
}

function writeTarget(writer: MsgPackWriter, target: TupleTarget): void {
  writer.writeInt32(target.tableId, 'tableId');
  writer.writeInt32(target.schemaVersion, 'schemaVersion');
}

function readTarget(reader: MsgPackReader): TupleTarget {
  const tableId = reader.readInt32('tableId');
  const schemaVersion = reader.readInt32('schemaVersion');
  return { tableId, schemaVersion };
}

function writeKey(writer: MsgPackWriter, key: PartitionKey): void {
  writer.writeInt32(key.partition, 'partition');
  writer.writeBinary(key.key);
}

function readKey(reader: MsgPackReader): PartitionKey {
  const partition = reader.readInt32('partition');
  const key = reader.readBinary('key');
  return { partition, key };
}

function writeRow(writer: MsgPackWriter, row: PartitionRow): void {
  writer.writeInt32(row.partition, 'partition');
  writer.writeBitmask(row.noValueSet);
  writer.writeBinary(row.row);
}

function readRow(reader: MsgPackReader): PartitionRow {
  const partition = reader.readInt32('partition');
  const noValueSet = reader.readBitmask('noValueSet');
  const row = reader.readBinary('row');
  return { partition, noValueSet, row };
}

function writeKeys(writer: MsgPackWriter, keys: readonly PartitionKey[]): void {
  writer.writeInt32(keys.length);
  for (const key of keys) writeKey(writer, key);
}

function readKeys(reader: MsgPackReader): PartitionKey[] {
  const count = reader.readCount('keys', 3);
  const keys: PartitionKey[] = [];
  for (let i = 0; i < count; i++) keys.push(readKey(reader));
  return keys;
}

/** Writes `nil` or `schemaVersion: int, row: bin`. */
export function writeRowResult(writer: MsgPackWriter, result: RowResult | null): void {
  if (result === null) {
    writer.writeNil();
    return;
  }
  writer.writeInt32(result.schemaVersion, 'schemaVersion');
  writer.writeBinary(result.row);
}

/** Reads `nil` or `schemaVersion: int, row: bin`. */
export function readRowResult(reader: MsgPackReader): RowResult | null {
  if (reader.tryReadNil()) return null;
  const schemaVersion = reader.readInt32('schemaVersion');
  const row = reader.readBinary('row');
  return { schemaVersion, row };
}

/** Writes `count: int, rowResult*`. */
export function writeRowResults(writer: MsgPackWriter, results: readonly (RowResult | null)[]): void {
  writer.writeInt32(results.length);
  for (const result of results) writeRowResult(writer, result);
}

/** Reads `count: int, rowResult*`. */
export function readRowResults(reader: MsgPackReader): (RowResult | null)[] {
  const count = reader.readCount('rows');
  const results: (RowResult | null)[] = [];
  for (let i = 0; i < count; i++) results.push(readRowResult(reader));
  return results;
}

export const tupleGetCodec: OpCodec<TupleGetRequest, RowResult | null> = {
  writeRequest(writer, request) {
    writeTarget(writer, request);
    writeKey(writer, request);
  },
  readRequest: (reader, requestId) => ({
    op: 'TUPLE_GET',
    requestId,
    ...readTarget(reader),
    ...readKey(reader),
  }),
  writeResult: writeRowResult,
  readResult: readRowResult,
};

export const tupleGetAllCodec: OpCodec<TupleGetAllRequest, readonly (RowResult | null)[]> = {
  writeRequest(writer, request) {
    writeTarget(writer, request);
    writeKeys(writer, request.keys);
  },
  readRequest: (reader, requestId) => ({
    op: 'TUPLE_GET_ALL',
    requestId,
    ...readTarget(reader),
    keys: readKeys(reader),
  }),
  writeResult: writeRowResults,
  readResult: readRowResults,
};

export const tupleUpsertCodec: OpCodec<TupleUpsertRequest, null> = {
  writeRequest(writer, request) {
    writeTarget(writer, request);
    writeRow(writer, request);
  },
  readRequest: (reader, requestId) => ({
    op: 'TUPLE_UPSERT',
    requestId,
    ...readTarget(reader),
    ...readRow(reader),
  }),
  ...NO_RESULT,
};

export const tupleUpsertAllCodec: OpCodec<TupleUpsertAllRequest, null> = {
  writeRequest(writer, request) {
    writeTarget(writer, request);
    writer.writeInt32(request.rows.length);
    for (const row of request.rows) writeRow(writer, row);
  },
  readRequest(reader, requestId) {
    const target = readTarget(reader);
    const count = reader.readCount('rows', 5);
    const rows: PartitionRow[] = [];
    for (let i = 0; i < count; i++) rows.push(readRow(reader));
    return { op: 'TUPLE_UPSERT_ALL', requestId, ...target, rows };
  },
  ...NO_RESULT,
};

export const tupleDeleteCodec: OpCodec<TupleDeleteRequest, boolean> = {
  writeRequest(writer, request) {
    writeTarget(writer, request);
    writeKey(writer, request);
  },
  readRequest: (reader, requestId) => ({
    op: 'TUPLE_DELETE',
    requestId,
    ...readTarget(reader),
    ...readKey(reader),
  }),
  writeResult(writer, deleted) {
    writer.writeBool(deleted);
  },
  readResult: (reader) => reader.readBool('deleted'),
};

export const tupleDeleteAllCodec: OpCodec<TupleDeleteAllRequest, readonly boolean[]> = {
  writeRequest(writer, request) {
    writeTarget(writer, request);
    writeKeys(writer, request.keys);
  },
  readRequest: (reader, requestId) => ({
    op: 'TUPLE_DELETE_ALL',
    requestId,
    ...readTarget(reader),
    keys: readKeys(reader),
  }),
  writeResult(writer, deleted) {
    writer.writeInt32(deleted.length);
    for (const flag of deleted) writer.writeBool(flag);
  },
  readResult(reader) {
    const count = reader.readCount('deleted');
    const deleted: boolean[] = [];
    for (let i = 0; i < count; i++) deleted.push(reader.readBool('deleted'));
    return deleted;
  },
};
