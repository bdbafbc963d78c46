/**
 * The commands a replicated partition's Raft log carries, and their bytes (MessagePack, written and read
 * here only: they are opaque to Raft and never leave a group's log and snapshots).
 *
 * | kind | id | fields after `kind: int` |
 * |---|---|---|
 * | write | 0 | `commitTs: long, fence, rows` |
 * | seal | 1 | `producerId: str, epoch: int` |
 * | prepare | 2 | `txId: str, coordinator: str, startTs: long, fence, rows` |
 * | finish | 3 | `txId: str, commitTs: long \| nil` (nil: abort) |
 *
 * `fence` is `nil` or `producerId: str, epoch: int, batchSeq: int, admit: bool, results`: the producer fence
 * record that goes with the command (`admit`: the fence is asked again when the command applies, and a
 * duplicate or fenced attempt applies nothing); `results` is `0` (a plain batch: none kept), `1` (a receiver
 * batch whose results were not asked for) or `2, value` (its results, with the value codec).
 *
 * `rows` are the writes the primary decided, one per key (its write intents, not the request: a REMOVE of a
 * key it found absent is not among them): `count: int, keys: bin, rows: bin, lengths: bin`, where `lengths`
 * holds, per write, its key length then its row length (-1: a delete) as little-endian int32s, and the keys
 * and rows are concatenated in that order. A replica applies exactly these, so every replica ends with the
 * same versions whatever it holds besides.
 *
 * It does not apply anything (partition-state-machine.ts does).
 */
import { MsgPackReader, MsgPackWriter } from '@datastreamer/protocol';
import { type BatchProducer, readValue, writeValue } from '@datastreamer/protocol/internal';
import { ServerError } from '../errors/server-error.js';
import type { BatchResults } from '../fence/producer-fence.js';
import type { MvccPartitionStore } from '../storage/mvcc-partition-store.js';
import type { PartitionTx } from '../storage/partition-tx.js';

const KIND_IDS = { write: 0, seal: 1, prepare: 2, finish: 3 } as const;
type CommandKind = keyof typeof KIND_IDS;
const KINDS: readonly CommandKind[] = ['write', 'seal', 'prepare', 'finish'];

/** A producer fence record carried by a command. */
export interface FenceOp {
  readonly producer: BatchProducer;
  /** Ask the fence again when applying (a duplicate or fenced attempt then applies nothing). */
  readonly admit: boolean;
  /** What `ProducerFence.record` keeps: `undefined` for a plain batch. */
  readonly results: BatchResults | undefined;
}

/** Writes as a command holds them: views of its bytes. */
export interface CommandRows {
  readonly count: number;
  readonly keyBytes: Uint8Array;
  readonly rowBytes: Uint8Array;
  /** Per write: key length, row length (-1 for a delete). */
  readonly lengths: DataView;
}

export const EMPTY_ROWS: CommandRows = {
  count: 0,
  keyBytes: new Uint8Array(0),
  rowBytes: new Uint8Array(0),
  lengths: new DataView(new ArrayBuffer(0)),
};

/** A transaction prepared on a partition and not finished yet: what a `prepare` command leaves behind. */
export interface PreparedRecord {
  readonly txId: string;
  /** The node that decides its outcome (asked when nobody tells the partition). */
  readonly coordinator: string;
  readonly startTs: bigint;
  readonly fence: FenceOp | null;
  readonly rows: CommandRows;
}

export type PartitionCommand =
  | {
      readonly kind: 'write';
      readonly commitTs: bigint;
      readonly fence: FenceOp | null;
      readonly rows: CommandRows;
    }
  | { readonly kind: 'seal'; readonly producerId: string; readonly epoch: number }
  | {
      readonly kind: 'prepare';
      readonly txId: string;
      readonly coordinator: string;
      readonly startTs: bigint;
      readonly fence: FenceOp | null;
      readonly rows: CommandRows;
    }
  | { readonly kind: 'finish'; readonly txId: string; readonly commitTs: bigint | null };

