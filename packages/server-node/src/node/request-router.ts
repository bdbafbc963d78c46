/**
 * Which handler serves each op: one table, so an op without a handler is a compile error. A request arrives
 * here decoded and typed; the handler returns its result, or a promise of it when it had to ask another node.
 */
import type { OpName, Request, RequestOf, ResultOf } from '@datastreamer/protocol';
import { ServerError } from '../errors/server-error.js';
import {
  columnAdd,
  heartbeat,
  partitionAssignmentGet,
  schemasGet,
  tableCreate,
  tableGet,
  tablesGet,
} from './catalog-handlers.js';
import { metaPropose, metaWatch } from './metastorage-handlers.js';
import type { NodeContext, RequestContext } from './node-context.js';
import {
  batchForward,
  nodeAuthenticateAgain,
  raftRequest,
  txAbort,
  txCommit,
  txPrepare,
  txRowsGet,
  txRowsWrite,
  txStateGet,
  unsupportedNodeOp,
} from './node-handlers.js';
import { producerRegister, streamerSeal } from './producer-handlers.js';
import { receiverBatchSend } from './receiver/receiver-batch-handler.js';
import { streamerBatchSend } from './streamer-handler.js';
import {
  tupleDelete,
  tupleDeleteAll,
  tupleGet,
  tupleGetAll,
  tupleUpsert,
  tupleUpsertAll,
} from './tuple-handlers.js';

/** A handler's answer: the op's result, now or later. */
export type Outcome<K extends OpName> = ResultOf<K> | Promise<ResultOf<K>>;

type Handler<K extends OpName> = (
  node: NodeContext,
  request: RequestOf<K>,
  context: RequestContext,
) => Outcome<K>;

const HANDLERS: { readonly [K in OpName]: Handler<K> } = {
  HEARTBEAT: heartbeat,
  TABLES_GET: tablesGet,
  TABLE_GET: tableGet,
  SCHEMAS_GET: schemasGet,
  PARTITION_ASSIGNMENT_GET: partitionAssignmentGet,
  TABLE_CREATE: tableCreate,
  COLUMN_ADD: columnAdd,
  PRODUCER_REGISTER: producerRegister,
  STREAMER_SEAL: streamerSeal,
  TUPLE_GET: tupleGet,
  TUPLE_GET_ALL: tupleGetAll,
  TUPLE_UPSERT: tupleUpsert,
  TUPLE_UPSERT_ALL: tupleUpsertAll,
  TUPLE_DELETE: tupleDelete,
  TUPLE_DELETE_ALL: tupleDeleteAll,
  STREAMER_BATCH_SEND: streamerBatchSend,
  STREAMER_WITH_RECEIVER_BATCH_SEND: receiverBatchSend,
  BATCH_FORWARD: batchForward,
  PARTITION_TRANSFER: (_node, request, context) => unsupportedNodeOp(request.op, context),
  TX_PREPARE: txPrepare,
  TX_COMMIT: txCommit,
  TX_ABORT: txAbort,
  TX_STATE_GET: txStateGet,
  TX_ROWS_GET: txRowsGet,
  TX_ROWS_WRITE: txRowsWrite,
  RAFT_VOTE: (node, request, context) => raftRequest<'RAFT_VOTE'>(node, request, context),
  RAFT_APPEND: (node, request, context) => raftRequest<'RAFT_APPEND'>(node, request, context),
  RAFT_SNAPSHOT: (node, request, context) => raftRequest<'RAFT_SNAPSHOT'>(node, request, context),
  NODE_AUTHENTICATE: nodeAuthenticateAgain,
  META_PROPOSE: metaPropose,
  META_WATCH: metaWatch,
};

/**
 * Runs the handler of `request.op`.
 * @throws whatever the handler throws synchronously (the session turns it into an error response).
 */
export function dispatch(node: NodeContext, request: Request, context: RequestContext): Outcome<OpName> {
  // The table ties each handler to its op's request; TypeScript cannot follow that through the union.
  const handler = HANDLERS[request.op] as Handler<OpName>;
  const metastorage = node.metastorage;
  if (metastorage === undefined) return handler(node, request, context);
  // A request from a newer catalog than this node's copy (`STALE_METADATA`, thrown before the handler did
  // anything): catch up with the metastorage, then serve it once more (Ignite's schema sync waits likewise).
  const again = (error: unknown): Outcome<OpName> => {
    if (!isStale(error)) throw error;
    return metastorage.sync().then(() => handler(node, request, context));
  };
  let outcome: Outcome<OpName>;
  try {
    outcome = handler(node, request, context);
  } catch (error) {
    return again(error);
  }
  return outcome instanceof Promise ? outcome.catch(again) : outcome;
}

function isStale(error: unknown): boolean {
  return error instanceof ServerError && error.code === 'STALE_METADATA';
}
