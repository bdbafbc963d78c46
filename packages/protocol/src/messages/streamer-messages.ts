/**
 * Codecs of the data streamer's ops and of the forwarding of their batches between nodes.
 *
 * STREAMER_BATCH_SEND (62), Ignite 3's layout then ours appended:
 * `tableId: int, partitionId: int, deleted: BITMASK | nil, schemaVersion: int, count: int,
 * (noValueSet: BITMASK, tuple: bin)*, targetNode: str, assignmentVersion: long, producerId: str | nil,
 * epoch: long | nil, batchSeq: long | nil`.
 * Bit i of `deleted` set: row i is a REMOVE and its tuple holds the key columns in key order; otherwise the
 * row is a PUT with every column in schema order. `targetNode` is the node the client believes owns the
 * partition under `assignmentVersion` (so a node can forward, and tell a stale client). The producer fields
 * (see producer-messages.ts) fence attempts: a node applies a batch only if its epoch is the producer's
 * newest, the epoch is not sealed there, and its seq is above the highest the partition applied for that
 * producer and epoch. All three nil: unfenced. Result: `schemaVersion: int`, the server's latest schema
 * version of the table.
 *
 * STREAMER_WITH_RECEIVER_BATCH_SEND (66), ours (Ignite packs receiver data into a BinaryTuple; we use the
 * value codec): `tableId: int, partitionId: int, targetNode: str, assignmentVersion: long, receiver: str,
 * receiveResults: bool, arg: value, count: int, payload: value*, producerId: str | nil, epoch: long | nil,
 * batchSeq: long | nil, transactional: bool`. `transactional`: run the receiver in one transaction with the
 * batch's fence update (exactly-once effects). Result: `nil` or `count: int, value*`.
 *
 * BATCH_FORWARD (210), node to node: `hops: int, origin: str, innerOp: int (62, 66 or 203), inner payload`
 * where the inner payload is exactly the inner op's request payload (203: STREAMER_SEAL). Result:
 * `innerOp: int`, then the inner op's result payload. `hops` counts forwards so far (a node never forwards a
 * batch whose hops is already 1 or more: it answers NOT_PRIMARY instead, so a batch can never loop).
 *
 * Cost: rows are written straight from the caller's tuple bytes (one copy, into the frame). `StreamerRow` is
 * a structural interface, so a client can pass its own buffered entries as rows without building new objects.
 * Decoded rows are no objects at all but ranges of the received message (`StreamerRowRanges`, see
 * streamer-row-ranges.ts); writing such a batch again (forwarding) copies its rows section as one block.
 */
import { bitmaskTrimmedLength } from '../msgpack/bitmask.js';
import type { MsgPackReader } from '../msgpack/msgpack-reader.js';
import type { MsgPackWriter } from '../msgpack/msgpack-writer.js';
import { readValue } from '../values/read-value.js';
import type { WireValue } from '../values/wire-value.js';
import { writeValue } from '../values/write-value.js';
import type { OpCodec, RequestBase } from './op-codec.js';
import { OpCodes } from './op-codes.js';
import {
  type BatchProducer,
  readBatchProducer,
  readSealResult,
  readStreamerSeal,
  type StreamerSeal,
  type StreamerSealResult,
  writeBatchProducer,
  writeSealResult,
  writeStreamerSeal,
} from './producer-messages.js';
import { StreamerRowRanges, type StreamerRows } from './streamer-row-ranges.js';

/** One row of a streamer batch as a client builds it (a decoded batch has {@link StreamerRowRanges}). */
export interface StreamerRow {
  /** Columns the row did not set (defaults apply), as a bit set; empty for REMOVE rows. */
  readonly noValueSet: Uint8Array;
  /** The BinaryTuple: a full row for a PUT, the key columns for a REMOVE. */
  readonly tuple: Uint8Array;
}

