/**
 * A row's column values into a BinaryTuple, for the row codec, with a fast path: a user input value in its
 * column type's everyday form (a safe-integer number for INT64, a valid `Date` for TIMESTAMP, a number,
 * boolean or well-formed string for the types that take one) is written straight into the builder, without
 * building its internal value (no bigint, no instant object). The bytes are exactly those of
 * `appendColumnValue(builder, column, normalizeValue(column, raw))`, which is what any other value (another
 * form, out of range, invalid) goes through, so every error stays the one the value checks give.
 *
 * For the colocation columns it also hands out what the colocation hash needs: the normalized value, or
 * directly the value's hash (computed from the raw value on the fast path, still with no bigint).
 *
 * It does not read rows or know which columns a row must set (the row codec does), nor fold the hashes of
 * a row's colocation columns into its colocation hash (`foldColocationHashes` does).
 */
import { hashValue } from '../hash/colocation-hash.js';
import { hash32Int, hash32LongNumber } from '../hash/murmur3.js';
import { temporalPrecision, truncateNanos } from '../schema/column-facets.js';
import type { ColumnDef } from '../schema/table-schema.js';
import { isWellFormedText, normalizeValue } from '../schema/value-check.js';
import type { InternalValue } from '../schema/values.js';
import type { BinaryTupleBuilder } from './binary-tuple-builder.js';
import { appendColumnValue } from './column-value-codec.js';

/** How a column's raw values may take the fast path; `none`: always through the value checks. */
export const RawForms = {
  none: 0,
  boolean: 1,
  int8: 2,
  int16: 3,
  int32: 4,
  int64: 5,
  float: 6,
  double: 7,
  string: 8,
  timestamp: 9,
} as const;

export type RawForm = (typeof RawForms)[keyof typeof RawForms];

/** The instants a JavaScript `Date` can hold: +-8.64e15 ms around the epoch. */
const MAX_DATE_MS = 8.64e15;
/** Per TIMESTAMP precision 0..9: milliseconds are truncated to a multiple of this (precision 3 and up keep them). */
const MILLI_UNITS = [1000, 100, 10, 1, 1, 1, 1, 1, 1, 1] as const;

/** Per column of a row (or key) layout: what the fast path needs, precomputed once per schema. */
export interface RawColumnPlan {
  /** Per column: its {@link RawForm}. */
  readonly forms: Uint8Array;
  /** Per column: the TIMESTAMP precision (fractional digits of seconds), 0 for other types. */
  readonly precisions: Uint8Array;
  /** Per column: 1 when nullable, so an explicit `null` is a NULL value. */
  readonly nullable: Uint8Array;
}

/**
 * The fast-path plan of `columns`. A TIMESTAMP column whose precision is out of range gets `none`, so the
 * value checks report it as they always have.
 */
export function planRawColumns(columns: readonly ColumnDef[]): RawColumnPlan {
  const forms = new Uint8Array(columns.length);
  const precisions = new Uint8Array(columns.length);
  const nullable = new Uint8Array(columns.length);
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i] as ColumnDef;
    if (column.nullable === true) nullable[i] = 1;
    if (column.type === 'TIMESTAMP') {
      const precision = validPrecision(column);
      if (precision !== undefined) {
        forms[i] = RawForms.timestamp;
        precisions[i] = precision;
      }
    } else {
      forms[i] = rawFormOfType(column);
    }
  }
  return { forms, precisions, nullable };
}

function validPrecision(column: ColumnDef): number | undefined {
  try {
    return temporalPrecision(column);
  } catch {
    return undefined;
  }
}

function rawFormOfType(column: ColumnDef): RawForm {
  switch (column.type) {
    case 'BOOLEAN':
      return RawForms.boolean;
    case 'INT8':
      return RawForms.int8;
    case 'INT16':
      return RawForms.int16;
    case 'INT32':
      return RawForms.int32;
    case 'INT64':
      return RawForms.int64;
    case 'FLOAT':
      return RawForms.float;
    case 'DOUBLE':
      return RawForms.double;
    case 'STRING':
      return RawForms.string;
    default:
      return RawForms.none;
  }
}

/**
 * Where the row codec hands out what the colocation hash needs, slot by slot in colocation order:
 * - an `InternalValue[]` receives each colocation column's normalized value (to hash with `colocationHash`);
 * - an `Int32Array` receives each colocation column's value hash, `hashValue(column, normalized value)`,
 *   computed without the normalized value when the raw value takes the fast path (no bigint for an INT64
 *   number, no instant for a TIMESTAMP `Date`); fold it with `foldColocationHashes`.
 */
export type ColocationSink = InternalValue[] | Int32Array;

/**
 * Appends the value `raw` (not `undefined`) that a row sets for `column`, column `index` of `plan`: through
 * the fast path when it can, else normalized. When `slot` is not negative and `colocation` is given,
 * `colocation[slot]` receives the normalized value or its hash (see {@link ColocationSink}).
 *
 * @throws InvalidValueError naming the column when the value does not fit it (see `normalizeValue`).
 */
