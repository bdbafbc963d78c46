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
 * handlers by group (catalog-handlers.ts, tuple-handlers.ts, streamer-handler.ts, node-handlers.ts).
 */
import {
  type Buggify,
  type Clock,
  type Connection,
  createRng,
  entropySeed,
  type Logger,
  neverBuggify,
  ProtocolFeatures,
  type Rng,
  silentLogger,
  type Transport,
} from '@datastreamer/protocol';
import type { ClusterMember } from '@datastreamer/protocol/internal';
import { type AuthenticationOptions, Authenticator } from '../auth/authenticator.js';
import { DEFAULT_MAX_CLOCK_OFFSET_MS, HybridClock } from '../clock/hlc.js';
import { type Disk, isSimulatedDisk } from '../disk/disk.js';
import { MemoryDisk } from '../disk/memory-disk.js';
import { ServerError } from '../errors/server-error.js';
import { MetastorageControlPlane } from '../metastorage/metastorage-control-plane.js';
import { METASTORAGE_GROUP } from '../metastorage/metastorage-group.js';
import {
  forwarderPeers,
  NodeMetastorage,
  type NodeMetastorageSettings,
} from '../metastorage/node-metastorage.js';
import { Forwarder } from '../peer/forwarding.js';
import type { ControlPlane } from '../placement/control-plane.js';
import type { Assignments } from '../placement/placement.js';
import { RAFT_DEFAULTS } from '../raft/raft-options.js';
import type { GroupMetrics, GroupRaftOptions, PartitionGroup } from '../replication/partition-group.js';
import type { MvccPartitionStore } from '../storage/mvcc-partition-store.js';
import type { TransactionManager } from '../tx/transaction-manager.js';
import type { TwoPhaseCommitHooks } from '../tx/tx-coordinator.js';
import type { TxLog } from '../tx/tx-log.js';
import { ConnectionSession, SessionStates } from './connection-session.js';
import { type NodeApplyListener, NodeCore, type NodeRoleListener } from './node-core.js';
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
import { type ReceiverRegistry, receiverRegistryOf } from './receiver/receiver-registry.js';
import { nameHash } from './trace-ids.js';

/** The longest a move waits for a prepared transaction on its partition to be decided, in ms. */
export const MOVE_WAIT_MS = 10_000;

export interface ClusterNodeOptions {
  /** The node's name: its endpoint on the transport and its name in the placement, e.g. `node-1`. */
  readonly name: string;
  /** Catalog and placement, shared by every node of the cluster. The node joins its members if absent. */
  readonly controlPlane: ControlPlane;
  /** Physical time for the hybrid clock and for timeouts. */
  readonly clock: Clock;
  /** Connections to other nodes (forwarding). */
  readonly transport: Transport;
  /** Narrowed to `{ component: 'node', node: name }`. Default: silent. */
  readonly logger?: Logger;
  /** Largest frame body accepted from a peer. Default 16 MiB. */
  readonly maxFrameSize?: number;
  /** How long a request sent on to another node waits for its answer. Default 10,000 ms. */
  readonly forwardTimeoutMs?: number;
  /**
   * Node-to-node hops a streamer batch may take: 0 turns forwarding off, 2 lets a node that got a forwarded
   * batch forward it once more (never a batch whose hops is already 1, as PROTOCOL.md requires). Default 1.
   */
  readonly maxForwardHops?: number;
  /** How a moving partition finds its new owner. Default: one registry per control plane. */
  readonly registry?: NodeRegistry;
  /**
   * The receivers this node runs, deployed by name. Default: the registry of the control plane
   * (`receiverRegistryOf`), so every node of a cluster runs the same receivers.
   */
  readonly receivers?: ReceiverRegistry;
  /**
   * The node's disk: the Raft logs and snapshots of its replicated partitions. Default: a `MemoryDisk` on
   * `clock` with its default fsync latency. A crash calls its `crash()` when it has one (the simulated disk's
   * unsynced writes are lost), `destroy()` its `destroy()`.
   */
  readonly disk?: Disk;
  /** Raft settings of the node's replicated partitions, and the lease margin. Defaults as documented. */
  readonly replication?: NodeReplicationOptions;
  /**
   * Who may connect: `users` (clients must give one's user name and password in the handshake; default
   * none, so clients need no credentials) and `clusterSecret` (node peers must prove it; default none, so
   * the node admits no node peer and can open no link to one).
   */
  readonly authentication?: AuthenticationOptions;
  /**
   * Randomness: the handshake challenges to node peers (its child stream `auth`; default seeded from the
   * platform's entropy) and the Raft election timeouts (its child stream `raft`; default seeded from the
   * node's name).
   */
  readonly rng?: Rng;
  /**
   * How far ahead of this node's physical clock a timestamp from a peer may be, in ms: one further ahead is
   * refused with `CLOCK_OFFSET_EXCEEDED` before it touches the hybrid clock. Default 500.
   */
  readonly maxClockOffsetMs?: number;
  /** Fault points (simulation only; see protocol's `Buggify`). Default: none ever fires. */
  readonly buggify?: Buggify;
  /**
   * The cluster's metastorage: when given, the catalog lives in a Raft group over `members` (the same list on
   * every node), this node keeps its own copy learned by watching it, and catalog changes commit there
   * (metastorage/). Default: none, the catalog is `controlPlane`'s, shared in the process.
   */
  readonly metastorage?: NodeMetastorageSettings;
}

