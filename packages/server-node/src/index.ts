/**
 * @datastreamer/server-node: one cluster node. MVCC partition storage on hybrid-logical-clock timestamps,
 * transactions, the catalog, placement and leases (held by a control plane all nodes share), replicated
 * partitions (a Raft group per partition, replication/), the node's simulated disk, and the request handlers
 * a client streams into. See README.md for the storage and transaction model and docs/REPLICATION.md for
 * replication.
 *
 * This entry is the public surface: running a node (`ClusterNode`, its options, disk, control plane and
 * registries), watching it (metrics, apply, role and lease events), its errors, and writing receivers. The
 * node's parts (storage, transactions, rows, Raft, placement, the catalog, the hybrid clock) are behind
 * `@datastreamer/server-node/internal` (internal.ts), unstable, for the repository's own packages.
 *
 * Folders import one way only, type imports included, lowest first (a folder imports only folders before it):
 *   errors  ->  clock, disk, auth, catalog, fence, rows, storage  ->  placement, raft, peer  ->  metastorage
 *   ->  replication  ->  partitions  ->  tx  ->  node
 * - errors: `ServerError`. clock: the hybrid logical clock. disk: a node's disk. auth: credentials and peer
 *   proofs. catalog: tables and schema versions. fence: a partition's producer fence.
 * - rows: checking rows against their schema and the byte form of a batch (`KeyedRows`).
 * - storage: the MVCC partition store and the transaction lifecycle table its per-partition share follows.
 * - placement: placement, leases and the control plane. raft: one Raft replica. peer: links to other nodes
 *   and forwarding over them.
 * - metastorage: the cluster's replicated key-value store (a Raft group over a few nodes, watched by every
 *   node), the node's copy of it, and the catalog kept in it.
 * - replication: a partition's Raft group on a node (commands, state machine, proposals, lease).
 * - partitions: the replicas a node holds and the `Route` to a partition.
 * - tx: transactions, two-phase commit, the streamer batch apply.
 * - node: `ClusterNode`, its sessions and request handlers, partition moves, and the receivers it runs
 *   (node/receiver/: they run with the node's context, checks and tuple handlers).
 */

// Running a node
export type { AuthenticationOptions, UserCredentials } from './auth/authenticator.js';
export { DEFAULT_MAX_CLOCK_OFFSET_MS } from './clock/hlc.js';
export { type Disk, type DiskStats, isSimulatedDisk, type SimulatedDisk } from './disk/disk.js';
export { DEFAULT_SYNC_LATENCY_MS, MemoryDisk, type MemoryDiskOptions } from './disk/memory-disk.js';
export {
  ServerError,
  type ServerErrorCode,
  type ServerErrorExtensions,
  type ServerErrorOptions,
} from './errors/server-error.js';
export type { NodeMetastorageSettings } from './metastorage/node-metastorage.js';
export {
  ClusterNode,
  type ClusterNodeOptions,
  type NodeReplicationMetrics,
  type NodeReplicationOptions,
  type NodeState,
  NodeStates,
} from './node/cluster-node.js';
export type { NodeApplyListener, NodeRoleListener } from './node/node-core.js';
export type { NodeMetricsSnapshot } from './node/node-metrics.js';
export { type MoveReport, NodeRegistry, nodeRegistryOf } from './node/partition-move.js';
// Receivers
export type {
  DataStreamerReceiver,
  EmbeddedIgnite,
  ReceiverContext,
  ReceiverReturn,
} from './node/receiver/data-streamer-receiver.js';
export {
  EmbeddedKeyValueView,
  EmbeddedRecordView,
  EmbeddedTable,
  EmbeddedTables,
} from './node/receiver/embedded-tables.js';
export {
  DEFAULT_TX_ATTEMPTS,
  EmbeddedTransactions,
  type RunInTransactionOptions,
} from './node/receiver/embedded-transactions.js';
export { ReceiverRegistry, receiverRegistryOf } from './node/receiver/receiver-registry.js';
export { ReceiverTransaction } from './node/receiver/receiver-transaction.js';
export {
  type ControlPlane,
  LocalControlPlane,
  type LocalControlPlaneOptions,
} from './placement/control-plane.js';
export {
  DEFAULT_LEASE_MS,
  type LeaseEvent,
  type LeaseListener,
  type PartitionLease,
} from './placement/placement-driver.js';
export type { GroupMetrics } from './replication/partition-group.js';
