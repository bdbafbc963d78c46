/**
 * The data streamer's ops: STREAMER_BATCH_SEND (a plain batch) and STREAMER_WITH_RECEIVER_BATCH_SEND (a batch
 * for a receiver), as sent by a client or forwarded by another node.
 *
 * A plain batch, in order: the table exists; the partition is one of its partitions; the batch was written
 * with the latest schema version (else `SCHEMA_VERSION_MISMATCH` with the expected version, and the client
 * re-encodes and resends); then the owner. When this node owns and serves the partition, every row is checked
 * and turned into key + stored row (rows stay tuples, see rows/row-ingest.ts; a decoded batch's rows are read
 * straight from the received message, see `StreamerRowRanges`), then the whole batch is applied
 * in ONE implicit transaction with the last operation per key winning, and committed; routing and commit
 * happen in one synchronous step, so a partition that moved away is never written here. A batch that names its
 * producer goes through the partition's producer fence first (producer-fence.ts), in that same step: an
 * attempt of an older or sealed epoch is refused with `PRODUCER_FENCED`; one whose seq is not above the
 * highest the partition applied for its producer and epoch is answered as applied but not applied. When another node
 * owns it, the batch is forwarded (`BATCH_FORWARD`) while hops remain, else answered `NOT_PRIMARY`
 * (retryable); both under the assignment version this node routed by (stale-assignment.ts). The answer is
 * the table's latest schema version.
 *
 * The batch's `targetNode` is advisory: routing follows the node's assignments, so a client with a stale view
 * still lands on the owner, and learns of the change from the response's assignment flag.
 *
 * Receiver batches are handled in receiver/receiver-batch-handler.ts.
 */
import {
  type RequestOf,
  StreamerRowRanges,
  streamerRowCount,
  type TableSchema,
} from '@datastreamer/protocol';
import type {
  BatchProducer,
  StreamerBatch,
  StreamerBatchResult,
  StreamerRow,
} from '@datastreamer/protocol/internal';
import { ServerError } from '../errors/server-error.js';
import type { PartitionReplica } from '../partitions/partition-table.js';
import type { PartitionGroup } from '../replication/partition-group.js';
import type { CommandOutcome } from '../replication/partition-state-machine.js';
import type { IngestBatch } from '../rows/ingest-batch.js';
import { checkKeysIn } from '../rows/key-ownership.js';
import type { KeyedRows } from '../rows/keyed-rows.js';
import type { RowIngest } from '../rows/row-ingest.js';
import type { PutRange } from '../rows/row-range.js';
import type { RowShape } from '../rows/row-shape.js';
import { applyKeyedBatch, writeKeyedBatch } from '../tx/apply-batch.js';
import { commitOnGroup } from '../tx/replicated-commit.js';
import type { Transaction } from '../tx/transaction.js';
import type { NodeContext, RequestContext } from './node-context.js';
import {
  checkPartition,
  checkWriteVersion,
  latestSchema,
  noOwner,
  noQuorum,
  partitionMoving,
} from './request-checks.js';
import { sendOn } from './stale-assignment.js';

/** How a batch may still travel: the hop count to send it on with, or `null` when it may not be forwarded. */
export type ForwardBudget = number | null;

/** A batch from a client may be forwarded once (when forwarding is on); one from a node never. */
export function forwardBudgetOf(node: NodeContext, context: RequestContext): ForwardBudget {
  return context.peer === 'client' && node.maxForwardHops > 0 ? 0 : null;
}

/** STREAMER_BATCH_SEND from a client (forwarded once at most by default) or a node (never forwarded). */
export function streamerBatchSend(
  node: NodeContext,
  request: RequestOf<'STREAMER_BATCH_SEND'>,
  context: RequestContext,
): StreamerBatchResult | Promise<StreamerBatchResult> {
  return handleStreamerBatch(node, request, forwardBudgetOf(node, context), node.name);
}

