/**
 * Codecs of the transaction ops between nodes: two-phase commit (the coordinator is the node that began the
 * transaction) and remote reads and writes on partitions another node owns.
 *
 * | op | request payload | result payload |
 * |---|---|---|
 * | TX_PREPARE (220) | `txId: uuid, coordinator: str, count: int, (tableId: int, partitionId: int)*` | (none; a no vote is an error response) |
 * | TX_COMMIT (221) | `txId: uuid, commitTimestamp: long, count: int, (tableId: int, partitionId: int)*` | (none) |
 * | TX_ABORT (222) | `txId: uuid, count: int, (tableId: int, partitionId: int)*` | (none) |
 * | TX_STATE_GET (223) | `txId: uuid` | `state: int, commitTimestamp: long \| nil` |
 * | TX_ROWS_GET (224) | `txId: uuid, coordinator: str, startTimestamp: long, tableId: int, partitionId: int, schemaVersion: int, count: int, key: bin*` | `count: int, rowResult*` |
 * | TX_ROWS_WRITE (225) | `txId: uuid, coordinator: str, startTimestamp: long, tableId: int, partitionId: int, schemaVersion: int, count: int, (key: bin, row: bin \| nil)*` | (none) |
 *
 * The partitions listed are the participants on the receiving node. Timestamps are hybrid-logical-clock
 * values (longs, `bigint` here). A row of nil in TX_ROWS_WRITE deletes the key.
 */
import type { MsgPackReader } from '../msgpack/msgpack-reader.js';
import type { MsgPackWriter } from '../msgpack/msgpack-writer.js';
import { NO_RESULT, type OpCodec, type RequestBase } from './op-codec.js';
import { type KeyedRow, readKeyedRows, writeKeyedRows } from './partition-transfer-message.js';
import { type RowResult, readRowResults, writeRowResults } from './tuple-messages.js';

/** Transaction states as TX_STATE_GET reports them (wire ids). */
export const TxStates = {
  /** The node has no record of the transaction. */
  UNKNOWN: 0,
  PENDING: 1,
  PREPARED: 2,
  COMMITTED: 3,
  ABORTED: 4,
} as const;

export type TxState = keyof typeof TxStates;

const stateById = new Map<number, TxState>((Object.keys(TxStates) as TxState[]).map((s) => [TxStates[s], s]));

/** One partition taking part in a transaction. */
export interface TxPartition {
  readonly tableId: number;
  readonly partitionId: number;
}

export interface TxPrepareRequest extends RequestBase<'TX_PREPARE'> {
  readonly txId: string;
  readonly coordinator: string;
  readonly partitions: readonly TxPartition[];
}

export interface TxCommitRequest extends RequestBase<'TX_COMMIT'> {
  readonly txId: string;
  readonly commitTimestamp: bigint;
  readonly partitions: readonly TxPartition[];
}

export interface TxAbortRequest extends RequestBase<'TX_ABORT'> {
  readonly txId: string;
  readonly partitions: readonly TxPartition[];
}

export interface TxStateGetRequest extends RequestBase<'TX_STATE_GET'> {
  readonly txId: string;
}

export interface TxStateResult {
  readonly state: TxState;
  /** Set when the state is COMMITTED. */
  readonly commitTimestamp: bigint | null;
}

/** Where a remote transactional read or write goes, and as which transaction. */
interface TxRowsTarget {
  readonly txId: string;
  readonly coordinator: string;
  /** The transaction's start timestamp: its snapshot. */
  readonly startTimestamp: bigint;
  readonly tableId: number;
  readonly partitionId: number;
  readonly schemaVersion: number;
}

export interface TxRowsGetRequest extends RequestBase<'TX_ROWS_GET'>, TxRowsTarget {
  readonly keys: readonly Uint8Array[];
}

export interface TxRowsWriteRequest extends RequestBase<'TX_ROWS_WRITE'>, TxRowsTarget {
  /** Rows to write; a `null` row deletes its key. */
  readonly rows: readonly KeyedRow[];
}

function writePartitions(writer: MsgPackWriter, partitions: readonly TxPartition[]): void {
  writer.writeInt32(partitions.length);
  for (const partition of partitions) {
    writer.writeInt32(partition.tableId, 'tableId');
    writer.writeInt32(partition.partitionId, 'partitionId');
  }
}

function readPartitions(reader: MsgPackReader): TxPartition[] {
  const count = reader.readCount('partitions', 2);
  const partitions: TxPartition[] = [];
  for (let i = 0; i < count; i++) {
    const tableId = reader.readInt32('tableId');
    const partitionId = reader.readInt32('partitionId');
    partitions.push({ tableId, partitionId });
  }
  return partitions;
}

