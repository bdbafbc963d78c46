/**
 * MurmurHash3 x64_128 reduced the way Apache Ignite 3 reduces it (`org.apache.ignite.internal.util.HashUtils`):
 * the 64-bit result is the first output word, `h1 + h2` after the final mix, and the 32-bit hash folds it as
 * `(int) (h64 ^ (h64 >>> 32))`. Byte ranges, strings and single primitives at their declared width.
 *
 * Two seed conventions, both Ignite's:
 * - byte ranges and strings take a 32-bit seed and **zero-extend** it to 64 bits (`seed & 0xffffffffL`);
 * - primitives (`hash32Byte` .. `hash32Long`) take a 32-bit seed and **sign-extend** it, as Java's implicit
 *   `int` to `long` widening does. This is how a previous hash is chained in as the seed of the next one, so
 *   it decides every multi-part and multi-column hash.
 *
 * The primitive entry points are Ignite's fast paths: a value of width 1, 2, 4 or 8 bytes is exactly one tail
 * word of Murmur3, so they skip the byte loop and produce the same result as hashing its little-endian bytes.
 *
 * This module knows nothing about column types; `colocation-hash.ts` maps values onto these functions.
 *
 * Implementation: 64-bit words travel as (hi, lo) pairs of 32-bit integers and are multiplied with 16-bit
 * limbs, because BigInt arithmetic allocates on every operation and this runs once per row. Helpers return
 * their result through two module-level registers, so no call allocates (strings that are not ASCII go
 * through `TextEncoder.encodeInto`, which returns a small result object).
 */
import { ProtocolError } from '../errors/protocol-error.js';

// Registers that the 64-bit helpers below write their result to (hi and lo 32 bits, as int32).
let outHi = 0;
let outLo = 0;

const C1_HI = 0x87c37b91 | 0;
const C1_LO = 0x114253d5;
const C2_HI = 0x4cf5ad43;
const C2_LO = 0x2745937f;
const FMIX1_HI = 0xff51afd7 | 0;
const FMIX1_LO = 0xed558ccd | 0;
const FMIX2_HI = 0xc4ceb9fe | 0;
const FMIX2_LO = 0x1a85ec53;
const N1 = 0x52dce729;
const N2 = 0x38495ab5;

/** The low 64 bits of `a * b`. */
function mul64(aHi: number, aLo: number, bHi: number, bLo: number): void {
  const a0 = aLo & 0xffff;
  const a1 = aLo >>> 16;
  const b0 = bLo & 0xffff;
  const b1 = bLo >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  // Every partial product is below 2^32, so these sums stay exact in a double; `| 0` then wraps mod 2^32.
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  outLo = (mid << 16) | (p00 & 0xffff);
  outHi =
    (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(aLo, bHi) + Math.imul(aHi, bLo)) | 0;
}

function add64(aHi: number, aLo: number, bHi: number, bLo: number): void {
  const lo = (aLo >>> 0) + (bLo >>> 0);
  outLo = lo | 0;
  outHi = (aHi + bHi + (lo > 0xffffffff ? 1 : 0)) | 0;
}

/** `k *= C1; k = rotl(k, 31); k *= C2` (Murmur3's mix of the first word of a block). */
function mixK1(kHi: number, kLo: number): void {
  mul64(kHi, kLo, C1_HI, C1_LO);
  const hi = (outHi << 31) | (outLo >>> 1);
  const lo = (outLo << 31) | (outHi >>> 1);
  mul64(hi, lo, C2_HI, C2_LO);
}

/** `k *= C2; k = rotl(k, 33); k *= C1` (the mix of the second word). */
function mixK2(kHi: number, kLo: number): void {
  mul64(kHi, kLo, C2_HI, C2_LO);
  // Rotating by 33 is swapping the halves, then rotating by 1.
  const hi = (outLo << 1) | (outHi >>> 31);
  const lo = (outHi << 1) | (outLo >>> 31);
  mul64(hi, lo, C1_HI, C1_LO);
}