/** Where a command's writes come from when it is built: a transaction's intents on one store. */
export interface IntentSource {
  readonly store: MvccPartitionStore;
  readonly ptx: PartitionTx;
}

// Commands are encoded into one writer and handed out as views of it: valid until the next encode, so a
// caller appends each to its log (which copies it) before encoding another.
const writer = new MsgPackWriter({ initialCapacity: 1024 });

/**
 * A `write` command: `source`'s intents (none when absent) committed at `commitTs`, with `fence`. Like every
 * encoder here it returns a view of a shared buffer, valid until the next command is encoded.
 */
export function encodeWrite(commitTs: bigint, fence: FenceOp | null, source?: IntentSource): Uint8Array {
  writer.reset();
  writer.writeInt(KIND_IDS.write);
  writer.writeBigInt(commitTs, 'commitTs');
  writeFence(fence);
  writeIntents(source);
  return writer.view();
}

export function encodeSeal(producerId: string, epoch: number): Uint8Array {
  writer.reset();
  writer.writeInt(KIND_IDS.seal);
  writer.writeString(producerId);
  writer.writeInt(epoch, 'epoch');
  return writer.view();
}

/** A `prepare` command: the promise to commit `source`'s intents (and `fence`) when told. */
export function encodePrepare(
  txId: string,
  coordinator: string,
  startTs: bigint,
  fence: FenceOp | null,
  source?: IntentSource,
): Uint8Array {
  writer.reset();
  writer.writeInt(KIND_IDS.prepare);
  writer.writeString(txId);
  writer.writeString(coordinator);
  writer.writeBigInt(startTs, 'startTs');
  writeFence(fence);
  writeIntents(source);
  return writer.view();
}

/** A `finish` command: commit the prepared `txId` at `commitTs`, or abort it (`null`). */
export function encodeFinish(txId: string, commitTs: bigint | null): Uint8Array {
  writer.reset();
  writer.writeInt(KIND_IDS.finish);
  writer.writeString(txId);
  if (commitTs === null) writer.writeNil();
  else writer.writeBigInt(commitTs, 'commitTs');
  return writer.view();
}

/**
 * Reads a command (its rows are views of `bytes`).
 * @throws ServerError `INTERNAL` when the bytes are not a command (a log this version did not write).
 */
export function decodeCommand(bytes: Uint8Array): PartitionCommand {
  const reader = new MsgPackReader(bytes);
  try {
    const command = readCommand(reader);
    reader.expectEnd('partition command');
    return command;
  } catch (cause) {
    throw new ServerError('INTERNAL', 'a partition log entry is not a partition command', { cause });
  }
}

function readCommand(reader: MsgPackReader): PartitionCommand {
  const id = reader.readInt32('kind');
  const kind = KINDS[id];
  switch (kind) {
    case 'write':
      return {
        kind,
        commitTs: reader.readInt64('commitTs'),
        fence: readFence(reader),
        rows: readRows(reader),
      };
    case 'seal':
      return { kind, producerId: reader.readString('producerId'), epoch: reader.readSafeInteger('epoch') };
    case 'prepare':
      return {
        kind,
        txId: reader.readString('txId'),
        coordinator: reader.readString('coordinator'),
        startTs: reader.readInt64('startTs'),
        fence: readFence(reader),
        rows: readRows(reader),
      };
    case 'finish':
      return {
        kind,
        txId: reader.readString('txId'),
        commitTs: reader.tryReadNil() ? null : reader.readInt64('commitTs'),
      };
    default:
      throw reader.error(`unknown partition command kind ${id}`);
  }
}

function writeFence(fence: FenceOp | null): void {
  if (fence === null) {
    writer.writeNil();
    return;
  }
  writeFenceTo(writer, fence);
}

