/**
 * `MsgPackWriter`: appends MessagePack values to one growable buffer that is reused from message to message.
 *
 * Integers go out in their most compact form, as Ignite 3's `ClientMessagePacker` writes them (non-negative
 * values as positive fixint / uint8 / uint16 / uint32 / uint64, negative ones as negative fixint / int8 /
 * int16 / int32 / int64); string, bin, array, map and ext headers are the smallest that fit. The writer also
 * has the extension types this protocol uses (UUID, BITMASK, MessagePack's timestamp) and a way to reserve
 * bytes and patch them later (for a frame's length prefix).
 *
 * It does not know about messages or frames, and it does not validate what a caller writes beyond what the
 * format needs (an integer must be an integer, a length must fit). Bad arguments are a
 * `ProtocolError('INVALID_ARGUMENT')` that names the field.
 */
import { ProtocolError } from '../errors/protocol-error.js';
import { bitmaskTrimmedLength } from './bitmask.js';
import { MsgPackFormat as F, MsgPackExtType } from './msgpack-format.js';
import { encodeUtf8Into } from './utf8.js';
import { isUuidText, writeUuidBytes } from './uuid-bytes.js';

const TWO_POW_32 = 2 ** 32;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

export interface MsgPackWriterOptions {
  /** Bytes allocated up front; the buffer doubles whenever it is full. Default 256. */
  readonly initialCapacity?: number;
}

/**
 * Appends MessagePack values to a growable buffer. Call {@link MsgPackWriter.reset} to start the next
 * message in the same buffer.
 *
 * @example
 * const writer = new MsgPackWriter();
 * writer.writeInt(62);
 * writer.writeString('TrackEvents');
 * const bytes = writer.toBytes(); // a copy the caller owns
 */
export class MsgPackWriter {
  #buffer: Uint8Array;
  #view: DataView;
  #length = 0;