/** Murmur3's final avalanche (`fmix64`); `x ^= x >>> 33` only touches the low word. */
function fmix64(hi: number, lo: number): void {
  let l = lo ^ (hi >>> 1);
  mul64(hi, l, FMIX1_HI, FMIX1_LO);
  let h = outHi;
  l = outLo ^ (h >>> 1);
  mul64(h, l, FMIX2_HI, FMIX2_LO);
  h = outHi;
  outLo = outLo ^ (h >>> 1);
  outHi = h;
}

/** The finalization shared by every entry point; leaves `h1 + h2` in the registers. */
function finish(h1Hi: number, h1Lo: number, h2Hi: number, h2Lo: number, length: number): void {
  const l1 = h1Lo ^ length;
  const l2 = h2Lo ^ length;
  add64(h1Hi, l1, h2Hi, l2);
  const s1Hi = outHi;
  const s1Lo = outLo;
  add64(h2Hi, l2, s1Hi, s1Lo);
  const s2Hi = outHi;
  const s2Lo = outLo;
  fmix64(s1Hi, s1Lo);
  const f1Hi = outHi;
  const f1Lo = outLo;
  fmix64(s2Hi, s2Lo);
  add64(f1Hi, f1Lo, outHi, outLo);
}

/** One value of `width` bytes (1, 2, 4, 8) held in (kHi, kLo), seeded with a 64-bit seed. */
function hashWord(kHi: number, kLo: number, width: number, seedHi: number, seedLo: number): number {
  mixK1(kHi, kLo);
  finish(seedHi ^ outHi, seedLo ^ outLo, seedHi, seedLo, width);
  return outHi ^ outLo;
}

function readU32LE(data: Uint8Array, i: number): number {
  // Indexes are in range by construction; `?? 0` only satisfies the checker.
  return (data[i] ?? 0) | ((data[i + 1] ?? 0) << 8) | ((data[i + 2] ?? 0) << 16) | ((data[i + 3] ?? 0) << 24);
}

/** The low `count` (0..4) bytes starting at `i`, little-endian. */
function readTailLE(data: Uint8Array, i: number, count: number): number {
  let word = 0;
  for (let j = count - 1; j >= 0; j--) word = (word << 8) | (data[i + j] ?? 0);
  return word;
}

/** Murmur3 x64_128 over `data[offset, offset + length)`; leaves the first 64-bit word in the registers. */
function hashRange(data: Uint8Array, offset: number, length: number, seedHi: number, seedLo: number): void {
  let h1Hi = seedHi;
  let h1Lo = seedLo;
  let h2Hi = seedHi;
  let h2Lo = seedLo;
  const blocksEnd = offset + (length & ~15);
  for (let i = offset; i < blocksEnd; i += 16) {
    mixK1(readU32LE(data, i + 4), readU32LE(data, i));
    h1Hi ^= outHi;
    h1Lo ^= outLo;
    // h1 = rotl(h1, 27) + h2, then h1 * 5 + N1
    let hi = (h1Hi << 27) | (h1Lo >>> 5);
    let lo = (h1Lo << 27) | (h1Hi >>> 5);
    add64(hi, lo, h2Hi, h2Lo);
    mul64(outHi, outLo, 0, 5);
    add64(outHi, outLo, 0, N1);
    h1Hi = outHi;
    h1Lo = outLo;

    mixK2(readU32LE(data, i + 12), readU32LE(data, i + 8));
    h2Hi ^= outHi;
    h2Lo ^= outLo;
    // h2 = rotl(h2, 31) + h1, then h2 * 5 + N2
    hi = (h2Hi << 31) | (h2Lo >>> 1);
    lo = (h2Lo << 31) | (h2Hi >>> 1);
    add64(hi, lo, h1Hi, h1Lo);
    mul64(outHi, outLo, 0, 5);
    add64(outHi, outLo, 0, N2);
    h2Hi = outHi;
    h2Lo = outLo;
  }

  const tail = length & 15;
  if (tail > 8) {
    const rest = tail - 8;
    const k2Lo = readTailLE(data, blocksEnd + 8, Math.min(rest, 4));
    const k2Hi = rest > 4 ? readTailLE(data, blocksEnd + 12, rest - 4) : 0;
    mixK2(k2Hi, k2Lo);
    h2Hi ^= outHi;
    h2Lo ^= outLo;
  }
  if (tail > 0) {
    const first = Math.min(tail, 8);
    const k1Lo = readTailLE(data, blocksEnd, Math.min(first, 4));
    const k1Hi = first > 4 ? readTailLE(data, blocksEnd + 4, first - 4) : 0;
    mixK1(k1Hi, k1Lo);
    h1Hi ^= outHi;
    h1Lo ^= outLo;
  }
  finish(h1Hi, h1Lo, h2Hi, h2Lo, length);
}

