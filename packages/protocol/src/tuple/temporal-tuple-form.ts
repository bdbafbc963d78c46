/**
 * The DATE and TIME elements of a BinaryTuple (a DATETIME is one then the other), as Ignite 3 packs them:
 * DATE `year << 9 | month << 5 | day` in 3 little-endian bytes; TIME in 4 bytes when its nanoseconds are whole
 * milliseconds, 5 when whole microseconds, else 6.
 *
 * It does not check user input (value checks do) but refuses fields the format cannot hold; it does not grow
 * buffers or keep the offset table (the builder does).
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
