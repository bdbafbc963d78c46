/**
 * @datastreamer/protocol: everything client and server share. Column types and table schemas, value checks,
 * the BinaryTuple codec, the colocation hash and partition function, frames and message codecs, error codes,
 * the value codec for receiver data, and the runtime seams (`Clock`, `Transport`, `Logger`, `Rng`).
 *
 * It does not open sockets, keep state between calls, or know about tables beyond their schemas.
 */

// Errors
export { type ErrorCode, ErrorCodes, errorCodeFromId, isRetryableCode } from './errors/error-codes.js';
export {
  ErrorExtensionKeys,
  type ErrorExtensions,
  InvalidValueError,
  ProtocolError,
  type ProtocolErrorOptions,
} from './errors/protocol-error.js';
// Frames and handshake
export { FrameDecoder, type FrameDecoderOptions } from './frame/frame-decoder.js';
export { beginFrame, endFrame } from './frame/frame-encoder.js';
export { DEFAULT_MAX_FRAME_SIZE, FRAME_HEADER_SIZE, MAX_FRAME_SIZE_LIMIT } from './frame/frame-limits.js';
export {
  AUTHN_TYPE_BASIC,
  answerHandshake,
  checkHandshakeResponse,
  decodeHandshakeRequest,
  decodeHandshakeResponse,
  encodeHandshakeRequest,
  encodeHandshakeResponse,
  type HandshakeAccepted,
  HandshakeExtensionKeys,
  type HandshakeExtensions,
  type HandshakeRejected,
  type HandshakeRequest,
  type HandshakeResponse,
  type HandshakeResult,
  type LocalPeer,
  MAX_HANDSHAKE_EXTENSIONS,
  writeHandshakeRequest,
  writeHandshakeResponse,
} from './frame/handshake.js';
export { PREAMBLE_BYTES, preamble } from './frame/preamble.js';
export {
  commonFeatures,
  formatVersion,
  hasFeature,
  isCompatibleVersion,
  type PeerType,
  PeerTypes,
  PROTOCOL_VERSION,
  type ProtocolFeature,
  ProtocolFeatures,
  type ProtocolVersion,
  SUPPORTED_FEATURES,
} from './frame/protocol-version.js';
// Colocation hash and partitions
export {
  colocationHash,
  foldColocationHashes,
  hashValue,
  keyColocationHash,
  NULL_HASH,
  rowColocationHash,
} from './hash/colocation-hash.js';
export { partitionFor } from './hash/partition.js';
export type { NodeAuthenticateRequest } from './messages/auth-messages.js';
export type {
  ColumnAddRequest,
  HeartbeatRequest,
  PartitionAssignment,
  PartitionAssignmentGetRequest,
  SchemasGetRequest,
  TableCreateRequest,
  TableGetRequest,
  TablesGetRequest,
} from './messages/catalog-messages.js';
export { type ErrorStructure, errorStructureOf } from './messages/error-structure.js';
export { MessageDecodeError, type MessageDecodeErrorOptions } from './messages/message-decode-error.js';
export type {
  ErrorResponse,
  OkResponse,
  OkResponseOf,
  Request,
  RequestMap,
  RequestOf,
  Response,
  ResponseHeader,
  ResultMap,
  ResultOf,
} from './messages/message-types.js';
// Messages
export { OP_NAMES, OpCodes, type OpName, opNameFromCode } from './messages/op-codes.js';
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
export {
  decodeRequest,
  encodeRequestFrame,
  writeRequest,
  writeRequestFrame,
} from './messages/request-codec.js';
export {
  decodeResponse,
  encodeResponseFrame,
  ResponseFlags,
  writeResponse,
  writeResponseFrame,
} from './messages/response-codec.js';
export { ColumnTypeCodes, type TableDefinition, type TableInfo } from './messages/schema-codec.js';
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
export {
  StreamerRowRanges,
  type StreamerRows,
  streamerRowArray,
  streamerRowCount,
} from './messages/streamer-row-ranges.js';
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
export { MsgPackReader } from './msgpack/msgpack-reader.js';
// MessagePack
export { MsgPackWriter, type MsgPackWriterOptions } from './msgpack/msgpack-writer.js';
// Runtime seams
export type { Clock, TimerHandle } from './runtime/clock.js';
export { type LogFn, type Logger, silentLogger } from './runtime/logger.js';
export { RealClock, realClock } from './runtime/real-clock.js';
export type { Rng } from './runtime/rng.js';
export { createRng, entropySeed, type SeededRng } from './runtime/seeded-rng.js';
export type { Acceptor, Connection, ConnectionListener, Transport } from './runtime/transport.js';
// Schemas and values
export {
  COLUMN_TYPE_NAMES,
  type ColumnType,
  ColumnTypes,
  isColumnType,
  TypeDefaults,
} from './schema/column-types.js';
export { describeValue } from './schema/describe-value.js';
export type { ColumnDef, TableSchema } from './schema/table-schema.js';
export { denormalizeValue, normalizeValue } from './schema/value-check.js';
export { storedValueProblem } from './schema/value-fit.js';
export type {
  DateTimeValue,
  DateValue,
  DecimalValue,
  InstantValue,
  InternalValue,
  TimeValue,
  UuidValue,
} from './schema/values.js';
// BinaryTuple and rows
export { BinaryTupleBuilder } from './tuple/binary-tuple-builder.js';
export { BinaryTupleFormat, offsetEntry } from './tuple/binary-tuple-format.js';
export { BinaryTupleReader } from './tuple/binary-tuple-reader.js';
export { appendColumnValue, readColumnValue } from './tuple/column-value-codec.js';
export {
  ELEMENT_LENGTHS,
  type ElementChecks,
  elementProblem,
  planElementChecks,
} from './tuple/element-check.js';
export type { ColocationSink } from './tuple/raw-column-value.js';
export { type EncodedRow, type EncodedRowTarget, RowCodec, type StagedRowTarget } from './tuple/row-codec.js';
export { UnknownColumnError } from './tuple/unknown-column-error.js';
export { readValue } from './values/read-value.js';
export { decodeValue, encodeValue } from './values/value-codec.js';
export { type ValueKind, ValueKinds, valueKind } from './values/value-kind.js';
// Value codec (receiver payloads, arguments, results)
export { DEFAULT_MAX_VALUE_DEPTH, type WireValue } from './values/wire-value.js';
export { writeValue } from './values/write-value.js';
