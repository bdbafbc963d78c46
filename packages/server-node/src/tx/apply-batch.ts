/**
 * The server side of a plain streamer batch (Ignite's `STREAMER_BATCH_SEND`): all items in one implicit
 * transaction on one partition, committed in the same call, whole or nothing. Inside the batch only the last
 * operation per key counts: PUT then REMOVE leaves the key absent, PUT/REMOVE/PUT/PUT leaves the last PUT,
 * and a REMOVE of a key that is absent is a no-op (no intent, no version, no apply event).
 *
 * "Last wins" needs no per-batch map: items are written in order and a transaction's second write of a key
 * replaces its own intent. It does not decode frames, check schemas or ownership (the request handler does).
 */
import { ServerError } from '../errors/server-error.js';
import type { MvccPartitionStore } from '../storage/mvcc-partition-store.js';
import type { TransactionManager } from './transaction-manager.js';

/** The operations a streamer item can carry. */
export const BatchOps = {
  PUT: 'PUT',
  REMOVE: 'REMOVE',
} as const;

export type BatchOp = (typeof BatchOps)[keyof typeof BatchOps];

/** One streamer item: upsert `row` under `key`, or remove `key` (only the key columns matter). */
export type BatchItem =
  | { readonly op: typeof BatchOps.PUT; readonly key: Uint8Array; readonly row: Uint8Array }
  | { readonly op: typeof BatchOps.REMOVE; readonly key: Uint8Array };

/**
 * Applies `items` to `partition` in one implicit transaction of `manager`.
 *
 * @returns the commit timestamp.
 * @throws ServerError `TX_CONFLICT` (retryable) when a key is being written by another transaction or was
 *   committed after the batch's snapshot: nothing of the batch is applied. `INVALID_ARGUMENT` for an item
 *   whose `op` is neither PUT nor REMOVE (nothing applied either).
 */
export function applyBatch(
  manager: TransactionManager,
  partition: MvccPartitionStore,
  items: readonly BatchItem[],
): bigint {
  const tx = manager.beginImplicit(partition);
  // The implicit transaction is enlisted by beginImplicit; the loop uses its handle directly, saving the
  // manager's per-item routing on this hot path.
  const ptx = tx.enlist(partition, 'write');
  try {
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as BatchItem;
      switch (item.op) {
        case BatchOps.PUT:
          partition.write(ptx, item.key, item.row);
          break;
        case BatchOps.REMOVE:
          // Absent in this transaction's view (its snapshot, or its own earlier REMOVE): nothing to do.
          if (partition.read(ptx, item.key) !== null) partition.write(ptx, item.key, null);
          break;
        default:
          throw new ServerError(
            'INVALID_ARGUMENT',
            `batch item ${i} has op ${String((item as { op: unknown }).op)}; expected PUT or REMOVE`,
          );
      }
    }
  } catch (err) {
    manager.abort(tx);
    throw err;
  }
  return manager.commit(tx);
}

/**
 * {@link applyBatch} over parallel arrays, for callers that hold a batch as bytes: item `i` upserts `rows[i]`
 * under `keys[i]`, or removes `keys[i]` when `rows[i]` is `null`. Same semantics (one implicit transaction,
 * last operation per key wins, REMOVE of an absent key is a no-op, whole or nothing), and no object per item.
 *
 * @returns the commit timestamp.
 * @throws ServerError `TX_CONFLICT` (retryable) as {@link applyBatch}: nothing of the batch is applied.
 *   `INVALID_ARGUMENT` when the arrays differ in length (nothing applied either).
 */
export function applyKeyedBatch(
  manager: TransactionManager,
  partition: MvccPartitionStore,
  keys: readonly Uint8Array[],
  rows: readonly (Uint8Array | null)[],
): bigint {
  if (keys.length !== rows.length) {
    throw new ServerError(
      'INVALID_ARGUMENT',
      `a keyed batch needs one row slot per key: ${keys.length} keys, ${rows.length} rows`,
    );
  }
  const tx = manager.beginImplicit(partition);
  const ptx = tx.enlist(partition, 'write');
  try {
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as Uint8Array;
      const row = rows[i] as Uint8Array | null;
      if (row !== null) partition.write(ptx, key, row);
      // Absent in this transaction's view (its snapshot, or its own earlier REMOVE): nothing to do.
      else if (partition.read(ptx, key) !== null) partition.write(ptx, key, null);
    }
  } catch (err) {
    manager.abort(tx);
    throw err;
  }
  return manager.commit(tx);
}
