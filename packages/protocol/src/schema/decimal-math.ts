/**
 * Arithmetic on {@link DecimalValue}s (`unscaled * 10^-scale`) that Java's `BigDecimal` does for Ignite:
 * rescaling with HALF_UP rounding, stripping trailing zeros, counting digits.
 *
 * It does not parse or format text (see `decimal-text.ts`) and knows nothing about columns.
 */
import type { DecimalValue } from './values.js';

/** Powers of ten small enough to be worth keeping; larger ones are computed on demand. */
const CACHED_POWERS = 64;
const POWERS: bigint[] = [];
for (let i = 0, p = 1n; i < CACHED_POWERS; i++, p *= 10n) POWERS.push(p);

/** `10^exponent` as a bigint; `exponent` is a non-negative integer. */
export function pow10(exponent: number): bigint {
  return POWERS[exponent] ?? 10n ** BigInt(exponent);
}

/** The number of decimal digits of `value`'s magnitude; 0 has 1 digit, as in `BigDecimal.precision()`. */
export function digitCount(value: bigint): number {
  const magnitude = value < 0n ? -value : value;
  if (magnitude < 10n) return 1;
  return magnitude.toString().length;
}

/**
 * `value` at `scale`: exact when `scale` is at least the value's scale, else rounded HALF_UP (ties away from
 * zero), as `BigDecimal.setScale(scale, RoundingMode.HALF_UP)`.
 */
export function rescaleHalfUp(value: DecimalValue, scale: number): DecimalValue {
  const diff = scale - value.scale;
  if (diff === 0) return value;
  if (diff > 0) return { unscaled: value.unscaled * pow10(diff), scale };
  const divisor = pow10(-diff);
  const negative = value.unscaled < 0n;
  const magnitude = negative ? -value.unscaled : value.unscaled;
  let quotient = magnitude / divisor;
  // HALF_UP: a remainder of at least half the divisor rounds the magnitude up.
  if ((magnitude % divisor) * 2n >= divisor) quotient += 1n;
  return { unscaled: negative ? -quotient : quotient, scale };
}

/**
 * `value` with its trailing decimal zeros removed (`12.50` becomes `12.5`, `100` becomes `1E+2`, i.e. scale
 * -2), as `BigDecimal.stripTrailingZeros()`; zero becomes `0` at scale 0.
 */
export function stripTrailingZeros(value: DecimalValue): DecimalValue {
  let unscaled = value.unscaled;
  if (unscaled === 0n) return value.scale === 0 ? value : { unscaled: 0n, scale: 0 };
  let scale = value.scale;
  if (unscaled % 10n !== 0n) return value;
  // Strip eight zeros at a time first: long runs of zeros otherwise cost one bigint division each.
  while (unscaled % 100000000n === 0n) {
    unscaled /= 100000000n;
    scale -= 8;
  }
  while (unscaled % 10n === 0n) {
    unscaled /= 10n;
    scale -= 1;
  }
  return { unscaled, scale };
}
