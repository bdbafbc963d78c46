/**
 * Running a receiver batch on the partition's primary (this node), fenced by its producer like a plain batch:
 *
 * - An attempt of an older or sealed epoch is refused (`PRODUCER_FENCED`); one the partition applied already
 *   is answered with the results its first run returned (kept per producer, the newest few), not run again.
 * - An attempt of the batch being run right now waits for that run and is then answered as the fence says
 *   (one run, not two, when a client's retry overtakes a slow receiver).
 * - Not transactional (the default): the receiver runs with its own writes (each view call its own
 *   transaction, or its own `runInTransaction`), and the fence records the batch once it returned. A crash or
 *   a failure between its writes and that record makes a retry run it again: at least once.
 * - Transactional (`transactional`): the node begins one transaction for the batch, every view call without a
 *   `tx` and every `runInTransaction` joins it, and after the receiver returned it commits together with the
 *   fence record, in the step that commits (two-phase when it spans nodes). A retry of a batch that committed
 *   finds it in the fence and is answered from it; one that did not commit runs again from scratch. So its
 *   effects happen exactly once.
 *
 * Answer: `null` results unless the client asked for them (`receiveResults`); else the returned array (or
 * none). A receiver that throws a retryable transaction error (`TX_CONFLICT`, `PARTITION_MOVED`,
 * `NODE_UNAVAILABLE`: the cluster moved under it, not a fault of its own) fails the batch with that code, so
 * the client runs the batch again (transactional: nothing of it committed; otherwise at least once, as ever).
 * A receiver that throws anything else, rejects, returns something other than an array or nothing, or returns
 * a result the value codec cannot carry fails the batch with `RECEIVER_FAILED` "Streamer receiver failed:
 * <message>" (not retried by the client: a non-transactional receiver's writes are its own, and stay).
 */
import { encodeValue } from '@datastreamer/protocol';
import {
  type BatchProducer,
  describeValue,
  type ReceiverBatch,
  type ReceiverBatchResult,
} from '@datastreamer/protocol/internal';
import { ServerError } from '../../errors/server-error.js';
import type { BatchResults } from '../../fence/producer-fence.js';
import type { PartitionReplica } from '../../partitions/partition-table.js';
import { encodeWrite } from '../../replication/partition-command.js';
import type { NodeContext } from '../node-context.js';
import type { DataStreamerReceiver, ReceiverContext } from './data-streamer-receiver.js';
import { EmbeddedTables } from './embedded-tables.js';
import { EmbeddedTransactions } from './embedded-transactions.js';
import { checkAlive, ReceiverTransaction } from './receiver-transaction.js';

/** Codes a receiver's batch fails with as themselves: the cluster moved under it; the client retries. */
const RETRYABLE_TX_CODES: ReadonlySet<string> = new Set([
  'TX_CONFLICT',
  'PARTITION_MOVED',
  'NODE_UNAVAILABLE',
  // A replicated partition the receiver read or wrote had no primary (an election or a lease hand-over).
  'NO_QUORUM',
]);

/** Runs (or answers) a receiver batch on `replica`, this node's replica of its partition. */
export function runFenced(
  node: NodeContext,
  replica: PartitionReplica,
  receiver: DataStreamerReceiver,
  batch: ReceiverBatch,
  tableName: string,
): ReceiverBatchResult | Promise<ReceiverBatchResult> {
  const producer = batch.producer ?? null;
  if (producer === null) return runOnce(node, replica, receiver, batch, tableName);
  const admission = replica.fence.admit(producer);
  switch (admission.kind) {
    case 'refused':
      node.metrics.fencedBatches++;
      throw admission.error;
    case 'duplicate':
      node.metrics.staleBatches++;
      return answerFromFence(batch, admission.results);
    case 'apply':
      break;
    default:
      throw new ServerError('INTERNAL', `unknown admission ${JSON.stringify(admission satisfies never)}`);
  }
  const running = replica.running.get(producer.producerId);
  if (running !== undefined && running.epoch === producer.epoch && running.batchSeq === producer.batchSeq) {
    // The same batch is running now: answer once it is done, as the fence then says (it ran, or it failed
    // and this attempt runs it).
    return running.done.then(() => runFenced(node, replica, receiver, batch, tableName));
  }
  return runOnce(node, replica, receiver, batch, tableName);
}

