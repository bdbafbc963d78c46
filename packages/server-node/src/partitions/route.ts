/**
 * Where a partition's requests go, as a node sees it now: served here (with the replica), owned by another
 * node, moving, unowned, or without a quorum. Only the answer's shape: the node decides it (node-core.ts) and
 * its handlers and transaction participants act on it.
 */
import type { PartitionReplica } from './partition-table.js';

/** What a request does on a partition: reads need less of a replicated partition's primary than writes. */
export type RoutePurpose = 'read' | 'write';

/** Where a partition's requests go, as this node sees it now. */
export type Route =
  /** This node owns the partition and serves it. */
  | { readonly kind: 'local'; readonly replica: PartitionReplica }
  /**
   * Another node owns it, as this node knows under assignment `version` (what a refusal tells a forwarding
   * node whose assignment is older).
   */
  | { readonly kind: 'remote'; readonly owner: string; readonly version: number }
  /** This node owns it but is handing it over: writes are refused (retryable) until the move ends. */
  | { readonly kind: 'moving' }
  /** No node owns it (the placement has no owner for it). */
  | { readonly kind: 'unowned' }
  /**
   * A replicated partition whose primary, per the placement, is this node, but which this node cannot serve
   * now (it lost its lease or its majority, or an election is under way): retryable `NO_QUORUM`.
   */
  | { readonly kind: 'noQuorum' };
