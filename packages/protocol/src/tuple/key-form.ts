/**
 * Whether a key column's element is written in the one form a tuple builder writes for its value. The
 * BinaryTuple format lets some values be written more than one way (an INT64 `1` in 1, 2, 4 or 8 bytes, a
 * DOUBLE that is exactly a float in 4 or 8, a TIMESTAMP with zero nanoseconds in 8 or 12, a string with the
 * optional leading `80`, a DECIMAL `1.0` as unscaled 10 at scale 1), and a reader gives the same value for
 * every form. A node stores and finds keys by their bytes, so two forms of one key would be two rows of the
 * same primary key: a node refuses a key column in any form but the canonical one.
 *
 * The canonical form is what `BinaryTupleBuilder` writes (and Ignite 3's builder): integers in the smallest
 * width that holds them; a DOUBLE in 4 bytes exactly when it survives a round trip through a float (NaN does
 * not); a TIMESTAMP with nanoseconds only when they are not zero; a TIME (and a DATETIME's time) in 4 bytes
 * when its nanoseconds are whole milliseconds, 5 when whole microseconds, else 6; a STRING or BYTES with a
 * leading `80` only when it is empty or (BYTES) starts with `80`; a DECIMAL with its trailing zeros stripped
 * (zero at scale 0) and its unscaled value in the fewest two's complement bytes. FLOAT, DOUBLE NaNs are not
 * made canonical (keys compare by their bits; a NaN key is whatever bits were written).
 *
 * It judges an element that already passed the value checks (`elementProblem`: lengths, ranges), reads it in
 * place, and knows nothing of rows or tables: the caller words the error with the row and column.
 */
import type { ColumnDef } from '../schema/table-schema.js';
import { BinaryTupleFormat, int32LE } from './binary-tuple-format.js';
import { readTupleTime, type TimeFields } from './temporal-tuple-form.js';

const VARLEN_EMPTY_BYTE = BinaryTupleFormat.varlenEmptyByte;

/** What is checked, per column type. */
const Form = {
  /** One form only (fixed length, or nothing to choose). */
  any: 0,
  integer: 1,
  double: 2,
  timestamp: 3,
  time: 4,
  datetime: 5,
  string: 6,
  bytes: 7,
  decimal: 8,
} as const;

const FORMS: { readonly [T in ColumnDef['type']]: number } = {
  BOOLEAN: Form.any,
  INT8: Form.any,
  INT16: Form.integer,
  INT32: Form.integer,
  INT64: Form.integer,
  FLOAT: Form.any,
  DOUBLE: Form.double,
  DECIMAL: Form.decimal,
  DATE: Form.any,
  TIME: Form.time,
  DATETIME: Form.datetime,
  TIMESTAMP: Form.timestamp,
  UUID: Form.any,
  STRING: Form.string,
  BYTES: Form.bytes,
};

/** Per column, what {@link keyFormProblem} checks (worked out once per schema). */
export type KeyForms = Uint8Array;

/** The forms of `columns`, in their order. */
export function planKeyForms(columns: readonly ColumnDef[]): KeyForms {
  return Uint8Array.from(columns, (column) => FORMS[column.type]);
}

const scratch = new DataView(new ArrayBuffer(8));
/** The TIME being checked (one module-wide scratch object: checking allocates nothing). */
const timeFields: TimeFields = { hour: 0, minute: 0, second: 0, nano: 0 };

/**
 * `null` when the element `bytes[start..end)` of column `index` (non-NULL, and valid for the column) is in
 * its canonical form, else what is wrong with it, worded to follow the column's name (`INT64 4 is written in
 * 8 bytes; its canonical form has 1`).
 */
export function keyFormProblem(
  forms: KeyForms,
  index: number,
  bytes: Uint8Array,
  start: number,
  end: number,
): string | null {
  const length = end - start;
  switch (forms[index]) {
    case Form.integer:
      return integerProblem(bytes, start, length);
    case Form.double:
      return doubleProblem(bytes, start, length);
    case Form.timestamp:
      return length === 12 && int32LE(bytes, start + 8) === 0
        ? 'TIMESTAMP has 0 nanoseconds written out (12 bytes); its canonical form has 8'
        : null;
    case Form.time:
      return timeProblem(bytes, start, length, 'TIME');
    case Form.datetime:
      return timeProblem(bytes, start + 3, length - 3, 'DATETIME');
    case Form.string:
      return length > 1 && bytes[start] === VARLEN_EMPTY_BYTE
        ? 'STRING starts with the empty-value byte 80, which only an empty string is written as'
        : null;
    case Form.bytes:
      return length > 1 && bytes[start] === VARLEN_EMPTY_BYTE && bytes[start + 1] !== VARLEN_EMPTY_BYTE
        ? 'BYTES start with an 80 that is not needed (only empty values and values starting with 80 have it)'
        : null;
    case Form.decimal:
      return decimalProblem(bytes, start, end);
    default:
      return null;
  }
}

