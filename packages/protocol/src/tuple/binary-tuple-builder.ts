/**
 * Writes BinaryTuples byte for byte as Ignite 3's `BinaryTupleBuilder` does, so our tuples (and the colocation
 * hashes and partitions that follow from them) match a real cluster's.
 *
 * Value rules (all little-endian unless said otherwise): integers in the smallest signed width that holds them
 * (zero is one `00` byte); FLOAT 4 bytes; DOUBLE 4 bytes when it survives a round trip through a float, else 8
 * (NaN is 8); DECIMAL a 2-byte scale then the minimal big-endian two's complement unscaled value, after
 * rounding HALF_UP to the column scale and stripping trailing zeros while the scale fits in 16 bits; STRING
 * UTF-8; BYTES raw; an empty STRING or BYTES is the single byte `80`, and BYTES starting with `80` get one
 * more `80` in front; UUID the most significant half as an int64 then the least; DATE 3 bytes; TIME 4, 5 or 6
 * bytes; DATETIME DATE then TIME; TIMESTAMP int64 seconds, then int32 nanos only when not zero. The offset
 * table always uses the smallest entry size.
 *
 * One builder is meant to be reused across rows: `reset()`, append every element, `build()`. It grows its
 * buffers as needed and keeps them. It does not know the schema: the caller appends the right number of
 * elements in the right order, with the append method of each column's type. Values are expected in internal
 * form (see `values.ts`), already checked; a value the format cannot represent is a `ProtocolError`
 * (`VALUE_NOT_ENCODABLE`), never a silently wrong tuple. An INT64 or a TIMESTAMP can also be given as plain
 * numbers (`appendInt64Number`, `appendTimestampParts`), for a caller that has not built the bigint.
 */
import { ProtocolError } from '../errors/protocol-error.js';
import { encodeUtf8Into } from '../msgpack/utf8.js';
import type {
  DateTimeValue,
  DateValue,
  DecimalValue,
  InstantValue,
  TimeValue,
  UuidValue,
} from '../schema/values.js';
import { BinaryTupleFormat, offsetSizeLog2 } from './binary-tuple-format.js';
import { decimalForTuple, twosComplementLength, writeTwosComplement } from './decimal-tuple-form.js';
import { writeTupleDate, writeTupleTime } from './temporal-tuple-form.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INT32_MIN_BIG = -2147483648n;
const INT32_MAX_BIG = 2147483647n;
const SHORT_MIN = -32768;
const SHORT_MAX = 32767;
const TWO_POW_32 = 2 ** 32;
/** The widest offset-table entry, in bytes. */
const MAX_ENTRY_SIZE = 4;
/** Up to this many bytes, `buildInto` copies with a loop rather than through a subarray view. */
const SHORT_COPY = 128;

const HEADER_SIZE = BinaryTupleFormat.headerSize;
const VARLEN_EMPTY_BYTE = BinaryTupleFormat.varlenEmptyByte;

function notEncodable(message: string): ProtocolError {
  return new ProtocolError('VALUE_NOT_ENCODABLE', `BinaryTuple: ${message}`);
}

/** A reusable writer of BinaryTuples. */
export class BinaryTupleBuilder {
  /**
   * The tuple being written: a gap of `#base` bytes, then the value area up to `#pos`. The gap has room for the
   * header and offset table of as many elements as the largest tuple so far, so `build()` can write them just
   * before the values and copy the whole tuple out at once.
   */
  #values: Uint8Array;
  #view: DataView;
  #base = 0;
  #pos = 0;
  /** End offset of each element appended so far, relative to the value area. */
  #ends: Int32Array;
  #count = 0;

  /**
   * @param initialCapacity bytes reserved for the value area at first (default 256); it doubles as needed.
   */
  constructor(initialCapacity = 256) {
    this.#values = new Uint8Array(Math.max(16, initialCapacity));
    this.#view = new DataView(this.#values.buffer);
    this.#ends = new Int32Array(16);
  }

  /** The number of elements appended since the last `reset()`. */
  get elementCount(): number {
    return this.#count;
  }

