/**
 * The bytes of a replicated partition's snapshot: its committed versions, its producer fence and its
 * prepared transactions, as of the last applied log entry (what a lagging replica installs, and what a
 * restarted one starts from). MessagePack:
 *
 *     format: int (1)
 *     readFloor: long, keyCount: int, (key: bin, versionCount: int, (ts: long, row: bin | nil)*)*
 *     fenceCount: int, (producerId: str, epoch: int, appliedSeq: int, sealed: bool,
 *                       resultCount: int, (batchSeq: int, results: nil | value)*)*
 *     preparedCount: int, (txId: str, coordinator: str, startTs: long, fence, rows)*
 *
 * with `fence` and `rows` as in partition-command.ts. It does not decide when to snapshot (Raft does).
 */
import { MsgPackReader, MsgPackWriter } from '@datastreamer/protocol';
import { readValue, writeValue } from '@datastreamer/protocol/internal';
import { ServerError } from '../errors/server-error.js';
import type { BatchResults, ProducerFenceEntry } from '../fence/producer-fence.js';
import type { PartitionSnapshot, SnapshotKey, SnapshotVersion } from '../storage/partition-snapshot.js';
import { type PreparedRecord, readFence, readRows, writeFenceTo, writeRowsTo } from './partition-command.js';

const FORMAT = 1;

/** A state machine's state as plain data. */
export interface MachineSnapshot {
  readonly store: PartitionSnapshot;
  readonly fence: readonly ProducerFenceEntry[];
  readonly prepared: readonly PreparedRecord[];
}

export function encodeMachineSnapshot(state: MachineSnapshot): Uint8Array {
  const writer = new MsgPackWriter({ initialCapacity: 4096 });
  writer.writeInt(FORMAT);
  writer.writeBigInt(state.store.readFloor, 'readFloor');
  writer.writeInt(state.store.keys.length);
  for (const key of state.store.keys) {
    writer.writeBinary(key.key);
    writer.writeInt(key.versions.length);
    for (const version of key.versions) {
      writer.writeBigInt(version.ts, 'ts');
      if (version.row === null) writer.writeNil();
      else writer.writeBinary(version.row);
    }
  }
  writer.writeInt(state.fence.length);
  for (const entry of state.fence) {
    writer.writeString(entry.producerId);
    writer.writeInt(entry.epoch, 'epoch');
    writer.writeInt(entry.appliedSeq, 'appliedSeq');
    writer.writeBool(entry.sealed);
    writer.writeInt(entry.results.length);
    for (const [seq, results] of entry.results) {
      writer.writeInt(seq, 'batchSeq');
      if (results === null) writer.writeNil();
      else writeValue(writer, results, 'results');
    }
  }
  writer.writeInt(state.prepared.length);
  for (const record of state.prepared) {
    writer.writeString(record.txId);
    writer.writeString(record.coordinator);
    writer.writeBigInt(record.startTs, 'startTs');
    if (record.fence === null) writer.writeNil();
    else writeFenceTo(writer, record.fence);
    writeRowsTo(writer, record.rows);
  }
  return writer.toBytes();
}

/**
 * Reads a snapshot (keys, rows and prepared writes are views of `bytes`).
 * @throws ServerError `INTERNAL` when the bytes are not a snapshot this version wrote.
 */
export function decodeMachineSnapshot(bytes: Uint8Array): MachineSnapshot {
  const reader = new MsgPackReader(bytes);
  try {
    const format = reader.readInt32('format');
    if (format !== FORMAT) throw reader.error(`unknown snapshot format ${format}`);
    const readFloor = reader.readInt64('readFloor');
    const keys: SnapshotKey[] = [];
    for (let i = reader.readCount('keys'); i > 0; i--) {
      const key = reader.readBinary('key');
      const versions: SnapshotVersion[] = [];
      for (let v = reader.readCount('versions'); v > 0; v--) {
        const ts = reader.readInt64('ts');
        versions.push({ ts, row: reader.readBinaryOrNil('row') });
      }
      keys.push({ key, versions });
    }
    const fence: ProducerFenceEntry[] = [];
    for (let i = reader.readCount('fence'); i > 0; i--) {
      const producerId = reader.readString('producerId');
      const epoch = reader.readSafeInteger('epoch');
      const appliedSeq = reader.readSafeInteger('appliedSeq');
      const sealed = reader.readBool('sealed');
      const results: (readonly [number, BatchResults])[] = [];
      for (let r = reader.readCount('results'); r > 0; r--) {
        const seq = reader.readSafeInteger('batchSeq');
        if (reader.tryReadNil()) {
          results.push([seq, null]);
          continue;
        }
        const value = readValue(reader, 'results');
        if (!Array.isArray(value)) throw reader.error('results: expected an array');
        results.push([seq, value]);
      }
      fence.push({ producerId, epoch, appliedSeq, sealed, results });
    }
    const prepared: PreparedRecord[] = [];
    for (let i = reader.readCount('prepared'); i > 0; i--) {
      const txId = reader.readString('txId');
      const coordinator = reader.readString('coordinator');
      const startTs = reader.readInt64('startTs');
      const fenceOp = readFence(reader);
      prepared.push({ txId, coordinator, startTs, fence: fenceOp, rows: readRows(reader) });
    }
    reader.expectEnd('partition snapshot');
    return { store: { keys, readFloor }, fence, prepared };
  } catch (cause) {
    throw new ServerError('INTERNAL', 'a partition snapshot does not decode', { cause });
  }
}
