/**
 * The DATE and TIME elements of a BinaryTuple (a DATETIME is one then the other), as Ignite 3 packs them:
 * DATE `year << 9 | month << 5 | day` in 3 little-endian bytes; TIME in 4 bytes when its nanoseconds are whole
 * milliseconds, 5 when whole microseconds, else 6.
 *
 * Writing refuses fields the format cannot hold; reading (`readTupleDate`, `readTupleTime`) unpacks the fields
 * without judging them, for the tuple reader and the write path's element checks to judge with the same
 * `dateProblem` / `timeProblem`. It does not check user input (value checks do), grow buffers or keep the
 * offset table (the builder does).
 */
import { ProtocolError } from '../errors/protocol-error.js';
import { dateProblem, timeProblem } from '../schema/temporal-text.js';
import type { DateValue, TimeValue } from '../schema/values.js';

function notEncodable(message: string): ProtocolError {
  return new ProtocolError('VALUE_NOT_ENCODABLE', `BinaryTuple: ${message}`);
}

/**
 * Writes `value` as 3 bytes at `target[at]`, where the caller has made room.
 *
 * @throws ProtocolError `VALUE_NOT_ENCODABLE` for a date outside -16384..16383 or not on the calendar.
 */
export function writeTupleDate(target: Uint8Array, at: number, value: DateValue): void {
  const { year, month, day } = value;
  const problem = dateProblem(year, month, day);
  if (problem !== undefined) throw notEncodable(`not a valid DATE: ${problem}`);
  const date = (year << 9) | (month << 5) | day;
  target[at] = date & 0xff;
  target[at + 1] = (date >> 8) & 0xff;
  target[at + 2] = (date >> 16) & 0xff;
}

/**
 * Writes `value` in 4, 5 or 6 bytes at `view[at]`, where the caller has made room for 6, and returns how many.
 *
 * @throws ProtocolError `VALUE_NOT_ENCODABLE` for fields out of range.
 */
export function writeTupleTime(view: DataView, at: number, value: TimeValue): number {
  const { hour, minute, second, nano } = value;
  const problem = timeProblem(hour, minute, second, nano);
  if (problem !== undefined) throw notEncodable(`not a valid TIME: ${problem}`);
  if (nano % 1000 !== 0) {
    // hour << 42 | minute << 36 | second << 30 | nanos: the low 32 bits, then the high 16.
    view.setUint32(at, (((second & 3) << 30) | nano) >>> 0, true);
    view.setUint16(at + 4, (hour << 10) | (minute << 4) | (second >> 2), true);
    return 6;
  }
  if (nano % 1_000_000 !== 0) {
    // hour << 32 | minute << 26 | second << 20 | micros: the low 32 bits, then the hour byte.
    view.setUint32(at, ((minute << 26) | (second << 20) | (nano / 1000)) >>> 0, true);
    view.setUint8(at + 4, hour);
    return 5;
  }
  view.setUint32(at, (hour << 22) | (minute << 16) | (second << 10) | (nano / 1_000_000), true);
  return 4;
}

/** `year << 9 | month << 5 | day` of the DATE at `bytes[at..at + 3)`, the year sign-extended from 15 bits. */
export function readTupleDate(bytes: Uint8Array, at: number): number {
  return (bytes[at] as number) | ((bytes[at + 1] as number) << 8) | (((bytes[at + 2] as number) << 24) >> 8);
}

/** The year of a packed DATE (see {@link readTupleDate}). */
export function packedDateYear(packed: number): number {
  return packed >> 9;
}

/** The month of a packed DATE: 4 bits, so 0..15 (valid ones are 1..12). */
export function packedDateMonth(packed: number): number {
  return (packed >> 5) & 15;
}

/** The day of a packed DATE: 5 bits, so 0..31. */
export function packedDateDay(packed: number): number {
  return packed & 31;
}

/** The fields of a TIME as {@link readTupleTime} unpacks them (a scratch object the caller reuses). */
export interface TimeFields {
  hour: number;
  minute: number;
  second: number;
  nano: number;
}

/**
 * Unpacks the TIME of `length` bytes (4, 5 or 6) at `bytes[at]` into `out`, unchecked.
 *
 * @returns the bits above the hour that the format leaves unused: not 0 means the element is malformed.
 */
export function readTupleTime(bytes: Uint8Array, at: number, length: number, out: TimeFields): number {
  const low =
    ((bytes[at] as number) |
      ((bytes[at + 1] as number) << 8) |
      ((bytes[at + 2] as number) << 16) |
      ((bytes[at + 3] as number) << 24)) >>>
    0;
  if (length === 4) {
    out.nano = (low & 0x3ff) * 1_000_000;
    out.second = (low >>> 10) & 63;
    out.minute = (low >>> 16) & 63;
    out.hour = (low >>> 22) & 31;
    return low >>> 27;
  }
  if (length === 5) {
    const high = bytes[at + 4] as number;
    out.nano = (low & 0xfffff) * 1000;
    out.second = (low >>> 20) & 63;
    out.minute = low >>> 26;
    out.hour = high & 31;
    return high >>> 5;
  }
  const high = (bytes[at + 4] as number) | ((bytes[at + 5] as number) << 8);
  out.nano = low & 0x3fffffff;
  out.second = (low >>> 30) | ((high & 15) << 2);
  out.minute = (high >>> 4) & 63;
  out.hour = (high >>> 10) & 31;
  return high >>> 15;
}