  /** Forgets every element, keeping the buffers, so the builder can write the next tuple. */
  reset(): this {
    const room = HEADER_SIZE + MAX_ENTRY_SIZE * this.#count;
    if (room > this.#base) this.#base = room;
    this.#pos = this.#base;
    this.#count = 0;
    this.#ensure(0);
    return this;
  }

  /** Appends a NULL: a zero-length element. */
  appendNull(): this {
    return this.#proceed();
  }

  /** Appends a BOOLEAN: one byte, `01` or `00`. */
  appendBoolean(value: boolean): this {
    this.#ensure(1);
    this.#values[this.#pos++] = value ? 1 : 0;
    return this.#proceed();
  }

  /**
   * Appends an INT8, INT16 or INT32 in the smallest width that holds it (1, 2 or 4 bytes).
   *
   * @throws ProtocolError `VALUE_NOT_ENCODABLE` when `value` is not an integer in the int32 range.
   */
  appendInt(value: number): this {
    if ((value | 0) !== value) {
      throw notEncodable(`${String(value)} is not a 32-bit integer`);
    }
    this.#putSmallInt(value | 0);
    return this.#proceed();
  }

  /**
   * Appends an INT64 in the smallest width that holds it (1, 2, 4 or 8 bytes).
   *
   * @throws ProtocolError `VALUE_NOT_ENCODABLE` when `value` is outside the int64 range.
   */
  appendInt64(value: bigint): this {
    if (value >= INT32_MIN_BIG && value <= INT32_MAX_BIG) {
      this.#putSmallInt(Number(value));
    } else {
      if (value < INT64_MIN || value > INT64_MAX) throw notEncodable(`${value} is outside the int64 range`);
      this.#ensure(8);
      this.#view.setBigInt64(this.#pos, value, true);
      this.#pos += 8;
    }
    return this.#proceed();
  }

  /**
   * Appends an INT64 given as a safe-integer number: the same bytes as `appendInt64(BigInt(value))`, without
   * the bigint (1, 2 or 4 bytes in the int32 range, else 8 computed from the number's 32-bit halves).
   *
   * @throws ProtocolError `VALUE_NOT_ENCODABLE` when `value` is not a safe integer.
   */
  appendInt64Number(value: number): this {
    if ((value | 0) === value) {
      this.#putSmallInt(value | 0);
    } else {
      if (!Number.isSafeInteger(value)) throw notEncodable(`${String(value)} is not a safe integer`);
      this.#ensure(8);
      this.#putInt64Number(value);
    }
    return this.#proceed();
  }

  /** Appends a FLOAT: always 4 bytes (the value is rounded to 32 bits). */
  appendFloat(value: number): this {
    this.#ensure(4);
    this.#view.setFloat32(this.#pos, value, true);
    this.#pos += 4;
    return this.#proceed();
  }

  /** Appends a DOUBLE: 4 bytes when it survives a round trip through a float (NaN does not), else 8. */
  appendDouble(value: number): this {
    if (Math.fround(value) === value) return this.appendFloat(value);
    this.#ensure(8);
    this.#view.setFloat64(this.#pos, value, true);
    this.#pos += 8;
    return this.#proceed();
  }

  /**
   * Appends a DECIMAL of a column with scale `columnScale`: rounded HALF_UP to that scale if it has more
   * digits, trailing zeros stripped while the scale fits in 16 bits (`100` is scale -2, unscaled `01`), then a
   * 2-byte scale and the minimal big-endian two's complement unscaled value.
   *
   * @throws ProtocolError `VALUE_NOT_ENCODABLE` when the scale cannot fit in 16 bits.
   */
  appendDecimal(value: DecimalValue, columnScale: number): this {
    const decimal = decimalForTuple(value, columnScale);
    const length = twosComplementLength(decimal.unscaled);
    this.#ensure(2 + length);
    this.#view.setInt16(this.#pos, decimal.scale, true);
    writeTwosComplement(this.#values, this.#pos + 2, decimal.unscaled, length);
    this.#pos += 2 + length;
    return this.#proceed();
  }

  /**
   * Appends a STRING as UTF-8 (the empty string as the single byte `80`). A lone surrogate is written as
   * U+FFFD; value checks reject such strings before they get here, as Ignite's encoder would.
   */
  appendString(value: string): this {
    if (value.length === 0) return this.#putEmptyVarlen();
    this.#ensure(value.length * 3);
    this.#pos += encodeUtf8Into(value, this.#values, this.#pos);
    return this.#proceed();
  }

  /** Appends BYTES as they are, with a `80` in front when they are empty or start with `80`. */
  appendBytes(value: Uint8Array): this {
    if (value.length === 0) return this.#putEmptyVarlen();
    const prefixed = value[0] === VARLEN_EMPTY_BYTE ? 1 : 0;
    this.#ensure(value.length + prefixed);
    if (prefixed === 1) this.#values[this.#pos++] = VARLEN_EMPTY_BYTE;
    this.#values.set(value, this.#pos);
    this.#pos += value.length;
    return this.#proceed();
  }

  /** Appends a UUID: the most significant half as a little-endian int64, then the least significant half. */
  appendUuid(value: UuidValue): this {
    this.#ensure(16);
    this.#view.setBigInt64(this.#pos, value.msb, true);
    this.#view.setBigInt64(this.#pos + 8, value.lsb, true);
    this.#pos += 16;
    return this.#proceed();
  }

  /**
   * Appends a DATE: `year << 9 | month << 5 | day` as an int16 of the low 16 bits, then one byte of bits 16-23.
   *
   * @throws ProtocolError `VALUE_NOT_ENCODABLE` for a date outside -16384..16383 or not on the calendar.
   */
  appendDate(value: DateValue): this {
    this.#putDate(value);
    return this.#proceed();
  }

  /**
   * Appends a TIME in 4 bytes when its nanoseconds are whole milliseconds, 5 when whole microseconds, else 6.
   *
   * @throws ProtocolError `VALUE_NOT_ENCODABLE` for fields out of range.
   */
  appendTime(value: TimeValue): this {
    this.#putTime(value);
    return this.#proceed();
  }

  /** Appends a DATETIME: the DATE bytes, then the TIME bytes (7, 8 or 9 in all). */
  appendDateTime(value: DateTimeValue): this {
    this.#putDate(value.date);
    this.#putTime(value.time);
    return this.#proceed();
  }

  /**
   * Appends a TIMESTAMP: int64 epoch seconds, then int32 nanoseconds only when they are not zero (8 or 12 bytes).
   *
   * @throws ProtocolError `VALUE_NOT_ENCODABLE` for seconds outside int64 or nanoseconds outside 0..999,999,999.
   */
  appendTimestamp(value: InstantValue): this {
    const { seconds, nanos } = value;
    if (seconds < INT64_MIN || seconds > INT64_MAX) throw notEncodable(`${seconds} seconds is outside int64`);
    if (!Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) {
      throw notEncodable(`${String(nanos)} nanoseconds is outside 0..999999999`);
    }
    this.#ensure(12);
    this.#view.setBigInt64(this.#pos, seconds, true);
    this.#pos += 8;
    if (nanos !== 0) {
      this.#view.setInt32(this.#pos, nanos, true);
      this.#pos += 4;
    }
    return this.#proceed();
  }

  /**
   * Appends a TIMESTAMP given as safe-integer epoch seconds and nanoseconds: the same bytes as
   * `appendTimestamp({ seconds: BigInt(seconds), nanos })`, without the bigint or the object.
   *
   * @throws ProtocolError `VALUE_NOT_ENCODABLE` for seconds that are not a safe integer or nanoseconds
   *   outside 0..999,999,999.
   */
  appendTimestampParts(seconds: number, nanos: number): this {
    if (!Number.isSafeInteger(seconds))
      throw notEncodable(`${String(seconds)} seconds is not a safe integer`);
    if (!Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) {
      throw notEncodable(`${String(nanos)} nanoseconds is outside 0..999999999`);
    }
    this.#ensure(12);
    this.#putInt64Number(seconds);
    if (nanos !== 0) {
      this.#view.setInt32(this.#pos, nanos, true);
      this.#pos += 4;
    }
    return this.#proceed();
  }

  /** The size in bytes of the tuple that `build()` would return now. */
  get byteLength(): number {
    const valueSize = this.#pos - this.#base;
    return HEADER_SIZE + (this.#count << offsetSizeLog2(valueSize)) + valueSize;
  }

  /**
   * The tuple of the elements appended since the last `reset()`, in a new array the caller owns, with the
   * smallest offset-entry size for its value area. The builder keeps its content until `reset()`.
   */
  build(): Uint8Array {
    const valueSize = this.#pos - this.#base;
    const sizeLog2 = offsetSizeLog2(valueSize);
    const start = this.#base - HEADER_SIZE - (this.#count << sizeLog2);
    if (start >= 0) {
      // One allocation and one copy: cheaper than a new array filled in two steps for a row-sized tuple.
      this.#writeTable(this.#values, start, sizeLog2);
      return this.#values.slice(start, this.#pos);
    }
    const out = new Uint8Array(HEADER_SIZE + (this.#count << sizeLog2) + valueSize);
    out.set(this.#values.subarray(this.#base, this.#pos), this.#writeTable(out, 0, sizeLog2));
    return out;
  }

  /**
   * Writes the tuple `build()` would return into `target` at `offset` (for a caller that frames it in a larger
   * buffer without an intermediate copy) and returns the number of bytes written, `byteLength`.
   *
   * @throws ProtocolError `VALUE_NOT_ENCODABLE` when `target` has less than `byteLength` bytes after `offset`.
   */
  buildInto(target: Uint8Array, offset: number): number {
    const valueSize = this.#pos - this.#base;
    const sizeLog2 = offsetSizeLog2(valueSize);
    const length = HEADER_SIZE + (this.#count << sizeLog2) + valueSize;
    if (!(offset >= 0 && offset + length <= target.length)) {
      throw notEncodable(`a ${length}-byte tuple does not fit at offset ${offset} of ${target.length} bytes`);
    }
    const start = this.#base - HEADER_SIZE - (this.#count << sizeLog2);
    if (start >= 0 && length <= SHORT_COPY) {
      // A row-sized tuple: header and table written in place, then one byte loop (no subarray view per row).
      const values = this.#values;
      this.#writeTable(values, start, sizeLog2);
      for (let i = 0; i < length; i++) target[offset + i] = values[start + i] as number;
      return length;
    }
    target.set(this.#values.subarray(this.#base, this.#pos), this.#writeTable(target, offset, sizeLog2));
    return length;
  }

  /**
   * Writes the header and the offset table (`1 << sizeLog2`-byte entries) at `target[offset]`, where the caller
   * has made room, and returns where the value area starts.
   */
  #writeTable(target: Uint8Array, offset: number, sizeLog2: 0 | 1 | 2): number {
    const count = this.#count;
    const ends = this.#ends;
    target[offset] = sizeLog2;
    let at = offset + HEADER_SIZE;
    if (sizeLog2 === 0) {
      for (let i = 0; i < count; i++) target[at++] = ends[i] as number;
    } else if (sizeLog2 === 1) {
      for (let i = 0; i < count; i++) {
        const end = ends[i] as number;
        target[at++] = end & 0xff;
        target[at++] = end >>> 8;
      }
    } else {
      for (let i = 0; i < count; i++) {
        const end = ends[i] as number;
        target[at++] = end & 0xff;
        target[at++] = (end >>> 8) & 0xff;
        target[at++] = (end >>> 16) & 0xff;
        target[at++] = end >>> 24;
      }
    }
    return at;
  }

  #proceed(): this {
    if (this.#count === this.#ends.length) {
      const grown = new Int32Array(this.#ends.length * 2);
      grown.set(this.#ends);
      this.#ends = grown;
    }
    this.#ends[this.#count++] = this.#pos - this.#base;
    return this;
  }

  #ensure(bytes: number): void {
    const needed = this.#pos + bytes;
    if (needed <= this.#values.length) return;
    let capacity = this.#values.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.#values.subarray(0, this.#pos));
    this.#values = grown;
    this.#view = new DataView(grown.buffer);
  }

  #putEmptyVarlen(): this {
    this.#ensure(1);
    this.#values[this.#pos++] = VARLEN_EMPTY_BYTE;
    return this.#proceed();
  }

  /** A safe integer as 8 little-endian two's complement bytes, from its 32-bit halves; room is ensured. */
  #putInt64Number(value: number): void {
    // floor keeps the low half in 0..2^32-1 for negative values too, so high * 2^32 + low is exact.
    const high = Math.floor(value / TWO_POW_32);
    this.#view.setUint32(this.#pos, value - high * TWO_POW_32, true);
    this.#view.setInt32(this.#pos + 4, high, true);
    this.#pos += 8;
  }

  /** A 32-bit integer in 1, 2 or 4 little-endian bytes, whichever is the smallest that holds it. */
  #putSmallInt(value: number): void {
    this.#ensure(4);
    const values = this.#values;
    let pos = this.#pos;
    values[pos++] = value & 0xff;
    if (value < -128 || value > 127) {
      values[pos++] = (value >> 8) & 0xff;
      if (value < SHORT_MIN || value > SHORT_MAX) {
        values[pos++] = (value >> 16) & 0xff;
        values[pos++] = (value >> 24) & 0xff;
      }
    }
    this.#pos = pos;
  }

  #putDate(value: DateValue): void {
    this.#ensure(3);
    writeTupleDate(this.#values, this.#pos, value);
    this.#pos += 3;
  }

  #putTime(value: TimeValue): void {
    this.#ensure(6);
    this.#pos += writeTupleTime(this.#view, this.#pos, value);
  }
}
