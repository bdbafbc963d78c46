/**
 * The column types of a table and the JavaScript value each one takes and gives back.
 *
 * | type      | JavaScript on input                               | JavaScript on output                   |
 * |-----------|---------------------------------------------------|----------------------------------------|
 * | BOOLEAN   | `boolean`                                         | `boolean`                              |
 * | INT8      | integer `number` in -128..127                     | `number`                               |
 * | INT16     | integer `number` in -32768..32767                 | `number`                               |
 * | INT32     | integer `number` in -2^31..2^31-1                 | `number`                               |
 * | INT64     | `bigint` in -2^63..2^63-1, or a safe-integer `number` | `bigint`                           |
 * | FLOAT     | `number` (stored as a 32-bit float)               | `number`                               |
 * | DOUBLE    | `number`                                          | `number`                               |
 * | DECIMAL   | decimal `string` (`'-12.50'`, `'1e3'`), finite `number`, or `bigint` | `string`, plain notation with the column's scale (`'-12.50'`) |
 * | STRING    | `string`                                          | `string`                               |
 * | BYTES     | `Uint8Array` (a `Buffer` is one)                  | `Uint8Array`                           |
 * | UUID      | `string` `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (any case) | `string`, lower case              |
 * | DATE      | `string` `YYYY-MM-DD`, or a `Date` (its UTC day)  | `string` `YYYY-MM-DD`                  |
 * | TIME      | `string` `HH:MM:SS[.fffffffff]`                   | `string` `HH:MM:SS[.fffffffff]`        |
 * | DATETIME  | `string` `YYYY-MM-DDTHH:MM:SS[.fffffffff]`, or a `Date` (its UTC fields) | `string` in that form |
 * | TIMESTAMP | `Date` (an instant, millisecond precision)        | `Date`                                 |
 *
 * Years outside 0000..9999 are written with a sign and six digits, as ISO 8601 does (`+012345-01-01`).
 * Fractions of seconds are written with as many digits as needed (trailing zeros trimmed, none when whole).
 */
export const ColumnTypes = {
  BOOLEAN: { precision: false, scale: false },
  INT8: { precision: false, scale: false },
  INT16: { precision: false, scale: false },
  INT32: { precision: false, scale: false },
  INT64: { precision: false, scale: false },
  FLOAT: { precision: false, scale: false },
  DOUBLE: { precision: false, scale: false },
  /** `precision`: total digits (1..32767, default 32767); `scale`: digits after the point (0..32767, default 0). */
  DECIMAL: { precision: true, scale: true },
  STRING: { precision: false, scale: false },
  BYTES: { precision: false, scale: false },
  UUID: { precision: false, scale: false },
  DATE: { precision: false, scale: false },
  /** `precision`: fractional digits of seconds kept (0..9, default 0). */
  TIME: { precision: true, scale: false },
  /** `precision`: fractional digits of seconds kept (0..9, default 6). */
  DATETIME: { precision: true, scale: false },
  /** `precision`: fractional digits of seconds kept (0..9, default 6). */
  TIMESTAMP: { precision: true, scale: false },
} as const satisfies Record<string, { readonly precision: boolean; readonly scale: boolean }>;

/** A column type name, e.g. `'INT64'`. */
export type ColumnType = keyof typeof ColumnTypes;

/** Every column type name, in the order of {@link ColumnTypes}. */
export const COLUMN_TYPE_NAMES = Object.keys(ColumnTypes) as readonly ColumnType[];

/** Whether `name` is a column type. */
export function isColumnType(name: unknown): name is ColumnType {
  return typeof name === 'string' && Object.hasOwn(ColumnTypes, name);
}

/** Defaults that Ignite 3 uses where a column definition leaves precision or scale out. */
export const TypeDefaults = {
  decimalPrecision: 32767,
  decimalScale: 0,
  timePrecision: 0,
  datetimePrecision: 6,
  timestampPrecision: 6,
  maxTemporalPrecision: 9,
  maxDecimalPrecision: 32767,
} as const;
