/**
 * One-column tuples for the element tests: the element a client writes for a value, the element of a tuple,
 * and a tuple around an element.
 */
import type { ColumnDef, TableSchema } from '../../src/schema/table-schema.js';
import { RowCodec } from '../../src/tuple/row-codec.js';

/** The one element of a one-column tuple. */
export function elementOf(tuple: Uint8Array): Uint8Array {
  const entry = 1 << ((tuple[0] as number) & 3);
  return tuple.subarray(1 + entry);
}

/** A one-column tuple holding `element` (1-byte offsets: elements up to 255 bytes). */
export function tupleOf(element: Uint8Array): Uint8Array {
  return Uint8Array.from([0, element.length, ...element]);
}

/** The element a client writes for `value` in `column`. */
export function encoded(column: ColumnDef, value: unknown): Uint8Array {
  const schema: TableSchema = {
    tableId: 1,
    tableName: 'T',
    version: 1,
    columns: [{ ...column, nullable: false }],
    keyColumns: [0],
    colocationColumns: [0],
    partitions: 1,
  };
  return elementOf(new RowCodec(schema).encodeRow({ [column.name]: value }).tuple).slice();
}
