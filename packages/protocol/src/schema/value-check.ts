/**
 * Value checks: the documented JavaScript input of each column type (see `column-types.ts`) to the internal
 * form the tuple codec and the colocation hash consume (see `values.ts`), and internal values back to the
 * documented output types.
 *
 * Input is checked exactly: a value of the wrong type or out of range is an {@link InvalidValueError} that
 * names the column, says what was expected and what was got. Normalizing does what Ignite does before storing
 * a value: DECIMAL is rounded HALF_UP to the column scale and checked against its precision; TIME, DATETIME
 * and TIMESTAMP nanoseconds are truncated to the column precision; FLOAT is rounded to 32 bits.
 *
 * It does not apply column defaults or know about rows (the row codec does), and it does not coerce: `'1'` is
 * not an INT32.
 */
import { InvalidValueError, ProtocolError } from '../errors/protocol-error.js';
import { decimalPrecision, decimalScale, temporalPrecision, truncateNanos } from './column-facets.js';
import {
  type DecimalFailure,
  DecimalFailures,
  decimalFromBigInt,
  decimalFromNumber,
  formatDecimal,
  parseDecimalText,
} from './decimal-text.js';
import { describeValue } from './describe-value.js';
import {
  isDateTimeValue,
  isDateValue,
  isDecimalValue,
  isInstantValue,
  isTimeValue,
  isUuidValue,
} from './internal-value-guards.js';
import type { ColumnDef } from './table-schema.js';
import {
  dateProblem,
  formatDate,
  formatDateTime,
  formatTime,
  parseDateText,
  parseDateTimeText,
  parseTimeText,
  timeProblem,
} from './temporal-text.js';
import { formatUuid, parseUuidText } from './uuid-text.js';
import type { DateValue, DecimalValue, InstantValue, InternalValue, TimeValue } from './values.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** The instants a JavaScript `Date` can hold: +-8.64e15 ms around the epoch. */
const MAX_DATE_MS = 8.64e15;

function reject(column: ColumnDef, expected: string, value: unknown, detail?: string): never {
  const tail = detail === undefined ? '' : `: ${detail}`;
  throw new InvalidValueError(
    column.name,
    `column "${column.name}" (${column.type}) expects ${expected}, got ${describeValue(value)}${tail}`,
  );
}

function checkInt(column: ColumnDef, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    reject(column, `an integer number in ${min}..${max}`, value);
  }
  // `| 0` turns -0 into 0, as the tuple stores it.
  return value | 0;
}

function checkInt64(column: ColumnDef, value: unknown): bigint {
  if (typeof value === 'bigint') {
    if (value >= INT64_MIN && value <= INT64_MAX) return value;
  } else if (typeof value === 'number' && Number.isSafeInteger(value)) {
    return BigInt(value);
  }
  return reject(column, `a bigint in ${INT64_MIN}..${INT64_MAX}, or a safe-integer number`, value);
}

function checkDecimal(column: ColumnDef, value: unknown): DecimalValue {
  const scale = decimalScale(column);
  const precision = decimalPrecision(column);
  let result: DecimalValue | DecimalFailure;
  if (typeof value === 'string') result = parseDecimalText(value, scale, precision);
  else if (typeof value === 'number' && Number.isFinite(value))
    result = decimalFromNumber(value, scale, precision);
  else if (typeof value === 'bigint') result = decimalFromBigInt(value, scale, precision);
  else return reject(column, 'a decimal string, a finite number or a bigint', value);
  if (result === DecimalFailures.syntax) {
    return reject(column, "decimal notation such as '-12.50' or '1e3'", value);
  }
  if (result === DecimalFailures.precision) {
    return reject(
      column,
      `at most ${precision} digits with ${scale} after the point (at most ${precision - scale} before it)`,
      value,
    );
  }
  return result;
}

/** {@link isWellFormedText} by a loop, for a runtime without `String.prototype.isWellFormed`. */
export function scanWellFormedText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0xd800 || code > 0xdfff) continue;
    const next = text.charCodeAt(i + 1);
    if (code > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return false;
    i++;
  }
  return true;
}

/** `String.prototype` as seen by a runtime that may have ES2024's `isWellFormed` (the compiled lib is ES2023). */
interface StringPrototypeProbe {
  readonly length: number;
  readonly isWellFormed?: (this: string) => boolean;
}