/** The payload of STREAMER_BATCH_SEND. */
export interface StreamerBatch {
  readonly op: 'STREAMER_BATCH_SEND';
  readonly tableId: number;
  readonly partitionId: number;
  /** Bit i set: row i is a REMOVE. `null` when no row is. */
  readonly deleted: Uint8Array | null;
  readonly schemaVersion: number;
  /**
   * The rows: any `StreamerRow` objects when writing; a decoded batch has `StreamerRowRanges` (ranges of the
   * received message, no object per row). `streamerRowCount` / `streamerRowArray` read either form.
   */
  readonly rows: StreamerRows;
  /** The node the client sent the batch to as the partition's owner. */
  readonly targetNode: string;
  /** The client's assignment version (a long on the wire). */
  readonly assignmentVersion: number;
  /** Who sent it and its number (see producer-messages.ts); `null` or absent: unfenced. */
  readonly producer?: BatchProducer | null;
}

/** The payload of STREAMER_WITH_RECEIVER_BATCH_SEND. */
export interface ReceiverBatch {
  readonly op: 'STREAMER_WITH_RECEIVER_BATCH_SEND';
  readonly tableId: number;
  readonly partitionId: number;
  readonly targetNode: string;
  readonly assignmentVersion: number;
  /** The deployed receiver's name. */
  readonly receiver: string;
  /** Whether the client wants the receiver's results back. */
  readonly receiveResults: boolean;
  /** Passed to every receiver call; `undefined` travels as nil and arrives as `null`. */
  readonly arg: unknown;
  readonly payloads: readonly unknown[];
  /** Who sent it and its number (see producer-messages.ts); `null` or absent: unfenced. */
  readonly producer?: BatchProducer | null;
  /**
   * Run the receiver in one transaction that its table operations join, committed with the batch's fence
   * update (exactly-once effects). Default false: at-least-once, the receiver's writes are its own.
   */
  readonly transactional?: boolean;
}

export interface StreamerBatchSendRequest extends StreamerBatch {
  readonly requestId: number;
}

export interface ReceiverBatchSendRequest extends ReceiverBatch {
  readonly requestId: number;
}

export interface BatchForwardRequest extends RequestBase<'BATCH_FORWARD'> {
  /** How many times the batch was forwarded before this request (0 from the first node). */
  readonly hops: number;
  /** The node that received the batch from the client. */
  readonly origin: string;
  /** The batch (or seal) as the client sent it (a decoded request can be passed as it is). */
  readonly batch: StreamerBatch | ReceiverBatch | StreamerSeal;
}

export interface StreamerBatchResult {
  /** The latest schema version of the table on the server. */
  readonly schemaVersion: number;
}

export interface ReceiverBatchResult {
  /** The receiver's results, or `null` when none were asked for or returned. */
  readonly results: readonly unknown[] | null;
}

/** The result of a forwarded batch: the inner op's result, tagged with the inner op. */
export type ForwardedBatchResult =
  | ({ readonly op: 'STREAMER_BATCH_SEND' } & StreamerBatchResult)
  | ({ readonly op: 'STREAMER_WITH_RECEIVER_BATCH_SEND' } & ReceiverBatchResult)
  | ({ readonly op: 'STREAMER_SEAL' } & StreamerSealResult);

/** The ops BATCH_FORWARD can carry. */
type ForwardableOp = ForwardedBatchResult['op'];

function writeStreamerBatch(writer: MsgPackWriter, batch: StreamerBatch): void {
  const rows = batch.rows;
  writer.writeInt32(batch.tableId, 'tableId');
  writer.writeInt32(batch.partitionId, 'partitionId');
  if (batch.deleted === null) writer.writeNil();
  else writer.writeBitmask(batch.deleted);
  writer.writeInt32(batch.schemaVersion, 'schemaVersion');
  if (rows instanceof StreamerRowRanges) {
    // Decoded rows were checked on the way in and sit side by side in their message: one copy.
    writer.writeInt32(rows.count);
    writer.writeRaw(rows.encoded());
  } else {
    writer.writeInt32(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as StreamerRow;
      writer.writeBitmask(row.noValueSet);
      writer.writeBinary(row.tuple);
    }
  }
  writer.writeString(batch.targetNode);
  writer.writeInt(batch.assignmentVersion, 'assignmentVersion');
  writeBatchProducer(writer, batch.producer);
}

