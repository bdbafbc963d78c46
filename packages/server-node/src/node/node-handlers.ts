/**
 * Handlers of the node-to-node ops. Only a peer that shook hands as a node may send them.
 *
 * - BATCH_FORWARD: a batch another node could not apply itself (plain or for a receiver). It is handled like
 *   the batch it carries,
 *   and forwarded again only while `hops + 1 < maxForwardHops` (default 1: never), else `NOT_PRIMARY`.
 * - PARTITION_TRANSFER, TX_*: not served by this version, answered `UNSUPPORTED_PROTOCOL` with a message
 *   saying so. Partitions move through the in-process node registry (partition-move.ts), which carries each
 *   key's versions with their commit timestamps; two-phase commit between nodes comes with receivers.
 */
import type { ForwardedBatchResult, OpName, RequestOf } from '@datastreamer/protocol';
import { ServerError } from '../errors/server-error.js';
import { handleReceiverBatch } from '../receiver/receiver-batch-handler.js';
import type { NodeContext, RequestContext } from './node-context.js';
import { handleStreamerBatch } from './streamer-handler.js';

/** @throws ServerError `PROTOCOL_ERROR` when a client sends a node-to-node op. */
export function requireNodePeer(op: OpName, context: RequestContext): void {
  if (context.peer !== 'node') {
    throw new ServerError(
      'PROTOCOL_ERROR',
      `${op} is a node-to-node op; ${context.remote} shook hands as a ${context.peer}`,
    );
  }
}

/** BATCH_FORWARD: the inner batch, handled here or forwarded once more when hops allow. */
export function batchForward(
  node: NodeContext,
  request: RequestOf<'BATCH_FORWARD'>,
  context: RequestContext,
): ForwardedBatchResult | Promise<ForwardedBatchResult> {
  requireNodePeer('BATCH_FORWARD', context);
  const batch = request.batch;
  const next = request.hops + 1;
  const budget = request.hops >= 0 && next < node.maxForwardHops ? next : null;
  if (batch.op === 'STREAMER_WITH_RECEIVER_BATCH_SEND') {
    const outcome = handleReceiverBatch(node, batch, budget, request.origin);
    if (outcome instanceof Promise) {
      return outcome.then((result) => ({ op: 'STREAMER_WITH_RECEIVER_BATCH_SEND', results: result.results }));
    }
    return { op: 'STREAMER_WITH_RECEIVER_BATCH_SEND', results: outcome.results };
  }
  const outcome = handleStreamerBatch(node, batch, budget, request.origin);
  if (outcome instanceof Promise) {
    return outcome.then((result) => ({ op: 'STREAMER_BATCH_SEND', schemaVersion: result.schemaVersion }));
  }
  return { op: 'STREAMER_BATCH_SEND', schemaVersion: outcome.schemaVersion };
}

/** An op this node version does not serve. */
export function unsupportedNodeOp(op: OpName, context: RequestContext): never {
  requireNodePeer(op, context);
  const why =
    op === 'PARTITION_TRANSFER'
      ? 'partitions are handed over through the node registry of the process (see partition-move.ts)'
      : 'two-phase commit between nodes is not implemented yet';
  throw new ServerError('UNSUPPORTED_PROTOCOL', `${op} is not served by this node: ${why}`);
}
