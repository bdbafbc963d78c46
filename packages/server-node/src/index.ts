/**
 * @datastreamer/server-node: one cluster node. MVCC partition storage on hybrid-logical-clock timestamps,
 * transactions, the catalog, placement and leases (held by a control plane all nodes share), replicated
 * partitions (a Raft group per partition, replication/), the node's simulated disk, and the request handlers
 * a client streams into. See README.md for the storage and transaction model and docs/REPLICATION.md for
 * replication.
 */

export type { AuthenticationOptions, UserCredentials } from './auth/authenticator.js';
export { peerProof } from './auth/peer-proof.js';
export { Catalog, type CatalogListener, type CatalogOptions, MAX_PARTITIONS } from './catalog/catalog.js';
export {
  DEFAULT_MAX_CLOCK_OFFSET_MS,
  HybridClock,
  type HybridClockOptions,
  type HybridTimestamp,
} from './clock/hlc.js';
export { type Disk, type DiskStats, isSimulatedDisk, type SimulatedDisk } from './disk/disk.js';
export { DEFAULT_SYNC_LATENCY_MS, MemoryDisk, type MemoryDiskOptions } from './disk/memory-disk.js';
export {
  ServerError,
  type ServerErrorCode,
  type ServerErrorExtensions,
  type ServerErrorOptions,
} from './errors/server-error.js';
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
export {
  type MoveReport,
  NodeRegistry,
  nodeRegistryOf,
  type PartitionHandOverTarget,
} from './node/partition-move.js';
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
  MAX_REPLICAS,
  type PartitionMove,
  Placement,
  type PlacementListener,
  type TableAssignment,
} from './placement/placement.js';
export {
  DEFAULT_LEASE_MS,
  type LeaseEvent,
  type LeaseListener,
  type PartitionLease,
  PlacementDriver,
  type PlacementDriverOptions,
} from './placement/placement-driver.js';
export type { MembershipChange } from './raft/membership.js';
export { type LeaseRecord, type Proposal, RaftNode } from './raft/raft-node.js';
export { RAFT_DEFAULTS, type RaftNodeOptions } from './raft/raft-options.js';
export {
  entryDigest,
  RaftSafetyChecker,
  type RaftSafetyCheckerOptions,
  type RaftSafetyRule,
  RaftSafetyRules,
  RaftSafetyViolation,
} from './raft/raft-safety-checker.js';
export type {
  AppliedCommand,
  FollowerProgress,
  RaftNodeView,
  RaftOp,
  RaftProbe,
  RaftRequest,
  RaftRequestOf,
  RaftResultOf,
  RaftRole,
  RaftRoleChange,
  RaftSend,
  RaftStateMachine,
} from './raft/raft-types.js';
export { RaftRoles } from './raft/raft-types.js';
export {
  type GroupMetrics,
  type GroupRaftOptions,
  groupName,
  PartitionGroup,
} from './replication/partition-group.js';
export type { CommandOutcome } from './replication/partition-state-machine.js';
export { IngestBatch } from './rows/ingest-batch.js';
export type { KeyedRows } from './rows/keyed-rows.js';
export { MAX_STORED_SCHEMA_VERSION, storedRowTuple, storedRowVersion } from './rows/stored-row.js';
export {
  type ApplyListener,
  type CommittedRow,
  type LowWatermarkSource,
  MvccPartitionStore,
  type MvccPartitionStoreOptions,
} from './storage/mvcc-partition-store.js';
export type { PartitionSnapshot } from './storage/partition-snapshot.js';
export { nextTxState, type TxState, TxStates } from './storage/tx-lifecycle.js';
export { applyBatch, applyKeyedBatch, type BatchItem } from './tx/apply-batch.js';
export { Transaction } from './tx/transaction.js';
export { TransactionManager, type TransactionManagerOptions } from './tx/transaction-manager.js';
