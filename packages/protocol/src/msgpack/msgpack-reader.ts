/**
 * `MsgPackReader`: reads MessagePack values, one call per expected value, from a `Uint8Array` view.
 *
 * Every read checks that the next value has the expected kind and that its bytes are there; a length (str,
 * bin, array, map, ext) is checked against the bytes that remain before anything is allocated. Any problem is
 * a `ProtocolError('PROTOCOL_ERROR')` whose message names the field, what was expected and what was found, and
 * the offset — never a `RangeError` or `TypeError`. The bytes given to the reader are a complete message
 * (the frame decoder handles "need more bytes"), so running out of bytes here is always "bad bytes".
 *
 * A failed read consumes nothing: the position goes back to where the value started, so the reader works
 * normally after any error (and `reset` points it at new bytes). `readBinary` and `readBitmask` return views
 * of the input, not copies; `skipBinary` and `skipBitmask` read the same values without even a view (the
 * caller keeps the value's offset and length into {@link MsgPackReader.bytes}).
 *
 * It does not decode a value of unknown shape into JavaScript (the value codec does that on top of it).
 */
import { ProtocolError } from '../errors/protocol-error.js';
import {
  describeFormat,
  MsgPackFormat as F,
  kindOf,
  MsgPackExtType,
  type MsgPackKind,
} from './msgpack-format.js';
import { decodeUtf8 } from './utf8.js';
import { readUuidText } from './uuid-bytes.js';

const TWO_POW_32 = 2 ** 32;
const INT64_MAX = 2n ** 63n - 1n;
const EMPTY = new Uint8Array(0);

/**
 * Reads MessagePack values from a byte view. Offsets in error messages count from the start of that view.
 *
 * @example
 * const reader = new MsgPackReader(body);
 * const op = reader.readInt32('opCode');
 * const requestId = reader.readSafeInteger('requestId');
 */
export class MsgPackReader {
  #bytes: Uint8Array = EMPTY;
  #view: DataView = new DataView(EMPTY.buffer);
  #pos = 0;
  #extType = 0;

  constructor(bytes?: Uint8Array) {
    if (bytes !== undefined) this.reset(bytes);
  }

  /** Starts reading `bytes` from their first byte. */
  reset(bytes: Uint8Array): void {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#pos = 0;
  }

  /**
   * The bytes being read (what `reset` was given): offsets such as {@link MsgPackReader.offset} count from
   * their first byte. For callers that keep ranges of the input instead of views.
   */
  get bytes(): Uint8Array {
    return this.#bytes;
  }

  /** The offset of the next byte to read. */
  get offset(): number {
    return this.#pos;
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.#bytes.length - this.#pos;
  }

  /** The extension type of the last {@link MsgPackReader.readExtHeader}. */
  get extType(): number {
    return this.#extType;
  }

  /** The kind of the next value, or `undefined` at the end of the bytes. Reads nothing. */
  peekKind(): MsgPackKind | undefined {
    const format = this.#bytes[this.#pos];
    return format === undefined ? undefined : kindOf(format);
  }

  /** The next format byte, or -1 at the end. Reads nothing. */
  peekFormat(): number {
    return this.#bytes[this.#pos] ?? -1;
  }

  /** Reads a nil if one is next and says whether it did. */
  tryReadNil(): boolean {
    if (this.#bytes[this.#pos] === F.NIL) {
      this.#pos++;
      return true;
    }
    return false;
  }

  /**
   * Throws unless every byte was read.
   * @throws {ProtocolError} `PROTOCOL_ERROR` naming `what` and the count of trailing bytes.
   */
  expectEnd(what: string): void {
    if (this.#pos !== this.#bytes.length) {
      throw this.error(`${what}: ${this.#bytes.length - this.#pos} trailing byte(s) at offset ${this.#pos}`);
    }
  }

  /** A `PROTOCOL_ERROR` with `message`; for callers that find a value well-formed but wrong. */
  error(message: string): ProtocolError {
    return new ProtocolError('PROTOCOL_ERROR', message);
  }

