/**
 * Row values and event details to and from JSON, exactly: the values a decoded row can hold (null, boolean,
 * number, bigint, string, `Uint8Array`, `Date`) and plain objects and arrays of them survive a round trip
 * unchanged, and equal values always give the same text (so a history's hash is stable).
 *
 * What JSON cannot say is written as an object with one tagged field:
 *
 *     bigint 5n          {"$bigint":"5"}
 *     Uint8Array [1,2]   {"$bytes":"AQI="}          (base64)
 *     Date               {"$date":1700000000000}    ({"$date":null} for an invalid date)
 *     NaN, ±Infinity, -0 {"$number":"NaN"}          ("Infinity", "-Infinity", "-0")
 *     undefined          {"$undefined":true}
 *
 * A plain object's own field whose name starts with `$` is written with one more `$` (`$x` as `$$x`), so
 * no data can be read back as a tag. Object fields keep their order. It does not encode maps, sets, class
 * instances, functions or symbols: those are rejected with the path of the offending value.
 */
import { Buffer } from 'node:buffer';
import { HistoryError } from './history-error.js';

/** What `JSON.stringify` writes and `JSON.parse` gives back. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [field: string]: JsonValue };

const BIGINT = '$bigint';
const BYTES = '$bytes';
const DATE = '$date';
const NUMBER = '$number';
const UNDEFINED = '$undefined';

const SPECIAL_NUMBERS: ReadonlyMap<string, number> = new Map([
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['-0', -0],
]);

const INTEGER_TEXT = /^-?(?:0|[1-9]\d*)$/;
const BASE64_TEXT = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Whether `value` is an object literal (or a null-prototype object), not a class instance. */
export function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * `value` as a JSON value, with the tags of the module header.
 *
 * @param path names the value in error messages, e.g. `row` or `details.between`.
 * @throws HistoryError `VALUE_NOT_ENCODABLE` naming the path of a value of another kind.
 */
export function encodeJsonValue(value: unknown, path: string): JsonValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      return { [NUMBER]: Object.is(value, -0) ? '-0' : String(value) };
    case 'bigint':
      return { [BIGINT]: value.toString() };
    case 'undefined':
      return { [UNDEFINED]: true };
    case 'object':
      return value === null ? null : encodeObject(value, path);
    default:
      throw new HistoryError(
        'VALUE_NOT_ENCODABLE',
        `${path}: a ${typeof value} cannot be written to a history`,
      );
  }
}

function encodeObject(value: object, path: string): JsonValue {
  if (Array.isArray(value)) {
    const out: JsonValue[] = new Array<JsonValue>(value.length);
    // An index loop, not map: a sparse array's holes must become tagged undefineds, not stay holes.
    for (let i = 0; i < value.length; i++) out[i] = encodeJsonValue(value[i], `${path}[${i}]`);
    return out;
  }
  if (value instanceof Uint8Array) {
    return { [BYTES]: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  }
  if (value instanceof Date) {
    const ms = value.getTime();
    return { [DATE]: Number.isNaN(ms) ? null : ms };
  }
  if (!isPlainObject(value)) {
    throw new HistoryError(
      'VALUE_NOT_ENCODABLE',
      `${path}: ${Object.prototype.toString.call(value)} cannot be written to a history (only null, boolean, number, bigint, string, ` +
        'Uint8Array, Date, arrays and plain objects)',
    );
  }
  const out: { [field: string]: JsonValue } = {};
  for (const [field, fieldValue] of Object.entries(value)) {
    const name = field.startsWith('$') ? `$${field}` : field;
    setField(out, name, encodeJsonValue(fieldValue, `${path}.${field}`));
  }
  return out;
}

/**
 * The value `json` (parsed JSON) stands for: the inverse of {@link encodeJsonValue}.
 *
 * @param path names the value in error messages.
 * @throws HistoryError `INVALID_ARGUMENT` naming the path of a malformed tag or an unescaped `$` field.
 */
export function decodeJsonValue(json: unknown, path: string): unknown {
  if (json === null || typeof json !== 'object') return json;
  if (Array.isArray(json)) {
    const out: unknown[] = new Array<unknown>(json.length);
    for (let i = 0; i < json.length; i++) out[i] = decodeJsonValue(json[i], `${path}[${i}]`);
    return out;
  }
  const fields = Object.keys(json);
  const first = fields[0];
  if (fields.length === 1 && first !== undefined && first.startsWith('$') && !first.startsWith('$$')) {
    return decodeTag(first, (json as Record<string, unknown>)[first], path);
  }
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    if (field.startsWith('$') && !field.startsWith('$$')) {
      throw new HistoryError(
        'INVALID_ARGUMENT',
        `${path}: field ${JSON.stringify(field)} is not a known tag`,
      );
    }
    const name = field.startsWith('$') ? field.slice(1) : field;
    setField(out, name, decodeJsonValue((json as Record<string, unknown>)[field], `${path}.${name}`));
  }
  return out;
}

function decodeTag(tag: string, body: unknown, path: string): unknown {
  switch (tag) {
    case BIGINT:
      if (typeof body === 'string' && INTEGER_TEXT.test(body)) return BigInt(body);
      break;
    case BYTES:
      if (typeof body === 'string' && BASE64_TEXT.test(body))
        return new Uint8Array(Buffer.from(body, 'base64'));
      break;
    case DATE:
      if (body === null) return new Date(Number.NaN);
      if (typeof body === 'number') return new Date(body);
      break;
    case NUMBER: {
      const special = typeof body === 'string' ? SPECIAL_NUMBERS.get(body) : undefined;
      if (special !== undefined) return special;
      break;
    }
    case UNDEFINED:
      if (body === true) return undefined;
      break;
    default:
      throw new HistoryError('INVALID_ARGUMENT', `${path}: ${JSON.stringify(tag)} is not a known tag`);
  }
  throw new HistoryError('INVALID_ARGUMENT', `${path}: malformed ${tag} value ${JSON.stringify(body)}`);
}

/** Sets an own field, `__proto__` included (plain assignment would replace the prototype instead). */
function setField<T>(target: Record<string, T>, name: string, value: T): void {
  if (name === '__proto__') {
    Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[name] = value;
  }
}
