/**
 * The DECIMAL element of a BinaryTuple, apart from its framing: the value as it is written (rounded to the
 * column scale, trailing zeros stripped while the scale fits in 16 bits) and its unscaled part as Java's
 * `BigInteger.toByteArray()` writes it (the fewest big-endian two's complement bytes that keep the sign bit).
 *
 * It does not check user input (value checks do) nor write the 2-byte scale (the builder does).
 */
import { ProtocolError } from '../errors/protocol-error.js';
import { rescaleHalfUp, stripTrailingZeros } from '../schema/decimal-math.js';
import type { DecimalValue } from '../schema/values.js';

const INT32_MIN_BIG = -2147483648n;
const INT32_MAX_BIG = 2147483647n;
const SHORT_MIN = -32768;
const SHORT_MAX = 32767;

/**
 * `value` as a tuple stores it for a column of scale `columnScale`: rounded HALF_UP to that scale if it has
 * more digits, then with trailing zeros stripped when the stripped scale fits in 16 bits (`100` is scale -2,
 * unscaled 1).
 *
 * @throws ProtocolError `VALUE_NOT_ENCODABLE` when the scale cannot fit in 16 bits.
 */
export function decimalForTuple(value: DecimalValue, columnScale: number): DecimalValue {
  let decimal = value.scale > columnScale ? rescaleHalfUp(value, columnScale) : value;
  const stripped = stripTrailingZeros(decimal);
  if (stripped.scale >= SHORT_MIN && stripped.scale <= SHORT_MAX) decimal = stripped;
  if (decimal.scale < SHORT_MIN || decimal.scale > SHORT_MAX) {
    throw new ProtocolError(
      'VALUE_NOT_ENCODABLE',
      `BinaryTuple: decimal scale ${decimal.scale} does not fit in 16 bits`,
    );
  }
  return decimal;
}

/** The number of bytes `BigInteger.toByteArray()` gives for `value`: at least 1, at most 4 in the int32 range. */
export function twosComplementLength(value: bigint): number {
  if (value >= INT32_MIN_BIG && value <= INT32_MAX_BIG) {
    const n = Number(value);
    if (n >= -128 && n <= 127) return 1;
    if (n >= SHORT_MIN && n <= SHORT_MAX) return 2;
    return n >= -8388608 && n <= 8388607 ? 3 : 4;
  }
  // Bits of the magnitude of a non-negative number or of the one's complement of a negative one; one more
  // bit holds the sign.
  const magnitude = value < 0n ? -value - 1n : value;
  return (magnitude.toString(2).length >> 3) + 1;
}

/**
 * Writes `value` as `length` big-endian two's complement bytes at `target[at]`; `length` is
 * {@link twosComplementLength}`(value)` and the caller has made room.
 */
export function writeTwosComplement(target: Uint8Array, at: number, value: bigint, length: number): void {
  if (length <= 4) {
    // In the int32 range: `>>` keeps the sign as the bytes run out.
    let n = Number(value);
    for (let i = at + length - 1; i >= at; i--) {
      target[i] = n & 0xff;
      n >>= 8;
    }
    return;
  }
  const hex = BigInt.asUintN(length * 8, value)
    .toString(16)
    .padStart(length * 2, '0');
  for (let i = 0; i < length; i++) target[at + i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
}
