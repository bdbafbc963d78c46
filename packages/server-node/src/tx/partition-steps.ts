/**
 * The per-partition steps of finishing a transaction, kept apart from the local `TransactionManager` so a
 * two-phase-commit coordinator can drive them on remote participants later: prepare (the partition checks
 * it can commit and then promises to), commit at the coordinator's commit timestamp, abort.
 *
 * They do not pick timestamps or decide the outcome: the coordinator does.
 */
import { ServerError } from '../errors/server-error.js';
import type { MvccPartitionStore } from '../storage/mvcc-partition-store.js';
import type { PartitionTx } from '../storage/partition-tx.js';
import { TxStates } from '../storage/tx-lifecycle.js';
import type { Transaction } from './transaction.js';

/**
 * Prepares `tx` on `partition`: PENDING -> PREPARED once its intents are checked.
 *
 * @throws ServerError `TX_NOT_ACTIVE` when the participant is not PENDING (a restart aborts it);
 *   `INVALID_ARGUMENT` when `tx` never touched `partition`.
 */
export function preparePartition(partition: MvccPartitionStore, tx: Transaction): void {
  partition.prepare(participantOf(partition, tx));
}

/**
 * Commits `tx` on `partition` at `commitTs`: PREPARED -> COMMITTED.
 *
 * @throws ServerError `TX_NOT_ACTIVE` when the participant is not PREPARED; `INVALID_ARGUMENT` when
 *   `commitTs` is not after the start or `tx` never touched `partition`; `INTERNAL` when an apply listener
 *   threw (the commit is complete regardless).
 */
export function commitPartition(partition: MvccPartitionStore, tx: Transaction, commitTs: bigint): void {
  partition.commit(participantOf(partition, tx), commitTs);
}

/**
 * Aborts `tx` on `partition`. A participant already aborted (a restart dropped its intents) is left as it
 * is, so a coordinator can always abort everywhere.
 *
 * @throws ServerError `TX_NOT_ACTIVE` when the participant committed; `INVALID_ARGUMENT` when `tx` never
 *   touched `partition`.
 */
export function abortPartition(partition: MvccPartitionStore, tx: Transaction): void {
  const ptx = participantOf(partition, tx);
  if (ptx.state === TxStates.ABORTED) return;
  partition.abort(ptx);
}

function participantOf(partition: MvccPartitionStore, tx: Transaction): PartitionTx {
  const ptx = tx.participant(partition);
  if (ptx === undefined) {
    throw new ServerError(
      'INVALID_ARGUMENT',
      `transaction ${tx.id} never touched partition ${partition.name}`,
    );
  }
  return ptx;
}
