/**
 * STREAMER_WITH_RECEIVER_BATCH_SEND, direct from a client or forwarded by another node: checks, routes, runs
 * the deployed receiver once on the primary of the batch's partition, and answers its results.
 *
 * In order: the table exists and the partition is one of its partitions; the receiver is deployed (else
 * `RECEIVER_NOT_FOUND` "Cannot load receiver by name '<name>'"); no payload is null and all are of one kind
 * (`INVALID_ARGUMENT` naming the payload, as Ignite refuses a batch mixing item types); then the owner. This
 * node owns it: the receiver runs here (receiver-run.ts: fenced by producer, once per batch when
 * transactional). Another node owns it: the batch is forwarded (`BATCH_FORWARD`) while hops remain, else
 * `NOT_PRIMARY`.
 */
import type { RequestOf } from '@datastreamer/protocol';
import { type ReceiverBatch, type ReceiverBatchResult, valueKind } from '@datastreamer/protocol/internal';
import { ServerError } from '../../errors/server-error.js';
import type { NodeContext, RequestContext } from '../node-context.js';
import { checkPartition, latestSchema, noOwner, noQuorum, partitionMoving } from '../request-checks.js';
import { sendOn } from '../stale-assignment.js';
import { type ForwardBudget, forwardBudgetOf } from '../streamer-handler.js';
import { runFenced } from './receiver-run.js';

/** STREAMER_WITH_RECEIVER_BATCH_SEND from a client (forwarded once at most by default) or a node (never). */
export function receiverBatchSend(
  node: NodeContext,
  request: RequestOf<'STREAMER_WITH_RECEIVER_BATCH_SEND'>,
  context: RequestContext,
): ReceiverBatchResult | Promise<ReceiverBatchResult> {
  return handleReceiverBatch(node, request, forwardBudgetOf(node, context), node.name);
}

/**
 * Checks, routes and runs (or forwards) a receiver batch.
 *
 * @param budget the hop count to forward with, or `null` when the batch may not be forwarded.
 * @param origin the node the client reached (sent along when forwarding).
 * @throws ServerError `TABLE_NOT_FOUND`, `INVALID_ARGUMENT`, `RECEIVER_NOT_FOUND`, `NOT_PRIMARY`,
 *   `PARTITION_MOVED`, `NODE_UNAVAILABLE` (the receiver did not run); `RECEIVER_FAILED` (it ran and failed).
 */
export function handleReceiverBatch(
  node: NodeContext,
  batch: ReceiverBatch,
  budget: ForwardBudget,
  origin: string,
): ReceiverBatchResult | Promise<ReceiverBatchResult> {
  const schema = latestSchema(node, batch.tableId);
  checkPartition(schema, batch.partitionId);
  const receiver = node.receivers.get(batch.receiver);
  if (receiver === undefined) {
    throw new ServerError(
      'RECEIVER_NOT_FOUND',
      `Cannot load receiver by name '${batch.receiver}': no receiver of that name is deployed on the cluster`,
      { extensions: { receiver: batch.receiver } },
    );
  }
  checkPayloads(batch);
  const route = node.route(batch.tableId, batch.partitionId);
  switch (route.kind) {
    case 'local':
      return runFenced(node, route.replica, receiver, batch, schema.tableName);
    case 'remote':
      return sendOn(
        node,
        schema,
        route,
        batch,
        budget,
        (owner, routed, hops) => forwardReceiverBatch(node, owner, routed, hops, origin),
        () => handleReceiverBatch(node, batch, budget, origin),
      );
    case 'moving':
      throw partitionMoving(node, schema, batch.partitionId);
    case 'unowned':
      throw noOwner(schema, batch.partitionId);
    case 'noQuorum':
      throw noQuorum(node, schema, batch.partitionId);
    default:
      throw new ServerError('INTERNAL', `unknown route ${JSON.stringify(route satisfies never)}`);
  }
}

async function forwardReceiverBatch(
  node: NodeContext,
  owner: string,
  batch: ReceiverBatch,
  hops: number,
  origin: string,
): Promise<ReceiverBatchResult> {
  node.metrics.forwards++;
  const result = await node.forwarder.send(owner, { op: 'BATCH_FORWARD', requestId: 0, hops, origin, batch });
  if (result.op !== 'STREAMER_WITH_RECEIVER_BATCH_SEND') {
    throw new ServerError(
      'INTERNAL',
      `${owner} answered a forwarded receiver batch with a ${result.op} result`,
    );
  }
  return { results: result.results };
}

/**
 * No payload is null, and all are of the first one's kind.
 * @throws ServerError `INVALID_ARGUMENT` naming the payload.
 */
function checkPayloads(batch: ReceiverBatch): void {
  const payloads = batch.payloads;
  const kind = payloads.length === 0 ? undefined : valueKind(payloads[0]);
  for (let i = 0; i < payloads.length; i++) {
    const payload = payloads[i];
    if (payload === null || payload === undefined) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `receiver '${batch.receiver}': payload ${i} of the batch is null; payloads must not be null`,
      );
    }
    const found = valueKind(payload);
    if (found !== kind) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `receiver '${batch.receiver}': payload ${i} of the batch is a ${found} but payload 0 is a ${kind}; ` +
          'the payloads of one batch must all be of one kind',
      );
    }
  }
}
