/**
 * The inside of a `ClusterNode`: the state request handlers, sessions and the move procedure share (clock,
 * transactions, partition replicas, Raft groups, forwarder, counters, row helpers) and the routing decision.
 * The public `ClusterNode` wraps it with the lifecycle (accept, crash, restart, move, destroy).
 *
 * Routing is synchronous and reads the node's own assignments (`ControlPlane.assignments`: with a
 * metastorage, the node's copy, which may be behind). An unreplicated partition goes to its owner as the node
 * knows it: the newer of its copy and the hand-overs it took part in itself (a move hands a partition over in
 * one synchronous step, at the assignment version that step made; the node remembers it until its copy holds
 * that version). So the old owner, even with a stale copy, never serves a partition it handed over (it sends
 * its requests on to the new owner), and the new owner serves it at once. A partition this node owns but
 * holds no replica of (a new table's partition) gets an empty store on first use: that is when the node
 * "becomes owner" of it. A replicated partition is served here exactly while this node's replica of it is the
 * serving primary (its Raft leader under a lease, see replication/partition-group.ts); otherwise it goes to
 * the primary the node's assignments name, or, when that is this node, is refused with `NO_QUORUM`.
 */
import type { Buggify, Clock, Logger, OpName, Request, Rng } from '@datastreamer/protocol';
import type {
  BatchProducer,
  ClusterMember,
  RaftAppendResult,
  RaftSnapshotResult,
  RaftVoteResult,
  TxPartition,
} from '@datastreamer/protocol/internal';
import type { Authenticator } from '../auth/authenticator.js';
import type { HybridClock } from '../clock/hlc.js';
import type { Disk } from '../disk/disk.js';
import { ProducerFence } from '../fence/producer-fence.js';
import type { NodeMetastorage } from '../metastorage/node-metastorage.js';
import { PartitionReplica, PartitionTable, ReplicaStates } from '../partitions/partition-table.js';
import type { Route, RoutePurpose } from '../partitions/route.js';
import type { Forwarder } from '../peer/forwarding.js';
import type { ControlPlane } from '../placement/control-plane.js';
import type { Placement } from '../placement/placement.js';
import type { RaftOp, RaftRequestOf, RaftResultOf, RaftRoleChange } from '../raft/raft-types.js';
import type { PartitionGroup } from '../replication/partition-group.js';
import { ReplicaGroups, type ReplicationSettings } from '../replication/replica-groups.js';
import { RowIngest } from '../rows/row-ingest.js';
import { RowShapes } from '../rows/row-shape.js';
import { RowUpgrade } from '../rows/row-upgrade.js';
import { storedRowTuple, storedRowVersion } from '../rows/stored-row.js';
import { type LowWatermarkSource, MvccPartitionStore } from '../storage/mvcc-partition-store.js';
import type { PartitionSnapshot } from '../storage/partition-snapshot.js';
import { TransactionManager } from '../tx/transaction-manager.js';
import { TxCoordinator } from '../tx/tx-coordinator.js';
import { TxLog } from '../tx/tx-log.js';
import { TxParticipants } from '../tx/tx-participant.js';
import type { ConnectionSession, SessionHost } from './connection-session.js';
import type { NodeContext, RequestContext } from './node-context.js';
import { NodeMetrics } from './node-metrics.js';
import type { MoveSource, PartitionHandOver } from './partition-move.js';
import type { ReceiverRegistry } from './receiver/receiver-registry.js';
import { dispatch, type Outcome } from './request-router.js';
import { nameHash, TraceIds } from './trace-ids.js';

/**
 * Called once per key at commit: table, partition, key tuple, row tuple (`null` for a delete), commit
 * timestamp, the schema version the row tuple is written with (0 for a delete), the producer whose
 * streamer batch wrote it (`null` for any other write), and, for a replicated partition, the index of the log
 * entry applied (`null` for an unreplicated one: every replica of a replicated partition applies each entry,
 * so a listener on several nodes sees each commit once per replica, with the same index). Key and row are
 * views of the node's buffers: copy them to keep them.
 */
export type NodeApplyListener = (
  tableId: number,
  partition: number,
  key: Uint8Array,
  row: Uint8Array | null,
  commitTs: bigint,
  schemaVersion: number,
  origin: BatchProducer | null,
  logIndex: number | null,
) => void;

/** Told when one of this node's replicated partitions changes role (an election, a step-down). */
export type NodeRoleListener = (tableId: number, partition: number, change: RaftRoleChange) => void;