/**
 * Checks, routes and applies (or forwards) a plain batch.
 *
 * @param budget the hop count to forward with, or `null` when the batch may not be forwarded.
 * @param origin the node the client reached (sent along when forwarding).
 * @throws ServerError `TABLE_NOT_FOUND`, `INVALID_ARGUMENT`, `SCHEMA_VERSION_MISMATCH`, `INVALID_ROW` naming
 *   the row and column, `TX_CONFLICT`, `NOT_PRIMARY`, `PARTITION_MOVED`, `NODE_UNAVAILABLE`: in every case
 *   nothing of the batch was applied here.
 */
export function handleStreamerBatch(
  node: NodeContext,
  batch: StreamerBatch,
  budget: ForwardBudget,
  origin: string,
): StreamerBatchResult | Promise<StreamerBatchResult> {
  const schema = latestSchema(node, batch.tableId, batch.schemaVersion);
  checkPartition(schema, batch.partitionId);
  checkWriteVersion(schema, batch.schemaVersion);
  const route = node.route(batch.tableId, batch.partitionId);
  switch (route.kind) {
    case 'local': {
      if (node.buggify('node.refuse-before-apply')) throw overloaded(node, 'node.refuse-before-apply');
      const group = route.replica.group;
      if (group !== undefined) {
        const answer = { schemaVersion: schema.version };
        return applyReplicated(node, route.replica, group, schema, batch).then(() => {
          if (node.buggify('node.refuse-after-apply')) throw overloaded(node, 'node.refuse-after-apply');
          return answer;
        });
      }
      applyBatchHere(node, route.replica, schema, batch);
      // As if the answer were lost: the batch applied, the client hears a retryable refusal.
      if (node.buggify('node.refuse-after-apply')) throw overloaded(node, 'node.refuse-after-apply');
      return { schemaVersion: schema.version };
    }
    case 'remote':
      return sendOn(
        node,
        schema,
        route,
        batch,
        budget,
        (owner, routed, hops) => forwardBatch(node, owner, routed, hops, origin),
        () => handleStreamerBatch(node, batch, budget, origin),
      );
    case 'moving':
      throw partitionMoving(node, schema, batch.partitionId);
    case 'unowned':
      throw noOwner(schema, batch.partitionId);
    case 'noQuorum':
      throw noQuorum(node, schema, batch.partitionId);
    default:
      return unknownRoute(route);
  }
}

/** Checks every row, then applies the batch in one transaction on the local replica. */
function applyBatchHere(
  node: NodeContext,
  replica: PartitionReplica,
  schema: TableSchema,
  batch: StreamerBatch,
): void {
  const producer = batch.producer ?? null;
  // The fence check, the commit and the record run in one synchronous step with the routing, so no other
  // batch of the partition interleaves.
  if (producer !== null && !admitted(node, replica, producer, schema)) return;
  // Every row is checked and written into one buffer before the first write: a bad row applies nothing.
  const checked = ingestBatch(node, schema, batch);
  try {
    commitRows(node, replica, checked, producer);
  } finally {
    // The batch's transaction has committed or aborted by now, so its buffer may serve the next batch.
    checked.release();
  }
  if (producer !== null) replica.fence.record(producer);
  node.metrics.batches++;
}

/**
 * A replicated partition served here: the batch's rows are checked and written as intents here, then
 * committed through the partition's log with the fence's record (replication/). The fence is asked here
 * first (to answer a duplicate or a fenced attempt at once) and again as the command applies, which decides.
 */
async function applyReplicated(
  node: NodeContext,
  replica: PartitionReplica,
  group: PartitionGroup,
  schema: TableSchema,
  batch: StreamerBatch,
): Promise<void> {
  const producer = batch.producer ?? null;
  if (producer !== null && !admitted(node, replica, producer, schema)) return;
  const checked = ingestBatch(node, schema, batch);
  try {
    const outcome = await commitRowsReplicated(node, replica, group, checked, producer);
    settleReplicatedBatch(node, outcome, schema, replica, producer);
  } finally {
    // The command applied or this replica stopped leading: either way no intent points into the buffer.
    checked.release();
  }
}