/** Replication settings of a node (each has the default of `RaftNodeOptions`, unless said otherwise). */
export interface NodeReplicationOptions extends GroupRaftOptions {
  /**
   * How long before a lease's expiry its holder stops serving: a bound on how far the node's clock may be
   * behind the placement driver's. Default the node's `maxClockOffsetMs` (the bound it trusts its peers'
   * clocks to keep); below the control plane's lease length.
   */
  readonly leaseMarginMs?: number;
}

/** A node's replication section of `metrics()`: each replicated partition it holds. */
export interface NodeReplicationMetrics {
  readonly groups: readonly GroupMetrics[];
  /** Partitions this node serves as primary now. */
  readonly serving: number;
  /** Elections this node won since it was created. */
  readonly electionsWon: number;
  /** Snapshots its replicas installed from leaders since it was created. */
  readonly snapshotInstalls: number;
  /** Snapshot chunks its replicas sent again as leaders (unanswered for a heartbeat) since it was created. */
  readonly snapshotChunksResent: number;
}

/** Lifecycle of a node. */
export const NodeStates = {
  RUNNING: 'RUNNING',
  CRASHED: 'CRASHED',
  /** Gone for good with its disk (`destroy()`): it never serves again. */
  DESTROYED: 'DESTROYED',
} as const;

export type NodeState = (typeof NodeStates)[keyof typeof NodeStates];

const DEFAULT_MAX_FRAME_SIZE = 16 * 1024 * 1024;
const MAX_FRAME_SIZE_LIMIT = 0x7fffffff;
const DEFAULT_FORWARD_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_FORWARD_HOPS = 1;

/**
 * What this node announces in handshakes: it runs receivers, forwards batches, speaks the node-to-node ops,
 * and tells clients with TOPOLOGY_DISCOVERY the cluster's members with each partition assignment.
 */