/** Writes a fence op (also part of a snapshot's prepared records). */
export function writeFenceTo(out: MsgPackWriter, fence: FenceOp): void {
  out.writeString(fence.producer.producerId);
  out.writeInt(fence.producer.epoch, 'epoch');
  out.writeInt(fence.producer.batchSeq, 'batchSeq');
  out.writeBool(fence.admit);
  if (fence.results === undefined) out.writeInt(0);
  else if (fence.results === null) out.writeInt(1);
  else {
    out.writeInt(2);
    writeValue(out, fence.results, 'fence.results');
  }
}

/** Reads a fence op or nil (see {@link writeFenceTo}). */
export function readFence(reader: MsgPackReader): FenceOp | null {
  if (reader.tryReadNil()) return null;
  const producer: BatchProducer = {
    producerId: reader.readString('producerId'),
    epoch: reader.readSafeInteger('epoch'),
    batchSeq: reader.readSafeInteger('batchSeq'),
  };
  const admit = reader.readBool('admit');
  const tag = reader.readInt32('results');
  let results: BatchResults | undefined;
  if (tag === 1) results = null;
  else if (tag === 2) {
    const value = readValue(reader, 'fence.results');
    if (!Array.isArray(value)) throw reader.error('fence.results: expected an array');
    results = value;
  } else if (tag !== 0) throw reader.error(`fence.results: unknown tag ${tag}`);
  return { producer, admit, results };
}

/**
 * Writes `source`'s intents as `rows` (no intents: an empty list), straight into the writer's buffer: keys and
 * rows are copied byte by byte, with no view made per write (a batch has a thousand).
 */
function writeIntents(source: IntentSource | undefined): void {
  if (source === undefined) {
    writeRowsTo(writer, EMPTY_ROWS);
    return;
  }
  const { store, ptx } = source;
  const count = ptx.writeCount;
  let keyTotal = 0;
  let rowTotal = 0;
  const lengths = new DataView(new ArrayBuffer(count * 8));
  for (let i = 0; i < count; i++) {
    const keyLength = store.intentKeyLength(ptx, i);
    const rowLength = ptx.rowLength(i);
    lengths.setInt32(i * 8, keyLength, true);
    lengths.setInt32(i * 8 + 4, rowLength, true);
    keyTotal += keyLength;
    if (rowLength > 0) rowTotal += rowLength;
  }
  writer.writeInt(count);
  writer.writeBinaryHeader(keyTotal);
  let at = writer.reserve(keyTotal);
  let target = writer.view();
  for (let i = 0; i < count; i++) {
    store.copyIntentKey(ptx, i, target, at);
    at += lengths.getInt32(i * 8, true);
  }
  writer.writeBinaryHeader(rowTotal);
  at = writer.reserve(rowTotal);
  target = writer.view();
  for (let i = 0; i < count; i++) {
    const length = ptx.rowLength(i);
    if (length <= 0) continue;
    const buffer = ptx.buffer(i);
    const start = ptx.rowStart(i);
    for (let k = 0; k < length; k++) target[at + k] = buffer[start + k] as number;
    at += length;
  }
  writer.writeBinary(new Uint8Array(lengths.buffer));
}

/** Writes `rows` (also part of a snapshot's prepared records). */
export function writeRowsTo(out: MsgPackWriter, rows: CommandRows): void {
  out.writeInt(rows.count);
  out.writeBinary(rows.keyBytes);
  out.writeBinary(rows.rowBytes);
  out.writeBinary(new Uint8Array(rows.lengths.buffer, rows.lengths.byteOffset, rows.lengths.byteLength));
}

/** Reads `rows` (views of the reader's bytes). */
export function readRows(reader: MsgPackReader): CommandRows {
  const count = reader.readSafeInteger('rows.count');
  const keyBytes = reader.readBinary('rows.keys');
  const rowBytes = reader.readBinary('rows.rows');
  const lengthBytes = reader.readBinary('rows.lengths');
  if (lengthBytes.length !== count * 8) {
    throw reader.error(`rows.lengths: ${lengthBytes.length} bytes for ${count} writes`);
  }
  return {
    count,
    keyBytes,
    rowBytes,
    lengths: new DataView(lengthBytes.buffer, lengthBytes.byteOffset, lengthBytes.byteLength),
  };
}
