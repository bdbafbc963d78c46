/**
 * Codec of PARTITION_TRANSFER (211), node to node: the old owner hands a partition's committed rows to the
 * new owner, together with the assignment version under which the new owner takes over.
 *
 * Request: `tableId: int, partitionId: int, assignmentVersion: long, count: int, (key: bin, row: bin | nil)*`
 * — each entry a key tuple and the committed row tuple, or nil for a tombstone (a deleted key). Result: none.
 *
 * The whole partition travels in one frame, so its size is bounded by the maximum frame size.
 */
import type { MsgPackReader } from '../msgpack/msgpack-reader.js';
import type { MsgPackWriter } from '../msgpack/msgpack-writer.js';
import { NO_RESULT, type OpCodec, type RequestBase } from './op-codec.js';

/** A key tuple and its row tuple, or `null` for a tombstone. */
export interface KeyedRow {
  readonly key: Uint8Array;
  readonly row: Uint8Array | null;
}

export interface PartitionTransferRequest extends RequestBase<'PARTITION_TRANSFER'> {
  readonly tableId: number;
  readonly partitionId: number;
  /** The assignment version that makes the receiver the owner (a long on the wire). */
  readonly assignmentVersion: number;
  readonly rows: readonly KeyedRow[];
}

/** Writes `count: int, (key: bin, row: bin | nil)*`. */
export function writeKeyedRows(writer: MsgPackWriter, rows: readonly KeyedRow[]): void {
  writer.writeInt32(rows.length);
  for (const entry of rows) {
    writer.writeBinary(entry.key);
    if (entry.row === null) writer.writeNil();
    else writer.writeBinary(entry.row);
  }
}

/** Reads `count: int, (key: bin, row: bin | nil)*`; the tuples are views of the input. */
export function readKeyedRows(reader: MsgPackReader): KeyedRow[] {
  const count = reader.readCount('rows', 3);
  const rows: KeyedRow[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const key = reader.readBinary('key');
    const row = reader.readBinaryOrNil('row');
    rows[i] = { key, row };
  }
  return rows;
}

export const partitionTransferCodec: OpCodec<PartitionTransferRequest, null> = {
  writeRequest(writer, request) {
    writer.writeInt32(request.tableId, 'tableId');
    writer.writeInt32(request.partitionId, 'partitionId');
    writer.writeInt(request.assignmentVersion, 'assignmentVersion');
    writeKeyedRows(writer, request.rows);
  },
  readRequest(reader, requestId) {
    const tableId = reader.readInt32('tableId');
    const partitionId = reader.readInt32('partitionId');
    const assignmentVersion = reader.readSafeInteger('assignmentVersion');
    const rows = readKeyedRows(reader);
    return { op: 'PARTITION_TRANSFER', requestId, tableId, partitionId, assignmentVersion, rows };
  },
  ...NO_RESULT,
};
