/**
 * @datastreamer/protocol/internal: what the sibling packages (client, server-node, sim-cluster) share and
 * users do not call: the shape of each op's request and result, Raft log entries, MessagePack bit sets and
 * formats, the hot-path value checks, the partition-aware codec (`VersionedSchema`), and the writer-level
 * codecs under the frame encoders of `.`.
 *
 * UNSTABLE: any name here may change or go in any release, without notice. Code outside this repository
 * imports `@datastreamer/protocol` only.
 */

// Frames, handshake and protocol version
export { type ErrorStructure, errorStructureOf } from './frame/error-structure.js';
export { writeHandshakeRequest, writeHandshakeResponse } from './frame/handshake.js';
// Colocation hash and partitions
export {
  foldColocationHashes,
  keyColocationHash,
  NULL_HASH,
  rowColocationHash,
} from './hash/colocation-hash.js';
// Messages
export type { NodeAuthenticateRequest } from './messages/auth-messages.js';
export type {
  ClusterMember,
  ColumnAddRequest,
  HeartbeatRequest,
  PartitionAssignment,
  PartitionAssignmentGetRequest,
  SchemasGetRequest,
  TableCreateRequest,
  TableGetRequest,
  TablesGetRequest,
} from './messages/catalog-messages.js';
export type {
  MetaProposeRequest,
  MetaProposeResult,
  MetaWatchEvent,
  MetaWatchRequest,
  MetaWatchResult,
} from './messages/meta-messages.js';
export type { KeyedRow, PartitionTransferRequest } from './messages/partition-transfer-message.js';
export {
  type BatchProducer,
  checkProducerId,
  MAX_PRODUCER_ID_LENGTH,
  type ProducerRegisterRequest,
  type ProducerRegisterResult,
  type StreamerSeal,
  type StreamerSealRequest,
  type StreamerSealResult,
} from './messages/producer-messages.js';
export {
  type RaftConfig,
  type RaftEntry,
  type RaftEntryKind,
  RaftEntryKinds,
  type RaftLease,
  type RaftSnapshotMeta,
  readRaftEntry,
  readRaftSnapshotMeta,
  writeRaftEntry,
  writeRaftSnapshotMeta,
} from './messages/raft-entry.js';
export type {
  RaftAppendArgs,
  RaftAppendRequest,
  RaftAppendResult,
  RaftEnvelope,
  RaftSnapshotArgs,
  RaftSnapshotRequest,
  RaftSnapshotResult,
  RaftVoteArgs,
  RaftVoteRequest,
  RaftVoteResult,
} from './messages/raft-messages.js';
export { writeRequest, writeRequestFrame } from './messages/request-codec.js';
export { ResponseFlags, writeResponse, writeResponseFrame } from './messages/response-codec.js';
export { ColumnTypeCodes, readTableSchema, writeTableSchema } from './messages/schema-codec.js';
export type {
  BatchForwardRequest,
  ForwardedBatchResult,
  ReceiverBatch,
  ReceiverBatchResult,
  ReceiverBatchSendRequest,
  StreamerBatch,
  StreamerBatchResult,
  StreamerBatchSendRequest,
  StreamerRow,
} from './messages/streamer-messages.js';
export type {
  PartitionKey,
  PartitionRow,
  RowResult,
  TupleDeleteAllRequest,
  TupleDeleteRequest,
  TupleGetAllRequest,
  TupleGetRequest,
  TupleUpsertAllRequest,
  TupleUpsertRequest,
} from './messages/tuple-messages.js';
export {
  type TxAbortRequest,
  type TxCommitRequest,
  type TxPartition,
  type TxPrepareRequest,
  type TxRowsGetRequest,
  type TxRowsWriteRequest,
  type TxState,
  type TxStateGetRequest,
  type TxStateResult,
  TxStates,
} from './messages/tx-messages.js';
// MessagePack
export {
  bitmaskGet,
  bitmaskIsEmpty,
  bitmaskOf,
  bitmaskSet,
  bitmaskTrimmedLength,
  createBitmask,
  EMPTY_BITMASK,
} from './msgpack/bitmask.js';
export { MsgPackExtType, MsgPackFormat } from './msgpack/msgpack-format.js';
// Schemas and values
export { TypeDefaults } from './schema/column-types.js';
export { describeValue } from './schema/describe-value.js';
export { storedValueProblem } from './schema/value-fit.js';
// BinaryTuple and rows
export { BinaryTupleFormat, offsetEntry } from './tuple/binary-tuple-format.js';
export { appendColumnValue, readColumnValue } from './tuple/column-value-codec.js';
export {
  ELEMENT_LENGTHS,
  type ElementChecks,
  elementProblem,
  planElementChecks,
} from './tuple/element-check.js';
export { type KeyForms, keyFormProblem, planKeyForms } from './tuple/key-form.js';
export { KeyPartitions } from './tuple/key-partitions.js';
export { VersionedSchema } from './tuple/versioned-schema.js';
// Value codec (receiver payloads, arguments, results)
export { readValue } from './values/read-value.js';
export { type ValueKind, ValueKinds, valueKind } from './values/value-kind.js';
export { writeValue } from './values/write-value.js';
