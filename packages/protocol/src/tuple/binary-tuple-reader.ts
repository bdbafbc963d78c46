/**
 * Reads BinaryTuples as Ignite 3's `BinaryTupleParser` / `BinaryTupleReader` do: 1-, 2- and 4-byte offset
 * tables (header bits 0-1), header bit 2 and the prefix and equality bits ignored, NULL as a zero-length
 * element, every width Ignite accepts for a type (an INT64 in 1, 2, 4 or 8 bytes, a DOUBLE in 4 or 8, ...),
 * and DECIMALs brought back to the column's scale.
 *
 * It trusts nothing: the constructor checks the offset table against the bytes (entries in order, the last
 * one ending exactly at the end of the bytes), and each typed read checks the element's length and fields
 * (a month 13, a time with 61 seconds, a DECIMAL with digits below the column scale). Anything wrong is a
 * `ProtocolError` with code `PROTOCOL_ERROR`, never a `RangeError` or a garbage value. It is stricter than
 * Ignite in two ways that no Ignite writer can trip: it refuses trailing bytes after the last element and
 * unused bits set in TIME values.
 *
 * A reader can be pointed at the next tuple with `reset()`, so decoding many rows needs one reader. It does not
 * know the schema: the caller reads each element with the method of its column's type.
 */
import { ProtocolError } from '../errors/protocol-error.js';
import { decodeUtf8 } from '../msgpack/utf8.js';
import { pow10 } from '../schema/decimal-math.js';
import { dateProblem, timeProblem } from '../schema/temporal-text.js';
import type {
  DateTimeValue,
  DateValue,
  DecimalValue,
  InstantValue,
  TimeValue,
  UuidValue,
} from '../schema/values.js';
import { BinaryTupleFormat, offsetEntry } from './binary-tuple-format.js';
import {
  packedDateDay,
  packedDateMonth,
  packedDateYear,
  readTupleDate,
  readTupleTime,
  type TimeFields,
} from './temporal-tuple-form.js';

const HEADER_SIZE = BinaryTupleFormat.headerSize;
const VARLEN_EMPTY_BYTE = BinaryTupleFormat.varlenEmptyByte;
const TWO_POW_32 = 4294967296;

/**
 * Scratch space for floats: the element's bytes are copied here and read through one long-lived DataView,
 * because creating a DataView per tuple costs more than copying 4 or 8 bytes.
 */
const scratchBytes = new Uint8Array(8);
const scratchView = new DataView(scratchBytes.buffer);
/** The fields of the TIME being read, before they are checked and copied into the value returned. */
const timeScratch: TimeFields = { hour: 0, minute: 0, second: 0, nano: 0 };

function malformed(message: string): ProtocolError {
  return new ProtocolError('PROTOCOL_ERROR', `BinaryTuple: ${message}`);
}

/** A reader over one BinaryTuple of a known element count. */
export class BinaryTupleReader {
  #bytes: Uint8Array = new Uint8Array(1);
  #count = 0;
  #entrySize = 1;
  #valueBase = 1;
  /** Absolute bounds of the element last located by `#locate`. */
  #begin = 0;
  #end = 0;

  /**
   * @param bytes the tuple, exactly (no trailing bytes).
   * @param elementCount the number of elements the schema says it holds.
   * @throws ProtocolError `PROTOCOL_ERROR` when the header or offset table does not fit the bytes.
   */
  constructor(bytes: Uint8Array, elementCount: number) {
    this.reset(bytes, elementCount);
  }

