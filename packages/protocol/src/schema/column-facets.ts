/**
 * The effective precision and scale of a column: what its definition says, or Ignite 3's default where it
 * says nothing (see {@link TypeDefaults}). Value checks, the tuple codec and the colocation hash all ask here,
 * so the three never disagree about a default.
 *
 * It does not validate a whole column definition (the catalog does); it only refuses a precision or scale
 * that would make the codecs compute garbage.
 */
import { InvalidValueError } from '../errors/protocol-error.js';
import { TypeDefaults } from './column-types.js';
import type { ColumnDef } from './table-schema.js';

function checkFacet(column: ColumnDef, facet: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidValueError(
      column.name,
      `column "${column.name}" (${column.type}) has ${facet} ${String(value)}, expected an integer in ${min}..${max}`,
    );
  }
  return value;
}

/**
 * The number of digits after the decimal point of a DECIMAL column (default 0).
 *
 * @throws InvalidValueError when the definition's scale is not an integer in 0..32767.
 */
export function decimalScale(column: ColumnDef): number {
  const scale = column.scale;
  if (scale === undefined) return TypeDefaults.decimalScale;
  return checkFacet(column, 'scale', scale, 0, TypeDefaults.maxDecimalPrecision);
}

/**
 * The total number of digits of a DECIMAL column (default 32767).
 *
 * @throws InvalidValueError when the definition's precision is not an integer in 1..32767.
 */
export function decimalPrecision(column: ColumnDef): number {
  const precision = column.precision;
  if (precision === undefined) return TypeDefaults.decimalPrecision;
  return checkFacet(column, 'precision', precision, 1, TypeDefaults.maxDecimalPrecision);
}

/**
 * The number of fractional digits of seconds a TIME, DATETIME or TIMESTAMP column keeps (defaults: TIME 0,
 * DATETIME 6, TIMESTAMP 6). Other types give 9 (nothing to truncate).
 *
 * @throws InvalidValueError when the definition's precision is not an integer in 0..9.
 */
export function temporalPrecision(column: ColumnDef): number {
  const precision = column.precision;
  if (precision !== undefined) {
    return checkFacet(column, 'precision', precision, 0, TypeDefaults.maxTemporalPrecision);
  }
  switch (column.type) {
    case 'TIME':
      return TypeDefaults.timePrecision;
    case 'DATETIME':
      return TypeDefaults.datetimePrecision;
    case 'TIMESTAMP':
      return TypeDefaults.timestampPrecision;
    default:
      return TypeDefaults.maxTemporalPrecision;
  }
}

/** `10^(9 - precision)`: nanoseconds are truncated to a multiple of this. Indexed by precision 0..9. */
const NANO_UNITS = [1e9, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 1e2, 1e1, 1] as const;

/**
 * `nanos` (0..999,999,999) truncated to `precision` fractional digits of a second (0..9), toward zero, as
 * Ignite does before storing or hashing a temporal value.
 */
export function truncateNanos(nanos: number, precision: number): number {
  const unit = NANO_UNITS[precision] ?? 1;
  return nanos - (nanos % unit);
}
