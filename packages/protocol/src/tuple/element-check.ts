/**
 * Whether the bytes of one BinaryTuple element hold a value its column allows, judged in place without
 * decoding it: what a node checks on every value it is asked to store, so that every stored row can be read
 * back by the tuple reader and the value checks (no garbage that a reader later trips over).
 *
 * Per type: the element's length is one the type allows (an INT32 of 1, 2 or 4 bytes, a UUID of 16, ...);
 * BOOLEAN is 0 or 1; STRING is well-formed UTF-8 (after the optional leading `80`); DATE, TIME and DATETIME
 * fields are on the calendar and the clock, with no unused bits set; nanoseconds are below 10^9 and no finer
 * than the column's precision; a TIMESTAMP lies within what a JavaScript `Date` holds (the documented output
 * type); a DECIMAL has no digits below the column's scale and at most its precision in digits. The rules are
 * the tuple reader's and the value checks' (`dateProblem`, `timeProblem`, `firstInvalidUtf8` are shared, not
 * restated); a property test holds this module to the reader.
 *
 * It does not look at NULLs (a zero-length element: nullability is the caller's, who knows the row), does not
 * require the canonical form a builder writes (an INT64 `1` in 8 bytes is a valid value; keys, which must be
 * canonical, are judged by `key-form.ts` besides), and does not know rows or tables: the caller words the
 * error with the row and column.
 */

import { firstInvalidUtf8 } from '../msgpack/utf8.js';
import { decimalPrecision, decimalScale, temporalPrecision } from '../schema/column-facets.js';
import type { ColumnType } from '../schema/column-types.js';
import { pow10 } from '../schema/decimal-math.js';
import type { ColumnDef } from '../schema/table-schema.js';
import { dateProblem, timeProblem } from '../schema/temporal-text.js';
import { BinaryTupleFormat, int32LE } from './binary-tuple-format.js';
import {
  packedDateDay,
  packedDateMonth,
  packedDateYear,
  readTupleDate,
  readTupleTime,
  type TimeFields,
} from './temporal-tuple-form.js';

/** Element lengths a type allows: a list of exact lengths, or `{ min }` for variable-length types. */
export const ELEMENT_LENGTHS: { readonly [T in ColumnType]: readonly number[] | { readonly min: number } } = {
  BOOLEAN: [1],
  INT8: [1],
  INT16: [1, 2],
  INT32: [1, 2, 4],
  INT64: [1, 2, 4, 8],
  FLOAT: [4],
  DOUBLE: [4, 8],
  DECIMAL: { min: 3 },
  DATE: [3],
  TIME: [4, 5, 6],
  DATETIME: [7, 8, 9],
  TIMESTAMP: [8, 12],
  UUID: [16],
  STRING: { min: 1 },
  BYTES: { min: 1 },
};

/** What is checked beyond the length, per type. */
const Contents = {
  /** Any bytes of an allowed length are a value (integers, floats, UUID, BYTES). */
  none: 0,
  boolean: 1,
  string: 2,
  decimal: 3,
  date: 4,
  time: 5,
  datetime: 6,
  timestamp: 7,
} as const;

const CONTENTS: { readonly [T in ColumnType]: number } = {
  BOOLEAN: Contents.boolean,
  INT8: Contents.none,
  INT16: Contents.none,
  INT32: Contents.none,
  INT64: Contents.none,
  FLOAT: Contents.none,
  DOUBLE: Contents.none,
  DECIMAL: Contents.decimal,
  STRING: Contents.string,
  BYTES: Contents.none,
  UUID: Contents.none,
  DATE: Contents.date,
  TIME: Contents.time,
  DATETIME: Contents.datetime,
  TIMESTAMP: Contents.timestamp,
};

/** `10^(9 - precision)`: the nanoseconds of a temporal column are a multiple of this. Indexed by precision. */
const NANO_UNITS = [1e9, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 1e2, 1e1, 1] as const;
/** The seconds a `Date` can hold either side of the epoch (8.64e15 ms). */
const MAX_DATE_SECONDS = 8.64e12;
const TWO_POW_32 = 4294967296;
/** `log10(2)`, for an upper bound on the digits of a number of a given bit length. */
const LOG10_2 = 0.3010299956639812;

/** The checks of a row's (or key's) columns, worked out once per schema. */
export interface ElementChecks {
  readonly columns: readonly ColumnDef[];
  /** Per column: bit n set when an element of n bytes is allowed (n < 32); 0 when `minLengths` rules. */
  readonly lengthMasks: Uint32Array;
  readonly minLengths: Uint8Array;
  /** Per column: what is checked beyond the length (see `Contents`). */
  readonly contents: Uint8Array;
  /** Per DECIMAL column: its scale. */
  readonly scales: Int32Array;
  /** Per DECIMAL column: its precision; per TIME, DATETIME or TIMESTAMP column: its nanosecond unit. */
  readonly units: Int32Array;
}