function checkRange(data: Uint8Array, offset: number, length: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset > data.length) {
    throw new ProtocolError('INVALID_ARGUMENT', `offset ${offset} is outside the data (0..${data.length})`);
  }
  if (!Number.isInteger(length) || length < 0 || offset + length > data.length) {
    throw new ProtocolError(
      'INVALID_ARGUMENT',
      `length ${length} at offset ${offset} runs past the data (${data.length} bytes)`,
    );
  }
}

/**
 * The 64-bit Murmur3 hash (first word of x64_128) of a byte range, as Ignite's
 * `HashUtils.hash64(byte[], offset, length, seed)`. Allocates the `bigint` result: for diagnostics and
 * tests; hot paths use {@link hash32Bytes}.
 *
 * @param offset default 0
 * @param length default: to the end of `data`
 * @param seed a 32-bit seed, zero-extended to 64 bits (default 0)
 * @returns a signed 64-bit value
 * @throws {ProtocolError} `INVALID_ARGUMENT` when the range does not fit inside `data`
 */
export function hash64Bytes(
  data: Uint8Array,
  offset = 0,
  length: number = data.length - offset,
  seed = 0,
): bigint {
  checkRange(data, offset, length);
  hashRange(data, offset, length, 0, seed | 0);
  return BigInt.asIntN(64, (BigInt(outHi) << 32n) | BigInt(outLo >>> 0));
}

/**
 * The 32-bit hash of a byte range, as Ignite's `HashUtils.hash32(byte[])` (seed 0) and
 * `hash32(byte[], offset, length, seed)`. An empty range with seed 0 hashes to 0.
 *
 * @param offset default 0
 * @param length default: to the end of `data`
 * @param seed a 32-bit seed, zero-extended to 64 bits (default 0)
 * @throws {ProtocolError} `INVALID_ARGUMENT` when the range does not fit inside `data`
 */
export function hash32Bytes(
  data: Uint8Array,
  offset = 0,
  length: number = data.length - offset,
  seed = 0,
): number {
  checkRange(data, offset, length);
  hashRange(data, offset, length, 0, seed | 0);
  return outHi ^ outLo;
}

/** The low 8 bits of `value` hashed as one byte; `seed` is sign-extended (default 0). */
export function hash32Byte(value: number, seed = 0): number {
  return hashWord(0, value & 0xff, 1, seed >> 31, seed | 0);
}

/** The low 16 bits of `value` hashed as a little-endian int16; `seed` is sign-extended (default 0). */
export function hash32Short(value: number, seed = 0): number {
  return hashWord(0, value & 0xffff, 2, seed >> 31, seed | 0);
}

/** The low 32 bits of `value` hashed as a little-endian int32; `seed` is sign-extended (default 0). */
export function hash32Int(value: number, seed = 0): number {
  return hashWord(0, value | 0, 4, seed >> 31, seed | 0);
}

/**
 * A 64-bit integer given as its high and low 32 bits, hashed as a little-endian int64; `seed` is
 * sign-extended (default 0). The allocation-free form of {@link hash32Long}.
 */
