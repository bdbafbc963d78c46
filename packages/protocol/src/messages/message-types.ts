/**
 * The typed messages: every request (discriminated by `op`), the result each op answers with, and the
 * response envelope around a result or an error.
 */

import type { ErrorStructure } from '../frame/error-structure.js';
import type { TableSchema } from '../schema/table-schema.js';
import type { NodeAuthenticateRequest } from './auth-messages.js';
import type {
  ColumnAddRequest,
  HeartbeatRequest,
  PartitionAssignment,
  PartitionAssignmentGetRequest,
  SchemasGetRequest,
  TableCreateRequest,
  TableGetRequest,
  TablesGetRequest,
} from './catalog-messages.js';
import type {
  MetaProposeRequest,
  MetaProposeResult,
  MetaWatchRequest,
  MetaWatchResult,
} from './meta-messages.js';
import type { OpName } from './op-codes.js';
import type { PartitionTransferRequest } from './partition-transfer-message.js';
import type {
  ProducerRegisterRequest,
  ProducerRegisterResult,
  StreamerSealRequest,
  StreamerSealResult,
} from './producer-messages.js';
import type {
  RaftAppendRequest,
  RaftAppendResult,
  RaftSnapshotRequest,
  RaftSnapshotResult,
  RaftVoteRequest,
  RaftVoteResult,
} from './raft-messages.js';
import type { TableInfo } from './schema-codec.js';
import type {
  BatchForwardRequest,
  ForwardedBatchResult,
  ReceiverBatchResult,
  ReceiverBatchSendRequest,
  StreamerBatchResult,
  StreamerBatchSendRequest,
} from './streamer-messages.js';
import type {
  RowResult,
  TupleDeleteAllRequest,
  TupleDeleteRequest,
  TupleGetAllRequest,
  TupleGetRequest,
  TupleUpsertAllRequest,
  TupleUpsertRequest,
} from './tuple-messages.js';
import type {
  TxAbortRequest,
  TxCommitRequest,
  TxPrepareRequest,
  TxRowsGetRequest,
  TxRowsWriteRequest,
  TxStateGetRequest,
  TxStateResult,
} from './tx-messages.js';

/** The request of each op. */
export interface RequestMap {
  HEARTBEAT: HeartbeatRequest;
  TABLES_GET: TablesGetRequest;
  TABLE_GET: TableGetRequest;
  SCHEMAS_GET: SchemasGetRequest;
  TUPLE_UPSERT: TupleUpsertRequest;
  TUPLE_GET: TupleGetRequest;
  TUPLE_UPSERT_ALL: TupleUpsertAllRequest;
  TUPLE_GET_ALL: TupleGetAllRequest;
  TUPLE_DELETE: TupleDeleteRequest;
  TUPLE_DELETE_ALL: TupleDeleteAllRequest;
  PARTITION_ASSIGNMENT_GET: PartitionAssignmentGetRequest;
  STREAMER_BATCH_SEND: StreamerBatchSendRequest;
  STREAMER_WITH_RECEIVER_BATCH_SEND: ReceiverBatchSendRequest;
  TABLE_CREATE: TableCreateRequest;
  COLUMN_ADD: ColumnAddRequest;
  PRODUCER_REGISTER: ProducerRegisterRequest;
  STREAMER_SEAL: StreamerSealRequest;
  BATCH_FORWARD: BatchForwardRequest;
  PARTITION_TRANSFER: PartitionTransferRequest;
  TX_PREPARE: TxPrepareRequest;
  TX_COMMIT: TxCommitRequest;
  TX_ABORT: TxAbortRequest;
  TX_STATE_GET: TxStateGetRequest;
  TX_ROWS_GET: TxRowsGetRequest;
  TX_ROWS_WRITE: TxRowsWriteRequest;
  RAFT_VOTE: RaftVoteRequest;
  RAFT_APPEND: RaftAppendRequest;
  RAFT_SNAPSHOT: RaftSnapshotRequest;
  NODE_AUTHENTICATE: NodeAuthenticateRequest;
  META_PROPOSE: MetaProposeRequest;
  META_WATCH: MetaWatchRequest;
}

/** The result of each op (`null`: the response has no payload). */
export interface ResultMap {
  HEARTBEAT: null;
  TABLES_GET: readonly TableInfo[];
  TABLE_GET: TableInfo | null;
  SCHEMAS_GET: readonly TableSchema[];
  TUPLE_UPSERT: null;
  TUPLE_GET: RowResult | null;
  TUPLE_UPSERT_ALL: null;
  TUPLE_GET_ALL: readonly (RowResult | null)[];
  TUPLE_DELETE: boolean;
  TUPLE_DELETE_ALL: readonly boolean[];
  PARTITION_ASSIGNMENT_GET: PartitionAssignment;
  STREAMER_BATCH_SEND: StreamerBatchResult;
  STREAMER_WITH_RECEIVER_BATCH_SEND: ReceiverBatchResult;
  TABLE_CREATE: TableSchema;
  COLUMN_ADD: TableSchema;
  PRODUCER_REGISTER: ProducerRegisterResult;
  STREAMER_SEAL: StreamerSealResult;
  BATCH_FORWARD: ForwardedBatchResult;
  PARTITION_TRANSFER: null;
  TX_PREPARE: null;
  TX_COMMIT: null;
  TX_ABORT: null;
  TX_STATE_GET: TxStateResult;
  TX_ROWS_GET: readonly (RowResult | null)[];
  TX_ROWS_WRITE: null;
  RAFT_VOTE: RaftVoteResult;
  RAFT_APPEND: RaftAppendResult;
  RAFT_SNAPSHOT: RaftSnapshotResult;
  NODE_AUTHENTICATE: null;
  META_PROPOSE: MetaProposeResult;
  META_WATCH: MetaWatchResult;
}

/** The request of op `K`. */
export type RequestOf<K extends OpName> = RequestMap[K];

/** The result of op `K`. */
export type ResultOf<K extends OpName> = ResultMap[K];

/** Any request. */
export type Request = RequestMap[OpName];

/** What every response starts with. */
export interface ResponseHeader {
  /** The id of the request this answers. */
  readonly requestId: number;
  /** The responding node's hybrid-logical-clock time when it answered. */
  readonly observableTimestamp: bigint;
  /**
   * Present (flag 1) when the node's partition assignment is newer than the one the client last saw: the
   * node's assignment version. A long on the wire; a safe integer here.
   */
  readonly assignmentVersion?: number;
}

/** A successful response to op `K`. */
export type OkResponseOf<K extends OpName> = ResponseHeader & {
  readonly kind: 'ok';
  readonly op: K;
  readonly result: ResultMap[K];
};

/** A successful response to any op. */
export type OkResponse = { [K in OpName]: OkResponseOf<K> }[OpName];

/** An error response (flag 4): the request failed with `error`. */
export interface ErrorResponse extends ResponseHeader, ErrorStructure {
  readonly kind: 'error';
}

/** Any response. */
export type Response = OkResponse | ErrorResponse;