export interface NodeCoreOptions {
  readonly name: string;
  readonly controlPlane: ControlPlane;
  readonly hlc: HybridClock;
  readonly clock: Clock;
  readonly forwarder: Forwarder;
  readonly log: Logger;
  readonly maxFrameSize: number;
  readonly maxForwardHops: number;
  readonly features: Uint8Array;
  readonly receivers: ReceiverRegistry;
  /** The node's disk (Raft logs and snapshots of its replicated partitions). */
  readonly disk: Disk;
  /** The root of the node's random streams (election timeouts). */
  readonly rng: Rng;
  readonly replication: ReplicationSettings;
  readonly auth: Authenticator;
  /** Fault points (simulation only). */
  readonly buggify: Buggify;
  /** The node's side of the metastorage, when the cluster has one (`controlPlane` is then built on it). */
  readonly metastorage?: NodeMetastorage;
  /** The cluster's running members now (`NodeContext.clusterMembers`). */
  readonly clusterMembers: () => readonly ClusterMember[];
}

const UNOWNED: Route = { kind: 'unowned' };
const MOVING: Route = { kind: 'moving' };
const NO_QUORUM: Route = { kind: 'noQuorum' };

export class NodeCore implements NodeContext, SessionHost, MoveSource {
  readonly name: string;
  readonly controlPlane: ControlPlane;
  readonly hlc: HybridClock;
  readonly clock: Clock;
  readonly forwarder: Forwarder;
  readonly log: Logger;
  readonly maxFrameSize: number;
  readonly maxForwardHops: number;
  readonly features: Uint8Array;
  readonly receivers: ReceiverRegistry;
  readonly auth: Authenticator;
  readonly clusterMembers: () => readonly ClusterMember[];
  /** Kept across crashes, like the partition stores: the node's simulated disk. */
  readonly txLog = new TxLog();
  readonly participants: TxParticipants;
  readonly coordinator: TxCoordinator;
  /** Incremented by the node at every crash (see `NodeContext.epoch`). */
  epoch = 0;
  readonly metrics = new NodeMetrics();
  readonly shapes = new RowShapes();
  readonly ingest: RowIngest;
  readonly buggify: Buggify;
  readonly upgrade = new RowUpgrade();
  readonly partitions = new PartitionTable();
  readonly sessions = new Set<ConnectionSession>();
  readonly #traceIds: TraceIds;
  readonly #nodeId: number;
  readonly #applyListeners: NodeApplyListener[] = [];
  readonly #roleListeners: NodeRoleListener[] = [];
  /** The producer of the streamer batch being committed now (see `applying`). */
  #origin: BatchProducer | null = null;
  /** The log index being applied now, for a replicated partition (see `applying`). */
  #logIndex: number | null = null;
  readonly disk: Disk;
  readonly replication: ReplicaGroups;
  readonly metastorage: NodeMetastorage | undefined;
  /** Stores ask this for the low watermark, so a new manager after a restart takes over without new stores. */
  // Remote transactions' snapshots (running or prepared here) hold old versions back too.
  readonly #watermark: LowWatermarkSource = {
    lowWatermark: () => {
      const own = this.#transactions.lowWatermark();
      const remote = this.participants.lowWatermark();
      return own === undefined || (remote !== undefined && remote < own) ? remote : own;
    },
  };
  #transactions: TransactionManager;
  /**
   * Hand-overs of unreplicated partitions this node took part in (`table/partition` -> the owner it made and
   * the assignment version it made it at), kept until the node's copy of the assignments holds that version.
   */
  readonly #handOvers = new Map<string, { readonly owner: string; readonly version: number }>();

  constructor(options: NodeCoreOptions) {
    this.name = options.name;
    this.controlPlane = options.controlPlane;
    this.hlc = options.hlc;
    this.clock = options.clock;
    this.forwarder = options.forwarder;
    this.log = options.log;
    this.maxFrameSize = options.maxFrameSize;
    this.maxForwardHops = options.maxForwardHops;
    this.features = options.features;
    this.receivers = options.receivers;
    this.auth = options.auth;
    this.clusterMembers = options.clusterMembers;
    this.buggify = options.buggify;
    this.ingest = new RowIngest(options.buggify);
    this.#traceIds = new TraceIds(options.name);
    this.#nodeId = nameHash(options.name);
    this.#transactions = this.#newTransactionManager();
    this.participants = new TxParticipants(this);
    this.coordinator = new TxCoordinator(this);
    this.disk = options.disk;
    this.metastorage = options.metastorage;
    this.replication = new ReplicaGroups({
      name: this.name,
      clock: this.clock,
      hlc: this.hlc,
      placement: this.controlPlane.placement,
      leases: this.controlPlane.leases,
      log: this.log,
      settings: options.replication,
      disk: options.disk,
      rng: options.rng,
      buggify: this.buggify,
      sendRaft: (to, request) => this.#sendRaft(to, request),
      newStore: (tableId, partition, snapshot) => this.#newStore(tableId, partition, snapshot),
      applying: (origin, index, commit) => this.applying(origin, commit, index),
      askOutcome: (coordinator, txId) => this.#askOutcome(coordinator, txId),
      groupAdded: (group) => this.partitions.set(PartitionReplica.ofGroup(group)),
      groupRemoved: (group) => {
        if (this.partitions.get(group.tableId, group.partition)?.group === group) {
          this.partitions.delete(group.tableId, group.partition);
        }
      },
      roleChanged: (group, change) => this.#roleChanged(group, change),
    });
  }

  get transactions(): TransactionManager {
    return this.#transactions;
  }

  get placement(): Placement {
    return this.controlPlane.placement;
  }

  get nodeName(): string {
    return this.name;
  }

  /** Starts a new transaction manager: what a restart keeps of the old one's transactions is nothing. */
  resetTransactions(): void {
    this.#transactions = this.#newTransactionManager();
  }

  nextTraceId(): string {
    return this.#traceIds.next();
  }

  observableTimestamp(): bigint {
    return this.hlc.now();
  }

  assignmentVersion(): number {
    return this.controlPlane.assignments.version;
  }

  dispatch(request: Request, context: RequestContext): Outcome<OpName> {
    return dispatch(this, request, context);
  }

  sessionClosed(session: ConnectionSession): void {
    this.sessions.delete(session);
  }

  route(tableId: number, partition: number, purpose: RoutePurpose = 'write'): Route {
    if (this.controlPlane.assignments.isReplicated(tableId)) {
      return this.#replicatedRoute(tableId, partition, purpose);
    }
    const { owner, version } = this.#knownOwner(tableId, partition);
    if (owner === undefined) return UNOWNED;
    if (owner !== this.name) return { kind: 'remote', owner, version };
    const replica = this.ownedReplica(tableId, partition) as PartitionReplica;
    return replica.state === ReplicaStates.SERVING ? { kind: 'local', replica } : MOVING;
  }

  /**
   * The owner of an unreplicated partition as this node knows it, and the assignment version it knows it at:
   * a hand-over it took part in when its copy of the assignments is older (see the module header).
   */
  #knownOwner(tableId: number, partition: number): { owner: string | undefined; version: number } {
    const assignments = this.controlPlane.assignments;
    // Almost always empty: no key is built on a batch's path then.
    const key = this.#handOvers.size === 0 ? '' : `${tableId}/${partition}`;
    const handOver = this.#handOvers.get(key);
    if (handOver !== undefined) {
      if (handOver.version > assignments.version) return handOver;
      this.#handOvers.delete(key);
    }
    return { owner: assignments.owner(tableId, partition), version: assignments.version };
  }

  /** Records a hand-over of partition `partition` this node took part in: `owner` owns it from `version` on. */
  handedOver(tableId: number, partition: number, owner: string, version: number): void {
    if (version > this.controlPlane.assignments.version) {
      this.#handOvers.set(`${tableId}/${partition}`, { owner, version });
    }
  }

  /** A replicated partition: served here while its group is the serving primary (see the module header). */
  #replicatedRoute(tableId: number, partition: number, purpose: RoutePurpose): Route {
    const group = this.replication.get(tableId, partition);
    if (purpose === 'read' ? group?.servesReads() : group?.isServing()) {
      const replica = this.partitions.get(tableId, partition);
      if (replica !== undefined) return { kind: 'local', replica };
    }
    const assignments = this.controlPlane.assignments;
    const owner = assignments.owner(tableId, partition);
    if (owner === undefined) return UNOWNED;
    return owner === this.name ? NO_QUORUM : { kind: 'remote', owner, version: assignments.version };
  }

  ownedReplica(tableId: number, partition: number): PartitionReplica | undefined {
    if (this.controlPlane.assignments.isReplicated(tableId)) return undefined;
    if (this.#knownOwner(tableId, partition).owner !== this.name) return undefined;
    return this.replicaToHandOver(tableId, partition);
  }

  replicaToHandOver(tableId: number, partition: number): PartitionReplica {
    let replica = this.partitions.get(tableId, partition);
    if (replica === undefined) {
      replica = PartitionReplica.of(tableId, partition, this.#newStore(tableId, partition, null));
      this.partitions.set(replica);
    }
    return replica;
  }

  ownerOf(tableId: number, partition: number): string | undefined {
    // Where a coordinator delivers two-phase commit decisions: they are not in the metastorage yet, and their
    // delivery follows the placement itself, as it did before the assignments moved there.
    return this.controlPlane.placement.owner(tableId, partition);
  }

  finishLocal(txId: string, commitTs: bigint | null, partitions: readonly TxPartition[]): Promise<void> {
    return this.participants.finish(txId, commitTs, partitions);
  }

  releaseReplica(tableId: number, partition: number): void {
    this.partitions.delete(tableId, partition);
  }

  /** Installs the committed state of a partition handed over by its old owner (replacing any stale copy). */
  installReplica(
    tableId: number,
    partition: number,
    handOver: PartitionHandOver,
    newestTimestamp: bigint,
  ): void {
    if (newestTimestamp > this.hlc.current()) this.hlc.update(newestTimestamp);
    const store = this.#newStore(tableId, partition, handOver.store);
    this.partitions.set(PartitionReplica.of(tableId, partition, store, new ProducerFence(handOver.fence)));
    this.handedOver(tableId, partition, this.name, handOver.version);
  }

  applying<T>(origin: BatchProducer | null, commit: () => T, logIndex?: number): T {
    this.#origin = origin;
    this.#logIndex = logIndex ?? null;
    try {
      return commit();
    } finally {
      this.#origin = null;
      this.#logIndex = null;
    }
  }

  /** Adds a listener for the role changes of this node's replicated partitions; returns its remover. */
  addRoleListener(listener: NodeRoleListener): () => void {
    this.#roleListeners.push(listener);
    return () => {
      const i = this.#roleListeners.indexOf(listener);
      if (i >= 0) this.#roleListeners.splice(i, 1);
    };
  }

  #roleChanged(group: PartitionGroup, change: RaftRoleChange): void {
    for (const listener of this.#roleListeners.slice()) {
      try {
        listener(group.tableId, group.partition, change);
      } catch (error) {
        this.log.error({ group: group.name, err: error }, 'a role listener threw');
      }
    }
  }

  #sendRaft<K extends RaftOp>(to: string, request: RaftRequestOf<K>): Promise<RaftResultOf<K>> {
    // The op ties each request to its result; TypeScript cannot follow that through the forwarder's union.
    return this.forwarder.send(to, { ...request, requestId: 0 }) as Promise<
      RaftVoteResult | RaftAppendResult | RaftSnapshotResult
    > as Promise<RaftResultOf<K>>;
  }

  async #askOutcome(coordinator: string, txId: string): Promise<bigint | null | undefined> {
    const state =
      coordinator === this.name
        ? this.coordinator.stateOf(txId)
        : await this.forwarder.send(coordinator, { op: 'TX_STATE_GET', requestId: 0, txId });
    if (state.state === 'COMMITTED' && state.commitTimestamp !== null) return state.commitTimestamp;
    if (state.state === 'ABORTED' || state.state === 'UNKNOWN') return null;
    return undefined;
  }

  /** Adds a listener for every key committed on this node; returns the function that removes it. */
  addApplyListener(listener: NodeApplyListener): () => void {
    this.#applyListeners.push(listener);
    return () => {
      const i = this.#applyListeners.indexOf(listener);
      if (i >= 0) this.#applyListeners.splice(i, 1);
    };
  }

  #newTransactionManager(): TransactionManager {
    return new TransactionManager({
      clock: this.hlc,
      nodeId: this.#nodeId,
      logger: this.log,
      buggify: this.buggify,
    });
  }

  #newStore(tableId: number, partition: number, snapshot: PartitionSnapshot | null): MvccPartitionStore {
    const table = this.controlPlane.catalog.latest(tableId)?.tableName ?? `table-${tableId}`;
    const options = { name: `${table}/${partition}`, lowWatermark: this.#watermark, buggify: this.buggify };
    const store =
      snapshot === null
        ? new MvccPartitionStore(options)
        : MvccPartitionStore.fromSnapshot(snapshot, options);
    // Asked once per commit: with no node listener the store makes no per-key views at all.
    store.addApplyListener(
      (key, row, commitTs) => this.#applied(tableId, partition, key, row, commitTs),
      () => this.#applyListeners.length > 0,
    );
    return store;
  }

  #applied(
    tableId: number,
    partition: number,
    key: Uint8Array,
    row: Uint8Array | null,
    commitTs: bigint,
  ): void {
    const listeners = this.#applyListeners;
    if (listeners.length === 0) return;
    const tuple = row === null ? null : storedRowTuple(row);
    const version = row === null ? 0 : storedRowVersion(row);
    for (const listener of listeners.slice()) {
      try {
        listener(tableId, partition, key, tuple, commitTs, version, this.#origin, this.#logIndex);
      } catch (error) {
        // The commit is done; a failing observer must not turn it into an error for the client.
        this.log.error({ tableId, partition, err: error }, 'an apply listener threw');
      }
    }
  }
}
