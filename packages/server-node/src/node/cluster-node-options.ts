/**
 * The options of a `ClusterNode` (`ClusterNodeOptions`, `NodeReplicationOptions`), its replication metrics
 * section and its lifecycle states. Declarations only: checking the options and applying their defaults is
 * node-assembly.ts's, the node itself cluster-node.ts.
 */
import type { Buggify, Clock, Logger, Rng, Transport } from '@datastreamer/protocol';
import type { AuthenticationOptions } from '../auth/authenticator.js';
import type { Disk } from '../disk/disk.js';
import type { NodeMetastorageSettings } from '../metastorage/node-metastorage.js';
import type { ControlPlane } from '../placement/control-plane.js';
import type { GroupMetrics, GroupRaftOptions } from '../replication/partition-group.js';
import type { NodeRegistry } from './partition-move.js';
import type { ReceiverRegistry } from './receiver/receiver-registry.js';

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