async function runOnce(
  node: NodeContext,
  replica: PartitionReplica,
  receiver: DataStreamerReceiver,
  batch: ReceiverBatch,
  tableName: string,
): Promise<ReceiverBatchResult> {
  const producer = batch.producer ?? null;
  let finished = (): void => {};
  const done = new Promise<void>((resolve) => {
    finished = resolve;
  });
  if (producer !== null) {
    replica.running.set(producer.producerId, {
      epoch: producer.epoch,
      batchSeq: producer.batchSeq,
      transactional: batch.transactional === true,
      done,
    });
  }
  try {
    if (batch.transactional === true)
      return await runInBatchTransaction(node, replica, receiver, batch, tableName);
    const result = await runReceiver(node, receiver, batch, tableName, undefined);
    if (producer !== null) await recordOnCurrentOwner(node, batch, producer, result.results, tableName);
    node.metrics.batches++;
    return result;
  } finally {
    if (producer !== null && replica.running.get(producer.producerId)?.done === done) {
      replica.running.delete(producer.producerId);
    }
    finished();
  }
}

/**
 * A non-transactional run ended: the fence of the partition's replica here records it; on a replicated
 * partition, through its log (a `write` command with no rows), so every replica's fence records it.
 * @throws ServerError `PARTITION_MOVED` (retryable) when the partition left this node while the receiver ran,
 *   or this replica is no longer its serving primary (its lease ran out, another replica leads): the fence
 *   that decides now never saw this batch, so the batch must run again there (a receiver without a batch
 *   transaction runs at least once), or that fence would refuse the producer's next batch as out of turn.
 *   (rejects) `NO_QUORUM` when this replica stopped leading before the record applied (retried, the batch is
 *   a duplicate if the record did apply, or runs again).
 */
async function recordOnCurrentOwner(
  node: NodeContext,
  batch: ReceiverBatch,
  producer: BatchProducer,
  results: BatchResults,
  tableName: string,
): Promise<void> {
  const route = node.route(batch.tableId, batch.partitionId);
  if (route.kind !== 'local') {
    throw new ServerError(
      'PARTITION_MOVED',
      `partition ${batch.partitionId} of table "${tableName}" left ${node.name} while its receiver ran` +
        ' (moved, or this replica stopped being its primary); the batch runs again on the new owner',
    );
  }
  const group = route.replica.group;
  if (group === undefined) {
    route.replica.fence.record(producer, results);
    return;
  }
  await group.propose(encodeWrite(node.hlc.now(), { producer, admit: false, results }));
}