function readStreamerBatch(reader: MsgPackReader): StreamerBatch {
  const tableId = reader.readInt32('tableId');
  const partitionId = reader.readInt32('partitionId');
  const deletedAt = reader.offset;
  const deleted = reader.readBitmaskOrNil('deleted');
  const schemaVersion = reader.readInt32('schemaVersion');
  // A row takes 5 bytes at least: an empty BITMASK (3) and an empty bin (2).
  const count = reader.readCount('rows', 5);
  if (deleted !== null) checkDeletedFits(reader, deleted, count, deletedAt);
  const rows = StreamerRowRanges.read(reader, count);
  const targetNode = reader.readString('targetNode');
  const assignmentVersion = reader.readSafeInteger('assignmentVersion');
  const producer = readBatchProducer(reader);
  return {
    op: 'STREAMER_BATCH_SEND',
    tableId,
    partitionId,
    deleted,
    schemaVersion,
    rows,
    targetNode,
    assignmentVersion,
    producer,
  };
}

/** A `deleted` bit past the last row would mark a row that does not exist. */
function checkDeletedFits(reader: MsgPackReader, deleted: Uint8Array, count: number, at: number): void {
  const length = bitmaskTrimmedLength(deleted);
  if (length === 0) return;
  const last = deleted[length - 1] as number;
  const highestBit = (length - 1) * 8 + (31 - Math.clz32(last));
  if (highestBit >= count) {
    throw reader.error(
      `deleted: BITMASK at offset ${at} marks row ${highestBit} but the batch has ${count} row(s)`,
    );
  }
}

function writeReceiverBatch(writer: MsgPackWriter, batch: ReceiverBatch): void {
  writer.writeInt32(batch.tableId, 'tableId');
  writer.writeInt32(batch.partitionId, 'partitionId');
  writer.writeString(batch.targetNode);
  writer.writeInt(batch.assignmentVersion, 'assignmentVersion');
  writer.writeString(batch.receiver);
  writer.writeBool(batch.receiveResults);
  if (batch.arg === undefined) writer.writeNil();
  else writeValue(writer, batch.arg, 'arg');
  const payloads = batch.payloads;
  writer.writeInt32(payloads.length);
  for (let i = 0; i < payloads.length; i++) writeValue(writer, payloads[i], `payload[${i}]`);
  writeBatchProducer(writer, batch.producer);
  writer.writeBool(batch.transactional === true);
}

function readReceiverBatch(reader: MsgPackReader): ReceiverBatch {
  const tableId = reader.readInt32('tableId');
  const partitionId = reader.readInt32('partitionId');
  const targetNode = reader.readString('targetNode');
  const assignmentVersion = reader.readSafeInteger('assignmentVersion');
  const receiver = reader.readString('receiver');
  const receiveResults = reader.readBool('receiveResults');
  const arg = readValue(reader, 'arg');
  const count = reader.readCount('payloads');
  const payloads: WireValue[] = new Array(count);
  for (let i = 0; i < count; i++) payloads[i] = readValue(reader, 'payload');
  const producer = readBatchProducer(reader);
  const transactional = reader.readBool('transactional');
  return {
    op: 'STREAMER_WITH_RECEIVER_BATCH_SEND',
    tableId,
    partitionId,
    targetNode,
    assignmentVersion,
    receiver,
    receiveResults,
    arg,
    payloads,
    producer,
    transactional,
  };
}

function writeStreamerResult(writer: MsgPackWriter, result: StreamerBatchResult): void {
  writer.writeInt32(result.schemaVersion, 'schemaVersion');
}

function readStreamerResult(reader: MsgPackReader): StreamerBatchResult {
  return { schemaVersion: reader.readInt32('schemaVersion') };
}

