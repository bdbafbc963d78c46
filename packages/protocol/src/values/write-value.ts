/**
 * `writeValue`: writes one JavaScript value with the value codec's mapping (see `wire-value.ts`), after
 * checking that every part of it is encodable.
 *
 * Anything else is refused with `ProtocolError('VALUE_NOT_ENCODABLE')` whose message says what and where,
 * e.g. `payload[3].tags: Map is not encodable`: `undefined` (inside arrays and objects too), functions,
 * symbols, symbol-keyed properties, `Map`, `Set`, class instances and other non-plain objects, typed arrays
 * other than `Uint8Array`, invalid dates, bigints outside int64, strings with a lone surrogate, cycles, and
 * nesting deeper than the limit. Shared references that are not cycles are fine (written once per use).
 *
 * The path is only turned into text when there is an error, so a valid value costs no string building.
 * On an error the writer holds a partial value: the caller resets it (messages are written whole or not).
 */
import { ProtocolError } from '../errors/protocol-error.js';
import type { MsgPackWriter } from '../msgpack/msgpack-writer.js';
import { writeTimestampExt } from '../msgpack/timestamp-ext.js';
import { DEFAULT_MAX_VALUE_DEPTH } from './wire-value.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const SURROGATE = /[\ud800-\udfff]/;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export interface WriteValueOptions {
  /** Deepest nesting of arrays and objects allowed. Default 64. */
  readonly maxDepth?: number;
}

/** State of one top-level call: where we are, and which objects enclose the current one. */
interface Walk {
  readonly root: string;
  readonly path: (string | number)[];
  readonly ancestors: Set<object>;
  readonly maxDepth: number;
}

/**
 * Writes `value` to `writer`.
 *
 * @param where how error messages name the value's root, e.g. `payload[3]` or `arg`.
 * @throws {ProtocolError} `VALUE_NOT_ENCODABLE` naming the path of the first part that cannot be written.
 */
export function writeValue(
  writer: MsgPackWriter,
  value: unknown,
  where = 'value',
  options: WriteValueOptions = {},
): void {
  const walk: Walk = {
    root: where,
    path: [],
    ancestors: new Set(),
    maxDepth: options.maxDepth ?? DEFAULT_MAX_VALUE_DEPTH,
  };
  write(writer, value, walk);
}

function write(writer: MsgPackWriter, value: unknown, walk: Walk): void {
  switch (typeof value) {
    case 'boolean':
      writer.writeBool(value);
      return;
    case 'number':
      writer.writeNumber(value);
      return;
    case 'string':
      if (SURROGATE.test(value)) checkSurrogates(value, walk);
      writer.writeString(value);
      return;
    case 'bigint':
      if (value < INT64_MIN || value > INT64_MAX) {
        throw notEncodable(walk, `bigint ${value} is outside the int64 range -2^63..2^63-1`);
      }
      writer.writeInt64Fixed(value);
      return;
    case 'undefined':
      throw notEncodable(walk, 'undefined is not encodable (use null)');
    case 'function':
      throw notEncodable(walk, 'a function is not encodable');
    case 'symbol':
      throw notEncodable(walk, 'a symbol is not encodable');
    default:
      if (value === null) {
        writer.writeNil();
        return;
      }
      writeObject(writer, value as object, walk);
  }
}

function writeObject(writer: MsgPackWriter, value: object, walk: Walk): void {
  if (value instanceof Uint8Array) {
    // A Buffer is a Uint8Array too; other typed arrays fall through to the prototype check below.
    writer.writeBinary(value);
    return;
  }
  if (value instanceof Date) {
    const millis = value.getTime();
    if (Number.isNaN(millis)) throw notEncodable(walk, 'an invalid Date is not encodable');
    writeTimestampExt(writer, millis);
    return;
  }
  const proto = Object.getPrototypeOf(value) as object | null;
  const isArray = proto === Array.prototype && Array.isArray(value);
  if (!isArray && proto !== Object.prototype && proto !== null) {
    throw notEncodable(walk, `${describeInstance(value, proto)} is not encodable`);
  }
  if (walk.ancestors.has(value))
    throw notEncodable(walk, 'a cycle is not encodable (the value contains itself)');
  if (walk.ancestors.size >= walk.maxDepth) {
    throw notEncodable(walk, `nesting deeper than ${walk.maxDepth} levels is not encodable`);
  }
  walk.ancestors.add(value);
  if (isArray) {
    const array = value as readonly unknown[];
    writer.writeArrayHeader(array.length);
    for (let i = 0; i < array.length; i++) {
      walk.path.push(i);
      write(writer, array[i], walk);
      walk.path.pop();
    }
  } else {
    const symbols = Object.getOwnPropertySymbols(value);
    for (const symbol of symbols) {
      if (Object.prototype.propertyIsEnumerable.call(value, symbol)) {
        throw notEncodable(walk, `the symbol-keyed property ${String(symbol)} is not encodable`);
      }
    }
    const record = value as Readonly<Record<string, unknown>>;
    const keys = Object.keys(record);
    writer.writeMapHeader(keys.length);
    for (const key of keys) {
      writer.writeString(key);
      walk.path.push(key);
      write(writer, record[key], walk);
      walk.path.pop();
    }
  }
  walk.ancestors.delete(value);
}

/** Finds the first lone surrogate (a string with one cannot round-trip through UTF-8). */
function checkSurrogates(text: string, walk: Walk): void {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0xd800 || code > 0xdfff) continue;
    const next = text.charCodeAt(i + 1);
    if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      i++;
      continue;
    }
    throw notEncodable(walk, `a string with a lone surrogate at index ${i} is not encodable`);
  }
}

function describeInstance(value: object, proto: object): string {
  if (value instanceof Map) return 'Map';
  if (value instanceof Set) return 'Set';
  // Name the class only when the object really is one of its instances, not an object whose prototype
  // merely inherits a constructor (Object.create({ ... })).
  const ctor: unknown = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value;
  if (typeof ctor !== 'function' || ctor.prototype !== proto || ctor.name === '') {
    return 'an object with a custom prototype';
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return ctor.name;
  if (Array.isArray(value)) return `an array subclass (${ctor.name})`;
  return `an instance of ${ctor.name}`;
}

function notEncodable(walk: Walk, what: string): ProtocolError {
  let where = walk.root;
  for (const segment of walk.path) {
    where +=
      typeof segment === 'number'
        ? `[${segment}]`
        : IDENTIFIER.test(segment)
          ? `.${segment}`
          : `[${JSON.stringify(segment)}]`;
  }
  return new ProtocolError('VALUE_NOT_ENCODABLE', `${where}: ${what}`);
}