const stringPrototype: StringPrototypeProbe = String.prototype;
const nativeIsWellFormed = stringPrototype.isWellFormed;

/**
 * Whether `text` has no lone UTF-16 surrogate, so it has a UTF-8 encoding (Ignite refuses to encode one).
 * Uses the native `String.prototype.isWellFormed` when there is one (Node 20: O(1) for one-byte strings).
 */
export const isWellFormedText: (text: string) => boolean =
  nativeIsWellFormed === undefined ? scanWellFormedText : (text) => nativeIsWellFormed.call(text);

function checkDate(column: ColumnDef, value: unknown): DateValue {
  const expected = 'a date string YYYY-MM-DD or a Date';
  let date: DateValue | undefined;
  if (typeof value === 'string') {
    date = parseDateText(value);
  } else if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return reject(column, expected, value);
    date = { year: value.getUTCFullYear(), month: value.getUTCMonth() + 1, day: value.getUTCDate() };
  }
  if (date === undefined) return reject(column, expected, value);
  const problem = dateProblem(date.year, date.month, date.day);
  if (problem !== undefined) reject(column, 'a valid date', value, problem);
  return date;
}

function checkTime(column: ColumnDef, value: unknown): TimeValue {
  const time = typeof value === 'string' ? parseTimeText(value) : undefined;
  if (time === undefined) return reject(column, 'a time string HH:MM:SS[.fffffffff]', value);
  const problem = timeProblem(time.hour, time.minute, time.second, time.nano);
  if (problem !== undefined) reject(column, 'a valid time of day', value, problem);
  const nano = truncateNanos(time.nano, temporalPrecision(column));
  return nano === time.nano ? time : { hour: time.hour, minute: time.minute, second: time.second, nano };
}

function checkDateTime(column: ColumnDef, value: unknown): InternalValue {
  const expected = 'a date-time string YYYY-MM-DDTHH:MM:SS[.fffffffff] or a Date';
  let date: DateValue;
  let time: TimeValue;
  if (typeof value === 'string') {
    const parsed = parseDateTimeText(value);
    if (parsed === undefined) return reject(column, expected, value);
    date = parsed.date;
    time = parsed.time;
  } else if (value instanceof Date && !Number.isNaN(value.getTime())) {
    date = { year: value.getUTCFullYear(), month: value.getUTCMonth() + 1, day: value.getUTCDate() };
    time = {
      hour: value.getUTCHours(),
      minute: value.getUTCMinutes(),
      second: value.getUTCSeconds(),
      nano: value.getUTCMilliseconds() * 1_000_000,
    };
  } else {
    return reject(column, expected, value);
  }
  const problem =
    dateProblem(date.year, date.month, date.day) ??
    timeProblem(time.hour, time.minute, time.second, time.nano);
  if (problem !== undefined) reject(column, 'a valid date and time', value, problem);
  const nano = truncateNanos(time.nano, temporalPrecision(column));
  if (nano !== time.nano) time = { hour: time.hour, minute: time.minute, second: time.second, nano };
  return { date, time };
}

function checkTimestamp(column: ColumnDef, value: unknown): InstantValue {
  if (!(value instanceof Date)) return reject(column, 'a Date', value);
  const ms = value.getTime();
  if (Number.isNaN(ms)) return reject(column, 'a valid Date', value);
  const seconds = Math.floor(ms / 1000);
  const nanos = truncateNanos((ms - seconds * 1000) * 1_000_000, temporalPrecision(column));
  return { seconds: BigInt(seconds), nanos };
}

/**
 * Checks `value` against `column` and returns its internal form.
 *
 * `null` and `undefined` give `null` when the column is nullable. Defaults: DECIMAL scale 0 and precision
 * 32767; TIME precision 0; DATETIME and TIMESTAMP precision 6 (fractional digits of seconds).
 *
 * @throws InvalidValueError (code `INVALID_ROW`) naming the column when the value has the wrong type, is out of
 *   range, has too many digits, is null for a non-nullable column, or when the column's precision or scale is
 *   out of range.
 */