  /**
   * Points the reader at another tuple.
   *
   * @throws ProtocolError `PROTOCOL_ERROR` when the header or offset table does not fit the bytes; the reader
   *   then reads nothing until the next successful `reset()`.
   */
  reset(bytes: Uint8Array, elementCount: number): this {
    this.#count = 0;
    if (!Number.isInteger(elementCount) || elementCount < 0) {
      throw malformed(`element count ${String(elementCount)} is not a non-negative integer`);
    }
    if (bytes.length < HEADER_SIZE) throw malformed('no header byte');
    const sizeLog2 = (bytes[0] as number) & BinaryTupleFormat.offsetSizeMask;
    if (sizeLog2 === 3) throw malformed('8-byte offset entries are not supported');
    const entrySize = 1 << sizeLog2;
    const valueBase = HEADER_SIZE + elementCount * entrySize;
    if (bytes.length < valueBase) {
      throw malformed(
        `${bytes.length} bytes cannot hold an offset table of ${elementCount} ${entrySize}-byte entries`,
      );
    }
    this.#bytes = bytes;
    this.#entrySize = entrySize;
    this.#valueBase = valueBase;
    const valueSize = bytes.length - valueBase;
    let previous = 0;
    for (let i = 0; i < elementCount; i++) {
      const end = this.#offset(i);
      if (end < previous) throw malformed(`element ${i} ends at ${end}, before its start ${previous}`);
      if (end > valueSize)
        throw malformed(`element ${i} ends at ${end}, past the ${valueSize}-byte value area`);
      previous = end;
    }
    if (previous !== valueSize) {
      throw malformed(`the elements end at ${previous} but the value area has ${valueSize} bytes`);
    }
    this.#count = elementCount;
    return this;
  }

  /** The number of elements. */
  get elementCount(): number {
    return this.#count;
  }

  /** Whether element `index` is NULL (zero-length). */
  isNull(index: number): boolean {
    return this.#locate(index) === 0;
  }

  /** A BOOLEAN: one byte, `00` or `01`. */
  booleanValue(index: number): boolean | null {
    const length = this.#locate(index);
    if (length === 0) return null;
    this.#expectLength(index, 'BOOLEAN', length === 1);
    const byte = this.#bytes[this.#begin] as number;
    if (byte > 1) throw malformed(`element ${index} (BOOLEAN) holds ${byte}, expected 0 or 1`);
    return byte === 1;
  }

  /** An INT8: one byte. */
  int8Value(index: number): number | null {
    const length = this.#locate(index);
    if (length === 0) return null;
    this.#expectLength(index, 'INT8', length === 1);
    return this.#intLE(length);
  }

  /** An INT16: 1 or 2 bytes. */
  int16Value(index: number): number | null {
    const length = this.#locate(index);
    if (length === 0) return null;
    this.#expectLength(index, 'INT16', length === 1 || length === 2);
    return this.#intLE(length);
  }

  /** An INT32: 1, 2 or 4 bytes. */
  int32Value(index: number): number | null {
    const length = this.#locate(index);
    if (length === 0) return null;
    this.#expectLength(index, 'INT32', length === 1 || length === 2 || length === 4);
    return this.#intLE(length);
  }

