/**
 * Committing a transaction this node began over partitions it serves (a multi-row tuple op, a delete that
 * reads first): at once when they are unreplicated (one synchronous step of the node's manager); through the
 * partition's log when they are on one replicated partition (tx/replicated-commit.ts); by two-phase commit
 * over the partitions' logs when on several (tx/two-phase-commit.ts). Partitions of replicated and of
 * unreplicated tables in one transaction are refused.
 */
import { ServerError } from '../errors/server-error.js';
import type { PartitionReplica } from '../partitions/partition-table.js';
import type { PartitionGroup } from '../replication/partition-group.js';
import { commitOnGroup } from '../tx/replicated-commit.js';
import type { Transaction } from '../tx/transaction.js';
import { commitTwoPhase, type LocalShare, mixedTransaction } from '../tx/two-phase-commit.js';
import type { NodeContext } from './node-context.js';

/**
 * Commits `tx`, which wrote only on `replicas` (served here).
 * @returns nothing once committed (a promise of it for replicated partitions).
 * @throws ServerError as the manager's commit, `commitOnGroup` or `commitTwoPhase`; `INVALID_ARGUMENT` for a
 *   transaction over replicated and unreplicated partitions (aborted).
 */
export function commitLocal(
  node: NodeContext,
  tx: Transaction,
  replicas: readonly PartitionReplica[],
): void | Promise<void> {
  const manager = node.transactions;
  const groups = new Map<PartitionGroup, PartitionReplica>();
  let unreplicated = 0;
  for (const replica of replicas) {
    if (replica.group === undefined) unreplicated++;
    else groups.set(replica.group, replica);
  }
  if (groups.size === 0) {
    manager.commit(tx);
    return;
  }
  if (unreplicated > 0) {
    manager.abort(tx);
    throw mixedTransaction(tx);
  }
  if (groups.size === 1) {
    const [[group, replica]] = groups as unknown as [[PartitionGroup, PartitionReplica]];
    return commitOnGroup(node.hlc, manager, tx, replica.store, group, null).then((outcome) => {
      if (outcome.kind !== 'applied') {
        throw new ServerError('INTERNAL', `a write command without a fence record ended as ${outcome.kind}`);
      }
    });
  }
  const shares: LocalShare[] = [...groups].map(([group, replica]) => ({
    tableId: replica.tableId,
    partitionId: replica.partition,
    store: replica.store,
    group,
  }));
  return commitTwoPhase(node, manager, tx, shares, new Map(), node.epoch).then(() => undefined);
}
