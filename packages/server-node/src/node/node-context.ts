/**
 * What request handlers see of their node (`ClusterNode` implements it), and of the connection a request came
 * on. Handlers are plain functions of these, so each group of ops lives in its own file without a cycle back
 * to the node.
 */
import type { Buggify, Clock, Logger, PeerType } from '@datastreamer/protocol';
import type { BatchProducer, ClusterMember } from '@datastreamer/protocol/internal';
import type { HybridClock } from '../clock/hlc.js';
import type { NodeMetastorage } from '../metastorage/node-metastorage.js';
import type { Route, RoutePurpose } from '../partitions/route.js';
import type { Forwarder } from '../peer/forwarding.js';
import type { ControlPlane } from '../placement/control-plane.js';
import type { ReplicaGroups } from '../replication/replica-groups.js';
import type { RowIngest } from '../rows/row-ingest.js';
import type { RowShapes } from '../rows/row-shape.js';
import type { RowUpgrade } from '../rows/row-upgrade.js';
import type { TransactionManager } from '../tx/transaction-manager.js';
import type { TxCoordinator } from '../tx/tx-coordinator.js';
import type { TxLog } from '../tx/tx-log.js';
import type { TxParticipants } from '../tx/tx-participant.js';
import type { NodeMetrics } from './node-metrics.js';
import type { ReceiverRegistry } from './receiver/receiver-registry.js';

export interface NodeContext {
  readonly name: string;
  readonly controlPlane: ControlPlane;
  readonly hlc: HybridClock;
  /** The node's transactions (a new manager after each restart). */
  readonly transactions: TransactionManager;
  /** Physical time for timers (two-phase commit's retries). */
  readonly clock: Clock;
  /** The node's durable transaction log (survives crashes, as committed data does). */
  readonly txLog: TxLog;
  /** This node's shares of transactions coordinated elsewhere (or re-installed after a restart). */
  readonly participants: TxParticipants;
  /** The node's transactions spanning other nodes, and the delivery of their decisions. */
  readonly coordinator: TxCoordinator;
  readonly forwarder: Forwarder;
  readonly metrics: NodeMetrics;
  readonly shapes: RowShapes;
  readonly ingest: RowIngest;
  /** Fault points (simulation only; see protocol's `Buggify`). */
  readonly buggify: Buggify;
  readonly upgrade: RowUpgrade;
  readonly log: Logger;
  /** Node-to-node hops a streamer batch may take (see peer/forwarding.ts). */
  readonly maxForwardHops: number;
  /** The receivers deployed on the cluster (shared by its nodes). */
  readonly receivers: ReceiverRegistry;
  /**
   * Incremented at every crash: work begun before a crash (a running receiver) compares it to refuse going
   * on with the state the crash dropped.
   */
  readonly epoch: number;
  /**
   * Where requests for a partition go. Synchronous, so a handler that routes and commits in one call can
   * never apply a write for a partition the node no longer owns.
   *
   * @param purpose `'read'` for a committed read that writes nothing (a replicated partition's primary answers
   *   those until its lease expires, even after it stopped leading); default `'write'`.
   */
  route(tableId: number, partition: number, purpose?: RoutePurpose): Route;
  /**
   * Runs `commit` (a synchronous commit) telling the node's apply listeners that its writes come from
   * `origin`'s streamer batch (`null`: not from one), and, for a replicated partition, the log index it
   * applies. Returns what `commit` returns.
   */
  applying<T>(origin: BatchProducer | null, commit: () => T, logIndex?: number): T;
  /** The node's replicated partitions (their Raft groups). */
  readonly replication: ReplicaGroups;
  /** The node's side of the cluster's metastorage; `undefined` in a cluster without one. */
  readonly metastorage: NodeMetastorage | undefined;
  /** The cluster's running members now, in join order, with the endpoint a client reaches each one at. */
  clusterMembers(): readonly ClusterMember[];
}

/** The connection a request arrived on. */
export interface RequestContext {
  /** What the other side said it is in its handshake. */
  readonly peer: PeerType;
  /** Its name from the handshake, e.g. `client-1` or `node-2`. */
  readonly remote: string;
  /** The optional features both sides have (the protocol's `ProtocolFeatures`), from the handshake. */
  readonly features: Uint8Array;
  /** Records that the client now knows assignment `version` (it fetched it), so it is not flagged as stale. */
  noteAssignmentVersion(version: number): void;
}