/** Counts what a replicated batch did; a fenced attempt's refusal is thrown. */
function settleReplicatedBatch(
  node: NodeContext,
  outcome: CommandOutcome,
  schema: TableSchema,
  replica: PartitionReplica,
  producer: BatchProducer | null,
): void {
  switch (outcome.kind) {
    case 'applied':
      node.metrics.batches++;
      return;
    case 'duplicate':
      node.log.debug(
        { table: schema.tableId, partition: replica.partition, ...producer },
        'duplicate streamer batch attempt acknowledged without applying it',
      );
      node.metrics.staleBatches++;
      return;
    case 'refused':
      node.metrics.fencedBatches++;
      throw outcome.error;
    default:
      throw new ServerError('INTERNAL', `a streamer batch's write command ended as ${outcome.kind}`);
  }
}

/**
 * Checks every row of `batch` into a batch buffer of the node's ingest (release it when its transaction is
 * over).
 * @throws ServerError `INVALID_ROW` naming the row and column, or a row whose key belongs to another partition
 *   (the buffer is released then).
 */
function ingestBatch(node: NodeContext, schema: TableSchema, batch: StreamerBatch): IngestBatch {
  const shape = node.shapes.of(schema);
  const ingest = node.ingest;
  const rows = batch.rows;
  const checked = ingest.batch(streamerRowCount(rows));
  try {
    if (rows instanceof StreamerRowRanges) ingestRanges(ingest, checked, shape, rows, batch.deleted);
    else ingestArray(ingest, checked, shape, rows, batch.deleted);
    checkKeysIn(checked, shape, batch.partitionId, 'batch');
  } catch (error) {
    checked.release();
    throw error;
  }
  return checked;
}

/**
 * Asks the partition's producer fence about an attempt: true to apply it; false for a duplicate (answered as
 * applied: its rows, or newer ones of the same producer, are committed already).
 * @throws ServerError `PRODUCER_FENCED` for an attempt of an older or sealed epoch.
 */
function admitted(
  node: NodeContext,
  replica: PartitionReplica,
  producer: BatchProducer,
  schema: TableSchema,
): boolean {
  const admission = replica.fence.admit(producer);
  switch (admission.kind) {
    case 'apply':
      return true;
    case 'duplicate':
      node.log.debug(
        { table: schema.tableId, partition: replica.partition, ...producer },
        'duplicate streamer batch attempt acknowledged without applying it',
      );
      node.metrics.staleBatches++;
      return false;
    case 'refused':
      node.metrics.fencedBatches++;
      throw admission.error;
    default:
      throw new ServerError('INTERNAL', `unknown admission ${JSON.stringify(admission satisfies never)}`);
  }
}

/**
 * Checks every row of a decoded batch into `checked`, reading each straight from the received message.
 * @throws ServerError `INVALID_ROW` naming the row and column.
 */
function ingestRanges(
  ingest: RowIngest,
  checked: IngestBatch,
  shape: RowShape,
  rows: StreamerRowRanges,
  deleted: Uint8Array | null,
): void {
  const count = rows.count;
  // One argument object for the whole batch, its positions moved row by row: no object per row.
  const range: PutRange = {
    batch: checked,
    index: 0,
    shape,
    context: 'batch',
    bytes: rows.bytes,
    tupleStart: 0,
    tupleEnd: 0,
    maskStart: 0,
    maskEnd: 0,
  };
  for (let i = 0; i < count; i++) {
    range.index = i;
    range.tupleStart = rows.tupleStart(i);
    range.tupleEnd = rows.tupleEnd(i);
    if (isRemove(deleted, i)) {
      ingest.removeRangeInto(range);
    } else {
      range.maskStart = rows.maskStart(i);
      range.maskEnd = rows.maskEnd(i);
      ingest.putRangeInto(range);
    }
  }
}