  /** An error for a value that starts at `at`; the position goes back there, so a failed read reads nothing. */
  #fail(at: number, message: string): ProtocolError {
    this.#pos = at;
    return this.error(message);
  }

  #mismatch(field: string, expected: string, format: number, at: number): ProtocolError {
    return this.#fail(at, `${field}: expected ${expected}, found ${describeFormat(format)} at offset ${at}`);
  }

  /** Checks that `count` more bytes are there, for a value of `field` starting at `at`. */
  #need(count: number, field: string, what: string, at: number): void {
    const left = this.#bytes.length - this.#pos;
    if (count > left) {
      throw this.#fail(
        at,
        `${field}: truncated ${what} at offset ${at}: needs ${count} byte(s), ${left} left`,
      );
    }
  }

  /** Reads the format byte of the next value. */
  #format(field: string, expected: string): number {
    const format = this.#bytes[this.#pos];
    if (format === undefined) {
      throw this.error(`${field}: expected ${expected}, found the end of the message at offset ${this.#pos}`);
    }
    this.#pos++;
    return format;
  }

  /** Reads a big-endian length of `size` bytes from a `what` header that starts at `at`. */
  #sized(size: 1 | 2 | 4, field: string, what: string, at: number): number {
    this.#need(size, field, `${what} header`, at);
    return size === 1 ? this.#u8() : size === 2 ? this.#u16() : this.#u32();
  }

  #u8(): number {
    return this.#bytes[this.#pos++] as number;
  }

  #u16(): number {
    const value = this.#view.getUint16(this.#pos);
    this.#pos += 2;
    return value;
  }

  #u32(): number {
    const value = this.#view.getUint32(this.#pos);
    this.#pos += 4;
    return value;
  }

  readNil(field: string): void {
    const at = this.#pos;
    const format = this.#format(field, 'nil');
    if (format !== F.NIL) throw this.#mismatch(field, 'nil', format, at);
  }

  readBool(field: string): boolean {
    const at = this.#pos;
    const format = this.#format(field, 'bool');
    if (format === F.TRUE) return true;
    if (format === F.FALSE) return false;
    throw this.#mismatch(field, 'bool', format, at);
  }

  /**
   * Reads an integer of any int format as a number. 64-bit values outside the safe range come back as an
   * inexact number; callers range-check the result, and every such value fails their checks.
   */
  #integer(field: string, expected: string): number {
    const at = this.#pos;
    const format = this.#format(field, expected);
    if (format <= F.POSITIVE_FIXINT_MAX) return format;
    if (format >= F.NEGATIVE_FIXINT_MIN) return format - 0x100;
    if (format < F.UINT8 || format > F.INT64) throw this.#mismatch(field, expected, format, at);
    // uint8..uint64 are cc..cf and int8..int64 d0..d3: the low two bits give the width (1, 2, 4, 8 bytes).
    const size = 1 << ((format - F.UINT8) & 3);
    this.#need(size, field, 'int', at);
    const view = this.#view;
    const pos = this.#pos;
    this.#pos += size;
    switch (format) {
      case F.UINT8:
        return view.getUint8(pos);
      case F.INT8:
        return view.getInt8(pos);
      case F.UINT16:
        return view.getUint16(pos);
      case F.INT16:
        return view.getInt16(pos);
      case F.UINT32:
        return view.getUint32(pos);
      case F.INT32:
        return view.getInt32(pos);
      case F.UINT64:
        return view.getUint32(pos) * TWO_POW_32 + view.getUint32(pos + 4);
      default:
        return view.getInt32(pos) * TWO_POW_32 + view.getUint32(pos + 4);
    }
  }

  /**
   * Reads an integer (any int format) that must fit 32 signed bits.
   * @throws {ProtocolError} `PROTOCOL_ERROR` for another kind, a truncated value, or a value out of range.
   */
  readInt32(field: string): number {
    const at = this.#pos;
    const value = this.#integer(field, 'int');
    if (value < -0x80000000 || value > 0x7fffffff) {
      throw this.#fail(at, `${field}: int ${value} at offset ${at} is outside the int32 range`);
    }
    return value;
  }

  /**
   * Reads an integer (any int format, 64-bit included) that must be a safe JavaScript integer.
   * @throws {ProtocolError} `PROTOCOL_ERROR` for another kind, a truncated value, or a value out of range.
   */
  readSafeInteger(field: string): number {
    const at = this.#pos;
    const value = this.#integer(field, 'int');
    if (!Number.isSafeInteger(value)) {
      throw this.#fail(at, `${field}: int at offset ${at} is outside the safe integer range`);
    }
    return value;
  }

  /**
   * Reads a 64-bit signed integer (any int format) as a bigint.
   * @throws {ProtocolError} `PROTOCOL_ERROR` for another kind, a truncated value, or a uint64 over 2^63-1.
   */
  readInt64(field: string): bigint {
    const at = this.#pos;
    const format = this.#bytes[at];
    if (format === F.INT64 || format === F.UINT64) {
      this.#pos++;
      this.#need(8, field, 'int', at);
      const value =
        format === F.INT64 ? this.#view.getBigInt64(this.#pos) : this.#view.getBigUint64(this.#pos);
      this.#pos += 8;
      if (value > INT64_MAX)
        throw this.#fail(at, `${field}: uint64 at offset ${at} is outside the int64 range`);
      return value;
    }
    return BigInt(this.#integer(field, 'int'));
  }

  /** Reads a float32 or float64. */
  readFloat64(field: string): number {
    const at = this.#pos;
    const format = this.#format(field, 'float');
    if (format === F.FLOAT64) {
      this.#need(8, field, 'float64', at);
      const value = this.#view.getFloat64(this.#pos);
      this.#pos += 8;
      return value;
    }
    if (format === F.FLOAT32) {
      this.#need(4, field, 'float32', at);
      const value = this.#view.getFloat32(this.#pos);
      this.#pos += 4;
      return value;
    }
    throw this.#mismatch(field, 'float', format, at);
  }

  /** Reads a str header and checks its bytes are there; returns the byte length. */
  #stringLength(field: string, at: number, format: number): number {
    let length: number;
    if (format >= F.FIXSTR && format < F.NIL) length = format & 0x1f;
    else if (format === F.STR8) length = this.#sized(1, field, 'str', at);
    else if (format === F.STR16) length = this.#sized(2, field, 'str', at);
    else if (format === F.STR32) length = this.#sized(4, field, 'str', at);
    else throw this.#mismatch(field, 'str', format, at);
    this.#need(length, field, 'str', at);
    return length;
  }

  /**
   * Reads a UTF-8 string.
   * @throws {ProtocolError} `PROTOCOL_ERROR` for another kind, a truncated value, or malformed UTF-8.
   */
  readString(field: string): string {
    const at = this.#pos;
    const format = this.#format(field, 'str');
    const length = this.#stringLength(field, at, format);
    const start = this.#pos;
    const text = decodeUtf8(this.#bytes, start, start + length);
    if (text === undefined) throw this.#fail(at, `${field}: str at offset ${at} is not valid UTF-8`);
    this.#pos = start + length;
    return text;
  }

  /** Reads a string, or nil as `null`. */
  readStringOrNil(field: string): string | null {
    return this.tryReadNil() ? null : this.readString(field);
  }

  /**
   * Reads a `bin` value and returns a view of its bytes (no copy): it shares memory with the input.
   * @throws {ProtocolError} `PROTOCOL_ERROR` for another kind or a truncated value.
   */
  readBinary(field: string): Uint8Array {
    const at = this.#pos;
    const format = this.#format(field, 'bin');
    let length: number;
    if (format === F.BIN8) length = this.#sized(1, field, 'bin', at);
    else if (format === F.BIN16) length = this.#sized(2, field, 'bin', at);
    else if (format === F.BIN32) length = this.#sized(4, field, 'bin', at);
    else throw this.#mismatch(field, 'bin', format, at);
    return this.#take(length, field, 'bin', at);
  }

  /**
   * Reads a `bin` value like {@link MsgPackReader.readBinary} (same checks, same errors) but makes no view:
   * returns its byte length, and its bytes are the `length` bytes just before {@link MsgPackReader.offset}.
   * @throws {ProtocolError} `PROTOCOL_ERROR` for another kind or a truncated value.
   */
  skipBinary(field: string): number {
    const at = this.#pos;
    const format = this.#format(field, 'bin');
    let length: number;
    if (format === F.BIN8) length = this.#sized(1, field, 'bin', at);
    else if (format === F.BIN16) length = this.#sized(2, field, 'bin', at);
    else if (format === F.BIN32) length = this.#sized(4, field, 'bin', at);
    else throw this.#mismatch(field, 'bin', format, at);
    this.#need(length, field, 'bin', at);
    this.#pos += length;
    return length;
  }

  /** Reads a bin value, or nil as `null`. */
  readBinaryOrNil(field: string): Uint8Array | null {
    return this.tryReadNil() ? null : this.readBinary(field);
  }

  /**
   * Takes the next `length` bytes as they are (an ext payload whose header was read) and returns a view.
   * @throws {ProtocolError} `PROTOCOL_ERROR` when fewer bytes are left.
   */
  readRaw(length: number, field: string): Uint8Array {
    return this.#take(length, field, 'bytes', this.#pos);
  }

  #take(length: number, field: string, what: string, at: number): Uint8Array {
    this.#need(length, field, what, at);
    const start = this.#pos;
    this.#pos = start + length;
    return this.#bytes.subarray(start, start + length);
  }

  /**
   * Reads an array header. The count is checked against the bytes left (every item takes at least one).
   * @throws {ProtocolError} `PROTOCOL_ERROR` for another kind or a count the bytes cannot hold.
   */
  readArrayHeader(field: string): number {
    const at = this.#pos;
    const format = this.#format(field, 'array');
    let count: number;
    if (format >= F.FIXARRAY && format < F.FIXSTR) count = format & 0x0f;
    else if (format === F.ARRAY16) count = this.#sized(2, field, 'array', at);
    else if (format === F.ARRAY32) count = this.#sized(4, field, 'array', at);
    else throw this.#mismatch(field, 'array', format, at);
    this.#checkCount(count, 1, field, 'array', at);
    return count;
  }

  /**
   * Reads a map header. The count is checked against the bytes left (every entry takes at least two).
   * @throws {ProtocolError} `PROTOCOL_ERROR` for another kind or a count the bytes cannot hold.
   */
  readMapHeader(field: string): number {
    const at = this.#pos;
    const format = this.#format(field, 'map');
    let count: number;
    if (format >= F.FIXMAP && format < F.FIXARRAY) count = format & 0x0f;
    else if (format === F.MAP16) count = this.#sized(2, field, 'map', at);
    else if (format === F.MAP32) count = this.#sized(4, field, 'map', at);
    else throw this.#mismatch(field, 'map', format, at);
    this.#checkCount(count, 2, field, 'map', at);
    return count;
  }

  /**
   * Checks that `count` items of at least `minItemBytes` each can fit in the bytes left, so a hostile count
   * never sizes an allocation.
   */
  #checkCount(count: number, minItemBytes: number, field: string, what: string, at: number): void {
    const left = this.#bytes.length - this.#pos;
    if (count * minItemBytes > left) {
      throw this.#fail(
        at,
        `${field}: ${what} at offset ${at} declares ${count} item(s) but only ${left} byte(s) are left`,
      );
    }
  }

  /**
   * Reads an int that counts the items that follow (as Ignite writes counts), checked like an array header:
   * non-negative and no more than the bytes left divided by `minItemBytes`.
   */
  readCount(field: string, minItemBytes = 1): number {
    const at = this.#pos;
    const count = this.readInt32(field);
    if (count < 0) throw this.#fail(at, `${field}: count ${count} at offset ${at} is negative`);
    this.#checkCount(count, minItemBytes, field, 'count', at);
    return count;
  }

  /**
   * Reads an ext header and returns the payload length (checked against the bytes left); the type is then
   * in {@link MsgPackReader.extType}.
   */
  readExtHeader(field: string): number {
    const at = this.#pos;
    const format = this.#format(field, 'ext');
    let length: number;
    // fixext 1, 2, 4, 8, 16 are the consecutive formats d4..d8.
    if (format >= F.FIXEXT1 && format <= F.FIXEXT16) length = 1 << (format - F.FIXEXT1);
    else if (format === F.EXT8) length = this.#sized(1, field, 'ext', at);
    else if (format === F.EXT16) length = this.#sized(2, field, 'ext', at);
    else if (format === F.EXT32) length = this.#sized(4, field, 'ext', at);
    else throw this.#mismatch(field, 'ext', format, at);
    this.#need(1, field, 'ext header', at);
    this.#extType = this.#view.getInt8(this.#pos);
    this.#pos++;
    this.#need(length, field, 'ext', at);
    return length;
  }

  /** Reads an ext value of `type` and returns its payload length; the payload is next. */
  #ext(field: string, type: number, name: string): number {
    const at = this.#pos;
    const length = this.readExtHeader(field);
    if (this.#extType !== type) {
      throw this.#fail(
        at,
        `${field}: expected ext type ${type} (${name}), found ext type ${this.#extType} at offset ${at}`,
      );
    }
    return length;
  }

  /**
   * Reads a UUID extension value as its lower-case text form.
   * @throws {ProtocolError} `PROTOCOL_ERROR` for another kind or ext type, or a payload that is not 16 bytes.
   */
  readUuid(field: string): string {
    const at = this.#pos;
    const length = this.#ext(field, MsgPackExtType.UUID, 'UUID');
    if (length !== 16)
      throw this.#fail(at, `${field}: UUID at offset ${at} has ${length} bytes, expected 16`);
    const text = readUuidText(this.#bytes, this.#pos);
    this.#pos += 16;
    return text;
  }

  /**
   * Reads a BITMASK extension value and returns a view of its bytes (bit i in byte i >> 3, bit i & 7).
   * @throws {ProtocolError} `PROTOCOL_ERROR` for another kind or ext type.
   */
  readBitmask(field: string): Uint8Array {
    const at = this.#pos;
    const length = this.#ext(field, MsgPackExtType.BITMASK, 'BITMASK');
    return this.#take(length, field, 'BITMASK', at);
  }

  /**
   * Reads a BITMASK extension value like {@link MsgPackReader.readBitmask} (same checks, same errors) but
   * makes no view: returns its byte length, and its bytes are the `length` bytes just before
   * {@link MsgPackReader.offset}.
   * @throws {ProtocolError} `PROTOCOL_ERROR` for another kind or ext type.
   */
  skipBitmask(field: string): number {
    const at = this.#pos;
    const length = this.#ext(field, MsgPackExtType.BITMASK, 'BITMASK');
    this.#need(length, field, 'BITMASK', at);
    this.#pos += length;
    return length;
  }

  /** Reads a BITMASK, or nil as `null`. */
  readBitmaskOrNil(field: string): Uint8Array | null {
    return this.tryReadNil() ? null : this.readBitmask(field);
  }
}
