/**
 * Committing a transaction of this node whose writes all fall on ONE replicated partition (a streamer batch,
 * a single-row write, a receiver's transaction that stayed on one partition): it is prepared here (its
 * intents checked, and kept so no other write can slip under them), decided at a commit timestamp of the
 * node's hybrid clock, and appended to the partition's Raft log as one `write` command with the producer
 * fence's record, if any. The promise settles once the command applied on this replica, which happens only
 * after a majority of the partition's replicas hold it: then the intents became versions (or, when the fence
 * found the batch applied already or fenced, were dropped), and the caller may answer.
 *
 * A transaction over several partitions (replicated or not) does not come here: two-phase-commit.ts commits it.
 * It does not route (the caller found the partition served here).
 */
import type { HybridClock } from '../clock/hlc.js';
import { encodeWrite, type FenceOp } from '../replication/partition-command.js';
import type { PartitionGroup } from '../replication/partition-group.js';
import type { CommandOutcome } from '../replication/partition-state-machine.js';
import type { MvccPartitionStore } from '../storage/mvcc-partition-store.js';
import { TxStates } from '../storage/tx-lifecycle.js';
import type { Transaction } from './transaction.js';
import type { TransactionManager } from './transaction-manager.js';

/**
 * Commits `tx` (open, its writes on `store` only, the store of `group`) through `group`'s log with `fence`.
 *
 * @returns what the command did: `applied`, or `duplicate` / `refused` (nothing applied) for a fenced batch.
 * @throws ServerError `TX_NOT_ACTIVE` or `TX_CONFLICT` when the prepare fails (aborted, nothing proposed);
 *   `NO_QUORUM` (retryable) when the partition is not served here any more (nothing proposed), or (rejects)
 *   when this replica stopped leading before the command applied (its outcome is then unknown).
 */
export async function commitOnGroup(
  hlc: HybridClock,
  manager: TransactionManager,
  tx: Transaction,
  store: MvccPartitionStore,
  group: PartitionGroup,
  fence: FenceOp | null,
): Promise<CommandOutcome> {
  manager.prepare(tx);
  const ptx = tx.participant(store);
  const commitTs = hlc.now();
  const writes = ptx !== undefined && ptx.writeCount > 0 ? { store, ptx } : undefined;
  const command = encodeWrite(commitTs, fence, writes);
  // Decided: from here its writes commit when the command applies (or go with a lost leadership).
  manager.release(tx, 'commit');
  try {
    return await group.propose(command, ptx);
  } catch (error) {
    // Not proposed (the replica stopped serving just now): nothing else will drop these intents.
    if (ptx !== undefined && ptx.state === TxStates.PREPARED) store.abort(ptx);
    throw error;
  }
}
