/**
 * Codecs of the producer ops, which make a data stream's outcome exact (Kafka's idempotent producer is the
 * model: a producer id, an epoch per run, a sequence number per batch):
 *
 * PRODUCER_REGISTER (202), ours: `producerId: str, runId: uuid`. Result: `epoch: long`, the producer's next
 * epoch (1 for a producer never seen; it only grows). A streamer run registers once and writes that epoch into
 * every batch attempt; a node refuses attempts of an older epoch of the same producer (`PRODUCER_FENCED`).
 * `runId` names the run: a repeated registration of the same run (a retry after a timeout, a duplicate) gets
 * the same epoch back instead of a new one, which would fence the run itself.
 *
 * STREAMER_SEAL (203), ours: `tableId: int, partitionId: int, targetNode: str, assignmentVersion: long,
 * producerId: str, epoch: long`. Result: `appliedSeq: long`, the highest batch sequence of that epoch the
 * partition applied (0: none). From then on nothing of that epoch applies on the partition (a later attempt
 * is refused with `PRODUCER_FENCED`). A failing stream seals the partitions where it has a batch of unknown
 * outcome, so the outcome becomes certain. Routed and forwarded like a streamer batch (see BATCH_FORWARD).
 *
 * It also holds the producer fields both batch ops append: `producerId: str | nil, epoch: long | nil,
 * batchSeq: long | nil`, all three nil (unfenced) or all three set.
 */
import { ProtocolError } from '../errors/protocol-error.js';
import type { MsgPackReader } from '../msgpack/msgpack-reader.js';
import type { MsgPackWriter } from '../msgpack/msgpack-writer.js';
import type { OpCodec, RequestBase } from './op-codec.js';

/** The longest producer id, in UTF-16 code units (ids are names, not payloads). */
export const MAX_PRODUCER_ID_LENGTH = 256;

/** Who sent a batch attempt: the producer, its run's epoch and the batch's number in its partition. */
export interface BatchProducer {
  /** The producer's id: names it across runs and clients (1..256 characters). */
  readonly producerId: string;
  /** The run's epoch, from PRODUCER_REGISTER (>= 1). */
  readonly epoch: number;
  /** The batch's number within the run and partition: 1, 2, 3, ...; every attempt of one batch keeps it. */
  readonly batchSeq: number;
}

export interface ProducerRegisterRequest extends RequestBase<'PRODUCER_REGISTER'> {
  readonly producerId: string;
  /** The run registering (a UUID): the same run registering again gets the same epoch. */
  readonly runId: string;
}

export interface ProducerRegisterResult {
  /** The epoch this run owns (>= 1). */
  readonly epoch: number;
}

/** The payload of STREAMER_SEAL (what a node forwards, too). */
export interface StreamerSeal {
  readonly op: 'STREAMER_SEAL';
  readonly tableId: number;
  readonly partitionId: number;
  /** The node the client sent the seal to as the partition's owner. */
  readonly targetNode: string;
  readonly assignmentVersion: number;
  readonly producerId: string;
  readonly epoch: number;
}

export interface StreamerSealRequest extends StreamerSeal {
  readonly requestId: number;
}

export interface StreamerSealResult {
  /** The highest batch sequence of the sealed epoch the partition applied; 0 when none. */
  readonly appliedSeq: number;
}

/**
 * Checks a producer id.
 * @throws ProtocolError `INVALID_ARGUMENT` unless it is a string of 1..256 characters.
 */
export function checkProducerId(producerId: unknown, field = 'producerId'): string {
  if (
    typeof producerId !== 'string' ||
    producerId.length === 0 ||
    producerId.length > MAX_PRODUCER_ID_LENGTH
  ) {
    const got =
      typeof producerId === 'string' ? `a string of ${producerId.length} characters` : typeof producerId;
    throw new ProtocolError(
      'INVALID_ARGUMENT',
      `${field}: expected a string of 1..${MAX_PRODUCER_ID_LENGTH} characters, got ${got}`,
    );
  }
  return producerId;
}

/** Writes the producer fields of a batch: three nils for an unfenced batch. */
export function writeBatchProducer(writer: MsgPackWriter, producer: BatchProducer | null | undefined): void {
  if (producer === null || producer === undefined) {
    writer.writeNil();
    writer.writeNil();
    writer.writeNil();
    return;
  }
  writer.writeString(checkProducerId(producer.producerId));
  writer.writeInt(checkPositive(producer.epoch, 'epoch'), 'epoch');
  writer.writeInt(checkPositive(producer.batchSeq, 'batchSeq'), 'batchSeq');
}