function writeRowsTarget(writer: MsgPackWriter, target: TxRowsTarget): void {
  writer.writeUuid(target.txId, 'txId');
  writer.writeString(target.coordinator);
  writer.writeBigInt(target.startTimestamp, 'startTimestamp');
  writer.writeInt32(target.tableId, 'tableId');
  writer.writeInt32(target.partitionId, 'partitionId');
  writer.writeInt32(target.schemaVersion, 'schemaVersion');
}

function readRowsTarget(reader: MsgPackReader): TxRowsTarget {
  const txId = reader.readUuid('txId');
  const coordinator = reader.readString('coordinator');
  const startTimestamp = reader.readInt64('startTimestamp');
  const tableId = reader.readInt32('tableId');
  const partitionId = reader.readInt32('partitionId');
  const schemaVersion = reader.readInt32('schemaVersion');
  return { txId, coordinator, startTimestamp, tableId, partitionId, schemaVersion };
}

export const txPrepareCodec: OpCodec<TxPrepareRequest, null> = {
  writeRequest(writer, request) {
    writer.writeUuid(request.txId, 'txId');
    writer.writeString(request.coordinator);
    writePartitions(writer, request.partitions);
  },
  readRequest(reader, requestId) {
    const txId = reader.readUuid('txId');
    const coordinator = reader.readString('coordinator');
    const partitions = readPartitions(reader);
    return { op: 'TX_PREPARE', requestId, txId, coordinator, partitions };
  },
  ...NO_RESULT,
};

export const txCommitCodec: OpCodec<TxCommitRequest, null> = {
  writeRequest(writer, request) {
    writer.writeUuid(request.txId, 'txId');
    writer.writeBigInt(request.commitTimestamp, 'commitTimestamp');
    writePartitions(writer, request.partitions);
  },
  readRequest(reader, requestId) {
    const txId = reader.readUuid('txId');
    const commitTimestamp = reader.readInt64('commitTimestamp');
    const partitions = readPartitions(reader);
    return { op: 'TX_COMMIT', requestId, txId, commitTimestamp, partitions };
  },
  ...NO_RESULT,
};

export const txAbortCodec: OpCodec<TxAbortRequest, null> = {
  writeRequest(writer, request) {
    writer.writeUuid(request.txId, 'txId');
    writePartitions(writer, request.partitions);
  },
  readRequest(reader, requestId) {
    const txId = reader.readUuid('txId');
    const partitions = readPartitions(reader);
    return { op: 'TX_ABORT', requestId, txId, partitions };
  },
  ...NO_RESULT,
};

export const txStateGetCodec: OpCodec<TxStateGetRequest, TxStateResult> = {
  writeRequest(writer, request) {
    writer.writeUuid(request.txId, 'txId');
  },
  readRequest: (reader, requestId) => ({ op: 'TX_STATE_GET', requestId, txId: reader.readUuid('txId') }),
  writeResult(writer, result) {
    writer.writeInt32(TxStates[result.state]);
    if (result.commitTimestamp === null) writer.writeNil();
    else writer.writeBigInt(result.commitTimestamp, 'commitTimestamp');
  },
  readResult(reader) {
    const at = reader.offset;
    const id = reader.readInt32('state');
    const state = stateById.get(id);
    if (state === undefined) throw reader.error(`state: unknown transaction state ${id} at offset ${at}`);
    const commitTimestamp = reader.tryReadNil() ? null : reader.readInt64('commitTimestamp');
    return { state, commitTimestamp };
  },
};

export const txRowsGetCodec: OpCodec<TxRowsGetRequest, readonly (RowResult | null)[]> = {
  writeRequest(writer, request) {
    writeRowsTarget(writer, request);
    writer.writeInt32(request.keys.length);
    for (const key of request.keys) writer.writeBinary(key);
  },
  readRequest(reader, requestId) {
    const target = readRowsTarget(reader);
    const count = reader.readCount('keys', 2);
    const keys: Uint8Array[] = [];
    for (let i = 0; i < count; i++) keys.push(reader.readBinary('key'));
    return { op: 'TX_ROWS_GET', requestId, ...target, keys };
  },
  writeResult: writeRowResults,
  readResult: readRowResults,
};

export const txRowsWriteCodec: OpCodec<TxRowsWriteRequest, null> = {
  writeRequest(writer, request) {
    writeRowsTarget(writer, request);
    writeKeyedRows(writer, request.rows);
  },
  readRequest(reader, requestId) {
    const target = readRowsTarget(reader);
    const rows = readKeyedRows(reader);
    return { op: 'TX_ROWS_WRITE', requestId, ...target, rows };
  },
  ...NO_RESULT,
};
