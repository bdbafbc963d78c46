/**
 * `readValue`: reads one value written by `writeValue` (see `wire-value.ts` for the mapping).
 *
 * Safe on hostile input: nesting is limited (default 64, the encoder's limit), every length is checked
 * against the bytes left before anything is allocated (by the reader), map keys must be strings and may not
 * repeat, and keys become own properties by definition, never by assignment — so a `__proto__` key is an
 * ordinary property and can never change an object's prototype. Ext types other than the timestamp are
 * refused. Every problem is a `ProtocolError('PROTOCOL_ERROR')` with the offset.
 */
import type { ProtocolError } from '../errors/protocol-error.js';
import { MsgPackExtType, MsgPackFormat } from '../msgpack/msgpack-format.js';
import type { MsgPackReader } from '../msgpack/msgpack-reader.js';
import { readTimestampExt } from '../msgpack/timestamp-ext.js';
import { DEFAULT_MAX_VALUE_DEPTH, type WireValue } from './wire-value.js';

export interface ReadValueOptions {
  /** Deepest nesting of arrays and maps accepted. Default 64. */
  readonly maxDepth?: number;
}

/**
 * Reads one value.
 * @param field how error messages name the value, e.g. `arg` or `payload`.
 * @throws {ProtocolError} `PROTOCOL_ERROR` for malformed or unsupported bytes, or nesting over the limit.
 */
export function readValue(reader: MsgPackReader, field = 'value', options: ReadValueOptions = {}): WireValue {
  return read(reader, field, options.maxDepth ?? DEFAULT_MAX_VALUE_DEPTH, 0);
}

function read(reader: MsgPackReader, field: string, maxDepth: number, depth: number): WireValue {
  switch (reader.peekKind()) {
    case 'nil':
      reader.readNil(field);
      return null;
    case 'bool':
      return reader.readBool(field);
    case 'int': {
      const format = reader.peekFormat();
      return format === MsgPackFormat.INT64 || format === MsgPackFormat.UINT64
        ? reader.readInt64(field)
        : reader.readSafeInteger(field);
    }
    case 'float':
      return reader.readFloat64(field);
    case 'str':
      return reader.readString(field);
    case 'bin':
      return reader.readBinary(field).slice();
    case 'array': {
      const at = reader.offset;
      const count = reader.readArrayHeader(field);
      if (depth >= maxDepth) throw tooDeep(reader, field, maxDepth, at);
      const array: WireValue[] = new Array(count);
      for (let i = 0; i < count; i++) array[i] = read(reader, field, maxDepth, depth + 1);
      return array;
    }
    case 'map': {
      const at = reader.offset;
      const count = reader.readMapHeader(field);
      if (depth >= maxDepth) throw tooDeep(reader, field, maxDepth, at);
      const object: Record<string, WireValue> = {};
      for (let i = 0; i < count; i++) {
        const keyAt = reader.offset;
        const key = reader.readString(`${field} key`);
        if (Object.hasOwn(object, key)) {
          throw reader.error(`${field}: duplicate key ${JSON.stringify(key)} at offset ${keyAt}`);
        }
        Object.defineProperty(object, key, {
          value: read(reader, field, maxDepth, depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return object;
    }
    case 'ext': {
      const at = reader.offset;
      const length = reader.readExtHeader(field);
      if (reader.extType !== MsgPackExtType.TIMESTAMP) {
        throw reader.error(`${field}: ext type ${reader.extType} at offset ${at} is not a value type`);
      }
      return new Date(readTimestampExt(reader, length, field));
    }
    case undefined:
      throw reader.error(
        `${field}: expected a value, found the end of the message at offset ${reader.offset}`,
      );
    default:
      throw reader.error(
        `${field}: byte 0x${reader.peekFormat().toString(16)} at offset ${reader.offset} is never used`,
      );
  }
}

function tooDeep(reader: MsgPackReader, field: string, maxDepth: number, at: number): ProtocolError {
  return reader.error(`${field}: value at offset ${at} is nested deeper than ${maxDepth} levels`);
}