/**
 * The checks of `columns`, in their order.
 *
 * @throws InvalidValueError when a column's precision or scale is out of range (the catalog refuses those).
 */
export function planElementChecks(columns: readonly ColumnDef[]): ElementChecks {
  const count = columns.length;
  const lengthMasks = new Uint32Array(count);
  const minLengths = new Uint8Array(count);
  const contents = new Uint8Array(count);
  const scales = new Int32Array(count);
  const units = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const column = columns[i] as ColumnDef;
    const rule = ELEMENT_LENGTHS[column.type];
    if (Array.isArray(rule)) {
      let mask = 0;
      for (const n of rule as readonly number[]) mask |= 1 << n;
      lengthMasks[i] = mask;
      minLengths[i] = 1;
    } else {
      minLengths[i] = (rule as { readonly min: number }).min;
    }
    contents[i] = CONTENTS[column.type];
    if (column.type === 'DECIMAL') {
      scales[i] = decimalScale(column);
      units[i] = decimalPrecision(column);
    } else if (column.type === 'TIME' || column.type === 'DATETIME' || column.type === 'TIMESTAMP') {
      units[i] = NANO_UNITS[temporalPrecision(column)] ?? 1;
    }
  }
  return { columns, lengthMasks, minLengths, contents, scales, units };
}

/**
 * `null` when the non-NULL element `bytes[start..end)` (`end > start`) holds a value of column `index` of
 * `checks`, else what is wrong with it, worded to follow the column's name (`INT32 cannot be 3 bytes long`).
 */
export function elementProblem(
  checks: ElementChecks,
  index: number,
  bytes: Uint8Array,
  start: number,
  end: number,
): string | null {
  const length = end - start;
  const mask = checks.lengthMasks[index] as number;
  const lengthOk =
    mask === 0
      ? length >= (checks.minLengths[index] as number)
      : length < 32 && ((mask >>> length) & 1) === 1;
  if (!lengthOk) return `${typeOf(checks, index)} cannot be ${length} bytes long`;
  switch (checks.contents[index]) {
    case Contents.none:
      return null;
    case Contents.string:
      return stringProblem(bytes, start, end);
    case Contents.boolean: {
      const byte = bytes[start] as number;
      return byte <= 1 ? null : `BOOLEAN holds ${byte}, expected 0 or 1`;
    }
    case Contents.timestamp:
      return timestampProblem(bytes, start, length, checks.units[index] as number);
    case Contents.date:
      return datePart(bytes, start, 'DATE');
    case Contents.time:
      return timePart(bytes, start, length, checks.units[index] as number, 'TIME');
    case Contents.datetime:
      return (
        datePart(bytes, start, 'DATETIME') ??
        timePart(bytes, start + 3, length - 3, checks.units[index] as number, 'DATETIME')
      );
    case Contents.decimal:
      return decimalProblem(bytes, start, end, checks.scales[index] as number, checks.units[index] as number);
    default:
      return null;
  }
}

function typeOf(checks: ElementChecks, index: number): ColumnType {
  return (checks.columns[index] as ColumnDef).type;
}

function stringProblem(bytes: Uint8Array, start: number, end: number): string | null {
  // The empty string is the single byte 80; the reader drops one leading 80 before decoding.
  const text = bytes[start] === BinaryTupleFormat.varlenEmptyByte ? start + 1 : start;
  for (let i = text; i < end; i++) {
    if ((bytes[i] as number) >= 0x80) {
      const bad = firstInvalidUtf8(bytes, i, end);
      return bad < 0 ? null : `STRING is not valid UTF-8 (byte ${bad - start} of ${end - start})`;
    }
  }
  return null;
}

function datePart(bytes: Uint8Array, at: number, type: ColumnType): string | null {
  const packed = readTupleDate(bytes, at);
  const problem = dateProblem(packedDateYear(packed), packedDateMonth(packed), packedDateDay(packed));
  return problem === undefined ? null : `${type} is not a valid date: ${problem}`;
}

/** The TIME being checked, unpacked (one module-wide scratch object: checking allocates nothing). */
const timeFields: TimeFields = { hour: 0, minute: 0, second: 0, nano: 0 };

function timePart(
  bytes: Uint8Array,
  at: number,
  length: number,
  unit: number,
  type: ColumnType,
): string | null {
  const unused = readTupleTime(bytes, at, length, timeFields);
  if (unused !== 0) return `${type} is not a valid time: unused bits are set (${unused})`;
  const { hour, minute, second, nano } = timeFields;
  const problem = timeProblem(hour, minute, second, nano);
  if (problem !== undefined) return `${type} is not a valid time: ${problem}`;
  return nano % unit === 0 ? null : finerThanPrecision(type, nano, unit);
}

