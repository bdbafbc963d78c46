/**
 * @datastreamer/protocol: everything client and server share. Column types and table schemas, value checks,
 * the BinaryTuple codec, the colocation hash and partition function, frames and message codecs, error codes,
 * the value codec for receiver data, and the runtime seams (`Clock`, `Transport`, `Logger`, `Rng`).
 *
 * It does not open sockets, keep state between calls, or know about tables beyond their schemas.
 */
export { type ErrorCode, ErrorCodes, errorCodeFromId, isRetryableCode } from './errors/error-codes.js';
export {
  ErrorExtensionKeys,
  type ErrorExtensions,
  InvalidValueError,
  ProtocolError,
  type ProtocolErrorOptions,
} from './errors/protocol-error.js';
export type { Clock, TimerHandle } from './runtime/clock.js';
export { type LogFn, type Logger, silentLogger } from './runtime/logger.js';
export type { Rng } from './runtime/rng.js';
export type { Acceptor, Connection, ConnectionListener, Transport } from './runtime/transport.js';
export {
  COLUMN_TYPE_NAMES,
  type ColumnType,
  ColumnTypes,
  isColumnType,
  TypeDefaults,
} from './schema/column-types.js';
export type { ColumnDef, TableSchema } from './schema/table-schema.js';
