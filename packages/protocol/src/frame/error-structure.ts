/**
 * The error structure carried by an error response and by a rejected handshake (as in Ignite 3):
 * `traceId: uuid, code: int, className: str, message: str | nil, stackTrace: str | nil,
 * extensions: nil | map (str -> nil | bool | int | float | str)`.
 *
 * `code` is the numeric id of an entry of the shared `ErrorCodes` table. Decoding gives a `ProtocolError`
 * with that code, the message and the extensions (an id this version does not know becomes `INTERNAL`, with
 * the id in the message). Integer extension values decode as a number when they are safe integers, else as a
 * bigint. Extension keys are set as own properties, so a `__proto__` key can never replace a prototype.
 *
 * It lives with the frames, below messages/, because the handshake (frame/) writes it before any message
 * exists; error responses (messages/) reuse it.
 *
 * It does not decide what a server tells a client (stack traces are off unless the server passes one).
 */
import { type ErrorCode, ErrorCodes, errorCodeFromId } from '../errors/error-codes.js';
import { type ErrorExtensions, ProtocolError } from '../errors/protocol-error.js';
import type { MsgPackReader } from '../msgpack/msgpack-reader.js';
import type { MsgPackWriter } from '../msgpack/msgpack-writer.js';

/** An error as it travels: the `ProtocolError` plus the facts only the wire carries. */
export interface ErrorStructure {
  /** Code, message and extensions. */
  readonly error: ProtocolError;
  /** Identifies the failure in the server's logs; comes from the server's `Rng`. */
  readonly traceId: string;
  /** The name of the error class on the side that failed, e.g. `ProtocolError`. */
  readonly className: string;
  /** The failing side's stack trace, when it chose to send one. */
  readonly stackTrace: string | null;
}

type ExtensionValue = ErrorExtensions[string];

/** Writes `structure` in wire order. */
export function writeErrorStructure(writer: MsgPackWriter, structure: ErrorStructure): void {
  const { error } = structure;
  writer.writeUuid(structure.traceId, 'traceId');
  writer.writeInt(ErrorCodes[error.code].id);
  writer.writeString(structure.className);
  writer.writeString(error.message);
  if (structure.stackTrace === null) writer.writeNil();
  else writer.writeString(structure.stackTrace);
  const keys = Object.keys(error.extensions);
  if (keys.length === 0) {
    writer.writeNil();
    return;
  }
  writer.writeMapHeader(keys.length);
  for (const key of keys) {
    writer.writeString(key);
    writeExtensionValue(writer, error.extensions[key] ?? null, key);
  }
}

function writeExtensionValue(writer: MsgPackWriter, value: ExtensionValue, key: string): void {
  switch (typeof value) {
    case 'string':
      writer.writeString(value);
      return;
    case 'number':
      writer.writeNumber(value);
      return;
    case 'bigint':
      writer.writeBigInt(value, `extensions.${key}`);
      return;
    case 'boolean':
      writer.writeBool(value);
      return;
    default:
      writer.writeNil();
  }
}

/**
 * Reads an error structure.
 * @throws {ProtocolError} `PROTOCOL_ERROR` when a field has the wrong type or the bytes end early.
 */
export function readErrorStructure(reader: MsgPackReader): ErrorStructure {
  const traceId = reader.readUuid('error.traceId');
  const codeId = reader.readInt32('error.code');
  const className = reader.readString('error.className');
  const message = reader.readStringOrNil('error.message') ?? '';
  const stackTrace = reader.readStringOrNil('error.stackTrace');
  const extensions = readExtensions(reader);
  const code: ErrorCode | undefined = errorCodeFromId(codeId);
  const error =
    code === undefined
      ? new ProtocolError('INTERNAL', `unknown error code ${codeId}: ${message}`, { extensions })
      : new ProtocolError(code, message, { extensions });
  return { error, traceId, className, stackTrace };
}

function readExtensions(reader: MsgPackReader): ErrorExtensions {
  const extensions: Record<string, ExtensionValue> = {};
  if (reader.tryReadNil()) return extensions;
  const count = reader.readMapHeader('error.extensions');
  for (let i = 0; i < count; i++) {
    const key = reader.readString('error.extensions key');
    if (Object.hasOwn(extensions, key)) {
      throw reader.error(`error.extensions: duplicate key ${JSON.stringify(key)}`);
    }
    Object.defineProperty(extensions, key, {
      value: readExtensionValue(reader, key),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return extensions;
}

function readExtensionValue(reader: MsgPackReader, key: string): ExtensionValue {
  const field = `error.extensions.${key}`;
  switch (reader.peekKind()) {
    case 'nil':
      reader.readNil(field);
      return null;
    case 'bool':
      return reader.readBool(field);
    case 'str':
      return reader.readString(field);
    case 'float':
      return reader.readFloat64(field);
    case 'int': {
      const value = reader.readInt64(field);
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(value)
        : value;
    }
    default:
      throw reader.error(`${field}: expected nil, bool, int, float or str at offset ${reader.offset}`);
  }
}

/**
 * The error structure for anything a handler threw. An error with a `code` from `ErrorCodes` (a
 * `ProtocolError`, or another package's error class) keeps its code, message and extensions; anything else
 * becomes `INTERNAL`.
 *
 * @param traceId a UUID the caller drew from its `Rng`.
 * @param stackTrace what to send as the stack trace (default none).
 */
export function errorStructureOf(
  thrown: unknown,
  traceId: string,
  stackTrace: string | null = null,
): ErrorStructure {
  if (thrown instanceof ProtocolError) {
    return { error: thrown, traceId, className: thrown.name, stackTrace };
  }
  if (thrown instanceof Error) {
    const { code, extensions } = thrown as Error & { code?: unknown; extensions?: unknown };
    const known =
      typeof code === 'string' && Object.hasOwn(ErrorCodes, code) ? (code as ErrorCode) : 'INTERNAL';
    const error = new ProtocolError(known, thrown.message, {
      cause: thrown,
      ...(isExtensions(extensions) ? { extensions } : {}),
    });
    return { error, traceId, className: thrown.name, stackTrace };
  }
  return {
    error: new ProtocolError('INTERNAL', `non-error thrown: ${String(thrown)}`),
    traceId,
    className: 'Error',
    stackTrace,
  };
}

function isExtensions(value: unknown): value is ErrorExtensions {
  if (typeof value !== 'object' || value === null) return false;
  for (const item of Object.values(value)) {
    const type = typeof item;
    if (item !== null && type !== 'string' && type !== 'number' && type !== 'bigint' && type !== 'boolean') {
      return false;
    }
  }
  return true;
}
