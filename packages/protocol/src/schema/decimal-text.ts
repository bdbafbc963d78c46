/**
 * DECIMAL values from user input (decimal text, numbers, bigints) and back to plain text.
 *
 * Input is brought to the column's scale with HALF_UP rounding and checked against its precision, with work
 * bounded by the precision rather than by the input: `'1e999999999'` fails fast instead of building a huge
 * bigint. Failures come back as a {@link DecimalFailure} so the caller can name the column.
 *
 * It does not know about columns or errors, and does not strip zeros for the wire (the tuple builder does).
 */
import { pow10, rescaleHalfUp } from './decimal-math.js';
import type { DecimalValue } from './values.js';

/** Why a value could not become a DECIMAL. */
export const DecimalFailures = {
  /** Not decimal notation. */
  syntax: 'syntax',
  /** More digits than the precision allows, once at the column's scale. */
  precision: 'precision',
} as const;

export type DecimalFailure = (typeof DecimalFailures)[keyof typeof DecimalFailures];

/** Sign, integer digits, fraction digits, exponent: `-12.50`, `.5`, `1e3`, `1.5E-7`. */
const DECIMAL_SYNTAX = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

const CHAR_ZERO = 0x30;
const CHAR_FIVE = 0x35;
const CHAR_NINE = 0x39;

/**
 * Parses decimal notation into a value at `scale` (HALF_UP), checked against `precision` total digits.
 * Accepts an optional sign, digits with an optional point, and an optional exponent; at least one digit.
 */
export function parseDecimalText(
  text: string,
  scale: number,
  precision: number,
): DecimalValue | DecimalFailure {
  const match = DECIMAL_SYNTAX.exec(text);
  if (match === null) return DecimalFailures.syntax;
  const intPart = match[2] ?? '';
  const fracPart = match[3] ?? '';
  if (intPart.length + fracPart.length === 0) return DecimalFailures.syntax;
  const exponent = match[4] === undefined ? 0 : Number(match[4]);

  const digits = intPart + fracPart;
  let first = 0;
  while (first < digits.length && digits.charCodeAt(first) === CHAR_ZERO) first++;
  if (first === digits.length) return { unscaled: 0n, scale };

  const significant = digits.slice(first);
  // Digits of `significant` that stand before the decimal point (may be negative or past its end).
  const pointAt = intPart.length - first + exponent;
  // Digits kept at the target scale. The first kept digit is non-zero, so the result has at least `keep`
  // digits: checking here bounds the work by the precision, whatever the exponent.
  const keep = pointAt + scale;
  if (keep > precision) return DecimalFailures.precision;

  let magnitude: bigint;
  if (keep < 0) {
    magnitude = 0n;
  } else if (keep === 0) {
    magnitude = significant.charCodeAt(0) >= CHAR_FIVE ? 1n : 0n;
  } else if (keep >= significant.length) {
    magnitude = BigInt(significant) * pow10(keep - significant.length);
  } else {
    const kept = significant.slice(0, keep);
    magnitude = BigInt(kept);
    // HALF_UP looks only at the first dropped digit.
    if (significant.charCodeAt(keep) >= CHAR_FIVE) {
      magnitude += 1n;
      if (keep === precision && allNines(kept)) return DecimalFailures.precision;
    }
  }
  return { unscaled: match[1] === '-' ? -magnitude : magnitude, scale };
}

function allNines(digits: string): boolean {
  for (let i = 0; i < digits.length; i++) if (digits.charCodeAt(i) !== CHAR_NINE) return false;
  return true;
}

/**
 * A finite number as a DECIMAL at `scale`. The number is read through its shortest round-trip decimal text
 * (`String(0.1)` is `'0.1'`), as Java's `BigDecimal.valueOf(double)` does, not through its binary expansion.
 */
export function decimalFromNumber(
  value: number,
  scale: number,
  precision: number,
): DecimalValue | DecimalFailure {
  return parseDecimalText(String(value), scale, precision);
}

/** An integer as a DECIMAL at `scale`, checked against `precision`. */
export function decimalFromBigInt(
  value: bigint,
  scale: number,
  precision: number,
): DecimalValue | DecimalFailure {
  if (value === 0n) return { unscaled: 0n, scale };
  const magnitude = value < 0n ? -value : value;
  if (magnitude.toString().length + scale > precision) return DecimalFailures.precision;
  return { unscaled: value * pow10(scale), scale };
}

/**
 * Plain notation with exactly `scale` digits after the point (none when `scale` is 0): `{-1250, 2}` at scale 2
 * is `'-12.50'`. A value at another scale is rescaled first (HALF_UP).
 */
export function formatDecimal(value: DecimalValue, scale: number): string {
  const unscaled = rescaleHalfUp(value, scale).unscaled;
  const negative = unscaled < 0n;
  let digits = (negative ? -unscaled : unscaled).toString();
  const sign = negative ? '-' : '';
  if (scale <= 0) return sign + digits;
  if (digits.length <= scale) digits = digits.padStart(scale + 1, '0');
  const point = digits.length - scale;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
