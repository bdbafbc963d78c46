/**
 * Two-phase commit of a transaction that touched partitions on other nodes, run by the node that began it
 * (the coordinator). In order:
 *
 * 1. Prepare this node's partitions (through its `TransactionManager`) and record their writes in the
 *    durable log as a prepared record, so a crash after the decision cannot lose this node's share.
 * 2. Send TX_PREPARE to every remote participant node; a "no" vote (an error answer) or a node that cannot
 *    be reached makes the outcome ABORTED.
 * 3. If the node crashed meanwhile, stop: no decision is taken, so every participant ends up aborting
 *    (presumed abort, see tx-coordinator.ts). Else record the decision, with one commit timestamp from the
 *    hybrid clock (moved past every participant's clock by their answers), in the durable log.
 * 4. Apply it on this node's partitions, drop the prepared record, then tell every remote participant
 *    (TX_COMMIT / TX_ABORT) and keep telling the ones that did not answer.
 *
 * A transaction that stays on one node never comes here: it commits in one synchronous step of its manager,
 * with no log write (nothing can happen between its prepare and its commit).
 *
 * Known gap: a reader on a participant node whose snapshot is after the commit timestamp but that read a key
 * before the commit arrived saw the value before it (the store ignores other transactions' intents on reads).
 */
import type { TxPartition } from '@datastreamer/protocol/internal';
import type { HybridClock } from '../clock/hlc.js';
import { ServerError } from '../errors/server-error.js';
import type { Forwarder } from '../node/forwarding.js';
import type { MvccPartitionStore } from '../storage/mvcc-partition-store.js';
import type { Transaction } from './transaction.js';
import type { TransactionManager } from './transaction-manager.js';
import type { TxCoordinator } from './tx-coordinator.js';
import type { PreparedPartition, TxDecision, TxLog } from './tx-log.js';
import { asServerError } from './tx-participant.js';

/**
 * What must hold for a transaction to commit beyond its own writes (a transactional receiver's batch fence),
 * decided in the very synchronous step that commits, so nothing interleaves between the check and the commit.
 */
export interface CommitGuard {
  /** Right before the commit decision: an error refuses the commit (the transaction aborts), else `undefined`. */
  check(): Error | undefined;
  /** In the same synchronous step as the commit decision (two-phase: as it is logged). */
  committed(): void;
}

/** One of this node's partitions a transaction touched. */
export interface LocalShare extends TxPartition {
  readonly store: MvccPartitionStore;
}

/** What the procedure needs of the coordinating node. */
export interface TwoPhaseHost {
  readonly name: string;
  readonly hlc: HybridClock;
  readonly forwarder: Forwarder;
  readonly txLog: TxLog;
  readonly coordinator: TxCoordinator;
  readonly epoch: number;
}

/**
 * Commits `tx` on this node's `local` partitions and on the `remote` participants (node -> partitions).
 *
 * @param epoch the node's epoch when the transaction began: a crash since then stops the procedure.
 * @param guard decides, as the decision is taken, whether the transaction may commit (see {@link CommitGuard}).
 * @returns the commit timestamp.
 * @throws the first "no" vote's error (e.g. `TX_CONFLICT`, `TX_NOT_ACTIVE`, `NODE_UNAVAILABLE`) after
 *   aborting everywhere; ServerError `NODE_UNAVAILABLE` when this node crashed before it could tell anyone
 *   (the restart finishes what the log says).
 */
export async function commitTwoPhase(
  node: TwoPhaseHost,
  manager: TransactionManager,
  tx: Transaction,
  local: readonly LocalShare[],
  remote: ReadonlyMap<string, readonly TxPartition[]>,
  epoch: number,
  guard?: CommitGuard,
): Promise<bigint> {
  let prepared: PreparedPartition[];
  try {
    prepared = local.map((share) => capture(share, tx));
    manager.prepare(tx);
  } catch (error) {
    await decideAndTell(node, tx.id, remote, null, epoch);
    throw error;
  }
  if (prepared.length > 0) {
    node.txLog.putPrepared({
      txId: tx.id,
      coordinator: node.name,
      startTs: tx.startTs,
      partitions: prepared,
    });
  }
  const votes = await Promise.allSettled(
    [...remote].map(([peer, partitions]) =>
      node.forwarder.send(peer, {
        op: 'TX_PREPARE',
        requestId: 0,
        txId: tx.id,
        coordinator: node.name,
        partitions,
      }),
    ),
  );
  node.coordinator.hooks.afterPrepare?.(tx.id);
  checkEpoch(node, tx, epoch);
  const no = votes.find((vote) => vote.status === 'rejected');
  const refused = no === undefined ? guard?.check() : undefined;
  const commitTs = no === undefined && refused === undefined ? node.hlc.now() : null;
  const decision = record(node, tx.id, remote, commitTs);
  if (commitTs !== null) guard?.committed();
  node.coordinator.hooks.afterDecision?.(tx.id);
  checkEpoch(node, tx, epoch);
  try {
    if (commitTs === null) manager.abort(tx);
    else manager.commitPrepared(tx, commitTs);
  } finally {
    node.txLog.removePrepared(tx.id);
  }
  await node.coordinator.deliver(decision);
  if (no !== undefined) throw asServerError(no.reason);
  if (refused !== undefined) throw refused;
  return commitTs as bigint;
}

/**
 * Aborts a transaction with remote participants that never reached a decision (its function threw, or this
 * node's prepare failed): logs the abort and tells every participant. Never rejects.
 */
export async function abortTwoPhase(
  node: TwoPhaseHost,
  txId: string,
  remote: ReadonlyMap<string, readonly TxPartition[]>,
  epoch: number,
): Promise<void> {
  if (node.epoch !== epoch) return;
  await decideAndTell(node, txId, remote, null, epoch);
}

async function decideAndTell(
  node: TwoPhaseHost,
  txId: string,
  remote: ReadonlyMap<string, readonly TxPartition[]>,
  commitTs: bigint | null,
  epoch: number,
): Promise<void> {
  if (node.epoch !== epoch) return;
  await node.coordinator.deliver(record(node, txId, remote, commitTs));
}

function record(
  node: TwoPhaseHost,
  txId: string,
  remote: ReadonlyMap<string, readonly TxPartition[]>,
  commitTs: bigint | null,
): TxDecision {
  const decision: TxDecision = {
    txId,
    outcome: commitTs === null ? 'ABORTED' : 'COMMITTED',
    commitTs,
    participants: remote,
    unacknowledged: new Set(remote.keys()),
  };
  node.txLog.putDecision(decision);
  node.coordinator.end(txId);
  return decision;
}

function checkEpoch(node: TwoPhaseHost, tx: Transaction, epoch: number): void {
  if (node.epoch !== epoch) {
    throw new ServerError(
      'NODE_UNAVAILABLE',
      `${node.name} crashed while committing transaction ${tx.id}; its restart finishes what its ` +
        `transaction log decided (abort when nothing was decided)`,
    );
  }
}

/** The writes of `tx` on one local partition, read back before prepare (its own intents, last per key). */
function capture(share: LocalShare, tx: Transaction): PreparedPartition {
  const ptx = tx.participant(share.store);
  const { keys, rows } = ptx === undefined ? { keys: [], rows: [] } : share.store.intentsOf(ptx);
  return { tableId: share.tableId, partitionId: share.partitionId, keys, rows };
}
