/**
 * @datastreamer/protocol: everything client and server share. Column types and table schemas, value checks,
 * the BinaryTuple codec, the colocation hash and partition function, frames and message codecs, error codes,
 * the value codec for receiver data, and the runtime seams (`Clock`, `Transport`, `Logger`, `Rng`, `Buggify`).
 *
 * These are the names users call; what only the sibling packages need (per-op message shapes, MessagePack
 * bit sets, hot-path checks and codecs) is in `@datastreamer/protocol/internal`, which is not stable.
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
// Frames, handshake and protocol version
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
export { colocationHash, hashValue } from './hash/colocation-hash.js';
export { partitionFor } from './hash/partition.js';
// Messages
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
export { OP_NAMES, OpCodes, type OpName, opNameFromCode } from './messages/op-codes.js';
export { decodeRequest, encodeRequestFrame } from './messages/request-codec.js';
export { decodeResponse, encodeResponseFrame } from './messages/response-codec.js';
export type { TableDefinition, TableInfo } from './messages/schema-codec.js';
export { type StreamerOperationType, StreamerOperationTypes } from './messages/streamer-operations.js';
export {
  StreamerRowRanges,
  type StreamerRows,
  streamerRowArray,
  streamerRowCount,
} from './messages/streamer-row-ranges.js';
// MessagePack
export { MsgPackReader } from './msgpack/msgpack-reader.js';
export { MsgPackWriter, type MsgPackWriterOptions } from './msgpack/msgpack-writer.js';
// Runtime seams
export {
  type Buggify,
  type BuggifyPoint,
  BuggifyPoints,
  buggifyPointNames,
  neverBuggify,
} from './runtime/buggify.js';
export type { Clock, TimerHandle } from './runtime/clock.js';
export { type LogFn, type Logger, silentLogger } from './runtime/logger.js';
export { RealClock, realClock } from './runtime/real-clock.js';
export type { Rng } from './runtime/rng.js';
export { createRng, entropySeed, type SeededRng } from './runtime/seeded-rng.js';
export type { Acceptor, Connection, ConnectionListener, Transport } from './runtime/transport.js';
// Schemas and values
export { COLUMN_TYPE_NAMES, type ColumnType, ColumnTypes, isColumnType } from './schema/column-types.js';
export type { ColumnDef, TableSchema } from './schema/table-schema.js';
export { denormalizeValue, normalizeValue } from './schema/value-check.js';
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
export { BinaryTupleReader } from './tuple/binary-tuple-reader.js';
export type { ColocationSink } from './tuple/raw-column-value.js';
export { type EncodedRow, type EncodedRowTarget, RowCodec, type StagedRowTarget } from './tuple/row-codec.js';
export { UnknownColumnError } from './tuple/unknown-column-error.js';
// Value codec (receiver payloads, arguments, results)
export { decodeValue, encodeValue } from './values/value-codec.js';
export { DEFAULT_MAX_VALUE_DEPTH, type WireValue } from './values/wire-value.js';
