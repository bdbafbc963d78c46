/**
 * Test-only reference for the colocation hash, written independently of `src/hash`: a literal BigInt
 * translation of the reference C MurmurHash3_x64_128 (byte at a time, no fast paths), and Ignite 3's
 * per-type rules written from WIRE.md, with primitives turned into little-endian bytes by `Buffer` and
 * hashed as byte arrays. Slow on purpose; never used by production code, and production code is never used
 * here.
 */
import { Buffer } from 'node:buffer';

const MASK64 = (1n << 64n) - 1n;
const C1 = 0x87c37b91114253d5n;
const C2 = 0x4cf5ad432745937fn;

function rotl64(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & MASK64;
}

function fmix64(input: bigint): bigint {
  let k = input;
  k ^= k >> 33n;
  k = (k * 0xff51afd7ed558ccdn) & MASK64;
  k ^= k >> 33n;
  k = (k * 0xc4ceb9fe1a85ec53n) & MASK64;
  k ^= k >> 33n;
  return k;
}

/** The little-endian 64-bit word of `bytes[from, from + count)` (count up to 8). */
function wordAt(bytes: Uint8Array, from: number, count: number): bigint {
  let k = 0n;
  for (let j = 0; j < count; j++) k |= BigInt(bytes[from + j] ?? 0) << BigInt(8 * j);
  return k;
}

/**
 * The first 64-bit word of MurmurHash3_x64_128(bytes, seed), `h1 + h2`, as a signed bigint.
 *
 * @param seed64 the full 64-bit seed (the caller decides how a 32-bit seed is extended)
 */
export function refHash64(bytes: Uint8Array, seed64: bigint): bigint {
  const len = bytes.length;
  const nblocks = Math.floor(len / 16);
  let h1 = BigInt.asUintN(64, seed64);
  let h2 = h1;
  for (let i = 0; i < nblocks; i++) {
    let k1 = wordAt(bytes, i * 16, 8);
    let k2 = wordAt(bytes, i * 16 + 8, 8);
    k1 = (k1 * C1) & MASK64;
    k1 = rotl64(k1, 31n);
    k1 = (k1 * C2) & MASK64;
    h1 ^= k1;
    h1 = rotl64(h1, 27n);
    h1 = (h1 + h2) & MASK64;
    h1 = (h1 * 5n + 0x52dce729n) & MASK64;
    k2 = (k2 * C2) & MASK64;
    k2 = rotl64(k2, 33n);
    k2 = (k2 * C1) & MASK64;
    h2 ^= k2;
    h2 = rotl64(h2, 31n);
    h2 = (h2 + h1) & MASK64;
    h2 = (h2 * 5n + 0x38495ab5n) & MASK64;
  }
  const tail = nblocks * 16;
  const rest = len - tail;
  if (rest > 8) {
    let k2 = wordAt(bytes, tail + 8, rest - 8);
    k2 = (k2 * C2) & MASK64;
    k2 = rotl64(k2, 33n);
    k2 = (k2 * C1) & MASK64;
    h2 ^= k2;
  }
  if (rest > 0) {
    let k1 = wordAt(bytes, tail, Math.min(rest, 8));
    k1 = (k1 * C1) & MASK64;
    k1 = rotl64(k1, 31n);
    k1 = (k1 * C2) & MASK64;
    h1 ^= k1;
  }
  h1 ^= BigInt(len);
  h2 ^= BigInt(len);
  h1 = (h1 + h2) & MASK64;
  h2 = (h2 + h1) & MASK64;
  h1 = fmix64(h1);
  h2 = fmix64(h2);
  return BigInt.asIntN(64, (h1 + h2) & MASK64);
}

/** `(int) (h ^ (h >>> 32))`. */
export function refFold(h64: bigint): number {
  const h = BigInt.asUintN(64, h64);
  return Number(BigInt.asIntN(32, h ^ (h >> 32n)));
}

/** A byte array or string hash: seed 0 (a 32-bit seed zero-extended, as Ignite's byte-array API does). */
export function refHashBytes(bytes: Uint8Array, seed32 = 0): number {
  return refFold(refHash64(bytes, BigInt(seed32 >>> 0)));
}

/** A primitive's little-endian bytes, with a previous hash as the seed **sign-extended** to 64 bits. */
export function refHashPrimitive(bytes: Uint8Array, seed32 = 0): number {
  return refFold(refHash64(bytes, BigInt.asUintN(64, BigInt(seed32 | 0))));
}

function le(width: 1 | 2 | 4 | 8, write: (b: Buffer) => void): Uint8Array {
  const b = Buffer.alloc(width);
  write(b);
  return b;
}

export const refInt8 = (v: number, seed = 0): number =>
  refHashPrimitive(
    le(1, (b) => b.writeInt8(v)),
    seed,
  );
export const refInt16 = (v: number, seed = 0): number =>
  refHashPrimitive(
    le(2, (b) => b.writeInt16LE(v)),
    seed,
  );
export const refInt32 = (v: number, seed = 0): number =>
  refHashPrimitive(
    le(4, (b) => b.writeInt32LE(v)),
    seed,
  );