function writeReceiverResult(writer: MsgPackWriter, result: ReceiverBatchResult): void {
  const results = result.results;
  if (results === null) {
    writer.writeNil();
    return;
  }
  writer.writeInt32(results.length);
  for (let i = 0; i < results.length; i++) writeValue(writer, results[i], `result[${i}]`);
}

function readReceiverResult(reader: MsgPackReader): ReceiverBatchResult {
  if (reader.tryReadNil()) return { results: null };
  const count = reader.readCount('results');
  const results: WireValue[] = new Array(count);
  for (let i = 0; i < count; i++) results[i] = readValue(reader, 'result');
  return { results };
}

export const streamerBatchSendCodec: OpCodec<StreamerBatchSendRequest, StreamerBatchResult> = {
  writeRequest: writeStreamerBatch,
  readRequest: (reader, requestId) => ({ ...readStreamerBatch(reader), requestId }),
  writeResult: writeStreamerResult,
  readResult: readStreamerResult,
};

export const receiverBatchSendCodec: OpCodec<ReceiverBatchSendRequest, ReceiverBatchResult> = {
  writeRequest: writeReceiverBatch,
  readRequest: (reader, requestId) => ({ ...readReceiverBatch(reader), requestId }),
  writeResult: writeReceiverResult,
  readResult: readReceiverResult,
};

/** Reads the inner op code of a forwarded batch or its result; only 62, 66 and 203 can be forwarded. */
function readInnerOp(reader: MsgPackReader): ForwardableOp {
  const at = reader.offset;
  const code = reader.readInt32('innerOp');
  if (code === OpCodes.STREAMER_BATCH_SEND) return 'STREAMER_BATCH_SEND';
  if (code === OpCodes.STREAMER_WITH_RECEIVER_BATCH_SEND) return 'STREAMER_WITH_RECEIVER_BATCH_SEND';
  if (code === OpCodes.STREAMER_SEAL) return 'STREAMER_SEAL';
  throw reader.error(`innerOp: op ${code} at offset ${at} cannot be forwarded (only 62, 66 and 203)`);
}

export const batchForwardCodec: OpCodec<BatchForwardRequest, ForwardedBatchResult> = {
  writeRequest(writer, request) {
    writer.writeInt32(request.hops, 'hops');
    writer.writeString(request.origin);
    const batch = request.batch;
    writer.writeInt32(OpCodes[batch.op]);
    if (batch.op === 'STREAMER_BATCH_SEND') writeStreamerBatch(writer, batch);
    else if (batch.op === 'STREAMER_WITH_RECEIVER_BATCH_SEND') writeReceiverBatch(writer, batch);
    else writeStreamerSeal(writer, batch);
  },
  readRequest(reader, requestId) {
    const hops = reader.readInt32('hops');
    const origin = reader.readString('origin');
    const inner = readInnerOp(reader);
    const batch =
      inner === 'STREAMER_BATCH_SEND'
        ? readStreamerBatch(reader)
        : inner === 'STREAMER_WITH_RECEIVER_BATCH_SEND'
          ? readReceiverBatch(reader)
          : readStreamerSeal(reader);
    return { op: 'BATCH_FORWARD', requestId, hops, origin, batch };
  },
  writeResult(writer, result) {
    writer.writeInt32(OpCodes[result.op]);
    if (result.op === 'STREAMER_BATCH_SEND') writeStreamerResult(writer, result);
    else if (result.op === 'STREAMER_WITH_RECEIVER_BATCH_SEND') writeReceiverResult(writer, result);
    else writeSealResult(writer, result);
  },
  readResult(reader) {
    switch (readInnerOp(reader)) {
      case 'STREAMER_BATCH_SEND':
        return { op: 'STREAMER_BATCH_SEND', ...readStreamerResult(reader) };
      case 'STREAMER_WITH_RECEIVER_BATCH_SEND':
        return { op: 'STREAMER_WITH_RECEIVER_BATCH_SEND', ...readReceiverResult(reader) };
      default:
        return { op: 'STREAMER_SEAL', ...readSealResult(reader) };
    }
  },
};