  constructor(options: MsgPackWriterOptions = {}) {
    const capacity = options.initialCapacity ?? 256;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new ProtocolError(
        'INVALID_ARGUMENT',
        `initialCapacity: expected a positive integer, got ${String(capacity)}`,
      );
    }
    this.#buffer = new Uint8Array(capacity);
    this.#view = new DataView(this.#buffer.buffer);
  }

  /** Bytes written since the last reset. */
  get length(): number {
    return this.#length;
  }

  /** Forgets what was written; the buffer is kept for the next message. */
  reset(): void {
    this.#length = 0;
  }

  /**
   * Drops everything written after the first `length` bytes (to undo a value or frame that failed halfway).
   * @throws {ProtocolError} `INVALID_ARGUMENT` when `length` is not in 0..{@link MsgPackWriter.length}.
   */
  rewind(length: number): void {
    if (!Number.isInteger(length) || length < 0 || length > this.#length) {
      throw new ProtocolError('INVALID_ARGUMENT', `rewind: ${length} is not in 0..${this.#length}`);
    }
    this.#length = length;
  }

  /**
   * The bytes written so far, as a view of the internal buffer: valid only until the next write or reset.
   * Use {@link MsgPackWriter.toBytes} for bytes that outlive the writer's next use.
   */
  view(): Uint8Array {
    return this.#buffer.subarray(0, this.#length);
  }

  /** A copy of the bytes written so far, owned by the caller. */
  toBytes(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }

  /** Makes room for `extra` more bytes, growing (doubling) the buffer if needed. */
  #ensure(extra: number): void {
    const needed = this.#length + extra;
    if (needed <= this.#buffer.length) return;
    let capacity = this.#buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
    this.#view = new DataView(grown.buffer);
  }

  #byte(value: number): void {
    this.#ensure(1);
    this.#buffer[this.#length++] = value;
  }

  #byteAnd8(format: number, value: number): void {
    this.#ensure(2);
    this.#buffer[this.#length++] = format;
    this.#buffer[this.#length++] = value;
  }

  #byteAnd16(format: number, value: number): void {
    this.#ensure(3);
    this.#buffer[this.#length] = format;
    this.#view.setUint16(this.#length + 1, value);
    this.#length += 3;
  }

  #byteAnd32(format: number, value: number): void {
    this.#ensure(5);
    this.#buffer[this.#length] = format;
    this.#view.setUint32(this.#length + 1, value >>> 0);
    this.#length += 5;
  }

  writeNil(): void {
    this.#byte(F.NIL);
  }

  writeBool(value: boolean): void {
    this.#byte(value ? F.TRUE : F.FALSE);
  }

  /**
   * Writes a safe integer in its most compact form.
   * @throws {ProtocolError} `INVALID_ARGUMENT` when `value` is not a safe integer; the message names `field`.
   */
  writeInt(value: number, field = 'value'): void {
    if (!Number.isSafeInteger(value)) {
      throw new ProtocolError('INVALID_ARGUMENT', `${field}: expected a safe integer, got ${String(value)}`);
    }
    this.#writeSafeInteger(value);
  }

  /**
   * Writes an integer that must fit 32 signed bits (a message's `int` field), in its most compact form.
   * @throws {ProtocolError} `INVALID_ARGUMENT` otherwise; the message names `field`.
   */
  writeInt32(value: number, field = 'value'): void {
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
      throw new ProtocolError('INVALID_ARGUMENT', `${field}: expected an int32, got ${String(value)}`);
    }
    this.#writeSafeInteger(value);
  }

  #writeSafeInteger(value: number): void {
    if (value >= 0) {
      if (value <= F.POSITIVE_FIXINT_MAX) this.#byte(value);
      else if (value < 0x100) this.#byteAnd8(F.UINT8, value);
      else if (value < 0x10000) this.#byteAnd16(F.UINT16, value);
      else if (value < TWO_POW_32) this.#byteAnd32(F.UINT32, value);
      else this.#write64(F.UINT64, value);
    } else if (value >= -32) {
      this.#byte(value & 0xff);
    } else if (value >= -0x80) {
      this.#byteAnd8(F.INT8, value & 0xff);
    } else if (value >= -0x8000) {
      this.#byteAnd16(F.INT16, value & 0xffff);
    } else if (value >= -0x80000000) {
      this.#byteAnd32(F.INT32, value);
    } else {
      this.#write64(F.INT64, value);
    }
  }

  /** A safe integer as 8 big-endian bytes after `format`, split in two 32-bit halves (no bigint needed). */
  #write64(format: number, value: number): void {
    this.#ensure(9);
    const high = Math.floor(value / TWO_POW_32);
    const low = value - high * TWO_POW_32;
    this.#buffer[this.#length] = format;
    this.#view.setInt32(this.#length + 1, high);
    this.#view.setUint32(this.#length + 5, low);
    this.#length += 9;
  }

  /**
   * Writes a 64-bit integer (-2^63..2^63-1) in its most compact form, as Ignite's `packLong` does.
   * @throws {ProtocolError} `INVALID_ARGUMENT` when `value` is outside the int64 range.
   */
  writeBigInt(value: bigint, field = 'value'): void {
    if (value >= SAFE_MIN && value <= SAFE_MAX) {
      this.#writeSafeInteger(Number(value));
      return;
    }
    if (value < INT64_MIN || value > INT64_MAX) {
      throw new ProtocolError('INVALID_ARGUMENT', `${field}: ${value} is outside the int64 range`);
    }
    this.#ensure(9);
    if (value > 0n) {
      this.#buffer[this.#length] = F.UINT64;
      this.#view.setBigUint64(this.#length + 1, value);
    } else {
      this.#buffer[this.#length] = F.INT64;
      this.#view.setBigInt64(this.#length + 1, value);
    }
    this.#length += 9;
  }

  /**
   * Writes a 64-bit integer always as `int64` (0xd3 and 8 bytes), whatever its size: the value codec uses this
   * form to tell a `bigint` apart from a `number`.
   * @throws {ProtocolError} `INVALID_ARGUMENT` when `value` is outside the int64 range.
   */
  writeInt64Fixed(value: bigint, field = 'value'): void {
    if (value < INT64_MIN || value > INT64_MAX) {
      throw new ProtocolError('INVALID_ARGUMENT', `${field}: ${value} is outside the int64 range`);
    }
    this.#ensure(9);
    this.#buffer[this.#length] = F.INT64;
    this.#view.setBigInt64(this.#length + 1, value);
    this.#length += 9;
  }

  writeFloat64(value: number): void {
    this.#ensure(9);
    this.#buffer[this.#length] = F.FLOAT64;
    this.#view.setFloat64(this.#length + 1, value);
    this.#length += 9;
  }

  /**
   * Writes a JavaScript number so that it reads back as the same number: an integer in -2^31..2^32-1 (not
   * -0) as a compact int, anything else (fractions, -0, NaN, infinities, larger integers) as float64. The
   * 64-bit int formats are never used, which leaves them to `bigint`.
   */
  writeNumber(value: number): void {
    if (Number.isInteger(value) && value >= -0x80000000 && value < TWO_POW_32 && !Object.is(value, -0)) {
      this.#writeSafeInteger(value);
    } else {
      this.writeFloat64(value);
    }
  }

  /** Writes a string as UTF-8 with the smallest str header (a lone surrogate becomes U+FFFD). */
  writeString(value: string): void {
    const maxBytes = value.length * 3;
    const reserved = maxBytes < 32 ? 1 : maxBytes < 0x100 ? 2 : maxBytes < 0x10000 ? 3 : 5;
    this.#ensure(reserved + maxBytes);
    const start = this.#length;
    const written = encodeUtf8Into(value, this.#buffer, start + reserved);
    const header = written < 32 ? 1 : written < 0x100 ? 2 : written < 0x10000 ? 3 : 5;
    if (header < reserved) {
      // The worst case did not happen: slide the bytes back so the header is the smallest that fits.
      this.#buffer.copyWithin(start + header, start + reserved, start + reserved + written);
    }
    if (header === 1) {
      this.#buffer[start] = F.FIXSTR | written;
    } else if (header === 2) {
      this.#buffer[start] = F.STR8;
      this.#buffer[start + 1] = written;
    } else if (header === 3) {
      this.#buffer[start] = F.STR16;
      this.#view.setUint16(start + 1, written);
    } else {
      this.#buffer[start] = F.STR32;
      this.#view.setUint32(start + 1, written);
    }
    this.#length = start + header + written;
  }

  /** Writes `bytes` as a `bin` value. */
  writeBinary(bytes: Uint8Array): void {
    this.writeBinaryHeader(bytes.length);
    this.writeRaw(bytes);
  }

  /** Writes the header of a `bin` value of `length` bytes; the caller then writes exactly that many. */
  writeBinaryHeader(length: number): void {
    if (length < 0x100) this.#byteAnd8(F.BIN8, length);
    else if (length < 0x10000) this.#byteAnd16(F.BIN16, length);
    else this.#byteAnd32(F.BIN32, length);
  }

  /** Copies `bytes` as they are (after a bin or ext header, or for a preamble). */
  writeRaw(bytes: Uint8Array): void {
    this.#ensure(bytes.length);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  writeArrayHeader(count: number): void {
    if (count < 16) this.#byte(F.FIXARRAY | count);
    else if (count < 0x10000) this.#byteAnd16(F.ARRAY16, count);
    else this.#byteAnd32(F.ARRAY32, count);
  }

  writeMapHeader(count: number): void {
    if (count < 16) this.#byte(F.FIXMAP | count);
    else if (count < 0x10000) this.#byteAnd16(F.MAP16, count);
    else this.#byteAnd32(F.MAP32, count);
  }

  /** Writes an ext header: fixext for 1, 2, 4, 8 and 16 bytes, else ext8 / ext16 / ext32 (as Ignite). */
  writeExtHeader(type: number, length: number): void {
    this.#ensure(6);
    const buffer = this.#buffer;
    let at = this.#length;
    switch (length) {
      case 1:
        buffer[at++] = F.FIXEXT1;
        break;
      case 2:
        buffer[at++] = F.FIXEXT2;
        break;
      case 4:
        buffer[at++] = F.FIXEXT4;
        break;
      case 8:
        buffer[at++] = F.FIXEXT8;
        break;
      case 16:
        buffer[at++] = F.FIXEXT16;
        break;
      default:
        if (length < 0x100) {
          buffer[at++] = F.EXT8;
          buffer[at++] = length;
        } else if (length < 0x10000) {
          buffer[at++] = F.EXT16;
          this.#view.setUint16(at, length);
          at += 2;
        } else {
          buffer[at++] = F.EXT32;
          this.#view.setUint32(at, length);
          at += 4;
        }
    }
    buffer[at++] = type & 0xff;
    this.#length = at;
  }

  /**
   * Writes a UUID (text form, either case) as the UUID extension type.
   * @throws {ProtocolError} `INVALID_ARGUMENT` when `text` is not a UUID; the message names `field`.
   */
  writeUuid(text: string, field = 'uuid'): void {
    if (!isUuidText(text)) {
      throw new ProtocolError(
        'INVALID_ARGUMENT',
        `${field}: expected a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), got ${JSON.stringify(text)}`,
      );
    }
    this.writeExtHeader(MsgPackExtType.UUID, 16);
    this.#ensure(16);
    writeUuidBytes(text, this.#buffer, this.#length);
    this.#length += 16;
  }

  /** Writes a bit set as the BITMASK extension type, without its trailing zero bytes. */
  writeBitmask(mask: Uint8Array): void {
    const length = bitmaskTrimmedLength(mask);
    this.writeExtHeader(MsgPackExtType.BITMASK, length);
    this.writeRaw(length === mask.length ? mask : mask.subarray(0, length));
  }

  /** Reserves `count` bytes to patch later (e.g. a length prefix) and returns their offset. */
  reserve(count: number): number {
    this.#ensure(count);
    const at = this.#length;
    this.#length += count;
    return at;
  }

  /** Overwrites 4 bytes at `offset` (inside what was written) with `value` as a big-endian uint32. */
  patchUint32(offset: number, value: number): void {
    this.#view.setUint32(offset, value);
  }
}
