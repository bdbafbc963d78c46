/**
 * How the write path words a bad row: every error is `INVALID_ROW` and names the row by its index in the
 * batch or request and the table with its schema version, and the column (extension `column`) when there is
 * one; plus the `noValueSet` check that needs the same wording. Nothing here checks a tuple's layout.
 */
import { ErrorExtensionKeys } from '@datastreamer/protocol';
import { ServerError } from '../errors/server-error.js';
import type { RowShape } from './row-shape.js';

/** Says which request a row belongs to in error messages, e.g. `'batch'` gives `row 3 of the batch`. */
export type RowContext = 'batch' | 'request';

/**
 * The length of `mask[maskStart..maskStart + maskLength)` without its trailing zero bytes, having checked
 * that no bit marks a column past the last one.
 */
export function markedLength(
  shape: RowShape,
  mask: Uint8Array,
  maskStart: number,
  maskLength: number,
  index: number,
  context: RowContext,
): number {
  let length = maskLength;
  while (length > 0 && mask[maskStart + length - 1] === 0) length--;
  if (length === 0) return 0;
  const highest = (length - 1) * 8 + (31 - Math.clz32(mask[maskStart + length - 1] as number));
  if (highest >= shape.columnCount) {
    throw rowError(
      shape,
      index,
      context,
      `marks column ${highest} as not set, but schema version ${shape.version} has ${shape.columnCount} columns`,
    );
  }
  return length;
}

function where(shape: RowShape, index: number, context: RowContext): string {
  const table = `table "${shape.schema.tableName}" (schema version ${shape.version})`;
  return context === 'batch'
    ? `row ${index} of the batch for ${table}`
    : `row ${index} of the request for ${table}`;
}

export function rowError(shape: RowShape, index: number, context: RowContext, what: string): ServerError {
  return new ServerError('INVALID_ROW', `${where(shape, index, context)} ${what}`);
}

export function columnError(
  shape: RowShape,
  index: number,
  context: RowContext,
  column: number,
  what: string,
): ServerError {
  const name = shape.columnName(column);
  return new ServerError('INVALID_ROW', `${where(shape, index, context)}: column "${name}" ${what}`, {
    extensions: { [ErrorExtensionKeys.column]: name },
  });
}