/** Reads the producer fields of a batch; `null` for an unfenced one. */
export function readBatchProducer(reader: MsgPackReader): BatchProducer | null {
  const at = reader.offset;
  const producerId = reader.tryReadNil() ? null : reader.readString('producerId');
  const epoch = reader.tryReadNil() ? null : reader.readSafeInteger('epoch');
  const batchSeq = reader.tryReadNil() ? null : reader.readSafeInteger('batchSeq');
  if (producerId === null && epoch === null && batchSeq === null) return null;
  if (producerId === null || epoch === null || batchSeq === null) {
    throw reader.error(`producer at offset ${at}: producerId, epoch and batchSeq must be all nil or all set`);
  }
  return {
    producerId: readProducerId(reader, producerId, at),
    epoch: readPositive(reader, epoch, 'epoch'),
    batchSeq: readPositive(reader, batchSeq, 'batchSeq'),
  };
}

function readProducerId(reader: MsgPackReader, producerId: string, at: number): string {
  if (producerId.length === 0 || producerId.length > MAX_PRODUCER_ID_LENGTH) {
    throw reader.error(
      `producerId at offset ${at}: expected 1..${MAX_PRODUCER_ID_LENGTH} characters, got ${producerId.length}`,
    );
  }
  return producerId;
}

function readPositive(reader: MsgPackReader, value: number, field: string): number {
  if (value < 1) throw reader.error(`${field}: expected an integer >= 1, got ${value}`);
  return value;
}

function checkPositive(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ProtocolError(
      'INVALID_ARGUMENT',
      `${field}: expected a safe integer >= 1, got ${String(value)}`,
    );
  }
  return value;
}

export const producerRegisterCodec: OpCodec<ProducerRegisterRequest, ProducerRegisterResult> = {
  writeRequest(writer, request) {
    writer.writeString(checkProducerId(request.producerId));
    writer.writeUuid(request.runId, 'runId');
  },
  readRequest(reader, requestId) {
    const at = reader.offset;
    const producerId = readProducerId(reader, reader.readString('producerId'), at);
    const runId = reader.readUuid('runId');
    return { op: 'PRODUCER_REGISTER', requestId, producerId, runId };
  },
  writeResult(writer, result) {
    writer.writeInt(checkPositive(result.epoch, 'epoch'), 'epoch');
  },
  readResult(reader) {
    return { epoch: readPositive(reader, reader.readSafeInteger('epoch'), 'epoch') };
  },
};

/** Writes the STREAMER_SEAL payload (also inside BATCH_FORWARD). */
export function writeStreamerSeal(writer: MsgPackWriter, seal: StreamerSeal): void {
  writer.writeInt32(seal.tableId, 'tableId');
  writer.writeInt32(seal.partitionId, 'partitionId');
  writer.writeString(seal.targetNode);
  writer.writeInt(seal.assignmentVersion, 'assignmentVersion');
  writer.writeString(checkProducerId(seal.producerId));
  writer.writeInt(checkPositive(seal.epoch, 'epoch'), 'epoch');
}

/** Reads the STREAMER_SEAL payload. */
export function readStreamerSeal(reader: MsgPackReader): StreamerSeal {
  const tableId = reader.readInt32('tableId');
  const partitionId = reader.readInt32('partitionId');
  const targetNode = reader.readString('targetNode');
  const assignmentVersion = reader.readSafeInteger('assignmentVersion');
  const at = reader.offset;
  const producerId = readProducerId(reader, reader.readString('producerId'), at);
  const epoch = readPositive(reader, reader.readSafeInteger('epoch'), 'epoch');
  return { op: 'STREAMER_SEAL', tableId, partitionId, targetNode, assignmentVersion, producerId, epoch };
}

export function writeSealResult(writer: MsgPackWriter, result: StreamerSealResult): void {
  if (!Number.isSafeInteger(result.appliedSeq) || result.appliedSeq < 0) {
    throw new ProtocolError(
      'INVALID_ARGUMENT',
      `appliedSeq: expected a safe integer >= 0, got ${String(result.appliedSeq)}`,
    );
  }
  writer.writeInt(result.appliedSeq, 'appliedSeq');
}

export function readSealResult(reader: MsgPackReader): StreamerSealResult {
  const appliedSeq = reader.readSafeInteger('appliedSeq');
  if (appliedSeq < 0) throw reader.error(`appliedSeq: expected an integer >= 0, got ${appliedSeq}`);
  return { appliedSeq };
}

export const streamerSealCodec: OpCodec<StreamerSealRequest, StreamerSealResult> = {
  writeRequest: writeStreamerSeal,
  readRequest: (reader, requestId) => ({ ...readStreamerSeal(reader), requestId }),
  writeResult: writeSealResult,
  readResult: readSealResult,
};
