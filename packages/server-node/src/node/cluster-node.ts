/**
 * `ClusterNode`: one node of a cluster. It serves connections from clients and other nodes (`accept`), owns
 * the partitions the shared placement assigns to it, applies writes only for those, forwards the rest to their
 * owners, hands partitions over (`movePartition`), holds its replicas of replicated partitions (a Raft group
 * each, replication/), takes part in the metastorage when the cluster has one (metastorage/), and can crash,
 * restart and be destroyed for the simulation.
 *
 * What a crash keeps and loses:
 * - kept: what its disk (`Disk`, a `MemoryDisk` by default) made durable: the Raft term, vote, log and
 *   snapshots of each replicated partition (each replica's state is rebuilt from them at the restart); the
 *   committed versions of every unreplicated partition the node holds (such a commit counts as durable at
 *   once); its transaction log (two-phase commit's decisions and unreplicated prepared records, see
 *   tx/tx-log.ts, written through as it is); the node's hybrid-clock high-water mark (as a real node persists
 *   a bound on its timestamps, so commits after a restart never order before commits before it); the
 *   counters; and everything in the control plane (catalog, placement and leases are shared state, not the
 *   node's), or, with a metastorage, the node's copy of it (what it learned stays learned; its metastorage
 *   replica, a member's, is rebuilt from its disk like a partition's);
 * - lost: every disk write not yet synced; every connection (closed at once, the peers see them drop), every
 *   request in flight (a forwarded request's answer, a request being read: never answered), every running
 *   transaction and its write intents (the participants are aborted, their handles refuse further use), the
 *   node-to-node links, the leases it held (they run out; nobody else is leased before they do).
 * While crashed the node refuses connections (closes them) and takes no partitions; `restart()` serves again
 * with a new transaction manager over the same stores, after re-installing every prepared transaction of its
 * log as intents; it then resolves them (tx/tx-participant.ts) and re-sends its logged decisions; its Raft
 * groups start again from the disk. `destroy()` is a crash that also loses the disk and every unreplicated
 * partition: the node never serves again. A node whose kept clock high-water mark is further ahead of its
 * physical clock than `maxClockOffsetMs` refuses to restart (`CLOCK_OFFSET_EXCEEDED`): it could only have got
 * there from a clock that went back, or a poisoned mark, and serving would hand out timestamps nobody else can
 * follow.
 *
 * Who may connect: clients with credentials when `authentication.users` is set (else anyone), node peers that
 * prove the `authentication.clusterSecret` (auth/authenticator.ts); timestamps from peers are bounded by
 * `maxClockOffsetMs` (clock/hlc.ts).
 *
 * Partitions: see partitions/partition-table.ts (which replicas a node holds) and partition-move.ts (how one
 * moves). Requests: connection-session.ts (framing, handshake, answers), request-router.ts (which handler), and the
 * handlers by group (catalog-handlers.ts, tuple-handlers.ts, streamer-handler.ts, node-handlers.ts). Its options
 * and states: cluster-node-options.ts; how its core is built from them: node-assembly.ts.
 */
import type { Connection } from '@datastreamer/protocol';
import type { ClusterMember } from '@datastreamer/protocol/internal';
import type { HybridClock } from '../clock/hlc.js';
import { type Disk, isSimulatedDisk } from '../disk/disk.js';
import { ServerError } from '../errors/server-error.js';
import { MetastorageControlPlane } from '../metastorage/metastorage-control-plane.js';
import type { NodeMetastorage } from '../metastorage/node-metastorage.js';
import type { ControlPlane } from '../placement/control-plane.js';
import type { Assignments } from '../placement/placement.js';
import type { PartitionGroup } from '../replication/partition-group.js';
import type { MvccPartitionStore } from '../storage/mvcc-partition-store.js';
import type { TransactionManager } from '../tx/transaction-manager.js';
import type { TwoPhaseCommitHooks } from '../tx/tx-coordinator.js';
import type { TxLog } from '../tx/tx-log.js';
import {
  type ClusterNodeOptions,
  type NodeReplicationMetrics,
  type NodeState,
  NodeStates,
} from './cluster-node-options.js';
import { ConnectionSession, SessionStates } from './connection-session.js';
import { assembleNodeCore } from './node-assembly.js';
import type { NodeApplyListener, NodeCore, NodeRoleListener } from './node-core.js';
import type { NodeMetricsSnapshot } from './node-metrics.js';
import {
  type MoveReport,
  movePartition,
  type NodeRegistry,
  nodeRegistryOf,
  type PartitionHandOver,
  type PartitionHandOverTarget,
} from './partition-move.js';
import type { DataStreamerReceiver } from './receiver/data-streamer-receiver.js';
import type { ReceiverRegistry } from './receiver/receiver-registry.js';