/** The transactional run: the receiver inside one transaction, committed with the fence record. */
async function runInBatchTransaction(
  node: NodeContext,
  replica: PartitionReplica,
  receiver: DataStreamerReceiver,
  batch: ReceiverBatch,
  tableName: string,
): Promise<ReceiverBatchResult> {
  const producer = batch.producer ?? null;
  const tx = new ReceiverTransaction(node, node.epoch);
  let result: ReceiverBatchResult;
  try {
    result = await runReceiver(node, receiver, batch, tableName, tx);
  } catch (error) {
    await tx.abort();
    throw error;
  }
  let applied: BatchResults | undefined;
  try {
    await tx.commit({
      check: () => {
        const route = node.route(batch.tableId, batch.partitionId);
        if (route.kind !== 'local' || route.replica !== replica) {
          return new ServerError(
            'PARTITION_MOVED',
            `partition ${batch.partitionId} of table "${tableName}" left ${node.name} while its receiver ran; ` +
              'nothing was committed',
          );
        }
        if (producer === null) return undefined;
        const admission = replica.fence.admit(producer);
        if (admission.kind === 'refused') return admission.error;
        if (admission.kind === 'duplicate') {
          applied = admission.results ?? null;
          return new AlreadyApplied();
        }
        return undefined;
      },
      committed: () => {
        if (producer !== null) replica.fence.record(producer, result.results);
      },
      ...(producer === null || replica.group === undefined
        ? {}
        : {
            fence: {
              tableId: batch.tableId,
              partition: batch.partitionId,
              group: replica.group,
              op: { producer, admit: true, results: result.results },
            },
          }),
      duplicate: () => {
        const admission = producer === null ? undefined : replica.fence.admit(producer);
        applied = admission?.kind === 'duplicate' ? (admission.results ?? null) : null;
        return new AlreadyApplied();
      },
    });
  } catch (error) {
    if (error instanceof AlreadyApplied) return answerFromFence(batch, applied);
    throw transactionFailure(batch, error);
  }
  node.metrics.batches++;
  return result;
}

/** Runs the receiver (in `ambient`, when given) and checks what it returned. */
async function runReceiver(
  node: NodeContext,
  receiver: DataStreamerReceiver,
  batch: ReceiverBatch,
  tableName: string,
  ambient: ReceiverTransaction | undefined,
): Promise<ReceiverBatchResult> {
  const epoch = node.epoch;
  const context: ReceiverContext = {
    ignite: {
      tables: new EmbeddedTables(node, epoch, ambient),
      transactions: new EmbeddedTransactions(node, epoch, ambient),
    },
    nodeName: node.name,
    tableName,
    partition: batch.partitionId,
  };
  let returned: unknown;
  try {
    returned = await receiver(batch.payloads, context, batch.arg ?? null);
  } catch (error) {
    checkAlive(node, epoch);
    if (error instanceof ServerError && RETRYABLE_TX_CODES.has(error.code)) throw error;
    throw receiverFailed(batch, errorMessage(error), error);
  }
  checkAlive(node, epoch);
  if (returned === undefined || returned === null) return { results: batch.receiveResults ? [] : null };
  if (!Array.isArray(returned)) {
    throw receiverFailed(
      batch,
      `receiver '${batch.receiver}' returned ${describeValue(returned)}; expected an array of results or nothing`,
    );
  }
  if (!batch.receiveResults) return { results: null };
  const results = returned as readonly unknown[];
  for (let i = 0; i < results.length; i++) {
    try {
      // Checked here so a bad result is the receiver's failure, not a response the node cannot write.
      encodeValue(results[i], `result[${i}]`);
    } catch (error) {
      throw receiverFailed(batch, errorMessage(error), error);
    }
  }
  return { results };
}

/** The answer to an attempt the fence says was applied: the first run's results, as far as they are kept. */
function answerFromFence(batch: ReceiverBatch, results: BatchResults | undefined): ReceiverBatchResult {
  if (!batch.receiveResults) return { results: null };
  // `undefined`: no longer kept (only an attempt of a batch the client moved on from gets that far back).
  return { results: results ?? [] };
}

/** The commit's refusal when a concurrent attempt of the same batch committed first. */
class AlreadyApplied extends Error {
  override readonly name = 'AlreadyApplied';
}

/** A commit failure as the client should see it: retryable transaction errors as they are. */
function transactionFailure(batch: ReceiverBatch, error: unknown): unknown {
  if (error instanceof ServerError) return error;
  return receiverFailed(batch, errorMessage(error), error);
}

function receiverFailed(batch: ReceiverBatch, message: string, cause?: unknown): ServerError {
  return new ServerError('RECEIVER_FAILED', `Streamer receiver failed: ${message}`, {
    cause,
    extensions: { receiver: batch.receiver },
  });
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : describeValue(error);
}