const NODE_FEATURES = Uint8Array.of(
  (1 << ProtocolFeatures.BATCH_FORWARDING) |
    (1 << ProtocolFeatures.NODE_TO_NODE) |
    (1 << ProtocolFeatures.STREAMER_RECEIVER) |
    (1 << ProtocolFeatures.TOPOLOGY_DISCOVERY),
);

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
    const name = checkName(options.name);
    const maxFrameSize = checkInteger(
      'maxFrameSize',
      options.maxFrameSize,
      DEFAULT_MAX_FRAME_SIZE,
      0,
      MAX_FRAME_SIZE_LIMIT,
    );
    const forwardTimeoutMs = checkInteger(
      'forwardTimeoutMs',
      options.forwardTimeoutMs,
      DEFAULT_FORWARD_TIMEOUT_MS,
      1,
      2 ** 31 - 1,
    );
    const maxForwardHops = checkInteger(
      'maxForwardHops',
      options.maxForwardHops,
      DEFAULT_MAX_FORWARD_HOPS,
      0,
      16,
    );
    const log = (options.logger ?? silentLogger).child({ component: 'node', node: name });
    const maxOffsetMs = checkInteger(
      'maxClockOffsetMs',
      options.maxClockOffsetMs,
      DEFAULT_MAX_CLOCK_OFFSET_MS,
      1,
      2 ** 31 - 1,
    );
    const hlc = new HybridClock(options.clock, { maxOffsetMs });
    const auth = new Authenticator(
      name,
      (options.rng ?? createRng(entropySeed())).child('auth'),
      options.authentication,
    );
    const forwarder = new Forwarder({
      name,
      transport: options.transport,
      clock: options.clock,
      hlc,
      log,
      features: NODE_FEATURES,
      maxFrameSize,
      timeoutMs: forwardTimeoutMs,
      auth,
    });
    const rng = options.rng?.child('raft') ?? createRng(nameHash(name));
    const replication = replicationSettings(
      options.replication ?? {},
      maxOffsetMs,
      options.controlPlane.leases.leaseMs,
    );
    const disk = options.disk ?? new MemoryDisk({ clock: options.clock, name: `${name}/disk` });
    const buggify = options.buggify ?? neverBuggify;
    const metastorage =
      options.metastorage === undefined
        ? undefined
        : new NodeMetastorage({
            ...options.metastorage,
            nodeName: name,
            clock: options.clock,
            log: log.child({ component: 'metastorage' }),
            peers: forwarderPeers(forwarder),
            disk: () => disk,
            rng: rng.child(METASTORAGE_GROUP),
            buggify,
            nodeRaft: replication.raft,
          });
    this.#core = new NodeCore({
      name,
      controlPlane:
        metastorage === undefined
          ? options.controlPlane
          : new MetastorageControlPlane(options.controlPlane, metastorage, options.clock, log),
      hlc,
      clock: options.clock,
      forwarder,
      log,
      maxFrameSize,
      maxForwardHops,
      features: NODE_FEATURES,
      receivers: options.receivers ?? receiverRegistryOf(options.controlPlane),
      disk,
      rng,
      replication,
      auth,
      buggify,
      ...(metastorage === undefined ? {} : { metastorage }),
      clusterMembers: () => this.#runningMembers(options.controlPlane),
    });
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
    metastorage?.start();
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

/**
 * The replication settings with their defaults: the lease margin is the clock-offset bound unless given, so a
 * holder whose clock runs up to `maxOffsetMs` behind the placement driver's still stops serving before the
 * driver may lease another replica.
 * @throws ServerError `INVALID_ARGUMENT` for a margin that is not an integer below the lease length `leaseMs`
 *   (a holder could never serve).
 */
function replicationSettings(
  options: NodeReplicationOptions,
  maxOffsetMs: number,
  leaseMs: number,
): {
  readonly raft: GroupRaftOptions;
  readonly leaseMarginMs: number;
} {
  const { leaseMarginMs = maxOffsetMs, ...raft } = options;
  if (!Number.isInteger(leaseMarginMs) || leaseMarginMs < 0 || leaseMarginMs >= leaseMs) {
    throw new ServerError(
      'INVALID_ARGUMENT',
      `replication.leaseMarginMs (default maxClockOffsetMs): expected an integer in 0..${leaseMs - 1}, below ` +
        `the lease length of ${leaseMs} ms (a leaseholder stops serving that long before its lease expires), ` +
        `got ${String(leaseMarginMs)}`,
    );
  }
  return {
    raft: {
      electionTimeoutMs: RAFT_DEFAULTS.electionTimeoutMs,
      heartbeatIntervalMs: RAFT_DEFAULTS.heartbeatIntervalMs,
      ...raft,
    },
    leaseMarginMs,
  };
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new ServerError('INVALID_ARGUMENT', `name: expected a non-empty string, got ${String(name)}`);
  }
  return name;
}

function checkInteger(
  option: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ServerError(
      'INVALID_ARGUMENT',
      `${option}: expected an integer in ${min}..${max}, got ${String(value)}`,
    );
  }
  return value;
}

function unknownState(state: never): never {
  throw new ServerError('INTERNAL', `unknown node state ${String(state)}`);
}
