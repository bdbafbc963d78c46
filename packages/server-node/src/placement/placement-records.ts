/**
 * The shapes the placement hands out and records: a table's owners (`TableAssignment`), what a node routes by
 * (`Assignments`), what is kept per table (`TablePlacementRecord`), a group's committed configuration
 * (`GroupMembership`), a planned move (`PartitionMove`), the listeners; and the pure helpers over them
 * (`initialRecord`, `sameNodes`). It holds no state and changes nothing: placement.ts does.
 */

/** The owners of one table's partitions at one placement version. */
export interface TableAssignment {
  readonly version: number;
  /** `owners[p]` is the node that is primary for partition `p`. */
  readonly owners: readonly string[];
}

/** The most replicas a partition may have. */
export const MAX_REPLICAS = 7;

/** A replicated partition's Raft configuration as its group committed it. */
export interface GroupMembership {
  readonly voters: readonly string[];
  readonly learners: readonly string[];
  /** The log index of the config entry: a newer configuration has a higher one. */
  readonly index: number;
}

/** One partition changing hands, as planned by {@link Placement.planRebalance}. */
export interface PartitionMove {
  readonly tableId: number;
  readonly partition: number;
  readonly from: string;
  readonly to: string;
}

/**
 * What a node routes by: the owner (primary) of each table's partitions under one assignment version. The
 * controller-side `Placement` is one; with a metastorage, every node reads its own copy instead
 * (metastorage/metastorage-assignments.ts), which may be behind.
 */
export interface Assignments {
  /** The assignment version: grows with every change of members, owners or replica sets. */
  readonly version: number;
  /** A table's owners at `version`; `undefined` for a table not placed (as far as this view knows). */
  assignment(tableId: number): TableAssignment | undefined;
  /** The primary of one partition; `undefined` when the table or partition is unknown. */
  owner(tableId: number, partition: number): string | undefined;
  /** Whether the table's partitions are Raft groups (more than one replica). */
  isReplicated(tableId: number): boolean;
}

/** Everything the placement records of one table: what the metastorage keeps per table. */
export interface TablePlacementRecord {
  readonly replicaCount: number;
  /** `owners[p]`: the primary of partition `p`. */
  readonly owners: readonly string[];
  /** `replicas[p]`: the nodes holding partition `p`, the preferred primary first. */
  readonly replicas: readonly (readonly string[])[];
  /** `targets[p]`: the replica set partition `p` is being moved to, or `undefined`. */
  readonly targets: readonly (readonly string[] | undefined)[];
}

export type PlacementListener = (version: number) => void;

/** Told of each new configuration a replicated partition's group committed. */
export type MembershipListener = (tableId: number, partition: number, membership: GroupMembership) => void;

/**
 * Where a new table's partitions go (see `Placement.addTable`): partition p's replicas are members p, p+1, ...
 * (mod their count), the first its primary; no move under way.
 */
export function initialRecord(
  members: readonly string[],
  partitions: number,
  replicas: number,
): TablePlacementRecord {
  const n = members.length;
  const sets = Array.from({ length: partitions }, (_, p) =>
    Array.from({ length: replicas }, (_, i) => members[(p + i) % n] as string),
  );
  return {
    replicaCount: replicas,
    owners: sets.map((set) => set[0] as string),
    replicas: sets,
    targets: sets.map(() => undefined),
  };
}

/** Whether `a` and `b` hold the same nodes, in any order. */
export function sameNodes(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((node) => b.includes(node));
}
