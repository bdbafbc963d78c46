/**
 * Whether the rows of a write belong where they are written: a row goes to the partition its key hashes to
 * (its colocation columns, as `colocationHash` computes it), and a node never trusts the partition a client
 * or a peer named. A row written to another partition would be stored where no read of its key looks, and a
 * later write of the key would make a second copy.
 */
import type { ServerError } from '../errors/server-error.js';
import { type RowContext, rowError } from './ingest-errors.js';
import type { KeyedRows } from './keyed-rows.js';
import type { RowShape } from './row-shape.js';

/**
 * Checks that every key of `rows` (checked by the ingest) belongs to `partition`.
 * @throws ServerError `INVALID_ROW` naming the first row whose key belongs to another partition.
 */
export function checkKeysIn(rows: KeyedRows, shape: RowShape, partition: number, context: RowContext): void {
  const { keyBytes, keyStarts, keyLengths } = rows;
  for (let i = 0; i < rows.count; i++) {
    const owner = shape.partitionOfKey(keyBytes, keyStarts[i] as number, keyLengths[i] as number);
    if (owner !== partition) throw misplaced(shape, i, context, owner, partition);
  }
}

/**
 * Checks that the key tuple `key` (checked) belongs to `partition`.
 * @throws ServerError `INVALID_ROW` naming row `index` when it belongs to another partition.
 */
export function checkKeyIn(
  key: Uint8Array,
  shape: RowShape,
  partition: number,
  index: number,
  context: RowContext,
): void {
  const owner = shape.partitionOfKey(key, 0, key.length);
  if (owner !== partition) throw misplaced(shape, index, context, owner, partition);
}

function misplaced(
  shape: RowShape,
  index: number,
  context: RowContext,
  owner: number,
  partition: number,
): ServerError {
  return rowError(
    shape,
    index,
    context,
    `has a key of partition ${owner}, not of partition ${partition} it was written to`,
  );
}