export const refInt64 = (v: bigint, seed = 0): number =>
  refHashPrimitive(
    le(8, (b) => b.writeBigInt64LE(BigInt.asIntN(64, v))),
    seed,
  );
export const refCombine = (acc: number, hash: number): number => refInt32(acc, hash);

/** A column for the reference: the type name and the precision / scale it carries. */
export interface RefColumn {
  readonly type: string;
  readonly precision?: number;
  readonly scale?: number;
}

const DEFAULT_PRECISION: Readonly<Record<string, number>> = { TIME: 0, DATETIME: 6, TIMESTAMP: 6 };

function truncatedNanos(nanos: number, column: RefColumn): number {
  const precision = column.precision ?? DEFAULT_PRECISION[column.type] ?? 9;
  const unit = 10 ** (9 - precision);
  return Math.trunc(nanos / unit) * unit;
}

/** Half-up (away from zero) rounding of `unscaled * 10^-scale` to `targetScale`, by integer arithmetic. */
function roundHalfUp(unscaled: bigint, scale: number, targetScale: number): bigint {
  if (targetScale >= scale) return unscaled * 10n ** BigInt(targetScale - scale);
  const sign = unscaled < 0n ? -1n : 1n;
  const magnitude = unscaled * sign;
  const denominator = 10n ** BigInt(scale - targetScale);
  // floor(m / d + 1/2) = floor((2m + d) / 2d)
  return sign * ((2n * magnitude + denominator) / (2n * denominator));
}

/** `BigInteger.toByteArray()` via the hex digits of the two's complement in the smallest whole byte count. */
function javaToByteArray(value: bigint): Uint8Array {
  let bytes = 1;
  while (value >= 1n << BigInt(8 * bytes - 1) || value < -(1n << BigInt(8 * bytes - 1))) bytes++;
  const hex = BigInt.asUintN(8 * bytes, value)
    .toString(16)
    .padStart(2 * bytes, '0');
  return Buffer.from(hex, 'hex');
}

function refDate(v: { year: number; month: number; day: number }): number {
  return refInt32(v.day, refInt32(v.month, refInt32(v.year)));
}

function refTime(
  v: { hour: number; minute: number; second: number; nano: number },
  column: RefColumn,
): number {
  let h = refInt32(v.hour);
  h = refInt32(v.minute, h);
  h = refInt32(v.second, h);
  return refInt32(truncatedNanos(v.nano, column), h);
}

/**
 * The colocation hash of one value of `column`, from WIRE.md's rules. Values use the internal forms of
 * `schema/values.ts`, read field by field without importing its types.
 */
export function refValueHash(column: RefColumn, value: unknown): number {
  if (value === null) return refInt8(0);
  // The casts trust the caller: tests build values of the internal form of the column's type.
  switch (column.type) {
    case 'BOOLEAN':
      return refInt8(value === true ? 1 : 0);
    case 'INT8':
      return refInt8(value as number);
    case 'INT16':
      return refInt16(value as number);
    case 'INT32':
      return refInt32(value as number);
    case 'INT64':
      return refInt64(value as bigint);
    case 'FLOAT':
      return refHashPrimitive(
        le(4, (b) => (Number.isNaN(value) ? b.writeUInt32LE(0x7fc00000) : b.writeFloatLE(value as number))),
      );
    case 'DOUBLE':
      return refHashPrimitive(
        le(8, (b) =>
          Number.isNaN(value) ? b.writeBigUInt64LE(0x7ff8000000000000n) : b.writeDoubleLE(value as number),
        ),
      );
    case 'DECIMAL': {
      const d = value as { unscaled: bigint; scale: number };
      const rounded = roundHalfUp(d.unscaled, d.scale, column.scale ?? 0);
      return refHashBytes(javaToByteArray(rounded));
    }
    case 'STRING':
      return refHashBytes(Buffer.from(value as string, 'utf8'));
    case 'BYTES':
      return refHashBytes(value as Uint8Array);
    case 'UUID': {
      const u = value as { msb: bigint; lsb: bigint };
      return refInt64(u.lsb, refInt64(u.msb));
    }
    case 'DATE':
      return refDate(value as { year: number; month: number; day: number });
    case 'TIME':
      return refTime(value as { hour: number; minute: number; second: number; nano: number }, column);
    case 'DATETIME': {
      const dt = value as {
        date: { year: number; month: number; day: number };
        time: { hour: number; minute: number; second: number; nano: number };
      };
      return refCombine(refDate(dt.date), refTime(dt.time, column));
    }
    case 'TIMESTAMP': {
      const t = value as { seconds: bigint; nanos: number };
      return refInt32(truncatedNanos(t.nanos, column), refInt64(t.seconds));
    }
    default:
      throw new Error(`reference: unknown type ${column.type}`);
  }
}

/** The colocation hash of a key: `acc = 0; for each: acc = hash32(int acc, seed = valueHash)`. */
export function refColocationHash(columns: readonly RefColumn[], values: readonly unknown[]): number {
  let acc = 0;
  columns.forEach((column, i) => {
    acc = refCombine(acc, refValueHash(column, values[i]));
  });
  return acc;
}
