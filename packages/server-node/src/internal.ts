/**
 * @datastreamer/server-node/internal: the node's parts, for the repository's own packages and tests (the
 * simulated cluster reads stores and placement to check what a run left behind; tests drive a store, a
 * transaction manager or a Raft replica alone). Unstable: these names may change in any release, without a
 * major version. Users import `@datastreamer/server-node`.
 *
 * It holds no name the user-facing entry exports; `index.ts` is the public surface.
 */

export { peerProof } from './auth/peer-proof.js';
export { Catalog, type CatalogListener, type CatalogOptions, MAX_PARTITIONS } from './catalog/catalog.js';
export { HybridClock, type HybridClockOptions, type HybridTimestamp } from './clock/hlc.js';
export type { MetaEvent, MetaTxn, MetaTxnResult } from './metastorage/meta-command.js';
export { type MetaEntry, MetaKv, type MetaWatchBatch } from './metastorage/meta-kv.js';
export { METASTORAGE_GROUP, MetastorageGroup } from './metastorage/metastorage-group.js';
export { registerProducer } from './metastorage/metastorage-producers.js';
export { MetastorageView } from './metastorage/metastorage-view.js';
export { NodeMetastorage } from './metastorage/node-metastorage.js';
export type { PartitionHandOverTarget } from './node/partition-move.js';
export {
  type Assignments,
  type GroupMembership,
  MAX_REPLICAS,
  type MembershipListener,
  type PartitionMove,
  Placement,
  type PlacementListener,
  sameNodes,
  type TableAssignment,
  type TablePlacementRecord,
} from './placement/placement.js';
export { PlacementDriver, type PlacementDriverOptions } from './placement/placement-driver.js';
export { planReplicaMoves, type ReplicaMove } from './placement/replica-plan.js';
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
export { type MembershipStep, nextMembershipStep } from './replication/membership-reconciler.js';
export { type GroupRaftOptions, groupName, PartitionGroup } from './replication/partition-group.js';
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
