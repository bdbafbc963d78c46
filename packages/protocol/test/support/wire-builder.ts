/**
 * An independent, test-only MessagePack and frame builder: expected bytes for golden tests come from here,
 * never from the production writer. It is deliberately naive (plain arrays of numbers, bigint arithmetic,
 * Node's Buffer for UTF-8, ranges spelled out from the MessagePack spec) so it shares no code or structure
 * with `src/msgpack`.
 */

export type Bytes = number[];

/** `size` bytes of `value` (two's complement), most significant first. */
export function be(value: number | bigint, size: number): Bytes {
  let v = BigInt(value);
  if (v < 0n) v += 1n << BigInt(size * 8);
  const out: Bytes = [];
  for (let i = size - 1; i >= 0; i--) out.push(Number((v >> BigInt(i * 8)) & 0xffn));
  return out;
}

/** `size` bytes of `value` (two's complement), least significant first. */
export function le(value: number | bigint, size: number): Bytes {
  return be(value, size).reverse();
}

export const nil = (): Bytes => [0xc0];
export const bool = (value: boolean): Bytes => [value ? 0xc3 : 0xc2];

/** An integer in the most compact MessagePack form (the form Ignite 3's packer writes). */
export function int(value: number | bigint): Bytes {
  const v = BigInt(value);
  if (v >= 0n) {
    if (v <= 127n) return [Number(v)];
    if (v <= 0xffn) return [0xcc, ...be(v, 1)];
    if (v <= 0xffffn) return [0xcd, ...be(v, 2)];
    if (v <= 0xffffffffn) return [0xce, ...be(v, 4)];
    return [0xcf, ...be(v, 8)];
  }
  if (v >= -32n) return be(v, 1);
  if (v >= -128n) return [0xd0, ...be(v, 1)];
  if (v >= -32768n) return [0xd1, ...be(v, 2)];
  if (v >= -2147483648n) return [0xd2, ...be(v, 4)];
  return [0xd3, ...be(v, 8)];
}

/** An int64 always in the 9-byte 0xd3 form. */
export const int64 = (value: bigint): Bytes => [0xd3, ...be(value, 8)];

export function float64(value: number): Bytes {
  const buffer = Buffer.alloc(8);
  buffer.writeDoubleBE(value);
  return [0xcb, ...buffer];
}

export function float32(value: number): Bytes {
  const buffer = Buffer.alloc(4);
  buffer.writeFloatBE(value);
  return [0xca, ...buffer];
}

export function strHeader(byteLength: number): Bytes {
  if (byteLength <= 31) return [0xa0 + byteLength];
  if (byteLength <= 0xff) return [0xd9, byteLength];
  if (byteLength <= 0xffff) return [0xda, ...be(byteLength, 2)];
  return [0xdb, ...be(byteLength, 4)];
}

export function str(text: string): Bytes {
  const utf8 = [...Buffer.from(text, 'utf8')];
  return [...strHeader(utf8.length), ...utf8];
}

export function binHeader(length: number): Bytes {
  if (length <= 0xff) return [0xc4, length];
  if (length <= 0xffff) return [0xc5, ...be(length, 2)];
  return [0xc6, ...be(length, 4)];
}

export function bin(bytes: ArrayLike<number>): Bytes {
  return [...binHeader(bytes.length), ...Array.from(bytes)];
}

export function arr(count: number): Bytes {
  if (count <= 15) return [0x90 + count];
  if (count <= 0xffff) return [0xdc, ...be(count, 2)];
  return [0xdd, ...be(count, 4)];
}

export function map(count: number): Bytes {
  if (count <= 15) return [0x80 + count];
  if (count <= 0xffff) return [0xde, ...be(count, 2)];
  return [0xdf, ...be(count, 4)];
}

export function ext(type: number, payload: ArrayLike<number>): Bytes {
  const t = type & 0xff;
  const data = Array.from(payload);
  const fixed: Record<number, number> = { 1: 0xd4, 2: 0xd5, 4: 0xd6, 8: 0xd7, 16: 0xd8 };
  const fix = fixed[data.length];
  if (fix !== undefined) return [fix, t, ...data];
  if (data.length <= 0xff) return [0xc7, data.length, t, ...data];
  if (data.length <= 0xffff) return [0xc8, ...be(data.length, 2), t, ...data];
  return [0xc9, ...be(data.length, 4), t, ...data];
}

/** A UUID ext (type 3): the text's first 8 bytes reversed, then its last 8 bytes reversed. */
export function uuid(text: string): Bytes {
  const hex = text.replaceAll('-', '');
  const bytes: Bytes = [];
  for (let i = 0; i < 32; i += 2) bytes.push(Number.parseInt(hex.slice(i, i + 2), 16));
  return ext(3, [...bytes.slice(0, 8).reverse(), ...bytes.slice(8).reverse()]);
}

/** A BITMASK ext (type 8) with the given bit indexes set, trailing zero bytes trimmed. */
export function bitmask(...bits: number[]): Bytes {
  const bytes: Bytes = [];
  for (const bit of bits) {
    const at = Math.floor(bit / 8);
    while (bytes.length <= at) bytes.push(0);
    bytes[at] = (bytes[at] ?? 0) | (1 << (bit % 8));
  }
  return ext(8, bytes);
}

/** MessagePack's timestamp ext (type -1) in the form our writer picks for `millis`. */
export function timestamp(millis: number): Bytes {
  const seconds = BigInt(Math.floor(millis / 1000));
  const nanos = BigInt((millis - Math.floor(millis / 1000) * 1000) * 1_000_000);
  if (seconds >= 0n && seconds < 1n << 34n) {
    if (nanos === 0n && seconds < 1n << 32n) return ext(-1, be(seconds, 4));
    return ext(-1, be((nanos << 34n) | seconds, 8));
  }
  return ext(-1, [...be(nanos, 4), ...be(seconds, 8)]);
}

/** Concatenates byte parts into one array. */
export function cat(...parts: Bytes[]): Bytes {
  return parts.flat();
}

/** A frame: 4-byte big-endian length, then the body. */
export function frame(...body: Bytes[]): Bytes {
  const bytes = cat(...body);
  return [...be(bytes.length, 4), ...bytes];
}

/** The connection preamble `IGNI`. */
export const MAGIC: Bytes = [0x49, 0x47, 0x4e, 0x49];

export function u8(bytes: Bytes): Uint8Array {
  return Uint8Array.from(bytes);
}

/** Lower-case hex with a space between bytes, for readable failures and for docs/PROTOCOL.md. */
export function hex(bytes: ArrayLike<number>): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Parses hex written with any whitespace between bytes. */
export function fromHex(text: string): Bytes {
  const digits = text.replace(/\s+/g, '');
  const out: Bytes = [];
  for (let i = 0; i < digits.length; i += 2) out.push(Number.parseInt(digits.slice(i, i + 2), 16));
  return out;
}
