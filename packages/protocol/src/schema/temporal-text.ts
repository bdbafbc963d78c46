/**
 * The text forms of DATE, TIME and DATETIME values (ISO 8601, as `column-types.ts` documents them) and the
 * range rules those values obey in Ignite 3: years -16384..16383 (15 signed bits in a tuple), proleptic
 * Gregorian months and days, 24-hour times with nanoseconds.
 *
 * Parsing here only recognises the shape; the `...Problem` functions say what is out of range, so the value
 * checks can name the column and the field. It does not truncate to a column's precision.
 */
import type { DateTimeValue, DateValue, TimeValue } from './values.js';

/** The years a DATE can hold: 15 signed bits. */
export const MIN_DATE_YEAR = -16384;
export const MAX_DATE_YEAR = 16383;

/** `YYYY` (0000..9999) or a sign and six digits (`+012345`, `-000001`; not `-000000`), then `-MM-DD`. */
const DATE_SYNTAX = /^(\d{4}|[+-]\d{6})-(\d{2})-(\d{2})$/;
/** `HH:MM:SS` with an optional fraction of one to nine digits. */
const TIME_SYNTAX = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;
const DATETIME_SYNTAX = /^(\d{4}|[+-]\d{6})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Whether `year` is a leap year of the proleptic Gregorian calendar (year 0 is, as in `java.time`). */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** The number of days of `month` (1..12) in `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2 && isLeapYear(year)) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 0;
}

/** What is wrong with a date's fields, or `undefined` when they form a date a tuple can hold. */
export function dateProblem(year: number, month: number, day: number): string | undefined {
  if (!Number.isInteger(year) || year < MIN_DATE_YEAR || year > MAX_DATE_YEAR) {
    return `year ${String(year)} is outside ${MIN_DATE_YEAR}..${MAX_DATE_YEAR}`;
  }
  if (!Number.isInteger(month) || month < 1 || month > 12) return `month ${String(month)} is outside 1..12`;
  const last = daysInMonth(year, month);
  if (!Number.isInteger(day) || day < 1 || day > last) {
    return `day ${String(day)} is outside 1..${last} for month ${month} of year ${year}`;
  }
  return undefined;
}

/** What is wrong with a time's fields, or `undefined` when they form a time of day. */
export function timeProblem(hour: number, minute: number, second: number, nano: number): string | undefined {
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) return `hour ${String(hour)} is outside 0..23`;
  if (!Number.isInteger(minute) || minute < 0 || minute > 59)
    return `minute ${String(minute)} is outside 0..59`;
  if (!Number.isInteger(second) || second < 0 || second > 59)
    return `second ${String(second)} is outside 0..59`;
  if (!Number.isInteger(nano) || nano < 0 || nano > 999_999_999) {
    return `nanosecond ${String(nano)} is outside 0..999999999`;
  }
  return undefined;
}

/** The nanoseconds of a fraction-of-second text of 1..9 digits (`'5'` is 500,000,000). */
function fractionNanos(fraction: string | undefined): number {
  return fraction === undefined ? 0 : Number(fraction.padEnd(9, '0'));
}

/** The fields of `YYYY-MM-DD` (or `±YYYYYY-MM-DD`), unchecked; `undefined` when the text has another shape. */
export function parseDateText(text: string): DateValue | undefined {
  const m = DATE_SYNTAX.exec(text);
  if (m === null) return undefined;
  const year = Number(m[1]);
  // ISO 8601 (and ECMAScript) have no year -000000.
  if (Object.is(year, -0)) return undefined;
  return { year, month: Number(m[2]), day: Number(m[3]) };
}

/** The fields of `HH:MM:SS[.fffffffff]`, unchecked; `undefined` when the text has another shape. */
export function parseTimeText(text: string): TimeValue | undefined {
  const m = TIME_SYNTAX.exec(text);
  if (m === null) return undefined;
  return { hour: Number(m[1]), minute: Number(m[2]), second: Number(m[3]), nano: fractionNanos(m[4]) };
}

/** The fields of `YYYY-MM-DDTHH:MM:SS[.fffffffff]`, unchecked; `undefined` when the text has another shape. */
export function parseDateTimeText(text: string): DateTimeValue | undefined {
  const m = DATETIME_SYNTAX.exec(text);
  if (m === null) return undefined;
  const year = Number(m[1]);
  if (Object.is(year, -0)) return undefined;
  return {
    date: { year, month: Number(m[2]), day: Number(m[3]) },
    time: { hour: Number(m[4]), minute: Number(m[5]), second: Number(m[6]), nano: fractionNanos(m[7]) },
  };
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/** `YYYY-MM-DD`; years outside 0000..9999 get a sign and six digits (`-000001-01-01`). */
export function formatDate(date: DateValue): string {
  const year = date.year;
  let yearText: string;
  if (year >= 0 && year <= 9999) yearText = String(year).padStart(4, '0');
  else yearText = (year < 0 ? '-' : '+') + String(Math.abs(year)).padStart(6, '0');
  return `${yearText}-${pad2(date.month)}-${pad2(date.day)}`;
}

/** `HH:MM:SS`, then `.` and the fraction with trailing zeros trimmed when the nanoseconds are not zero. */
export function formatTime(time: TimeValue): string {
  const base = `${pad2(time.hour)}:${pad2(time.minute)}:${pad2(time.second)}`;
  if (time.nano === 0) return base;
  let fraction = String(time.nano).padStart(9, '0');
  let end = fraction.length;
  while (fraction.charCodeAt(end - 1) === 0x30) end--;
  fraction = fraction.slice(0, end);
  return `${base}.${fraction}`;
}

/** `YYYY-MM-DDTHH:MM:SS[.fffffffff]`. */
export function formatDateTime(value: DateTimeValue): string {
  return `${formatDate(value.date)}T${formatTime(value.time)}`;
}
