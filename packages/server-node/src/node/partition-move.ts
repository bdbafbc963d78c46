/**
 * Moving a partition to another node, as one synchronous procedure on the old owner, so the move is atomic in
 * effect (ARCHITECTURE.md, "Topology"):
 *
 * 1. check: the source owns the partition, the target is a running member;
 * 2. fence: the source's replica goes `MOVING`, so no write is applied to it from here on;
 * 3. `placement.setOwner` (the controller-side record; its new assignment version goes with the hand-over);
 * 4. export the committed state (every kept version with its commit timestamp, and the producer fence, see
 *    producer-fence.ts) and hand it to the target,
 *    which moves its hybrid clock past the newest timestamp in it, so its later commits order after the old
 *    owner's; both nodes remember the hand-over with its version, so each routes by it while its own copy of
 *    the assignments is older (node-core.ts): the old owner never serves the partition again on a stale copy;
 * 5. running transactions on the partition are aborted (their intents dropped; their commit fails with
 *    `PARTITION_MOVED`, retryable, as the partition is no longer here). Implicit transactions never span an
 *    await, so only explicit ones can be caught here. Then the source drops its replica.
 *
 * All of it runs in one call with no await, so no request interleaves: a batch handled before the move is
 * committed and travels with the state; one handled after it is routed to the new owner (forwarded, or
 * answered `NOT_PRIMARY` when it was forwarded already) and never applied by the old owner. If a step fails,
 * the fence is lifted and nothing changed hands.
 *
 * The hand-over is a direct call through the process's `NodeRegistry` rather than PARTITION_TRANSFER over the
 * node transport: in the simulation all nodes share one process and one control plane, and the direct call
 * carries versions and commit timestamps that the wire message does not. It does not rebalance (the cluster
 * plans moves with `Placement.planRebalance` and calls this for each).
 */
import type { Logger } from '@datastreamer/protocol';
import { ServerError } from '../errors/server-error.js';
import type { ProducerFenceEntry } from '../fence/producer-fence.js';
import type { PartitionReplica } from '../partitions/partition-table.js';
import { ReplicaStates } from '../partitions/partition-table.js';
import type { Placement } from '../placement/placement.js';
import type { PartitionSnapshot } from '../storage/partition-snapshot.js';

/** What a partition's new owner receives: the committed state and the producer fence that guards it. */
export interface PartitionHandOver {
  readonly store: PartitionSnapshot;
  readonly fence: readonly ProducerFenceEntry[];
  /** The assignment version the move made: the target owns the partition from it on. */
  readonly version: number;
}

/** A node as the other side of a hand-over sees it. */
export interface PartitionHandOverTarget {
  readonly name: string;
  /** Whether the node is up (not crashed). */
  readonly isRunning: boolean;
  /**
   * Installs the committed state of a partition it is about to own.
   * @param newestTimestamp the newest commit timestamp (or read floor) in `handOver.store`.
   */
  receivePartition(
    tableId: number,
    partition: number,
    handOver: PartitionHandOver,
    newestTimestamp: bigint,
  ): void;
}

/** The old owner's side of a move. */
export interface MoveSource {
  readonly name: string;
  readonly placement: Placement;
  readonly log: Logger;
  /**
   * The replica of a partition the placement names this node the owner of, to hand over (an empty one if it
   * had none yet: the partition never took a write here).
   */
  replicaToHandOver(tableId: number, partition: number): PartitionReplica;
  /** Remembers that `owner` owns the partition from assignment `version` on (see node-core.ts). */
  handedOver(tableId: number, partition: number, owner: string, version: number): void;
  /** Drops the replica of a partition that moved away. */
  releaseReplica(tableId: number, partition: number): void;
}

/** What a move did. */
export interface MoveReport {
  readonly tableId: number;
  readonly partition: number;
  readonly from: string;
  readonly to: string;
  /** Keys whose committed versions were handed over. */
  readonly keys: number;
  /** Transactions aborted on the partition by the move. */
  readonly abortedTransactions: number;
}

/** The nodes of one process, by name: how a moving partition finds its new owner. */
export class NodeRegistry {
  readonly #nodes = new Map<string, PartitionHandOverTarget>();

