/**
 * STREAMER_WITH_RECEIVER_BATCH_SEND, direct from a client or forwarded by another node: checks, routes, runs
 * the deployed receiver once on the primary of the batch's partition, and answers its results.
 *
 * In order: the table exists and the partition is one of its partitions; the receiver is deployed (else
 * `RECEIVER_NOT_FOUND` "Cannot load receiver by name '<name>'"); no payload is null (`INVALID_ARGUMENT`
 * naming its index); then the owner. This node owns it: the receiver runs here, once, with the payloads in
 * order, the argument (`null` when the client sent none) and a context whose `ignite` is the embedded API.
 * Another node owns it: the batch is forwarded (`BATCH_FORWARD`) while hops remain, else `NOT_PRIMARY`.
 *
 * Answer: `null` results unless the client asked for them (`receiveResults`); else the returned array (or
 * none). A receiver that throws, rejects, returns something other than an array or nothing, or returns a
 * result the value codec cannot carry fails the batch with `RECEIVER_FAILED` "Streamer receiver failed:
 * <message>" (not retried: a receiver's effects are its own). Writes it made outside a transaction stay.
 */
import {
  describeValue,
  encodeValue,
  type ReceiverBatch,
  type ReceiverBatchResult,
  type RequestOf,
} from '@datastreamer/protocol';
import { ServerError } from '../errors/server-error.js';
import type { NodeContext, RequestContext } from '../node/node-context.js';
import {
  checkPartition,
  latestSchema,
  noOwner,
  notPrimary,
  partitionMoving,
} from '../node/request-checks.js';
import type { ForwardBudget } from '../node/streamer-handler.js';
import type { DataStreamerReceiver, ReceiverContext } from './data-streamer-receiver.js';
import { EmbeddedTables } from './embedded-tables.js';
import { checkAlive, EmbeddedTransactions } from './receiver-transaction.js';

/** STREAMER_WITH_RECEIVER_BATCH_SEND from a client (forwarded once at most by default) or a node (never). */
export function receiverBatchSend(
  node: NodeContext,
  request: RequestOf<'STREAMER_WITH_RECEIVER_BATCH_SEND'>,
  context: RequestContext,
): ReceiverBatchResult | Promise<ReceiverBatchResult> {
  const budget = context.peer === 'client' && node.maxForwardHops > 0 ? 0 : null;
  return handleReceiverBatch(node, request, budget, node.name);
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
  const payloads = batch.payloads;
  for (let i = 0; i < payloads.length; i++) {
    if (payloads[i] === null || payloads[i] === undefined) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `receiver '${batch.receiver}': payload ${i} of the batch is null; payloads must not be null`,
      );
    }
  }
  const route = node.route(batch.tableId, batch.partitionId);
  switch (route.kind) {
    case 'local':
      return runReceiver(node, receiver, batch, schema.tableName);
    case 'remote':
      if (budget === null) throw notPrimary(node, schema, batch.partitionId, route.owner);
      return forwardReceiverBatch(node, route.owner, batch, budget, origin);
    case 'moving':
      throw partitionMoving(node, schema, batch.partitionId);
    case 'unowned':
      throw noOwner(schema, batch.partitionId);
    default:
      throw new ServerError('INTERNAL', `unknown route ${JSON.stringify(route satisfies never)}`);
  }
}

async function runReceiver(
  node: NodeContext,
  receiver: DataStreamerReceiver,
  batch: ReceiverBatch,
  tableName: string,
): Promise<ReceiverBatchResult> {
  const epoch = node.epoch;
  const context: ReceiverContext = {
    ignite: { tables: new EmbeddedTables(node, epoch), transactions: new EmbeddedTransactions(node, epoch) },
    nodeName: node.name,
    tableName,
    partition: batch.partitionId,
  };
  let returned: unknown;
  try {
    returned = await receiver(batch.payloads, context, batch.arg ?? null);
  } catch (error) {
    checkAlive(node, epoch);
    throw receiverFailed(batch, errorMessage(error), error);
  }
  checkAlive(node, epoch);
  node.metrics.batches++;
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