/** The smallest of 1, 2, 4 and 8 bytes that holds the little-endian integer of `length` bytes at `start`. */
function integerProblem(bytes: Uint8Array, start: number, length: number): string | null {
  if (length === 1) return null;
  const low = int32At4(bytes, start, length);
  // Eight bytes are needed exactly when the high word is not the low word's sign extension.
  if (length === 8 && int32LE(bytes, start + 4) !== low >> 31) return null;
  const fits = smallWidth(low);
  if (fits === length) return null;
  return `integer ${low} is written in ${length} bytes; its canonical form has ${fits}`;
}

/** 1, 2 or 4: the bytes the int32 `value` needs. */
function smallWidth(value: number): number {
  if (value >= -128 && value <= 127) return 1;
  return value >= -32768 && value <= 32767 ? 2 : 4;
}

function doubleProblem(bytes: Uint8Array, start: number, length: number): string | null {
  for (let i = 0; i < length; i++) scratch.setUint8(i, bytes[start + i] as number);
  if (length === 4) {
    return Number.isNaN(scratch.getFloat32(0, true))
      ? 'DOUBLE NaN is written in 4 bytes; its canonical form has 8'
      : null;
  }
  const value = scratch.getFloat64(0, true);
  return Math.fround(value) === value
    ? `DOUBLE ${value} is written in 8 bytes; its canonical form has 4 (it is exactly a FLOAT)`
    : null;
}

function timeProblem(bytes: Uint8Array, at: number, length: number, type: string): string | null {
  if (length === 4) return null;
  readTupleTime(bytes, at, length, timeFields);
  const nano = timeFields.nano;
  const needed = nano % 1_000_000 === 0 ? 4 : nano % 1000 === 0 ? 5 : 6;
  return needed === length
    ? null
    : `${type} with ${nano} nanoseconds is written with ${length - 3} bytes of time; its canonical form has ${needed - 3}`;
}

/**
 * A DECIMAL: a 2-byte scale, then the unscaled value in big-endian two's complement. Canonical: no redundant
 * sign byte in front, and no trailing decimal zero (unscaled divisible by 10) unless stripping it would move
 * the scale past 16 bits; zero is unscaled 0 at scale 0.
 */
function decimalProblem(bytes: Uint8Array, start: number, end: number): string | null {
  const scale = (((bytes[start] as number) | ((bytes[start + 1] as number) << 8)) << 16) >> 16;
  const first = start + 2;
  if (
    end - first > 1 &&
    (((bytes[first] as number) === 0 && (bytes[first + 1] as number) < 0x80) ||
      ((bytes[first] as number) === 0xff && (bytes[first + 1] as number) >= 0x80))
  ) {
    return 'DECIMAL has a redundant sign byte in front of its unscaled value';
  }
  let zero = true;
  for (let i = first; i < end; i++) {
    if (bytes[i] !== 0) {
      zero = false;
      break;
    }
  }
  if (zero) return scale === 0 ? null : `DECIMAL zero is written at scale ${scale}; its canonical form has 0`;
  if (!divisibleByTen(bytes, first, end)) return null;
  // A builder strips every trailing zero, unless that would take the scale below 16 bits (it then strips none).
  if (scale - trailingZeros(bytes, first, end) < -32768) return null;
  return 'DECIMAL has a trailing zero that is not stripped (its canonical form divides the unscaled value by 10)';
}

/** The decimal trailing zeros of the (non-zero) big-endian two's complement integer `bytes[first..end)`. */
function trailingZeros(bytes: Uint8Array, first: number, end: number): number {
  // Only a form that is not canonical, or one at the edge of the scale range, gets here: a bigint is fine.
  let hex = '0x';
  for (let i = first; i < end; i++) hex += (bytes[i] as number).toString(16).padStart(2, '0');
  let n = BigInt.asIntN((end - first) * 8, BigInt(hex));
  let zeros = 0;
  while (n % 10n === 0n) {
    n /= 10n;
    zeros++;
  }
  return zeros;
}

/** Whether the big-endian two's complement integer `bytes[first..end)` is divisible by 10. */
function divisibleByTen(bytes: Uint8Array, first: number, end: number): boolean {
  // Its remainder mod 10 of the unsigned reading, corrected for the sign: n = unsigned - 2^(8 * size) when
  // negative, and 2^(8k) mod 10 cycles through 6 for every k >= 1.
  let rest = 0;
  for (let i = first; i < end; i++) rest = (rest * 256 + (bytes[i] as number)) % 10;
  if ((bytes[first] as number) >= 0x80) rest = (rest - 6 + 10) % 10;
  return rest === 0;
}

/** The little-endian int32 of the first min(`length`, 4) bytes at `at`, sign-extended from its last byte. */
function int32At4(bytes: Uint8Array, at: number, length: number): number {
  if (length >= 4) return int32LE(bytes, at);
  if (length === 2) return (((bytes[at] as number) | ((bytes[at + 1] as number) << 8)) << 16) >> 16;
  return ((bytes[at] as number) << 24) >> 24;
}
