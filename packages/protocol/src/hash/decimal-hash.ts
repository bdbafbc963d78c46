/**
 * The colocation hash of a DECIMAL, as Ignite 3's `HashCalculator.hashDecimal`: the value rescaled half-up to
 * the column's scale (`BigDecimal.setScale(scale, HALF_UP)`), then the unscaled integer's bytes as Java's
 * `BigInteger.toByteArray()` writes them (minimal big-endian two's complement, at least one byte: zero is
 * `00`), hashed with seed 0.
 *
 * These are not the BinaryTuple bytes of a decimal (those strip trailing zeros and carry the scale); they
 * only feed the hash.
 */
import type { DecimalValue } from '../schema/values.js';
import { hash32Bytes } from './murmur3.js';

const POW10_CACHED = 40;
const pow10Table: bigint[] = [];
for (let i = 0, p = 1n; i < POW10_CACHED; i++, p *= 10n) pow10Table.push(p);

function pow10(exponent: number): bigint {
  return pow10Table[exponent] ?? 10n ** BigInt(exponent);
}

/**
 * `value` as an unscaled integer at `scale`, rounding half away from zero (Java's `RoundingMode.HALF_UP`)
 * when digits are dropped.
 */
export function unscaledAtScale(value: DecimalValue, scale: number): bigint {
  const { unscaled } = value;
  if (value.scale === scale) return unscaled;
  if (value.scale < scale) return unscaled * pow10(scale - value.scale);
  const divisor = pow10(value.scale - scale);
  const quotient = unscaled / divisor;
  const remainder = unscaled % divisor;
  const twiceRemainder = (remainder < 0n ? -remainder : remainder) * 2n;
  if (twiceRemainder < divisor) return quotient;
  return unscaled < 0n ? quotient - 1n : quotient + 1n;
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const word = new DataView(new ArrayBuffer(8));
let scratch = new Uint8Array(16);

/**
 * The 32-bit hash of `value` at `columnScale`.
 *
 * @param columnScale the column's scale (digits after the point), a non-negative integer
 */
export function hashDecimal(value: DecimalValue, columnScale: number): number {
  // Write first: a long value may replace `scratch` with a bigger buffer.
  const length = writeTwosComplementBigEndian(unscaledAtScale(value, columnScale));
  return hash32Bytes(scratch, 0, length);
}

/** Writes `value` as `BigInteger.toByteArray()` would into `scratch` and returns the byte count. */
function writeTwosComplementBigEndian(value: bigint): number {
  if (value >= INT64_MIN && value <= INT64_MAX) {
    // The common case: fits a long, so write it whole and drop redundant sign bytes from the front.
    word.setBigInt64(0, value, false);
    let start = 0;
    while (start < 7) {
      const lead = word.getUint8(start);
      const next = word.getUint8(start + 1);
      const redundant = (lead === 0x00 && next < 0x80) || (lead === 0xff && next >= 0x80);
      if (!redundant) break;
      start++;
    }
    const length = 8 - start;
    for (let i = 0; i < length; i++) scratch[i] = word.getUint8(start + i);
    return length;
  }
  // Smallest n with -2^(8n-1) <= value < 2^(8n-1).
  let length = 9;
  let bound = 1n << 71n;
  while (value >= bound || value < -bound) {
    length++;
    bound <<= 8n;
  }
  if (length > scratch.length) scratch = new Uint8Array(Math.max(length, scratch.length * 2));
  let rest = BigInt.asUintN(length * 8, value);
  for (let i = length - 1; i >= 0; i--) {
    scratch[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return length;
}
