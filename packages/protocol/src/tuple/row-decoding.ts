/**
 * Tuples of one schema's columns back into values: internal values in column order, or a plain object in the
 * documented output types (a `__proto__` column becomes a data property, never the prototype). Both reuse
 * the caller's reader, so decoding allocates only what it returns. It does not check user input (decoding
 * reads what an encoder wrote) or know which schema version a tuple was written with.
 */
import type { ColumnDef } from '../schema/table-schema.js';
import { denormalizeValue } from '../schema/value-check.js';
import type { InternalValue } from '../schema/values.js';
import type { BinaryTupleReader } from './binary-tuple-reader.js';
import { readColumnValue } from './column-value-codec.js';

/**
 * The internal values of `tuple`, one per column of `columns`.
 * @throws ProtocolError `PROTOCOL_ERROR` when the tuple is malformed or does not fit the columns.
 */
export function decodeValues(
  scratch: BinaryTupleReader,
  columns: readonly ColumnDef[],
  tuple: Uint8Array,
): InternalValue[] {
  const reader = scratch.reset(tuple, columns.length);
  const values: InternalValue[] = new Array(columns.length);
  for (let i = 0; i < columns.length; i++) values[i] = readColumnValue(reader, i, columns[i] as ColumnDef);
  return values;
}

/**
 * `tuple` as a plain object keyed by `names`, values in their documented output types.
 * @throws ProtocolError `PROTOCOL_ERROR` when the tuple is malformed or does not fit the columns.
 */
export function decodeObject(
  scratch: BinaryTupleReader,
  columns: readonly ColumnDef[],
  names: readonly string[],
  inherited: Uint8Array,
  tuple: Uint8Array,
): Record<string, unknown> {
  const reader = scratch.reset(tuple, columns.length);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i] as ColumnDef;
    const value = denormalizeValue(column, readColumnValue(reader, i, column));
    if (inherited[i] === 1) {
      // A plain assignment to `__proto__` would set the prototype; define the property as data instead.
      Object.defineProperty(out, names[i] as string, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      out[names[i] as string] = value;
    }
  }
  return out;
}