export function normalizeValue(column: ColumnDef, value: unknown): InternalValue {
  if (value === null || value === undefined) {
    if (column.nullable === true) return null;
    throw new InvalidValueError(
      column.name,
      `column "${column.name}" (${column.type}) is not nullable, got ${describeValue(value)}`,
    );
  }
  switch (column.type) {
    case 'BOOLEAN':
      return typeof value === 'boolean' ? value : reject(column, 'a boolean', value);
    case 'INT8':
      return checkInt(column, value, -128, 127);
    case 'INT16':
      return checkInt(column, value, -32768, 32767);
    case 'INT32':
      return checkInt(column, value, -2147483648, 2147483647);
    case 'INT64':
      return checkInt64(column, value);
    case 'FLOAT':
      return typeof value === 'number' ? Math.fround(value) : reject(column, 'a number', value);
    case 'DOUBLE':
      return typeof value === 'number' ? value : reject(column, 'a number', value);
    case 'DECIMAL':
      return checkDecimal(column, value);
    case 'STRING':
      if (typeof value !== 'string') return reject(column, 'a string', value);
      return isWellFormedText(value) ? value : reject(column, 'text without lone UTF-16 surrogates', value);
    case 'BYTES':
      return value instanceof Uint8Array ? value : reject(column, 'a Uint8Array', value);
    case 'UUID': {
      const uuid = typeof value === 'string' ? parseUuidText(value) : undefined;
      return uuid ?? reject(column, 'a UUID string xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx', value);
    }
    case 'DATE':
      return checkDate(column, value);
    case 'TIME':
      return checkTime(column, value);
    case 'DATETIME':
      return checkDateTime(column, value);
    case 'TIMESTAMP':
      return checkTimestamp(column, value);
  }
}

function corrupt(column: ColumnDef, value: InternalValue): never {
  throw new ProtocolError(
    'INTERNAL',
    `internal value ${describeValue(value)} does not fit column "${column.name}" (${column.type})`,
  );
}

/**
 * The documented output JavaScript value of an internal value: INT64 a `bigint`; DECIMAL a plain string with
 * exactly the column scale; UUID a lower-case string; DATE, TIME, DATETIME strings; TIMESTAMP a `Date`
 * (millisecond precision: finer nanoseconds are dropped); `null` stays `null`.
 *
 * @throws ProtocolError `INTERNAL` when the internal value is not of the column's kind (a bug, not user input).
 * @throws InvalidValueError when a TIMESTAMP lies outside what a `Date` can hold.
 */
export function denormalizeValue(column: ColumnDef, value: InternalValue): unknown {
  if (value === null) return null;
  switch (column.type) {
    case 'BOOLEAN':
      return typeof value === 'boolean' ? value : corrupt(column, value);
    case 'INT8':
    case 'INT16':
    case 'INT32':
    case 'FLOAT':
    case 'DOUBLE':
      return typeof value === 'number' ? value : corrupt(column, value);
    case 'INT64':
      return typeof value === 'bigint' ? value : corrupt(column, value);
    case 'DECIMAL':
      return isDecimalValue(value) ? formatDecimal(value, decimalScale(column)) : corrupt(column, value);
    case 'STRING':
      return typeof value === 'string' ? value : corrupt(column, value);
    case 'BYTES':
      return value instanceof Uint8Array ? value : corrupt(column, value);
    case 'UUID':
      return isUuidValue(value) ? formatUuid(value) : corrupt(column, value);
    case 'DATE':
      return isDateValue(value) ? formatDate(value) : corrupt(column, value);
    case 'TIME':
      return isTimeValue(value) ? formatTime(value) : corrupt(column, value);
    case 'DATETIME':
      return isDateTimeValue(value) ? formatDateTime(value) : corrupt(column, value);
    case 'TIMESTAMP': {
      if (!isInstantValue(value)) return corrupt(column, value);
      const ms = Number(value.seconds) * 1000 + Math.floor(value.nanos / 1_000_000);
      if (!(Math.abs(ms) <= MAX_DATE_MS)) {
        throw new InvalidValueError(
          column.name,
          `column "${column.name}" (TIMESTAMP) holds ${value.seconds} seconds since the epoch, outside what a Date can hold`,
        );
      }
      return new Date(ms);
    }
  }
}
