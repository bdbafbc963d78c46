/**
 * Two-phase commit of a transaction that touched partitions on other nodes, or several replicated
 * partitions, run by the node that began it (the coordinator). In order:
 *
 * 1. Prepare this node's partitions (through its `TransactionManager`). An unreplicated partition's writes go
 *    into the durable log as a prepared record, so a crash after the decision cannot lose them; a replicated
 *    partition appends a `prepare` command to its own Raft log instead (replication/), which every replica
 *    keeps until it hears the outcome, and its primary keeps holding the writes as intents.
 * 2. Send TX_PREPARE to every remote participant node (which does the same for its partitions); a "no" vote
 *    (an error answer, a `prepare` the partition's fence refused) or a node that cannot be reached makes the
 *    outcome ABORTED.
 * 3. If the node crashed meanwhile, stop: no decision is taken, so every participant ends up aborting
 *    (presumed abort, see tx-coordinator.ts). Else record the decision, with one commit timestamp from the
 *    hybrid clock (moved past every participant's clock by their answers), in the durable log.
 * 4. Apply it on this node's unreplicated partitions, drop the prepared record, then tell every other
 *    partition (a remote node's with TX_COMMIT / TX_ABORT, a replicated one through its primary, which
 *    appends a `finish` command) and keep telling the ones that did not answer. A replicated partition whose
 *    primary changed hears it from its new primary, which asks this node (TX_STATE_GET) if nobody tells it.
 *
 * A transaction that stays on one unreplicated node never comes here: it commits in one synchronous step of
 * its manager, with no log write (nothing can happen between its prepare and its commit); one that stays on
 * one replicated partition commits with one command (replicated-commit.ts). A transaction may not mix
 * replicated and unreplicated partitions (`INVALID_ARGUMENT`).
 *
 * Known gap: a reader on a participant node whose snapshot is after the commit timestamp but that read a key
 * before the commit arrived saw the value before it (the store ignores other transactions' intents on reads).
 */
import type { TxPartition } from '@datastreamer/protocol/internal';
import type { HybridClock } from '../clock/hlc.js';
import { ServerError } from '../errors/server-error.js';
import type { Forwarder } from '../peer/forwarding.js';
import { encodePrepare, type FenceOp } from '../replication/partition-command.js';
import type { PartitionGroup } from '../replication/partition-group.js';
import type { CommandOutcome } from '../replication/partition-state-machine.js';
import type { MvccPartitionStore } from '../storage/mvcc-partition-store.js';
import { TxStates } from '../storage/tx-lifecycle.js';
import type { Transaction } from './transaction.js';
import type { TransactionManager } from './transaction-manager.js';
import type { TxCoordinator } from './tx-coordinator.js';
import { type PreparedPartition, partitionKey, type TxDecision, type TxLog } from './tx-log.js';
import { asServerError } from './tx-participant.js';

/**
 * What must hold for a transaction to commit beyond its own writes (a transactional receiver's batch fence),
 * decided in the very synchronous step that commits, so nothing interleaves between the check and the commit.
 */
export interface CommitGuard {
  /** Right before the commit decision: an error refuses the commit (the transaction aborts), else `undefined`. */
  check(): Error | undefined;
  /** In the same synchronous step as the commit decision (two-phase: as it is logged). Unreplicated only. */
  committed(): void;
  /**
   * On a replicated partition the fence's record travels in the partition's log with the commit (and the
   * fence is asked again as it applies): the partition and the record. Absent: nothing to record.
   */
  readonly fence?: GuardFence;
  /** The error to refuse the commit with when the fence, asked as the commit applied, found the batch applied. */
  duplicate?(): Error;
}

/** A fence record a replicated commit carries, and the partition (its group on this node) it belongs to. */
export interface GuardFence {
  readonly tableId: number;
  readonly partition: number;
  readonly group: PartitionGroup;
  readonly op: FenceOp;
}

