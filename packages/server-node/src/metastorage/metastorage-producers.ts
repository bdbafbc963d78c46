/**
 * The producers' epochs kept in the metastorage: one key per producer, `producers/<producerId>`, holding its
 * newest epoch and its newest runs' epochs (placement/producer-registry.ts's record and rule). A registration
 * reads the node's copy, and proposes the next record only if nobody registered that producer meanwhile (a
 * compare on the key's revision); when that fails, it waits for its copy to hold the winner and tries again.
 * So every run of a producer gets an epoch higher than every run before it, whichever node registered them,
 * and the same run registering again gets its epoch back.
 *
 * It fences nothing (partitions do) and keeps no state of its own: the node's copy is the state.
 */
import { MsgPackReader, MsgPackWriter } from '@datastreamer/protocol';
import { ServerError } from '../errors/server-error.js';
import { checkProducer, type ProducerRecord, registerRun } from '../placement/producer-registry.js';
import type { NodeMetastorage } from './node-metastorage.js';

const PREFIX = 'producers/';
/** Registrations after a lost compare, before giving up. */
const MAX_ATTEMPTS = 16;

export function encodeProducerRecord(record: ProducerRecord): Uint8Array {
  const writer = new MsgPackWriter();
  writer.writeInt(record.epoch, 'epoch');
  writer.writeArrayHeader(record.runs.length);
  for (const [runId, epoch] of record.runs) {
    writer.writeString(runId);
    writer.writeInt(epoch, 'epoch');
  }
  return writer.toBytes();
}

/** @throws ServerError `INTERNAL` for bytes that are not a producer record (a metastorage bug). */
export function decodeProducerRecord(bytes: Uint8Array): ProducerRecord {
  try {
    const reader = new MsgPackReader(bytes);
    const epoch = reader.readSafeInteger('epoch');
    const runs: (readonly [string, number])[] = [];
    for (let i = reader.readArrayHeader('runs'); i > 0; i--) {
      runs.push([reader.readString('runId'), reader.readSafeInteger('epoch')]);
    }
    reader.expectEnd('producer record');
    return { epoch, runs };
  } catch (cause) {
    throw new ServerError(
      'INTERNAL',
      `a producer record of the metastorage does not decode: ${String(cause)}`,
      {
        cause,
      },
    );
  }
}

/**
 * Registers run `runId` of `producerId` through the metastorage (see the module header).
 * @throws ServerError `INVALID_ARGUMENT` for a bad producer id; `NO_QUORUM` (retryable) when the metastorage
 *   took no change.
 */
export async function registerProducer(
  metastorage: NodeMetastorage,
  producerId: string,
  runId: string,
): Promise<number> {
  checkProducer(producerId);
  const key = PREFIX + producerId;
  for (let attempt = 1; ; attempt++) {
    const entry = metastorage.view.get(key);
    const { epoch, record, changed } = registerRun(
      entry === undefined ? undefined : decodeProducerRecord(entry.value),
      runId,
    );
    if (!changed) return epoch;
    const result = await metastorage.propose({
      compares: [{ key, modRevision: entry?.modRevision ?? 0 }],
      puts: [{ key, value: encodeProducerRecord(record) }],
      deletes: [],
    });
    if (result.succeeded) return epoch;
    if (attempt >= MAX_ATTEMPTS) {
      throw new ServerError(
        'NO_QUORUM',
        `registering producer "${producerId}" lost to concurrent registrations ${attempt} times; retry`,
      );
    }
    await metastorage.view.reached(result.revision);
  }
}
