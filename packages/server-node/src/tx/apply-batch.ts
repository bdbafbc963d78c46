/**
 * The server side of a plain streamer batch (Ignite's `STREAMER_BATCH_SEND`): all items in one implicit
 * transaction on one partition, committed in the same call, whole or nothing. Inside the batch only the last
 * operation per key counts: PUT then REMOVE leaves the key absent, PUT/REMOVE/PUT/PUT leaves the last PUT,
 * and a REMOVE of a key that is absent is a no-op (no intent, no version, no apply event).
 *
 * "Last wins" needs no per-batch map: items are written in order and a transaction's second write of a key
 * replaces its own intent. It does not decode frames, check schemas or ownership (the request handler does).
 */
import { StreamerOperationTypes } from '@datastreamer/protocol';
import { ServerError } from '../errors/server-error.js';
import type { KeyedRows } from '../rows/keyed-rows.js';
import type { MvccPartitionStore } from '../storage/mvcc-partition-store.js';
import type { Transaction } from './transaction.js';
import type { TransactionManager } from './transaction-manager.js';

/** One streamer item: upsert `row` under `key`, or remove `key` (only the key columns matter). */
export type BatchItem =
  | { readonly op: typeof StreamerOperationTypes.PUT; readonly key: Uint8Array; readonly row: Uint8Array }
  | { readonly op: typeof StreamerOperationTypes.REMOVE; readonly key: Uint8Array };

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
        case StreamerOperationTypes.PUT:
          partition.write(ptx, item.key, item.row);
          break;
        case StreamerOperationTypes.REMOVE:
          // Absent in this transaction's view (its snapshot, or its own earlier REMOVE): nothing to do.
          partition.removeRange(ptx, item.key, 0, item.key.length);
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
 * {@link applyBatch} over a batch held as bytes. Same semantics (one implicit transaction, last operation per
 * key wins, REMOVE of an absent key is a no-op, whole or nothing), and no object per item. The intents point
 * into `batch.rowBytes` until the commit copies them, which happens before this returns (or the transaction is
 * aborted), so the caller may reuse the batch as soon as it returns or throws.
 *
 * @returns the commit timestamp.
 * @throws ServerError `TX_CONFLICT` (retryable) as {@link applyBatch}: nothing of the batch is applied.
 */
export function applyKeyedBatch(
  manager: TransactionManager,
  partition: MvccPartitionStore,
  batch: KeyedRows,
): bigint {
  const tx = writeKeyedBatch(manager, partition, batch);
  return manager.commit(tx);
}

/**
 * The first half of {@link applyKeyedBatch}: begins the implicit transaction and writes every item as an
 * intent, and returns it, open (the caller commits it, or prepares it for a replicated commit). The intents
 * point into `batch.rowBytes` until the transaction commits or aborts.
 *
 * @throws ServerError `TX_CONFLICT` (retryable) as {@link applyBatch}; the transaction is aborted then.
 */
export function writeKeyedBatch(
  manager: TransactionManager,
  partition: MvccPartitionStore,
  batch: KeyedRows,
): Transaction {
  const tx = manager.beginImplicit(partition);
  const ptx = tx.enlist(partition, 'write');
  const keyBytes = batch.keyBytes;
  const rowBytes = batch.rowBytes;
  const keyStarts = batch.keyStarts;
  const keyLengths = batch.keyLengths;
  const rowStarts = batch.rowStarts;
  const rowLengths = batch.rowLengths;
  try {
    for (let i = 0; i < batch.count; i++) {
      const keyStart = keyStarts[i] as number;
      const keyLength = keyLengths[i] as number;
      const rowLength = rowLengths[i] as number;
      if (rowLength >= 0) {
        partition.writeRange(ptx, keyBytes, keyStart, keyLength, rowBytes, rowStarts[i] as number, rowLength);
      } else {
        partition.removeRange(ptx, keyBytes, keyStart, keyLength);
      }
    }
  } catch (err) {
    manager.abort(tx);
    throw err;
  }
  return tx;
}