export {
  type ClusterNodeOptions,
  type NodeReplicationMetrics,
  type NodeReplicationOptions,
  type NodeState,
  NodeStates,
} from './cluster-node-options.js';

/** The longest a move waits for a prepared transaction on its partition to be decided, in ms. */
export const MOVE_WAIT_MS = 10_000;

export class ClusterNode implements PartitionHandOverTarget {
  readonly #core: NodeCore;
  readonly #registry: NodeRegistry;
  readonly #stopWatchingPlacement: () => void;
  #state: NodeState = NodeStates.RUNNING;
  #electionsWon = 0;

  /**
   * Builds a running node, registers it and adds it to the placement's members if it is not one yet.
   * @throws ServerError `INVALID_ARGUMENT` for an option out of range or a name another node has.
   */
  constructor(options: ClusterNodeOptions) {
    this.#core = assembleNodeCore(options, () => this.#runningMembers(options.controlPlane));
    const name = this.#core.name;
    this.#registry = options.registry ?? nodeRegistryOf(options.controlPlane);
    this.#registry.register(this);
    this.#core.addRoleListener((_tableId, _partition, change) => {
      if (change.role === 'leader') this.#electionsWon++;
    });
    const placement = options.controlPlane.placement;
    if (!placement.members.includes(name)) placement.addMember(name);
    // The node learns of new replicated partitions (its replicas of them) from the shared placement.
    this.#stopWatchingPlacement = placement.subscribe(() => {
      if (this.isRunning) this.#core.replication.sync();
    });
    this.#core.replication.sync();
    this.#core.metastorage?.start();
  }

  get name(): string {
    return this.#core.name;
  }

  get state(): NodeState {
    return this.#state;
  }

  get isRunning(): boolean {
    return this.#state === NodeStates.RUNNING;
  }

  /** The node's hybrid logical clock. */
  get clock(): HybridClock {
    return this.#core.hlc;
  }

  /** The node's transactions (a new manager after each restart): the embedded API receivers use. */
  get transactions(): TransactionManager {
    return this.#core.transactions;
  }

  /** The receivers this node runs (shared with the other nodes of its control plane by default). */
  get receivers(): ReceiverRegistry {
    return this.#core.receivers;
  }

  /**
   * Deploys `receiver` under `name` in this node's receiver registry (so, by default, on every node of the
   * cluster), replacing one deployed under that name before.
   * @throws ServerError `INVALID_ARGUMENT` for an empty name or a receiver that is not a function.
   */
  deployReceiver<Payload, Arg, Result>(
    name: string,
    receiver: DataStreamerReceiver<Payload, Arg, Result>,
  ): void {
    this.#core.receivers.deploy(name, receiver);
  }

  /**
   * Serves `connection` (a client's or another node's) until either side closes it. While the node is
   * crashed the connection is closed at once. Use it as the node's transport `Acceptor`.
   */
  accept(connection: Connection): void {
    switch (this.#state) {
      case NodeStates.RUNNING: {
        const session = new ConnectionSession(connection, this.#core);
        // The listener may have closed it already (bytes that arrived before, a peer that left).
        if (session.state !== SessionStates.CLOSED) this.#core.sessions.add(session);
        return;
      }
      case NodeStates.CRASHED:
      case NodeStates.DESTROYED:
        connection.close();
        return;
      default:
        unknownState(this.#state);
    }
  }

  /**
   * Crashes the node (see the module header for what survives). Idempotent.
   */
  crash(): void {
    if (this.#state !== NodeStates.RUNNING) return;
    this.#state = NodeStates.CRASHED;
    const core = this.#core;
    // Receivers still running see it and stop: their transactions are gone with the intents below.
    core.epoch++;
    for (const session of [...core.sessions]) session.close();
    core.sessions.clear();
    core.forwarder.closeAll(`${core.name} crashed`);
    // Two-phase commit keeps its durable log; the in-memory shares and re-send timers go.
    core.participants.crash();
    core.coordinator.crash();
    // Replicated partitions: the Raft groups stop, their state machines go, the disk keeps what it synced.
    core.replication.stopAll();
    core.metastorage?.stop();
    core.partitions.dropWhere((replica) => replica.group !== undefined);
    if (isSimulatedDisk(core.disk)) core.disk.crash();
    let aborted = 0;
    for (const replica of core.partitions.replicas()) aborted += replica.store.dropIntents();
    core.log.info({ abortedTransactions: aborted, partitions: core.partitions.size }, 'node crashed');
  }

  /**
   * Serves again after a crash, with the committed data it kept. Does nothing on a running node.
   *
   * @throws ServerError `CLOCK_OFFSET_EXCEEDED` when the kept clock high-water mark is more than
   *   `maxClockOffsetMs` ahead of the physical clock; the node stays down.
   * @throws ServerError `CLOSED` for a destroyed node.
   */
  restart(): void {
    if (this.#state === NodeStates.RUNNING) return;
    if (this.#state === NodeStates.DESTROYED) {
      throw new ServerError('CLOSED', `${this.name} was destroyed and cannot restart`);
    }
    const core = this.#core;
    core.hlc.checkHighWater(`${core.name} refuses to start`);
    core.resetTransactions();
    // Prepared transactions are back as intents before the node serves; then what the log decided goes out.
    core.participants.recover((txId) => core.txLog.decision(txId)?.commitTs ?? null);
    this.#state = NodeStates.RUNNING;
    core.replication.restart();
    core.metastorage?.start();
    core.coordinator.recover();
    this.#core.log.info({ partitions: this.#core.partitions.size }, 'node restarted');
  }

  /**
   * Loses the node for good: a crash, then its disk and every unreplicated partition it held are gone. It
   * never serves again (its replicas of replicated partitions are simply missing from their groups). Idempotent.
   */
  destroy(): void {
    if (this.#state === NodeStates.DESTROYED) return;
    this.crash();
    this.#state = NodeStates.DESTROYED;
    const core = this.#core;
    core.partitions.dropWhere(() => true);
    if (isSimulatedDisk(core.disk)) core.disk.destroy();
    this.#stopWatchingPlacement();
    if (core.controlPlane instanceof MetastorageControlPlane) core.controlPlane.close();
    this.#registry.unregister(this);
    core.log.info({}, 'node destroyed');
  }

  /**
   * Hands partition `partition` of table `tableId` to node `toNode` (see partition-move.ts). Atomic: when the
   * promise resolves, the new owner holds every committed write and this node applies none any more.
   *
   * A partition holding a PREPARED transaction (a two-phase commit waiting for its decision) is not moved
   * until that transaction is decided: the partition promised to commit it, and a move would drop its writes.
   * The move waits for that on the node's clock, a little longer each time, up to {@link MOVE_WAIT_MS}.
   *
   * @throws ServerError `NODE_UNAVAILABLE` when this node or the target is down or the target is unknown;
   *   `INVALID_ARGUMENT` when this node does not own the partition; `PARTITION_MOVED` (retryable) when a
   *   prepared transaction stayed undecided for {@link MOVE_WAIT_MS}; nothing changed hands then.
   */
  async movePartition(tableId: number, partition: number, toNode: string): Promise<MoveReport> {
    if (!this.isRunning)
      throw new ServerError('NODE_UNAVAILABLE', `${this.name} is down and cannot move partitions`);
    if (this.#core.controlPlane.placement.isReplicated(tableId)) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `partition ${partition} of table ${tableId} is replicated: its primary follows its Raft leader's ` +
          'lease, and its replicas move by membership changes toward a target in the placement ' +
          '(Placement.setTarget; SimCluster.movePartition sets one)',
      );
    }
    const target = this.#registry.get(toNode);
    if (target === undefined)
      throw new ServerError('NODE_UNAVAILABLE', `no node named "${toNode}" is registered`);
    for (let waitedMs = 0, stepMs = 1; this.#core.partitions.get(tableId, partition)?.store.hasPrepared(); ) {
      if (waitedMs >= MOVE_WAIT_MS) {
        throw new ServerError(
          'PARTITION_MOVED',
          `partition ${partition} of table ${tableId} holds a prepared transaction still undecided after ` +
            `${MOVE_WAIT_MS} ms; not moved, retry`,
        );
      }
      await this.#core.clock.sleep(stepMs);
      waitedMs += stepMs;
      stepMs = Math.min(stepMs * 2, 100);
      if (!this.isRunning)
        throw new ServerError(
          'NODE_UNAVAILABLE',
          `${this.name} went down before it could move the partition`,
        );
    }
    const report = movePartition(this.#core, target, tableId, partition);
    if (report.from !== report.to) this.#core.metrics.partitionsMovedOut++;
    return report;
  }

  /**
   * The receiving side of a move, called by the old owner's `movePartition` through the registry.
   * @throws ServerError `NODE_UNAVAILABLE` while this node is crashed.
   */
  receivePartition(
    tableId: number,
    partition: number,
    handOver: PartitionHandOver,
    newestTimestamp: bigint,
  ): void {
    if (!this.isRunning)
      throw new ServerError('NODE_UNAVAILABLE', `${this.name} is down and cannot take partitions`);
    this.#core.installReplica(tableId, partition, handOver, newestTimestamp);
    this.#core.metrics.partitionsMovedIn++;
  }

  /**
   * Calls `listener` at every commit on this node, once per key (see `NodeApplyListener`): the simulation's
   * history hook. Returns the function that removes it.
   */
  onApply(listener: NodeApplyListener): () => void {
    return this.#core.addApplyListener(listener);
  }

  /**
   * Calls `listener` when one of this node's replicated partitions changes role (an election won or lost, a
   * step-down); returns the function that removes it.
   */
  onRoleChange(listener: NodeRoleListener): () => void {
    return this.#core.addRoleListener(listener);
  }

  /**
   * What this node routes by: its own copy of the assignments when the cluster has a metastorage (perhaps
   * behind it), else the shared placement.
   */
  get assignments(): Assignments {
    return this.#core.controlPlane.assignments;
  }

  /** This node's replica of a replicated partition, if it holds one (for tests and tools). */
  replicaGroup(tableId: number, partition: number): PartitionGroup | undefined {
    return this.isRunning ? this.#core.replication.get(tableId, partition) : undefined;
  }

  /**
   * Test seams of two-phase commit on this node as coordinator (see `TwoPhaseCommitHooks`), e.g. to crash
   * it between prepare and commit. Replaces the hooks set before; `{}` removes them.
   */
  setTwoPhaseCommitHooks(hooks: TwoPhaseCommitHooks): void {
    this.#core.coordinator.hooks = hooks;
  }

  /** The node's durable transaction log (decisions and prepared records), for tests and tools. */
  get transactionLog(): TxLog {
    return this.#core.txLog;
  }

  /** The node's side of the metastorage (its copy, its replica when a member); `undefined` without one. */
  get metastorage(): NodeMetastorage | undefined {
    return this.#core.metastorage;
  }

  /** The node's disk. */
  get disk(): Disk {
    return this.#core.disk;
  }

  /** The node's counters now, with the state of its replicated partitions. */
  metrics(): NodeMetricsSnapshot & { readonly replication: NodeReplicationMetrics } {
    const groups = this.#core.replication.metrics();
    return {
      ...this.#core.metrics.snapshot(this.#core.sessions.size),
      replication: {
        groups,
        serving: groups.filter((g) => g.serving).length,
        electionsWon: this.#electionsWon,
        ...this.#core.replication.totals(),
      },
    };
  }

  /** The store of a partition this node holds, if it holds it (for tests and the embedded API). */
  localPartition(tableId: number, partition: number): MvccPartitionStore | undefined {
    return this.#core.partitions.get(tableId, partition)?.store;
  }

  /** The partitions this node holds, as `[tableId, partition]` pairs. */
  heldPartitions(): Array<readonly [number, number]> {
    return [...this.#core.partitions.replicas()].map((r) => [r.tableId, r.partition] as const);
  }

  /**
   * The placement's members whose node runs now, in join order. A node's name is its endpoint on the
   * transport (`ClusterNodeOptions.name`), so that is the endpoint clients are told.
   */
  #runningMembers(controlPlane: ControlPlane): ClusterMember[] {
    return controlPlane.placement.members
      .filter((name) => this.#registry.get(name)?.isRunning === true)
      .map((name) => ({ name, endpoint: name }));
  }
}

function unknownState(state: never): never {
  throw new ServerError('INTERNAL', `unknown node state ${String(state)}`);
}
