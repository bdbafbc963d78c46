/**
 * MessagePack's predefined timestamp extension (type -1), for instants with millisecond precision (what a
 * JavaScript `Date` holds). Writing picks the smallest form: timestamp 32 (uint32 seconds) for whole seconds
 * in 0..2^32-1, timestamp 64 (30 bits of nanoseconds over 34 bits of seconds) for seconds in 0..2^34-1, else
 * timestamp 96 (uint32 nanoseconds, then int64 seconds). Reading accepts all three.
 *
 * It is used by the value codec for `Date`; messages do not carry it.
 */
import { ProtocolError } from '../errors/protocol-error.js';
import { MsgPackExtType } from './msgpack-format.js';
import type { MsgPackReader } from './msgpack-reader.js';
import type { MsgPackWriter } from './msgpack-writer.js';

const TWO_POW_32 = 2 ** 32;
const TWO_POW_34 = 2 ** 34;
/** The range of a `Date`: ±8.64e15 ms around the epoch. */
const MAX_DATE_MILLIS = 8.64e15;

const scratch = new Uint8Array(12);
const view = new DataView(scratch.buffer);

/**
 * Writes `millis` (milliseconds since the epoch, an integer within the range of a `Date`) as a timestamp.
 */
export function writeTimestampExt(writer: MsgPackWriter, millis: number): void {
  const seconds = Math.floor(millis / 1000);
  const nanos = (millis - seconds * 1000) * 1_000_000;
  let length: number;
  if (seconds >= 0 && seconds < TWO_POW_34) {
    if (nanos === 0 && seconds < TWO_POW_32) {
      view.setUint32(0, seconds);
      length = 4;
    } else {
      const high = Math.floor(seconds / TWO_POW_32);
      view.setUint32(0, ((nanos << 2) | high) >>> 0);
      view.setUint32(4, seconds - high * TWO_POW_32);
      length = 8;
    }
  } else {
    view.setUint32(0, nanos);
    view.setBigInt64(4, BigInt(seconds));
    length = 12;
  }
  writer.writeExtHeader(MsgPackExtType.TIMESTAMP, length);
  writer.writeRaw(scratch.subarray(0, length));
}

/**
 * Reads the payload of a timestamp whose ext header was just read (`length` bytes) and returns milliseconds
 * since the epoch; nanoseconds below a millisecond are dropped, rounding toward the past.
 * @throws {ProtocolError} `PROTOCOL_ERROR` for a length other than 4, 8 or 12, nanoseconds over
 *   999,999,999, or an instant outside the range of a `Date`.
 */
export function readTimestampExt(reader: MsgPackReader, length: number, field: string): number {
  const at = reader.offset;
  if (length !== 4 && length !== 8 && length !== 12) {
    throw new ProtocolError(
      'PROTOCOL_ERROR',
      `${field}: timestamp at offset ${at} has ${length} bytes, expected 4, 8 or 12`,
    );
  }
  const payload = reader.readRaw(length, field);
  const data = new DataView(payload.buffer, payload.byteOffset, length);
  let seconds: number;
  let nanos: number;
  if (length === 4) {
    seconds = data.getUint32(0);
    nanos = 0;
  } else if (length === 8) {
    const high = data.getUint32(0);
    nanos = high >>> 2;
    seconds = (high & 0x3) * TWO_POW_32 + data.getUint32(4);
  } else {
    nanos = data.getUint32(0);
    const big = data.getBigInt64(4);
    // Far outside a Date's range; the range check below rejects it without losing precision first.
    seconds = big > 10n ** 13n || big < -(10n ** 13n) ? Number.POSITIVE_INFINITY : Number(big);
  }
  if (nanos > 999_999_999) {
    throw new ProtocolError(
      'PROTOCOL_ERROR',
      `${field}: timestamp at offset ${at} has ${nanos} nanoseconds, over 999999999`,
    );
  }
  const millis = seconds * 1000 + Math.floor(nanos / 1_000_000);
  if (!(Math.abs(millis) <= MAX_DATE_MILLIS)) {
    throw new ProtocolError(
      'PROTOCOL_ERROR',
      `${field}: timestamp at offset ${at} is outside the range of a Date`,
    );
  }
  return millis;
}
