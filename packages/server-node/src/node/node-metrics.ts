/**
 * Counters a node keeps for the demo and the tests: plain numbers bumped on the request path (no objects,
 * no timers), read as a snapshot. They count since the node was created and survive a crash (they describe
 * the process, not the node's durable state).
 */
import type { OpName } from '@datastreamer/protocol';

/** What {@link NodeMetrics.snapshot} returns. */
export interface NodeMetricsSnapshot {
  /** Requests decoded (every op, from clients and nodes). */
  readonly requests: number;
  /** Streamer batches applied by this node (as the owner), each one transaction. */
  readonly batches: number;
  /** Streamer batch attempts acknowledged without being applied: the producer fence found them duplicates. */
  readonly staleBatches: number;
  /**
   * Streamer batch attempts the producer fence refused: `PRODUCER_FENCED` (an older or sealed epoch of their
   * producer) or `OUT_OF_ORDER_BATCH` (not yet their turn).
   */
  readonly fencedBatches: number;
  /** Seals served (STREAMER_SEAL on a partition this node owns). */
  readonly seals: number;
  /** Rows (streamer items and single-row writes) in transactions this node committed. */
  readonly rowsApplied: number;
  /** Writes refused with a write-write conflict (`TX_CONFLICT`). */
  readonly conflicts: number;
  /** Requests this node sent on to the owner of their partition. */
  readonly forwards: number;
  /** Error responses sent, plus connections closed for a bad preamble, frame or handshake. */
  readonly errors: number;
  /** Connections being served now. */
  readonly connections: number;
  /** Partitions handed to another node / taken over from one. */
  readonly partitionsMovedOut: number;
  readonly partitionsMovedIn: number;
  /**
   * Batches this node refused because their sender routed them under an older assignment than this node
   * knows (see stale-assignment.ts).
   */
  readonly staleAssignmentRefusals: number;
  /** Batches this node forwarded, was refused under a newer assignment, and caught up for. */
  readonly assignmentRefreshes: number;
  /** Requests decoded, by op. */
  readonly byOp: Readonly<Partial<Record<OpName, number>>>;
}

export class NodeMetrics {
  requests = 0;
  batches = 0;
  staleBatches = 0;
  fencedBatches = 0;
  seals = 0;
  rowsApplied = 0;
  conflicts = 0;
  forwards = 0;
  errors = 0;
  partitionsMovedOut = 0;
  partitionsMovedIn = 0;
  staleAssignmentRefusals = 0;
  assignmentRefreshes = 0;
  readonly #byOp: Partial<Record<OpName, number>> = {};

  /** Counts one decoded request of `op`. */
  countRequest(op: OpName): void {
    this.requests++;
    this.#byOp[op] = (this.#byOp[op] ?? 0) + 1;
  }

  /** The counters now; `connections` is passed in because the node owns its session list. */
  snapshot(connections: number): NodeMetricsSnapshot {
    return {
      requests: this.requests,
      batches: this.batches,
      staleBatches: this.staleBatches,
      fencedBatches: this.fencedBatches,
      seals: this.seals,
      rowsApplied: this.rowsApplied,
      conflicts: this.conflicts,
      forwards: this.forwards,
      errors: this.errors,
      connections,
      partitionsMovedOut: this.partitionsMovedOut,
      partitionsMovedIn: this.partitionsMovedIn,
      staleAssignmentRefusals: this.staleAssignmentRefusals,
      assignmentRefreshes: this.assignmentRefreshes,
      byOp: { ...this.#byOp },
    };
  }
}
