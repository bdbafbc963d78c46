/**
 * Handlers of the node-to-node ops. Only a peer that shook hands as a node may send them.
 *
 * - BATCH_FORWARD: a batch (plain or for a receiver) or a seal another node could not serve itself. It is
 *   handled like the batch or seal it carries,
 *   and forwarded again only while `hops + 1 < maxForwardHops` (default 1: never), else `NOT_PRIMARY`.
 * - TX_ROWS_GET / TX_ROWS_WRITE / TX_PREPARE / TX_COMMIT / TX_ABORT: this node as a participant of a
 *   transaction another node coordinates (tx/tx-participant.ts); TX_STATE_GET: this node as the coordinator
 *   (tx/tx-coordinator.ts). A prepare's "no" vote is its error answer. The rows of TX_ROWS_WRITE pass the
 *   checks a client's rows pass (rows/row-ingest.ts) before any is written.
 * - RAFT_VOTE / RAFT_APPEND / RAFT_SNAPSHOT: a message of a replicated partition's Raft group, for this
 *   node's replica of it (replication/replica-groups.ts), or of the metastorage group (group `metastorage`,
 *   metastorage/metastorage-group.ts); `NOT_PRIMARY` when the node holds none. Only from
 *   an authenticated node peer (the connection served its NODE_AUTHENTICATE first, connection-session.ts).
 * - NODE_AUTHENTICATE: served by the connection as a node peer's first request (connection-session.ts); sent
 *   again later, it is a `PROTOCOL_ERROR`.
 * - PARTITION_TRANSFER: not served by this version, answered `UNSUPPORTED_PROTOCOL` with a message saying so.
 *   Partitions move through the in-process node registry (partition-move.ts), which carries each key's
 *   versions with their commit timestamps.
 */
import type { OpName, RequestOf, ResultOf } from '@datastreamer/protocol';
import type { ForwardedBatchResult, RowResult, TxStateResult } from '@datastreamer/protocol/internal';
import { ServerError } from '../errors/server-error.js';
import { METASTORAGE_GROUP } from '../metastorage/metastorage-group.js';
import type { RaftRequestOf } from '../raft/raft-types.js';
import { checkKeyIn } from '../rows/key-ownership.js';
import type { NodeContext, RequestContext } from './node-context.js';
import { handleSeal } from './producer-handlers.js';
import { handleReceiverBatch } from './receiver/receiver-batch-handler.js';
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
  if (batch.op === 'STREAMER_SEAL') {
    const outcome = handleSeal(node, batch, budget, request.origin);
    if (outcome instanceof Promise) {
      return outcome.then((result) => ({ op: 'STREAMER_SEAL', appliedSeq: result.appliedSeq }));
    }
    return { op: 'STREAMER_SEAL', appliedSeq: outcome.appliedSeq };
  }
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

/** TX_ROWS_GET: a remote transaction's reads on a partition of this node. */
export function txRowsGet(
  node: NodeContext,
  request: RequestOf<'TX_ROWS_GET'>,
  context: RequestContext,
): (RowResult | null)[] {
  requireNodePeer(request.op, context);
  return node.participants.read(
    request.txId,
    request.coordinator,
    request.startTimestamp,
    request.tableId,
    request.partitionId,
    request.keys,
  );
}

/** TX_ROWS_WRITE: a remote transaction's writes on a partition of this node. */
export function txRowsWrite(
  node: NodeContext,
  request: RequestOf<'TX_ROWS_WRITE'>,
  context: RequestContext,
): null {
  requireNodePeer(request.op, context);
  // A peer's rows are checked as a client's are, before any is written (an unknown version is the
  // participant's INVALID_SCHEMA).
  const schema = node.controlPlane.catalog.schema(request.tableId, request.schemaVersion);
  if (schema !== undefined) {
    const shape = node.shapes.of(schema);
    request.rows.forEach((row, i) => {
      node.ingest.checkWrite(shape, row.key, row.row, i);
      checkKeyIn(row.key, shape, request.partitionId, i, 'request');
    });
  }
  const keys = request.rows.map((row) => row.key);
  const rows = request.rows.map((row) => row.row);
  node.participants.write(
    request.txId,
    request.coordinator,
    request.startTimestamp,
    request.tableId,
    request.partitionId,
    request.schemaVersion,
    keys,
    rows,
  );
  return null;
}

/** TX_PREPARE: votes yes (answers) or no (an error answer). */
export function txPrepare(
  node: NodeContext,
  request: RequestOf<'TX_PREPARE'>,
  context: RequestContext,
): null | Promise<null> {
  requireNodePeer(request.op, context);
  const vote = node.participants.prepare(request.txId, request.coordinator, request.partitions);
  return vote instanceof Promise ? vote.then(() => null) : null;
}

/** TX_COMMIT: the coordinator's commit decision, for this node's share and the partitions it serves. */
export async function txCommit(
  node: NodeContext,
  request: RequestOf<'TX_COMMIT'>,
  context: RequestContext,
): Promise<null> {
  requireNodePeer(request.op, context);
  await node.participants.finish(request.txId, request.commitTimestamp, request.partitions);
  return null;
}

/** TX_ABORT: the coordinator's abort decision. */
export async function txAbort(
  node: NodeContext,
  request: RequestOf<'TX_ABORT'>,
  context: RequestContext,
): Promise<null> {
  requireNodePeer(request.op, context);
  await node.participants.finish(request.txId, null, request.partitions);
  return null;
}

/** TX_STATE_GET: what this node, as coordinator, knows of a transaction. */
export function txStateGet(
  node: NodeContext,
  request: RequestOf<'TX_STATE_GET'>,
  context: RequestContext,
): TxStateResult {
  requireNodePeer(request.op, context);
  return node.coordinator.stateOf(request.txId);
}

/** A Raft message for this node's replica of a replicated partition; answered once its answer may go. */
export function raftRequest<K extends 'RAFT_VOTE' | 'RAFT_APPEND' | 'RAFT_SNAPSHOT'>(
  node: NodeContext,
  request: RequestOf<K>,
  context: RequestContext,
): Promise<ResultOf<K>> {
  requireNodePeer(request.op, context);
  const { requestId: _, ...message } = request;
  // The op ties each Raft request to its result; TypeScript cannot follow that through the generic.
  const raftMessage = message as unknown as RaftRequestOf<K>;
  if (raftMessage.group === METASTORAGE_GROUP) {
    const group = node.metastorage?.group;
    if (group === undefined) {
      throw new ServerError('NOT_PRIMARY', `${node.name} holds no replica of the metastorage group`);
    }
    return new Promise((resolve) => group.raft.handleRequest(raftMessage, resolve)) as Promise<ResultOf<K>>;
  }
  return node.replication.handle(raftMessage) as Promise<ResultOf<K>>;
}

/** NODE_AUTHENTICATE after the connection was open: the proof is given once, before anything else. */
export function nodeAuthenticateAgain(
  _node: NodeContext,
  request: RequestOf<'NODE_AUTHENTICATE'>,
  context: RequestContext,
): never {
  throw new ServerError(
    'PROTOCOL_ERROR',
    `${request.op} is served only as a node peer's first request; ${context.remote} is already past it`,
  );
}

/** An op this node version does not serve. */
export function unsupportedNodeOp(op: OpName, context: RequestContext): never {
  requireNodePeer(op, context);
  throw new ServerError(
    'UNSUPPORTED_PROTOCOL',
    `${op} is not served by this node: partitions are handed over through the node registry of the ` +
      'process (see partition-move.ts)',
  );
}