/** One of this node's partitions a transaction touched (`group`: its Raft group, when replicated). */
export interface LocalShare extends TxPartition {
  readonly store: MvccPartitionStore;
  readonly group?: PartitionGroup;
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
 * @throws the first "no" vote's error (e.g. `TX_CONFLICT`, `TX_NOT_ACTIVE`, `NODE_UNAVAILABLE`, `NO_QUORUM`)
 *   after aborting everywhere; ServerError `NODE_UNAVAILABLE` when this node crashed before it could tell
 *   anyone (the restart finishes what the log says).
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
  if (local.some((share) => share.group !== undefined) || guard?.fence !== undefined) {
    return commitReplicatedTwoPhase(node, manager, tx, local, remote, epoch, guard);
  }
  let prepared: PreparedPartition[];
  try {
    prepared = local.map((share) => capture(share, tx));
    manager.prepare(tx);
  } catch (error) {
    await decideAndTell(node, tx.id, remoteList(remote), null, epoch);
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
  const votes = await Promise.allSettled(prepareRemote(node, tx, remote));
  node.coordinator.hooks.afterPrepare?.(tx.id);
  checkEpoch(node, tx, epoch);
  const no = votes.find((vote) => vote.status === 'rejected');
  const refused = no === undefined ? guard?.check() : undefined;
  const commitTs = no === undefined && refused === undefined ? node.hlc.now() : null;
  const decision = record(node, tx.id, remoteList(remote), commitTs);
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
 * The procedure when the local partitions are replicated: each appends a `prepare` command (the fence's
 * partition carries the fence record, and takes part even when the transaction wrote nothing there), the
 * remote nodes vote, and every partition, this node's included, is told the decision (see the module header).
 */
async function commitReplicatedTwoPhase(
  node: TwoPhaseHost,
  manager: TransactionManager,
  tx: Transaction,
  local: readonly LocalShare[],
  remote: ReadonlyMap<string, readonly TxPartition[]>,
  epoch: number,
  guard: CommitGuard | undefined,
): Promise<bigint> {
  const fence = guard?.fence;
  const shares: LocalShare[] = [...local];
  if (fence !== undefined && !shares.some((s) => s.group === fence.group)) {
    shares.push({
      tableId: fence.tableId,
      partitionId: fence.partition,
      store: fence.group.store,
      group: fence.group,
    });
  }
  const partitions = [...shares, ...remoteList(remote)];
  // From the first `prepare` on, a partition's primary may ask this node for the outcome: until the decision
  // it must hear PENDING, never UNKNOWN (which would make it abort).
  node.coordinator.begin(tx.id);
  try {
    if (shares.some((share) => share.group === undefined)) throw mixedTransaction(tx);
    manager.prepare(tx);
  } catch (error) {
    if (tx.state === TxStates.PENDING || tx.state === TxStates.PREPARED) manager.abort(tx);
    await decideAndTell(node, tx.id, remoteList(remote), null, epoch);
    throw error;
  }
  const localVotes = shares.map((share) => prepareShare(node, tx, share, fence));
  const votes = await Promise.allSettled([...localVotes, ...prepareRemote(node, tx, remote)]);
  node.coordinator.hooks.afterPrepare?.(tx.id);
  checkEpoch(node, tx, epoch);
  const no = votes.find((vote) => vote.status === 'rejected');
  const refused = no === undefined ? guard?.check() : undefined;
  const commitTs = no === undefined && refused === undefined ? node.hlc.now() : null;
  const decision = record(node, tx.id, partitions, commitTs);
  node.coordinator.hooks.afterDecision?.(tx.id);
  checkEpoch(node, tx, epoch);
  manager.release(tx, commitTs === null ? 'abort' : 'commit');
  // Writes whose `prepare` did not take: no `finish` will reach them.
  for (const share of shares) {
    const ptx = tx.participant(share.store);
    if (ptx !== undefined && ptx.state === TxStates.PREPARED && !share.group?.holdsPrepared(tx.id)) {
      share.store.abort(ptx);
    }
  }
  await node.coordinator.deliver(decision);
  if (no !== undefined) throw asServerError(no.reason);
  if (refused !== undefined) throw refused;
  return commitTs as bigint;
}

/** Appends `tx`'s `prepare` to `share`'s log; resolves on a yes vote, rejects with the "no". */
async function prepareShare(
  node: TwoPhaseHost,
  tx: Transaction,
  share: LocalShare,
  fence: GuardFence | undefined,
): Promise<void> {
  const group = share.group as PartitionGroup;
  const ptx = tx.participant(share.store);
  const writes = ptx !== undefined && ptx.writeCount > 0 ? { store: share.store, ptx } : undefined;
  const op = fence !== undefined && fence.group === group ? fence.op : null;
  const outcome: CommandOutcome = await group.propose(
    encodePrepare(tx.id, node.name, tx.startTs, op, writes),
    ptx,
  );
  switch (outcome.kind) {
    case 'prepared':
      return;
    case 'refused':
      throw outcome.error;
    case 'duplicate':
      throw new ServerError(
        'TX_NOT_ACTIVE',
        `transaction ${tx.id}: its batch was applied already on partition ${share.partitionId}`,
      );
    default:
      throw new ServerError('INTERNAL', `a prepare command ended as ${outcome.kind}`);
  }
}

function prepareRemote(
  node: TwoPhaseHost,
  tx: Transaction,
  remote: ReadonlyMap<string, readonly TxPartition[]>,
): Promise<unknown>[] {
  return [...remote].map(([peer, partitions]) =>
    node.forwarder.send(peer, {
      op: 'TX_PREPARE',
      requestId: 0,
      txId: tx.id,
      coordinator: node.name,
      partitions,
    }),
  );
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
  await decideAndTell(node, txId, remoteList(remote), null, epoch);
}

/** The error for a transaction over replicated and unreplicated partitions at once. */
export function mixedTransaction(tx: Transaction): ServerError {
  return new ServerError(
    'INVALID_ARGUMENT',
    `transaction ${tx.id} touches partitions of replicated and of unreplicated tables; one transaction ` +
      'must stay on tables of one kind',
  );
}

function remoteList(remote: ReadonlyMap<string, readonly TxPartition[]>): TxPartition[] {
  return [...remote.values()].flat();
}

async function decideAndTell(
  node: TwoPhaseHost,
  txId: string,
  partitions: readonly TxPartition[],
  commitTs: bigint | null,
  epoch: number,
): Promise<void> {
  if (node.epoch !== epoch) return;
  await node.coordinator.deliver(record(node, txId, partitions, commitTs));
}

function record(
  node: TwoPhaseHost,
  txId: string,
  partitions: readonly TxPartition[],
  commitTs: bigint | null,
): TxDecision {
  const told = partitions.map((p) => ({ tableId: p.tableId, partitionId: p.partitionId }));
  const decision: TxDecision = {
    txId,
    outcome: commitTs === null ? 'ABORTED' : 'COMMITTED',
    commitTs,
    partitions: told,
    unacknowledged: new Set(told.map(partitionKey)),
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
