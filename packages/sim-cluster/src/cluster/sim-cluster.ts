/**
 * `SimCluster`: a whole cluster in one process. N nodes on a simulated network, clients connected to them,
 * one seed for every random choice, virtual (or real) time, a recorded history and the checkers over it.
 * Topology changes (join, leave, crash, restart, pause, partition moves) and network faults are injected
 * through it; tests await ordinary promises and virtual time advances by itself when the process is idle.
 *
 * What it records: every commit (`apply`, from the nodes' apply hook), every network fault the network
 * reports, every topology change made through this class. Streams record their own submits and acks. With
 * `history: 'off'` only faults and topology changes are recorded, and `check` refuses to judge.
 *
 * The class holds the parts and checks the cluster still runs; the work is done by its helpers: node start
 * (sim-node-start.ts), topology changes (cluster-topology.ts), table reads (cluster-reads.ts), recorded streams
 * (cluster-streams.ts).
 */
import {
  Client,
  type DataStreamerOptions,
  type DataStreamerSummary,
  type StreamerSource,
} from '@datastreamer/client';
import {
  createRng,
  entropySeed,
  type Logger,
  RealClock,
  type SeededRng,
  silentLogger,
} from '@datastreamer/protocol';
import { type ClusterNode, LocalControlPlane, type MoveReport } from '@datastreamer/server-node';
import { BuggifyRun } from '../buggify/buggify-run.js';
import type { Verdict } from '../checkers/check.js';
import { check as checkHistory } from '../checkers/check.js';
import type { CheckOptions } from '../checkers/check-options.js';
import { judgeStoredRows, type StoredRowsResult } from '../checkers/stored-rows.js';
import { SimClock } from '../clock/sim-clock.js';
import { SimClusterError } from '../errors/sim-cluster-error.js';
import { History } from '../history/history.js';
import type { HistoryRow } from '../history/history-event.js';
import { SimNetwork } from '../network/sim-network.js';
import { type CheckedView, isCheckedView, type RowOfView } from './checked-view.js';
import { ClusterReads } from './cluster-reads.js';
import { ClusterStreams } from './cluster-streams.js';
import { ClusterTopology } from './cluster-topology.js';
import { MetastorageMembers } from './metastorage-members.js';
import { recordLease } from './raft-events.js';
import type { StreamRecording, StreamTarget } from './recorded-stream.js';
import { REPLICA_MOVE_WAIT_MS, type ReplicaMoveReport, ReplicaMover } from './replica-moves.js';
import {
  type ClusterClock,
  type ConnectOptions,
  defaultClusterSecret,
  type HistoryMode,
  type ReplicaMoveOptions,
  type ResolvedSimClusterOptions,
  resolveSimClusterOptions,
  type SimClusterOptions,
} from './sim-cluster-options.js';
import { startSimNode } from './sim-node-start.js';
import { type PlainRow, RowDecoders } from './table-reader.js';

export type { ClusterClock, ConnectOptions, ReplicaMoveOptions } from './sim-cluster-options.js';
export { REAL_CLOCK_RAFT } from './sim-node-start.js';

export class SimCluster implements AsyncDisposable {
  /** The run's seed: `SimCluster.start({ seed })` with it replays every random choice. */
  readonly seed: bigint;
  readonly clock: ClusterClock;
  readonly network: SimNetwork;
  readonly history: History;
  readonly controlPlane: LocalControlPlane;
  readonly #options: ResolvedSimClusterOptions;
  readonly #rng: SeededRng;
  /**
   * The run's fault points (`start({ buggify })`): which are enabled, and how often each was reached and
   * fired. Undefined when they are off (always on the real clock).
   */
  readonly buggify: BuggifyRun | undefined;
  readonly #log: Logger;
  readonly #nodes = new Map<string, ClusterNode>();
  readonly #clients: Client[] = [];
  readonly #clientNames = new Map<Client, string>();
  readonly #streams: ClusterStreams;
  readonly #decoders: RowDecoders;
  readonly #reads: ClusterReads;
  readonly #topology: ClusterTopology;
  /** The applies recorded per replicated partition (see `ApplyRecording.recordedUpTo`). */
  readonly #recordedUpTo = new Map<string, { index: number; node: string }>();
  /** What the nodes prove to each other (see `SimClusterOptions.auth`). */
  readonly #clusterSecret: string;
  /** The metastorage group's members: the first `metastorageNodes` nodes (none: a shared catalog). */
  readonly #metastorage: MetastorageMembers;
  /** Moves of replicated partitions' replicas (see replica-moves.ts). */
  readonly #replicaMoves: ReplicaMover;
  #nextNode = 1;
  #nextClient = 1;
  #stopped = false;