/**
 * Checks every row of a batch given as row objects (one built in this process rather than decoded).
 * @throws ServerError `INVALID_ROW` naming the row and column.
 */
function ingestArray(
  ingest: RowIngest,
  checked: IngestBatch,
  shape: RowShape,
  rows: readonly StreamerRow[],
  deleted: Uint8Array | null,
): void {
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as StreamerRow;
    if (isRemove(deleted, i)) ingest.removeInto(checked, shape, row.tuple, i, 'batch');
    else ingest.putInto(checked, shape, row.noValueSet, row.tuple, i, 'batch');
  }
}

/** Whether bit `i` of the batch's `deleted` mask is set (bits past its end are 0). */
function isRemove(deleted: Uint8Array | null, i: number): boolean {
  return deleted !== null && i >> 3 < deleted.length && ((deleted[i >> 3] as number) & (1 << (i & 7))) !== 0;
}

/**
 * Applies `rows` (checked, see rows/ingest-batch.ts) in one implicit transaction on `replica` and counts them.
 * @param origin the streamer batch's producer, told to apply listeners; `null` for other writes.
 * @throws ServerError `TX_CONFLICT` (counted), nothing applied.
 */
export function commitRows(
  node: NodeContext,
  replica: PartitionReplica,
  rows: KeyedRows,
  origin: BatchProducer | null = null,
): void {
  try {
    node.applying(origin, () => applyKeyedBatch(node.transactions, replica.store, rows));
  } catch (error) {
    countConflict(node, error);
    throw error;
  }
  node.metrics.rowsApplied += rows.count;
}

/**
 * {@link commitRows} on a replicated partition served here: the rows are written as intents of one implicit
 * transaction, which commits through the partition's log (tx/replicated-commit.ts) with `origin`'s fence
 * record (asked again as it applies). Resolves with what the command did; `rows` must stay unchanged until
 * then.
 * @throws ServerError `TX_CONFLICT` (counted, nothing proposed); `NO_QUORUM` as `commitOnGroup`.
 */
export async function commitRowsReplicated(
  node: NodeContext,
  replica: PartitionReplica,
  group: PartitionGroup,
  rows: KeyedRows,
  origin: BatchProducer | null = null,
): Promise<CommandOutcome> {
  let tx: Transaction;
  try {
    tx = writeKeyedBatch(node.transactions, replica.store, rows);
  } catch (error) {
    countConflict(node, error);
    throw error;
  }
  const fence = origin === null ? null : { producer: origin, admit: true, results: undefined };
  const outcome = await commitOnGroup(node.hlc, node.transactions, tx, replica.store, group, fence);
  if (outcome.kind === 'applied') node.metrics.rowsApplied += rows.count;
  return outcome;
}

function countConflict(node: NodeContext, error: unknown): void {
  if (error instanceof ServerError && error.code === 'TX_CONFLICT') node.metrics.conflicts++;
}

async function forwardBatch(
  node: NodeContext,
  owner: string,
  batch: StreamerBatch,
  hops: number,
  origin: string,
): Promise<StreamerBatchResult> {
  node.metrics.forwards++;
  const result = await node.forwarder.send(owner, { op: 'BATCH_FORWARD', requestId: 0, hops, origin, batch });
  if (result.op !== 'STREAMER_BATCH_SEND') {
    throw new ServerError(
      'INTERNAL',
      `${owner} answered a forwarded streamer batch with a ${result.op} result`,
    );
  }
  return { schemaVersion: result.schemaVersion };
}

/** The retryable refusal a fault point sends (simulation only). */
function overloaded(node: NodeContext, point: string): ServerError {
  return new ServerError('OVERLOADED', `node ${node.name} is overloaded (fault point ${point})`);
}

function unknownRoute(route: never): never {
  throw new ServerError('INTERNAL', `unknown route ${JSON.stringify(route)}`);
}
