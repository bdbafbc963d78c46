/**
 * The codec of every op, by op name. The request and response codecs look ops up here; the mapped type
 * makes a missing op a compile error.
 */
import { nodeAuthenticateCodec } from './auth-messages.js';
import {
  columnAddCodec,
  heartbeatCodec,
  partitionAssignmentGetCodec,
  schemasGetCodec,
  tableCreateCodec,
  tableGetCodec,
  tablesGetCodec,
} from './catalog-messages.js';
import type { RequestMap, ResultMap } from './message-types.js';
import { metaProposeCodec, metaWatchCodec } from './meta-messages.js';
import type { OpCodec } from './op-codec.js';
import type { OpName } from './op-codes.js';
import { partitionTransferCodec } from './partition-transfer-message.js';
import { producerRegisterCodec, streamerSealCodec } from './producer-messages.js';
import { raftAppendCodec, raftSnapshotCodec, raftVoteCodec } from './raft-messages.js';
import { batchForwardCodec, receiverBatchSendCodec, streamerBatchSendCodec } from './streamer-messages.js';
import {
  tupleDeleteAllCodec,
  tupleDeleteCodec,
  tupleGetAllCodec,
  tupleGetCodec,
  tupleUpsertAllCodec,
  tupleUpsertCodec,
} from './tuple-messages.js';
import {
  txAbortCodec,
  txCommitCodec,
  txPrepareCodec,
  txRowsGetCodec,
  txRowsWriteCodec,
  txStateGetCodec,
} from './tx-messages.js';

type OpCodecTable = { readonly [K in OpName]: OpCodec<RequestMap[K], ResultMap[K]> };

const OP_CODECS: OpCodecTable = {
  HEARTBEAT: heartbeatCodec,
  TABLES_GET: tablesGetCodec,
  TABLE_GET: tableGetCodec,
  SCHEMAS_GET: schemasGetCodec,
  TUPLE_UPSERT: tupleUpsertCodec,
  TUPLE_GET: tupleGetCodec,
  TUPLE_UPSERT_ALL: tupleUpsertAllCodec,
  TUPLE_GET_ALL: tupleGetAllCodec,
  TUPLE_DELETE: tupleDeleteCodec,
  TUPLE_DELETE_ALL: tupleDeleteAllCodec,
  PARTITION_ASSIGNMENT_GET: partitionAssignmentGetCodec,
  STREAMER_BATCH_SEND: streamerBatchSendCodec,
  STREAMER_WITH_RECEIVER_BATCH_SEND: receiverBatchSendCodec,
  TABLE_CREATE: tableCreateCodec,
  COLUMN_ADD: columnAddCodec,
  PRODUCER_REGISTER: producerRegisterCodec,
  STREAMER_SEAL: streamerSealCodec,
  BATCH_FORWARD: batchForwardCodec,
  PARTITION_TRANSFER: partitionTransferCodec,
  TX_PREPARE: txPrepareCodec,
  TX_COMMIT: txCommitCodec,
  TX_ABORT: txAbortCodec,
  TX_STATE_GET: txStateGetCodec,
  TX_ROWS_GET: txRowsGetCodec,
  TX_ROWS_WRITE: txRowsWriteCodec,
  RAFT_VOTE: raftVoteCodec,
  RAFT_APPEND: raftAppendCodec,
  RAFT_SNAPSHOT: raftSnapshotCodec,
  NODE_AUTHENTICATE: nodeAuthenticateCodec,
  META_PROPOSE: metaProposeCodec,
  META_WATCH: metaWatchCodec,
};

/**
 * The codec of `op`. With `op` a union (a request's `op` field), TypeScript cannot tie the codec to the
 * request of the same op; the table above guarantees it, so the one cast here is sound.
 */
export function codecOf<K extends OpName>(op: K): OpCodec<RequestMap[K], ResultMap[K]> {
  return OP_CODECS[op] as OpCodec<RequestMap[K], ResultMap[K]>;
}