export function hash32LongBits(hi: number, lo: number, seed = 0): number {
  return hashWord(hi | 0, lo | 0, 8, seed >> 31, seed | 0);
}

// Splits a bigint into 32-bit halves without BigInt arithmetic (which would allocate).
const longScratch = new DataView(new ArrayBuffer(8));

/** `value` (taken modulo 2^64) hashed as a little-endian int64; `seed` is sign-extended (default 0). */
export function hash32Long(value: bigint, seed = 0): number {
  longScratch.setBigInt64(0, value, true);
  return hashWord(longScratch.getInt32(4, true), longScratch.getInt32(0, true), 8, seed >> 31, seed | 0);
}

const TWO_POW_32 = 0x1_0000_0000;

/**
 * An integer held in a `number` hashed as a little-endian int64, equal to `hash32Long(BigInt(value), seed)`
 * without making the bigint; `seed` is sign-extended (default 0). This is how an INT64 given as a
 * safe-integer number (or the epoch seconds of a TIMESTAMP) is hashed per row.
 *
 * @param value an integer in -2^63..2^63-1; every safe integer is one. Not checked, like the other primitive
 *   entry points: the caller has checked it (a fraction or an out-of-range value hashes to an unspecified
 *   result)
 */
export function hash32LongNumber(value: number, seed = 0): number {
  // Floor division splits a negative value in two's complement too: value = hi * 2^32 + lo, 0 <= lo < 2^32.
  // Both steps are exact for an integer below 2^63 in magnitude, and `| 0` wraps lo to its int32 bits.
  const hi = Math.floor(value / TWO_POW_32);
  return hashWord(hi | 0, (value - hi * TWO_POW_32) | 0, 8, seed >> 31, seed | 0);
}

/**
 * Ignite's `HashUtils.combine(hash1, hash2)`: `hash1` hashed as an int32 with `hash2` as its (sign-extended)
 * seed. Not commutative. Chains the parts of a temporal value and the columns of a colocation key.
 */
export function combineHash(hash1: number, hash2: number): number {
  return hashWord(0, hash1 | 0, 4, hash2 >> 31, hash2 | 0);
}

/**
 * Strings are encoded into one reused buffer. It grows to fit, up to this size; a longer string is encoded
 * into a buffer of its own so that one huge key does not pin memory for the life of the process.
 */
const MAX_RETAINED_SCRATCH = 64 * 1024;
let stringScratch = new Uint8Array(256);
const encoder = new TextEncoder();

/**
 * The 32-bit hash of a string's UTF-8 bytes with seed 0, as Ignite's `HashCalculator.hashString`; the empty
 * string hashes to 0. A lone surrogate is encoded as U+FFFD (`EF BF BD`), as `TextEncoder` and the
 * BinaryTuple writer do, so the hash matches the bytes the server actually receives.
 */
export function hash32String(value: string): number {
  const units = value.length;
  if (units > stringScratch.length) {
    if (units > MAX_RETAINED_SCRATCH) return hash32Bytes(encoder.encode(value));
    stringScratch = new Uint8Array(Math.max(units, stringScratch.length * 2));
  }
  // ASCII, the common case for keys, is copied without an encoder call.
  let i = 0;
  for (; i < units; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0x80) break;
    stringScratch[i] = unit;
  }
  if (i === units) {
    hashRange(stringScratch, 0, units, 0, 0);
    return outHi ^ outLo;
  }
  // UTF-8 needs at most 3 bytes per UTF-16 unit (a surrogate pair is 2 units and 4 bytes).
  const worstCase = units * 3;
  if (worstCase > stringScratch.length) {
    if (worstCase > MAX_RETAINED_SCRATCH) return hash32Bytes(encoder.encode(value));
    stringScratch = new Uint8Array(Math.max(worstCase, stringScratch.length * 2));
  }
  const { written } = encoder.encodeInto(value, stringScratch);
  hashRange(stringScratch, 0, written, 0, 0);
  return outHi ^ outLo;
}
