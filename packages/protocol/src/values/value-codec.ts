/**
 * Whole-buffer forms of the value codec: one value to bytes and back. Messages embed values with
 * `writeValue` / `readValue` directly; these are for callers that want a value on its own (tests, sizes,
 * checking a value before it is queued).
 */
import { MsgPackReader } from '../msgpack/msgpack-reader.js';
import { MsgPackWriter } from '../msgpack/msgpack-writer.js';
import { type ReadValueOptions, readValue } from './read-value.js';
import type { WireValue } from './wire-value.js';
import { type WriteValueOptions, writeValue } from './write-value.js';

/**
 * Encodes `value` into new bytes.
 * @param where how error messages name the value (default `value`).
 * @throws {ProtocolError} `VALUE_NOT_ENCODABLE` naming the path of the first part that cannot be written.
 */
export function encodeValue(value: unknown, where = 'value', options: WriteValueOptions = {}): Uint8Array {
  const writer = new MsgPackWriter({ initialCapacity: 64 });
  writeValue(writer, value, where, options);
  return writer.toBytes();
}

/**
 * Decodes bytes holding exactly one value.
 * @throws {ProtocolError} `PROTOCOL_ERROR` for malformed bytes, unsupported types, or trailing bytes.
 */
export function decodeValue(bytes: Uint8Array, options: ReadValueOptions = {}): WireValue {
  const reader = new MsgPackReader(bytes);
  const value = readValue(reader, 'value', options);
  reader.expectEnd('value');
  return value;
}