  /** An INT64: 1, 2, 4 or 8 bytes. */
  int64Value(index: number): bigint | null {
    const length = this.#locate(index);
    if (length === 0) return null;
    if (length === 8) return this.#int64LE(this.#begin);
    this.#expectLength(index, 'INT64', length === 1 || length === 2 || length === 4);
    return BigInt(this.#intLE(length));
  }

  /**
   * The INT64 at `index` as its two 32-bit words, without a bigint: `out[0]` the high word (signed), `out[1]`
   * the low word's bits. False for NULL (`out` untouched).
   */
  int64Words(index: number, out: Int32Array): boolean {
    const length = this.#locate(index);
    if (length === 0) return false;
    if (length === 8) {
      out[1] = this.#int32At(this.#begin);
      out[0] = this.#int32At(this.#begin + 4);
      return true;
    }
    this.#expectLength(index, 'INT64', length === 1 || length === 2 || length === 4);
    const value = this.#intLE(length);
    out[0] = value < 0 ? -1 : 0;
    out[1] = value;
    return true;
  }

  /** A FLOAT: 4 bytes. */
  floatValue(index: number): number | null {
    const length = this.#locate(index);
    if (length === 0) return null;
    this.#expectLength(index, 'FLOAT', length === 4);
    return this.#float32(this.#begin);
  }

  /** A DOUBLE: 4 bytes (a float) or 8. */
  doubleValue(index: number): number | null {
    const length = this.#locate(index);
    if (length === 0) return null;
    if (length === 4) return this.#float32(this.#begin);
    this.#expectLength(index, 'DOUBLE', length === 8);
    scratchBytes.set(this.#bytes.subarray(this.#begin, this.#begin + 8));
    return scratchView.getFloat64(0, true);
  }

  /**
   * A DECIMAL of a column with scale `columnScale`, at that scale: a 2-byte scale, then at least one byte of
   * big-endian two's complement unscaled value.
   *
   * @throws ProtocolError `PROTOCOL_ERROR` also when the stored value has non-zero digits below the column
   *   scale (Ignite's `setScale(scale, UNNECESSARY)` fails the same way).
   */
  decimalValue(index: number, columnScale: number): DecimalValue | null {
    const length = this.#locate(index);
    if (length === 0) return null;
    this.#expectLength(index, 'DECIMAL', length >= 3);
    const begin = this.#begin;
    const bytes = this.#bytes;
    const storedScale = (((bytes[begin] as number) | ((bytes[begin + 1] as number) << 8)) << 16) >> 16;
    const unscaled = this.#bigEndianTwosComplement(begin + 2, this.#end);
    const diff = columnScale - storedScale;
    if (diff === 0) return { unscaled, scale: columnScale };
    if (diff > 0) return { unscaled: unscaled * pow10(diff), scale: columnScale };
    const divisor = pow10(-diff);
    if (unscaled % divisor !== 0n) {
      throw malformed(`element ${index} (DECIMAL) has digits below the column scale ${columnScale}`);
    }
    return { unscaled: unscaled / divisor, scale: columnScale };
  }

  /** A STRING: UTF-8, a leading `80` dropped (the empty string is the single byte `80`). */
  stringValue(index: number): string | null {
    const length = this.#locate(index);
    if (length === 0) return null;
    let begin = this.#begin;
    if (this.#bytes[begin] === VARLEN_EMPTY_BYTE) begin++;
    const text = decodeUtf8(this.#bytes, begin, this.#end);
    if (text === undefined) throw malformed(`element ${index} (STRING) is not valid UTF-8`);
    return text;
  }

  /** BYTES, in a new array the caller owns: a leading `80` dropped. */
  bytesValue(index: number): Uint8Array | null {
    const length = this.#locate(index);
    if (length === 0) return null;
    let begin = this.#begin;
    if (this.#bytes[begin] === VARLEN_EMPTY_BYTE) begin++;
    return this.#bytes.slice(begin, this.#end);
  }

  /** A UUID: 16 bytes, the most significant half first, each a little-endian int64. */
  uuidValue(index: number): UuidValue | null {
    const length = this.#locate(index);
    if (length === 0) return null;
    this.#expectLength(index, 'UUID', length === 16);
    return { msb: this.#int64LE(this.#begin), lsb: this.#int64LE(this.#begin + 8) };
  }

  /** A DATE: 3 bytes. */
  dateValue(index: number): DateValue | null {
    const length = this.#locate(index);
    if (length === 0) return null;
    this.#expectLength(index, 'DATE', length === 3);
    return this.#date(index, this.#begin);
  }

  /** A TIME: 4, 5 or 6 bytes. */
  timeValue(index: number): TimeValue | null {
    const length = this.#locate(index);
    if (length === 0) return null;
    this.#expectLength(index, 'TIME', length >= 4 && length <= 6);
    return this.#time(index, this.#begin, length);
  }

  /** A DATETIME: 3 bytes of DATE, then 4, 5 or 6 of TIME. */
  dateTimeValue(index: number): DateTimeValue | null {
    const length = this.#locate(index);
    if (length === 0) return null;
    this.#expectLength(index, 'DATETIME', length >= 7 && length <= 9);
    const begin = this.#begin;
    return { date: this.#date(index, begin), time: this.#time(index, begin + 3, length - 3) };
  }

  /** A TIMESTAMP: int64 epoch seconds, then optionally int32 nanoseconds (8 or 12 bytes). */
  timestampValue(index: number): InstantValue | null {
    const length = this.#locate(index);
    if (length === 0) return null;
    this.#expectLength(index, 'TIMESTAMP', length === 8 || length === 12);
    const seconds = this.#int64LE(this.#begin);
    const nanos = length === 8 ? 0 : this.#int32At(this.#begin + 8);
    if (nanos < 0 || nanos > 999_999_999) {
      throw malformed(`element ${index} (TIMESTAMP) has ${nanos} nanoseconds, outside 0..999999999`);
    }
    return { seconds, nanos };
  }

  /** The end offset stored in entry `index` of the offset table. */
  #offset(index: number): number {
    return offsetEntry(this.#bytes, this.#entrySize, index);
  }

  /** Sets `#begin` / `#end` to element `index` and returns its length. */
  #locate(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.#count) {
      throw malformed(`element ${String(index)} does not exist (the tuple has ${this.#count})`);
    }
    const base = this.#valueBase;
    this.#begin = base + (index === 0 ? 0 : this.#offset(index - 1));
    this.#end = base + this.#offset(index);
    return this.#end - this.#begin;
  }

  #expectLength(index: number, type: string, ok: boolean): void {
    if (!ok)
      throw malformed(`element ${index} (${type}) has an invalid length of ${this.#end - this.#begin} bytes`);
  }

  #float32(at: number): number {
    scratchBytes.set(this.#bytes.subarray(at, at + 4));
    return scratchView.getFloat32(0, true);
  }

  /** A signed little-endian int32 at `at`. */
  #int32At(at: number): number {
    const bytes = this.#bytes;
    return (
      (bytes[at] as number) |
      ((bytes[at + 1] as number) << 8) |
      ((bytes[at + 2] as number) << 16) |
      ((bytes[at + 3] as number) << 24)
    );
  }

  /** A signed little-endian int64 at `at`; through a double when it is exact there (the common case). */
  #int64LE(at: number): bigint {
    const low = this.#int32At(at) >>> 0;
    const high = this.#int32At(at + 4);
    if (high >= -0x200000 && high < 0x200000) return BigInt(high * TWO_POW_32 + low);
    return (BigInt(high) << 32n) | BigInt(low);
  }

  /** A signed little-endian integer of 1, 2 or 4 bytes at `#begin`. */
  #intLE(length: number): number {
    const bytes = this.#bytes;
    const at = this.#begin;
    const b0 = bytes[at] as number;
    if (length === 1) return (b0 << 24) >> 24;
    const b1 = bytes[at + 1] as number;
    if (length === 2) return ((b0 | (b1 << 8)) << 16) >> 16;
    return b0 | (b1 << 8) | ((bytes[at + 2] as number) << 16) | ((bytes[at + 3] as number) << 24);
  }

  /** A big-endian two's complement integer in `[begin, end)`, as Java's `new BigInteger(bytes)`. */
  #bigEndianTwosComplement(begin: number, end: number): bigint {
    const bytes = this.#bytes;
    const length = end - begin;
    if (length <= 6) {
      // Up to 48 bits: exact in a double.
      let n = ((bytes[begin] as number) << 24) >> 24;
      for (let i = begin + 1; i < end; i++) n = n * 256 + (bytes[i] as number);
      return BigInt(n);
    }
    let hex = '0x';
    for (let i = begin; i < end; i++) hex += (bytes[i] as number).toString(16).padStart(2, '0');
    return BigInt.asIntN(length * 8, BigInt(hex));
  }

  #date(index: number, at: number): DateValue {
    const packed = readTupleDate(this.#bytes, at);
    const year = packedDateYear(packed);
    const month = packedDateMonth(packed);
    const day = packedDateDay(packed);
    const problem = dateProblem(year, month, day);
    if (problem !== undefined) throw malformed(`element ${index} is not a valid date: ${problem}`);
    return { year, month, day };
  }

  #time(index: number, at: number, length: number): TimeValue {
    const fields = timeScratch;
    const unusedBits = readTupleTime(this.#bytes, at, length, fields);
    const { hour, minute, second, nano } = fields;
    const problem =
      unusedBits !== 0 ? `unused bits are set (${unusedBits})` : timeProblem(hour, minute, second, nano);
    if (problem !== undefined) throw malformed(`element ${index} is not a valid time: ${problem}`);
    return { hour, minute, second, nano };
  }
}
