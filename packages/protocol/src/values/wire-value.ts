/**
 * The JavaScript values the value codec carries (receiver payloads, receiver arguments and results, column
 * defaults), how each maps to MessagePack, and the limit on nesting both directions share.
 *
 * | JavaScript                     | MessagePack                                                      |
 * |--------------------------------|------------------------------------------------------------------|
 * | `null`                         | nil                                                              |
 * | `boolean`                      | bool                                                             |
 * | `number`, integer in -2^31..2^32-1 (not -0) | int, most compact form (never the 64-bit int formats) |
 * | any other `number` (fractions, -0, NaN, ±Infinity, larger integers) | float64                     |
 * | `bigint` in -2^63..2^63-1      | int64, always the 9-byte 0xd3 form (so it reads back as a bigint) |
 * | `string` (well-formed UTF-16)  | str (UTF-8)                                                      |
 * | `Uint8Array` (a `Buffer` too)  | bin                                                              |
 * | `Date` (valid)                 | ext type -1, MessagePack's timestamp (32, 64 or 96)              |
 * | array                          | array                                                            |
 * | plain object (prototype `Object.prototype` or `null`) | map of str keys (own enumerable string keys) |
 *
 * Reading: int64 and uint64 read as `bigint` (a uint64 over 2^63-1 is an error), every other int and both
 * float formats as `number`, bin as a new `Uint8Array` (a copy: a receiver may keep it), maps as plain
 * objects whose keys are all own properties (`__proto__` included, never a prototype change).
 */

/** A value the value codec can carry. */
export type WireValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | Date
  | readonly WireValue[]
  | { readonly [key: string]: WireValue };

/** Default limit of nested arrays and objects, on encode and decode alike. */
export const DEFAULT_MAX_VALUE_DEPTH = 64;
