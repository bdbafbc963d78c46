/**
 * Whether a value read back from storage fits its column as the value checks define it: the judge that
 * checkers and tests use on decoded rows, independent of the node's checks on bytes (`element-check.ts`).
 *
 * A value fits when it is NULL only in a nullable column, and when turning it into its documented output
 * type and checking that output as input again (`denormalizeValue`, then `normalizeValue`) gives the same
 * value back: a DECIMAL with more digits than its precision, a TIME finer than its precision or a TIMESTAMP
 * beyond what a `Date` holds does not. A TIMESTAMP's nanoseconds below the millisecond, which a `Date`
 * cannot carry, are judged against the column's precision directly.
 *
 * It does not decode bytes (the tuple reader does) and is not meant for a hot path (it allocates).
 */
import { temporalPrecision, truncateNanos } from './column-facets.js';
import { describeValue } from './describe-value.js';
import { isInstantValue } from './internal-value-guards.js';
import type { ColumnDef } from './table-schema.js';
import { denormalizeValue, normalizeValue } from './value-check.js';
import type { InternalValue } from './values.js';

/**
 * What keeps `value` (as the tuple reader gave it for `column`) from fitting the column, or `undefined` when
 * it fits.
 */
export function storedValueProblem(column: ColumnDef, value: InternalValue): string | undefined {
  if (value === null) return column.nullable === true ? undefined : 'is NULL, but the column is not nullable';
  let output: unknown;
  let again: InternalValue;
  try {
    output = denormalizeValue(column, value);
    if (column.type === 'TIMESTAMP') {
      if (!isInstantValue(value)) return `holds ${describeValue(value)}, not an instant`;
      const nanos = truncateNanos(value.nanos, temporalPrecision(column));
      return nanos === value.nanos ? undefined : `has ${value.nanos} nanoseconds, finer than its precision`;
    }
    again = normalizeValue(column, output);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return sameValue(value, again)
    ? undefined
    : `holds ${describeValue(value)}, which reads back as ${describeValue(again)}`;
}

/** Structural equality of two internal values (numbers by `Object.is`, arrays and objects field by field). */
function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => sameValue(left[key], right[key]));
}
