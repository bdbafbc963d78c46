/**
 * One string per key value, so keys can be compared, hashed and printed: the history's `key` fields, the
 * checkers' maps, and the values in their reports. Equal keys give equal strings whatever their object field
 * order; keys of one column type never collide.
 *
 *     'a'                    "a"           (strings JSON-quoted: never confused with other kinds)
 *     5, 5n                  5             (integers by value: an INT64 key given as a number and read back
 *                                           as a bigint is the same key)
 *     1.5, NaN, -Infinity    1.5  NaN  -Infinity
 *     true, null, undefined  true  null  undefined
 *     Uint8Array [1, 255]    0x01ff
 *     Date                   Date(2024-01-02T03:04:05.000Z)   (Date(NaN) when invalid)
 *     [1, 'a']               [1,"a"]
 *     { b: 2, a: 1 }         {"a":1,"b":2}  (fields sorted; fields whose value is undefined left out)
 *
 * It is not an encoding to read back (`json-value.ts` is), and does not accept maps, sets, class instances,
 * functions or symbols.
 */

import { HistoryError } from './history-error.js';
import { isPlainObject } from './json-value.js';

/**
 * The canonical string of `value` (see the module header).
 *
 * @throws HistoryError `VALUE_NOT_ENCODABLE` for a value (or a part of one) of another kind.
 */
export function canonicalKey(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      // BigInt(n) prints every integral double exactly (1e21 as 1000000000000000000000), as a bigint would.
      return Number.isInteger(value) ? BigInt(value).toString() : String(value);
    case 'bigint':
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'object':
      return value === null ? 'null' : canonicalObject(value);
    default:
      throw new HistoryError('VALUE_NOT_ENCODABLE', `a ${typeof value} has no canonical key`);
  }
}

function canonicalObject(value: object): string {
  if (Array.isArray(value)) {
    let s = '[';
    for (let i = 0; i < value.length; i++) s += (i === 0 ? '' : ',') + canonicalKey(value[i]);
    return `${s}]`;
  }
  if (value instanceof Uint8Array) {
    let s = '0x';
    for (let i = 0; i < value.length; i++) s += (value[i] as number).toString(16).padStart(2, '0');
    return s;
  }
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? 'Date(NaN)' : `Date(${value.toISOString()})`;
  }
  if (!isPlainObject(value)) {
    throw new HistoryError(
      'VALUE_NOT_ENCODABLE',
      `${Object.prototype.toString.call(value)} has no canonical key (only null, boolean, number, bigint, ` +
        'string, Uint8Array, Date, arrays and plain objects)',
    );
  }
  const record = value as Record<string, unknown>;
  const fields = Object.keys(record).sort();
  let s = '{';
  let first = true;
  for (const field of fields) {
    const fieldValue = record[field];
    if (fieldValue === undefined) continue;
    s += `${first ? '' : ','}${JSON.stringify(field)}:${canonicalKey(fieldValue)}`;
    first = false;
  }
  return `${s}}`;
}