  private constructor(options: ResolvedSimClusterOptions) {
    this.#options = options;
    this.#rng = createRng(options.seed ?? entropySeed());
    this.seed = this.#rng.seed;
    this.#log = (options.logger ?? silentLogger).child({ component: 'sim-cluster' });
    this.clock =
      options.clock === 'real'
        ? new RealClock()
        : new SimClock(
            options.maxVirtualTimeMs === undefined ? {} : { maxVirtualTimeMs: options.maxVirtualTimeMs },
          );
    this.#metastorage = new MetastorageMembers(options.metastorageNodes, this.#nodes, this.clock);
    this.controlPlane = new LocalControlPlane({
      defaultPartitions: options.partitions,
      defaultReplicas: options.replicas,
      clock: this.clock,
      ...(options.replication.leaseMs === undefined ? {} : { leaseMs: options.replication.leaseMs }),
    });
    this.controlPlane.leases.subscribe((event) =>
      recordLease(event, this.history, (tableId) => this.#tableName(tableId)),
    );
    this.#replicaMoves = new ReplicaMover({
      placement: this.controlPlane.placement,
      clock: this.clock,
      isRunning: (name) => this.#nodes.get(name)?.isRunning === true,
      tableName: (tableId) => this.#tableName(tableId),
      recordTopology: (change) => this.history.recordTopology(change),
    });
    this.network = new SimNetwork({
      clock: this.clock,
      rng: this.#rng.child('net'),
      logger: options.logger ?? silentLogger,
      baseDelayMs: options.networkDelayMs ?? (options.clock === 'real' ? [0, 0] : [1, 1]),
    });
    this.history = new History({ clock: this.clock });
    this.#clusterSecret =
      options.auth.clusterSecret ?? defaultClusterSecret(this.#rng.child('cluster-secret'));
    this.#decoders = new RowDecoders(this.controlPlane.catalog);
    this.#reads = new ClusterReads({
      controlPlane: this.controlPlane,
      nodes: this.#nodes,
      decoders: this.#decoders,
      clock: this.clock,
    });
    this.#streams = new ClusterStreams({
      history: this.history,
      historyMode: options.history,
      reads: this.#reads,
      clientName: (client) => this.clientName(client),
    });
    this.#topology = new ClusterTopology({
      nodes: this.#nodes,
      controlPlane: this.controlPlane,
      network: this.network,
      history: this.history,
      replicaMoves: this.#replicaMoves,
      metastorage: this.#metastorage,
      reads: this.#reads,
      node: (name) => this.node(name),
    });
    this.buggify =
      options.buggify === undefined ? undefined : new BuggifyRun(this.#rng.child('buggify'), options.buggify);
    this.network.onEvent((event) => {
      this.history.recordFault(event);
    });
  }

  /**
   * Starts a cluster of `nodes` nodes (default 3) and resolves when every node serves.
   * @throws SimClusterError `INVALID_ARGUMENT` naming a bad option.
   */
  static async start(options: SimClusterOptions = {}): Promise<SimCluster> {
    const cluster = new SimCluster(resolveSimClusterOptions(options));
    for (let i = 0; i < cluster.#options.nodes; i++) cluster.#startNode();
    cluster.history.recordTopology({ kind: 'start', nodes: cluster.nodes });
    for (const [name, receiver] of Object.entries(cluster.#options.receivers)) {
      cluster.deployReceiver(name, receiver);
    }
    await cluster.#metastorage.firstLeader();
    return cluster;
  }

  /** The metastorage's members (the first `metastorageNodes` nodes); empty without a metastorage. */
  get metastorageNodes(): readonly string[] {
    return this.#metastorage.names;
  }

  /**
   * The running member leading the metastorage group now (the highest term, when a cut-off old leader still
   * thinks it leads); `undefined` when none does.
   */
  metastorageLeader(): string | undefined {
    return this.#metastorage.leader();
  }

  /** What the cluster records: the `history` option of `start` (`'full'` by default). */
  get historyMode(): HistoryMode {
    return this.#options.history;
  }

  /** Names of the nodes that are members (running or crashed), in join order. */
  get nodes(): readonly string[] {
    return [...this.#nodes.keys()];
  }

  /** The node called `name`. @throws SimClusterError `INVALID_ARGUMENT` for an unknown name. */
  node(name: string): ClusterNode {
    const node = this.#nodes.get(name);
    if (node === undefined) {
      throw new SimClusterError(
        'INVALID_ARGUMENT',
        `no node "${name}" (nodes: ${this.nodes.join(', ') || 'none'})`,
      );
    }
    return node;
  }

  /**
   * A client connected to every running node, following the cluster's members as nodes join and leave; or
   * to `options.nodes` only. Clients are named `client-1`, ... in the order they connect. The cluster closes
   * it on `stop`.
   */
  async connect(options: ConnectOptions = {}): Promise<Client> {
    this.#checkRunning();
    const { nodes, ...clientOptions } = options;
    const endpoints = nodes ?? this.nodes.filter((n) => this.node(n).isRunning);
    for (const name of endpoints) this.node(name);
    const name = `client-${this.#nextClient++}`;
    const client = await Client.connect({
      ...clientOptions,
      clusterDiscovery: clientOptions.clusterDiscovery ?? nodes === undefined,
      name,
      transport: this.network.transport(name),
      endpoints,
      clock: this.clock,
      rng: this.#rng.child(name),
      logger: clientOptions.logger ?? this.#options.logger ?? silentLogger,
      ...(this.buggify === undefined ? {} : { buggify: this.buggify.buggify }),
    });
    this.#clients.push(client);
    this.#clientNames.set(client, name);
    return client;
  }

  /** The name of a client this cluster connected (`client-1`, ...). @throws SimClusterError `INVALID_ARGUMENT` otherwise. */
  clientName(client: Client): string {
    const name = this.#clientNames.get(client);
    if (name === undefined) {
      throw new SimClusterError('INVALID_ARGUMENT', 'the client was not connected by this cluster');
    }
    return name;
  }

  /**
   * Streams `source` into `view` (a record or key-value view), as `view.streamData(source, options)` does,
   * and records the stream in the history: a submit per item as the streamer takes it, an ack per
   * acknowledged batch, the failed items, and the outcome (see `recorded-stream.ts`). Streams are numbered
   * 1, 2, ... per client. `options.onBatch` is still called. With `history: 'off'` nothing is recorded: it
   * is `view.streamData(source, options)` after the same argument checks.
   *
   * @param recording the client, the per-key sequence number of an item (`seq`), and optionally its key
   *   (default: read from the table's key columns) and producer (default: the client). Its functions take
   *   the source's items as typed (`S`: a bare row for an array of rows), not every item the view accepts.
   * @returns the outcome of `streamData`, unchanged.
   * @throws (rejects) SimClusterError `INVALID_ARGUMENT` for a client this cluster did not connect, a table
   *   that does not exist, or a `StreamerPublisher` source; `CLOSED` after `stop()`.
   */
  stream<T, S extends T = T>(
    view: StreamTarget<T>,
    source: StreamerSource<S>,
    recording: StreamRecording<NoInfer<S>>,
    options?: DataStreamerOptions,
  ): Promise<DataStreamerSummary> {
    try {
      this.#checkRunning();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#streams.stream<T, S>(view, source, recording, options);
  }

  /**
   * Deploys `receiver` under `name` on every node, present and future (the nodes share one registry per
   * cluster), replacing one deployed under that name before. Clients then stream to it by name.
   * @throws ServerError `INVALID_ARGUMENT` for an empty name or a receiver that is not a function.
   */
  readonly deployReceiver: ClusterNode['deployReceiver'] = (name, receiver) => {
    this.#checkRunning();
    const [first] = this.#nodes.values();
    if (first === undefined) throw new SimClusterError('CLOSED', 'the cluster has no node to deploy to');
    first.deployReceiver(name, receiver);
  };

  /**
   * Adds a node and rebalances partitions to it; resolves with its name once they moved. Replicas of
   * replicated partitions move to it by membership changes (a learner caught up from a snapshot, promoted,
   * then the old replica removed); it waits for those up to `options.waitMs` of cluster time (default
   * {@link REPLICA_MOVE_WAIT_MS}; 0: not at all), and any still under way go on in the background.
   */
  async addNode(options: { readonly waitMs?: number } = {}): Promise<string> {
    this.#checkRunning();
    const name = this.#startNode();
    await this.#topology.join(name, options.waitMs);
    return name;
  }

  /**
   * Removes a node gracefully: its partitions move to the others first, its replicas of replicated
   * partitions by membership changes (a replacement added and caught up before the replica is removed).
   * @throws SimClusterError `INVALID_ARGUMENT` for the last node, one holding replicas that no other node
   *   can take (too few nodes for the replica count), or a metastorage member whose going would leave the
   *   metastorage without a majority of its members (checked first: nothing moves then);
   *   `NODE_UNAVAILABLE` when its replicas did not all move within {@link REPLICA_MOVE_WAIT_MS} (a node they
   *   move to is down): it stays a member then, and the moves go on.
   */
  async removeNode(name: string): Promise<void> {
    this.#checkRunning();
    await this.#topology.remove(name);
  }

  /**
   * Destroys a node: it crashes and its disk is lost, for good. It is no longer a member (`nodes` leaves it
   * out, heal does not restart it); its unreplicated partitions go, empty, to the other members (their data
   * is lost with it); replicated partitions keep serving from the rest of their replicas while a majority of
   * them is left.
   * @throws SimClusterError `INVALID_ARGUMENT` for an unknown node or the last one, or a metastorage member
   *   whose going would leave the metastorage without a majority of its members.
   */
  destroyNode(name: string): void {
    this.#checkRunning();
    this.#topology.destroy(name);
  }

  /**
   * Resolves once no replicated partition has a replica move under way (repairs after `destroyNode`
   * included), or with false after `timeoutMs` of cluster time (default {@link REPLICA_MOVE_WAIT_MS}).
   */
  replicaMovesSettled(timeoutMs = REPLICA_MOVE_WAIT_MS): Promise<boolean> {
    return this.#replicaMoves.until(() => !this.#replicaMoves.pending(), timeoutMs);
  }

  /**
   * The nodes holding a partition (the voters of its Raft group's newest committed configuration for a
   * replicated table, the owner otherwise), the preferred primary first. A destroyed node stays listed until
   * its replica is replaced (after `destroyNode`, when another node can take it).
   * @throws SimClusterError `TABLE_NOT_FOUND`, `INVALID_ARGUMENT` for a partition the table does not have.
   */
  async replicasOf(table: string, partition: number): Promise<string[]> {
    return this.#reads.replicasOf(table, partition);
  }

  /**
   * The node serving a partition as primary: the owner of an unreplicated one; for a replicated one the
   * replica serving under its lease, waited for (up to `timeoutMs` of cluster time, default 30 s) while
   * there is none (an election or a lease hand-over under way).
   * @throws SimClusterError `TABLE_NOT_FOUND`, `INVALID_ARGUMENT` for a bad partition; `NO_QUORUM` when no
   *   replica served within the timeout.
   */
  primaryOf(table: string, partition: number, timeoutMs = 30_000): Promise<string> {
    return this.#reads.primaryOf(table, partition, timeoutMs);
  }

  /**
   * Crashes a node at once: connections, in-flight work and its disk's unsynced writes lost, committed data
   * kept. The topology event counts the disk changes lost (`unsyncedLost`), when there were any.
   */
  crashNode(name: string): void {
    this.#checkRunning();
    this.#topology.crash(name);
  }

  /**
   * Restarts a crashed node; it serves the partitions it still owns.
   * @throws ServerError `CLOCK_OFFSET_EXCEEDED` when the node refuses to start (its kept clock mark is absurd);
   *   it then stays down.
   */
  async restartNode(name: string): Promise<void> {
    this.#checkRunning();
    this.#topology.restart(name);
  }

  /** Stops a node's traffic for `ms` (virtual or real): a slow owner, not a dead one. */
  pauseNode(name: string, ms: number): void {
    this.#checkRunning();
    this.#topology.pause(name, ms);
  }

  /**
   * Moves one partition of a table to `toNode`. Unreplicated: its committed state goes along, atomically.
   * Replicated: the replica on `options.from` (default: the last replica that is not the primary) is
   * replaced by one on `toNode` through Raft membership changes while writes go on (see replica-moves.ts);
   * it resolves when the replicas show the move, or after `options.waitMs` of cluster time (default
   * {@link REPLICA_MOVE_WAIT_MS}; 0: at once) with `completed: false` (the move goes on).
   * @throws SimClusterError `INVALID_ARGUMENT` for a bad partition or node, `toNode` holding a replica
   *   already, a move of the partition under way; `NODE_UNAVAILABLE` when `toNode` is down.
   */
  async movePartition(
    table: string,
    partition: number,
    toNode: string,
    options: ReplicaMoveOptions = {},
  ): Promise<MoveReport | ReplicaMoveReport> {
    this.#checkRunning();
    return this.#topology.movePartition(table, partition, toNode, options);
  }

  /**
   * The committed rows of a table, read directly from the stores (no network, no faults), in partition order.
   * For a replicated table it first waits (up to `timeoutMs` of cluster time per partition, default 30 s)
   * for each partition to have a serving primary, whose state holds every committed write (a replica that
   * is not the primary may not know yet that its last entries committed).
   */
  readTable(table: string, timeoutMs = 30_000): Promise<PlainRow[]> {
    return this.#reads.readTable(table, timeoutMs);
  }

  /**
   * `readTable`, synchronously: a replicated partition is read from its serving primary, or when it has none
   * (an election under way) from the running replica that applied the most of its log, which may miss
   * entries committed just before a leader was lost.
   * @throws ProtocolError for a stored row that does not decode.
   */
  readTableNow(table: string): PlainRow[] {
    return this.#reads.rows(table, false);
  }

  /**
   * Runs the stored-rows checker alone (with either history mode): every committed version every node keeps
   * (each replica of a replicated partition included) decodes with its schema version and fits its columns.
   */
  checkStoredRows(): StoredRowsResult {
    return judgeStoredRows(this.#reads.storedVersions(), this.controlPlane.catalog);
  }

  /**
   * Runs the checkers (at-least-once, per-key order, final state, liveness, stored rows) over the history
   * and the stores. The final table is read directly unless `options.rows` is given (rows that do not decode
   * left out: the stored-rows checker reports them).
   *
   * `check(view, options)` judges the view's table, and types the rows of `key` and `seq` from the view
   * (a record view's row; a key-value view's key and value columns together).
   * @throws SimClusterError `INVALID_ARGUMENT` when the cluster was started with `history: 'off'`.
   */
  check<Row extends object = HistoryRow>(options: CheckOptions<Row>): Verdict;
  check<View extends CheckedView>(view: View, options: Omit<CheckOptions<RowOfView<View>>, 'table'>): Verdict;
  check(
    viewOrOptions: CheckedView | CheckOptions<object>,
    viewOptions?: Omit<CheckOptions<object>, 'table'>,
  ): Verdict {
    let options: CheckOptions<object>;
    if (isCheckedView(viewOrOptions)) {
      if (viewOptions === undefined) {
        throw new SimClusterError('INVALID_ARGUMENT', 'check(view, options) needs the options (key and seq)');
      }
      options = { ...viewOptions, table: viewOrOptions.tableName };
    } else options = viewOrOptions;
    if (this.#options.history === 'off') {
      throw new SimClusterError(
        'INVALID_ARGUMENT',
        "cannot check: the cluster was started with history: 'off', so no applies or stream events were recorded",
      );
    }
    let resolved: CheckOptions<object> = {
      ...options,
      stored: { versions: this.#reads.storedVersions(), schemas: this.controlPlane.catalog },
    };
    if (options.rows === undefined) {
      const table = options.table ?? this.#reads.onlyTable();
      if (table !== undefined) resolved = { ...resolved, table, rows: this.#reads.rows(table, true) };
    }
    return checkHistory(this.history, resolved);
  }

  /** Closes every client and node, and stops the virtual clock (pending timers never fire). Idempotent. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await Promise.allSettled(this.#clients.map((c) => c.close()));
    for (const node of this.#nodes.values()) if (node.isRunning) node.crash();
    if (this.clock instanceof SimClock) this.clock.stop();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  #startNode(): string {
    const name = `node-${this.#nextNode++}`;
    const node = startSimNode(name, {
      options: this.#options,
      controlPlane: this.controlPlane,
      clock: this.clock,
      network: this.network,
      history: this.history,
      rng: this.#rng,
      buggify: this.buggify,
      clusterSecret: this.#clusterSecret,
      metastorageMembers: this.#metastorage.names,
      decoders: this.#decoders,
      log: this.#log,
      recordedUpTo: this.#recordedUpTo,
      tableName: (tableId) => this.#tableName(tableId),
    });
    this.#nodes.set(name, node);
    this.#log.debug({ node: name }, 'node started');
    return name;
  }

  #tableName(tableId: number): string {
    return this.#reads.tableName(tableId);
  }

  #checkRunning(): void {
    if (this.#stopped) throw new SimClusterError('CLOSED', 'the cluster was stopped');
  }
}