export function appendRowValue(
  builder: BinaryTupleBuilder,
  column: ColumnDef,
  plan: RawColumnPlan,
  index: number,
  raw: unknown,
  slot: number,
  colocation: ColocationSink | undefined,
): void {
  if (slot < 0 || colocation === undefined) {
    if (raw === null && plan.nullable[index] === 1) {
      builder.appendNull();
    } else if (!appendRawValue(builder, plan, index, raw)) {
      appendColumnValue(builder, column, normalizeValue(column, raw));
    }
  } else if (colocation instanceof Int32Array) {
    if (appendRawValue(builder, plan, index, raw)) {
      colocation[slot] = hashRawValue(column, plan.forms[index] as number, raw);
    } else {
      // Null, another input form, or invalid (then `normalizeValue` throws the usual error).
      const value = normalizeValue(column, raw);
      colocation[slot] = hashValue(column, value);
      appendColumnValue(builder, column, value);
    }
  } else {
    const value = normalizeValue(column, raw);
    colocation[slot] = value;
    // A number is already checked: written without going through its bigint.
    if (typeof raw !== 'number' || !appendRawValue(builder, plan, index, raw)) {
      appendColumnValue(builder, column, value);
    }
  }
}

/**
 * `hashValue(column, normalizeValue(column, raw))` for a raw value that {@link appendRawValue} has just
 * appended (so it is valid and in its everyday form), without building the internal value where that would
 * allocate.
 */
function hashRawValue(column: ColumnDef, form: number, raw: unknown): number {
  if (typeof raw === 'number') {
    switch (form) {
      case RawForms.int64:
        return hash32LongNumber(raw);
      case RawForms.float:
        return hashValue(column, Math.fround(raw));
      case RawForms.double:
        return hashValue(column, raw);
      default:
        // INT8, INT16, INT32: normalized as `| 0` (-0 is 0).
        return hashValue(column, raw | 0);
    }
  }
  // A boolean or a string is its own internal form.
  if (typeof raw === 'string' || typeof raw === 'boolean') return hashValue(column, raw);
  // Otherwise a TIMESTAMP `Date`, which `appendDate` has just split: `hashValue` of its instant.
  return hash32Int(dateNanos, hash32LongNumber(dateSeconds));
}

/**
 * Appends `raw` for column `index` of `plan` when it is in the column's everyday form and valid, and says
 * whether it did; `false` leaves the builder untouched, for the caller to normalize the value (and get its
 * error).
 */
export function appendRawValue(
  builder: BinaryTupleBuilder,
  plan: RawColumnPlan,
  index: number,
  raw: unknown,
): boolean {
  switch (plan.forms[index]) {
    case RawForms.int64:
      if (typeof raw !== 'number' || !Number.isSafeInteger(raw)) return false;
      builder.appendInt64Number(raw);
      return true;
    case RawForms.timestamp:
      return raw instanceof Date && appendDate(builder, raw, plan.precisions[index] as number);
    case RawForms.string:
      if (typeof raw !== 'string' || !isWellFormedText(raw)) return false;
      builder.appendString(raw);
      return true;
    case RawForms.int32:
      // `(raw | 0) === raw` holds exactly for the integers in the int32 range (and -0, stored as 0).
      if (typeof raw !== 'number' || (raw | 0) !== raw) return false;
      builder.appendInt(raw | 0);
      return true;
    case RawForms.int16:
      if (typeof raw !== 'number' || (raw | 0) !== raw || raw < -32768 || raw > 32767) return false;
      builder.appendInt(raw | 0);
      return true;
    case RawForms.int8:
      if (typeof raw !== 'number' || (raw | 0) !== raw || raw < -128 || raw > 127) return false;
      builder.appendInt(raw | 0);
      return true;
    case RawForms.double:
      if (typeof raw !== 'number') return false;
      builder.appendDouble(raw);
      return true;
    case RawForms.float:
      if (typeof raw !== 'number') return false;
      builder.appendFloat(Math.fround(raw));
      return true;
    case RawForms.boolean:
      if (typeof raw !== 'boolean') return false;
      builder.appendBoolean(raw);
      return true;
    default:
      return false;
  }
}

/**
 * The parts of the TIMESTAMP last appended by {@link appendDate}, for its colocation hash: registers rather
 * than a result object, so the fast path allocates nothing.
 */
let dateSeconds = 0;
let dateNanos = 0;

/** A TIMESTAMP from a `Date`, split as `checkTimestamp` splits it; `false` for an invalid Date. */
function appendDate(builder: BinaryTupleBuilder, date: Date, precision: number): boolean {
  const ms = date.getTime();
  // NaN fails the test too. A genuine Date never exceeds the bound; a subclass's `getTime` might.
  if (!(ms >= -MAX_DATE_MS && ms <= MAX_DATE_MS)) return false;
  const seconds = Math.floor(ms / 1000);
  const millis = ms - seconds * 1000;
  const whole = millis | 0;
  if (whole === millis) {
    // Whole milliseconds, as a genuine Date always has: truncated as int32 arithmetic, which gives what
    // `truncateNanos` does on the nanoseconds without its floating-point remainder (a libc call).
    dateNanos = (whole - (whole % (MILLI_UNITS[precision] ?? 1))) * 1_000_000;
  } else {
    dateNanos = truncateNanos(millis * 1_000_000, precision);
  }
  dateSeconds = seconds;
  builder.appendTimestampParts(seconds, dateNanos);
  return true;
}