function finerThanPrecision(type: ColumnType, nanos: number, unit: number): string {
  const digits = 9 - Math.round(Math.log10(unit));
  return `${type} has ${nanos} nanoseconds, finer than the column's precision of ${digits} fractional digits`;
}

function timestampProblem(bytes: Uint8Array, start: number, length: number, unit: number): string | null {
  const nanos = length === 12 ? int32LE(bytes, start + 8) : 0;
  if (nanos < 0 || nanos > 999_999_999) {
    return `TIMESTAMP has ${nanos} nanoseconds, outside 0..999999999`;
  }
  if (nanos % unit !== 0) return finerThanPrecision('TIMESTAMP', nanos, unit);
  const high = int32LE(bytes, start + 4);
  // Beyond 2^53 seconds (or far less) is beyond any Date: only a high word near zero can be in range.
  const seconds =
    high >= -0x200000 && high < 0x200000 ? high * TWO_POW_32 + (int32LE(bytes, start) >>> 0) : Number.NaN;
  const ms = seconds * 1000 + Math.floor(nanos / 1_000_000);
  if (!(ms >= -MAX_DATE_SECONDS * 1000 && ms <= MAX_DATE_SECONDS * 1000)) {
    return 'TIMESTAMP lies outside what a Date can hold (8.64e15 ms either side of the epoch)';
  }
  return null;
}

/**
 * A DECIMAL element: a 2-byte little-endian scale `s`, then the unscaled value `u` as big-endian two's
 * complement. At the column's scale `S` the value is `u * 10^(S - s)`, which must be a whole number (no
 * digits below the scale) of at most `precision` digits: `u` divisible by `10^(s - S)` when `s > S`, and
 * `|u| < 10^(precision - S + s)` either way.
 */
function decimalProblem(
  bytes: Uint8Array,
  start: number,
  end: number,
  columnScale: number,
  precision: number,
): string | null {
  const storedScale = (((bytes[start] as number) | ((bytes[start + 1] as number) << 8)) << 16) >> 16;
  const digitsLimit = precision - columnScale + storedScale;
  const below = storedScale - columnScale;
  // Sign-extension bytes in front change nothing: skip them, so the size says how large the number is.
  let first = start + 2;
  while (
    first < end - 1 &&
    (((bytes[first] as number) === 0 && (bytes[first + 1] as number) < 0x80) ||
      ((bytes[first] as number) === 0xff && (bytes[first + 1] as number) >= 0x80))
  ) {
    first++;
  }
  const size = end - first;
  let fractional: boolean;
  let tooMany: boolean;
  if (size <= 6) {
    // Up to 48 bits: exact in a double, and below 10^15.
    let n = ((bytes[first] as number) << 24) >> 24;
    for (let i = first + 1; i < end; i++) n = n * 256 + (bytes[i] as number);
    if (n === 0) return null;
    const magnitude = Math.abs(n);
    fractional = below > 0 && (below > 15 || magnitude % 10 ** below !== 0);
    tooMany = digitsLimit <= 0 || (digitsLimit < 16 && magnitude >= 10 ** digitsLimit);
  } else if ((8 * (size - 1) - 1) * LOG10_2 >= digitsLimit) {
    // At least 2^(8 * (size - 1) - 1) in magnitude, so at least 10^digitsLimit: refused before it is read.
    return decimalTooLong(precision, columnScale);
  } else {
    let hex = '0x';
    for (let i = first; i < end; i++) hex += (bytes[i] as number).toString(16).padStart(2, '0');
    const n = BigInt.asIntN(size * 8, BigInt(hex));
    if (n === 0n) return null;
    const magnitude = n < 0n ? -n : n;
    // 10^k exceeds every number of `size` bytes once k > size * 8 * log10(2): the powers are computed only
    // below that, so a hostile scale cannot make the check compute a huge power of ten.
    const reach = size * 8 * LOG10_2 + 1;
    fractional = below > 0 && (below > reach || magnitude % pow10(below) !== 0n);
    tooMany = digitsLimit <= 0 || (digitsLimit <= reach && magnitude >= pow10(digitsLimit));
  }
  if (fractional) return `DECIMAL has digits below the column's scale ${columnScale}`;
  return tooMany ? decimalTooLong(precision, columnScale) : null;
}

function decimalTooLong(precision: number, scale: number): string {
  return `DECIMAL has more than the column's precision of ${precision} digits (scale ${scale})`;
}
