/**
 * Internal (normalized) forms of column values: what value checks produce from user input, and what the
 * BinaryTuple codec and the colocation hash consume. Users never see these; they see the JavaScript types
 * documented in `column-types.ts`.
 *
 * | type              | internal form                       |
 * |-------------------|-------------------------------------|
 * | BOOLEAN           | `boolean`                           |
 * | INT8/16/32, FLOAT, DOUBLE | `number`                    |
 * | INT64             | `bigint`                            |
 * | DECIMAL           | {@link DecimalValue} (already at the column's scale) |
 * | STRING            | `string`                            |
 * | BYTES             | `Uint8Array`                        |
 * | UUID              | {@link UuidValue}                   |
 * | DATE              | {@link DateValue}                   |
 * | TIME              | {@link TimeValue} (nanos already truncated to the column precision) |
 * | DATETIME          | {@link DateTimeValue}               |
 * | TIMESTAMP         | {@link InstantValue} (nanos already truncated to the column precision) |
 * | NULL              | `null`                              |
 */

/** `unscaled * 10^-scale`. */
export interface DecimalValue {
  readonly unscaled: bigint;
  readonly scale: number;
}

/** The 128 bits of a UUID as two signed 64-bit halves, most significant first. */
export interface UuidValue {
  readonly msb: bigint;
  readonly lsb: bigint;
}

/** A calendar date; `year` may be negative (Ignite stores 15 signed bits: -16384..16383). */
export interface DateValue {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** A time of day with nanoseconds (0..999,999,999). */
export interface TimeValue {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly nano: number;
}

export interface DateTimeValue {
  readonly date: DateValue;
  readonly time: TimeValue;
}

/** An instant: whole seconds since the Unix epoch (floor) and nanoseconds within that second (0..999,999,999). */
export interface InstantValue {
  readonly seconds: bigint;
  readonly nanos: number;
}

export type InternalValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | DecimalValue
  | UuidValue
  | DateValue
  | TimeValue
  | DateTimeValue
  | InstantValue;