  /**
   * Adds `node`.
   * @throws ServerError `INVALID_ARGUMENT` when another node of that name is registered.
   */
  register(node: PartitionHandOverTarget): void {
    const known = this.#nodes.get(node.name);
    if (known !== undefined && known !== node) {
      throw new ServerError('INVALID_ARGUMENT', `a node named "${node.name}" is already registered`);
    }
    this.#nodes.set(node.name, node);
  }

  /** Removes `node`, if it is the one registered under its name. */
  unregister(node: PartitionHandOverTarget): void {
    if (this.#nodes.get(node.name) === node) this.#nodes.delete(node.name);
  }

  /** The node named `name`, if registered. */
  get(name: string): PartitionHandOverTarget | undefined {
    return this.#nodes.get(name);
  }
}

const registries = new WeakMap<object, NodeRegistry>();

/** The registry shared by every node built on `controlPlane` (the default of `ClusterNodeOptions.registry`). */
export function nodeRegistryOf(controlPlane: object): NodeRegistry {
  let registry = registries.get(controlPlane);
  if (registry === undefined) {
    registry = new NodeRegistry();
    registries.set(controlPlane, registry);
  }
  return registry;
}

/**
 * Moves partition `partition` of table `tableId` from `source` to `target` (see the module header).
 *
 * @throws ServerError `INVALID_ARGUMENT` when the source does not own the partition or the target is not a
 *   member; `NODE_UNAVAILABLE` when the target is down; `PARTITION_MOVED` when a move of it is under way.
 *   After a failure nothing changed hands.
 */
export function movePartition(
  source: MoveSource,
  target: PartitionHandOverTarget,
  tableId: number,
  partition: number,
): MoveReport {
  const placement = source.placement;
  const owner = placement.owner(tableId, partition);
  if (owner !== source.name) {
    const actual = owner === undefined ? 'no partition by that number is placed' : `${owner} owns it`;
    throw new ServerError(
      'INVALID_ARGUMENT',
      `${source.name} cannot move partition ${partition} of table ${tableId}: ${actual}`,
    );
  }
  const report = { tableId, partition, from: source.name, to: target.name };
  if (target.name === source.name) return { ...report, keys: 0, abortedTransactions: 0 };
  if (!target.isRunning) {
    throw new ServerError(
      'NODE_UNAVAILABLE',
      `${target.name} is down and cannot take partition ${partition}`,
    );
  }
  if (!placement.members.includes(target.name)) {
    throw new ServerError('INVALID_ARGUMENT', `${target.name} is not a member of the cluster`);
  }
  const replica = source.replicaToHandOver(tableId, partition);
  if (replica.state === ReplicaStates.MOVING) {
    throw new ServerError('PARTITION_MOVED', `partition ${partition} of table ${tableId} is already moving`);
  }
  replica.state = ReplicaStates.MOVING;
  let snapshot: PartitionSnapshot;
  let owned = false;
  try {
    snapshot = replica.store.exportCommitted();
    placement.setOwner(tableId, partition, target.name);
    owned = true;
    const version = placement.version;
    // The fence travels with the data it guards: a stale attempt reaching the new owner is refused too.
    target.receivePartition(
      tableId,
      partition,
      { store: snapshot, fence: replica.fence.entries(), version },
      newestTimestamp(snapshot),
    );
    source.handedOver(tableId, partition, target.name, version);
  } catch (error) {
    // Nothing changed hands and no transaction was touched: they go on as if the move never started.
    if (owned) placement.setOwner(tableId, partition, source.name);
    replica.state = ReplicaStates.SERVING;
    throw error;
  }
  // Only once the hand-over cannot fail any more: a rolled-back move must not have aborted anyone.
  const aborted = replica.store.dropIntents();
  source.releaseReplica(tableId, partition);
  source.log.info({ ...report, keys: snapshot.keys.length, abortedTransactions: aborted }, 'partition moved');
  return { ...report, keys: snapshot.keys.length, abortedTransactions: aborted };
}

/** The newest commit timestamp of the snapshot, or its read floor when that is newer. */
function newestTimestamp(snapshot: PartitionSnapshot): bigint {
  let newest = snapshot.readFloor;
  for (const key of snapshot.keys) {
    const ts = key.versions[0]?.ts;
    if (ts !== undefined && ts > newest) newest = ts;
  }
  return newest;
}
