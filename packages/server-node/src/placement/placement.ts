/**
 * Placement: which nodes hold each partition of each table (its replicas) and which one is primary, under
 * one cluster-wide version that grows with every change. Responses carry the "assignment changed" flag when a
 * client's version is older, and a node that is not the owner of a batch's partition forwards it to the node
 * this map names.
 *
 * A table has a replica count. With 1 (unreplicated), the one replica is the owner and moves as a whole (the
 * node's partition-move procedure hands its data over, then calls `setOwner`). With more, each partition is
 * a Raft group over its replicas, and its primary is the replica the placement driver last leased it to
 * (placement-driver.ts calls `setOwner`). A replicated partition's replica set changes by Raft membership
 * changes: whoever wants it changed records a *target* set here (`setTarget`), the group's leader drives the
 * group toward it one server at a time (replication/membership-reconciler.ts) and records each configuration
 * its group committed (`recordMembership`, versioned by the config entry's log index, so a late report of an
 * older one changes nothing); `replicasOf` is the voters of the newest committed one. `planRebalance` leaves
 * replicated tables alone (see replica-plan.ts).
 *
 * Placement only records and plans; it moves no data. The shapes it records and hands out are in
 * placement-records.ts, the owner-move plan of `planRebalance` in owner-rebalance.ts.
 */
import { ServerError } from '../errors/server-error.js';
import { leastLoaded, planOwnerMoves } from './owner-rebalance.js';
import {
  type Assignments,
  type GroupMembership,
  initialRecord,
  MAX_REPLICAS,
  type MembershipListener,
  type PartitionMove,
  type PlacementListener,
  sameNodes,
  type TableAssignment,
  type TablePlacementRecord,
} from './placement-records.js';

// Re-exported for the modules that import these shapes from here.
export * from './placement-records.js';

interface PlacedTable {
  /** `owners[p]`: the primary of partition `p`. */
  readonly owners: string[];
  /** `replicas[p]`: the nodes holding partition `p`, the preferred primary first. */
  readonly replicas: (readonly string[])[];
  readonly replicaCount: number;
  /** `targets[p]`: the replica set partition `p` is being moved to, while a move is under way. */
  readonly targets: (readonly string[] | undefined)[];
  /** `memberships[p]`: the newest configuration partition `p`'s group committed, once it changed. */
  readonly memberships: (GroupMembership | undefined)[];
}

export class Placement implements Assignments {
  #version = 0;
  readonly #members: string[] = [];
  readonly #tables = new Map<number, PlacedTable>();
  readonly #listeners = new Set<PlacementListener>();
  readonly #membershipListeners = new Set<MembershipListener>();

  /** Grows with every change of members or owners; starts at 0. */
  get version(): number {
    return this.#version;
  }

  /** The nodes partitions may be assigned to, in the order they joined. */
  get members(): readonly string[] {
    return this.#members;
  }

  /** Makes `node` eligible for partitions (it gets some only through moves, see `planRebalance`). */
  addMember(node: string): void {
    if (this.#members.includes(node))
      throw new ServerError('INVALID_ARGUMENT', `node "${node}" is already a member`);
    this.#members.push(node);
    this.#bump();
  }

  /**
   * Removes `node` from the members.
   * @throws ServerError `INVALID_ARGUMENT` while it still owns partitions (move them first) or holds replicas
   *   of a replicated table, or is about to (move them away first: `setTarget`).
   */
  removeMember(node: string): void {
    const index = this.#memberIndex(node);
    const owned = this.partitionsOf(node).length;
    if (owned > 0) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `node "${node}" still owns ${owned} partitions: move them first`,
      );
    }
    const hosted = this.replicatedPartitionsOf(node).length;
    if (hosted > 0) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `node "${node}" holds replicas of ${hosted} replicated partitions (or is in their move targets): ` +
          'move them away first',
      );
    }
    this.#members.splice(index, 1);
    this.#bump();
  }

  /**
   * Forgets a node that is gone for good (destroyed with its disk): it is no longer a member; each
   * unreplicated partition it owned is given to the remaining member owning the fewest (empty: its data went
   * with the node); replicated partitions keep it in their replica sets (a replica that never answers) until
   * a move replaces it, a move toward it is dropped (rolled back), and their primary changes only when the
   * placement driver leases them to another replica.
   * @throws ServerError `INVALID_ARGUMENT` for a non-member, or when it is the last member.
   */
  forgetMember(node: string): void {
    const index = this.#memberIndex(node);
    if (this.#members.length === 1) {
      throw new ServerError('INVALID_ARGUMENT', `node "${node}" is the last member and cannot be forgotten`);
    }
    this.#members.splice(index, 1);
    for (const table of this.#tables.values()) {
      if (table.replicaCount > 1) {
        table.targets.forEach((target, partition) => {
          if (target?.includes(node)) table.targets[partition] = undefined;
        });
        continue;
      }
      table.owners.forEach((owner, partition) => {
        if (owner !== node) return;
        const heir = leastLoaded(this.#members, table.owners);
        table.owners[partition] = heir;
        table.replicas[partition] = [heir];
      });
    }
    this.#bump();
  }

  /**
   * Places a new table's partitions round-robin over the members: partition p's preferred primary is member
   * p mod n, the same for every table, so partition p of tables colocated by the same key and partition count
   * lands on one node and a receiver's transaction over them stays local. (Rebalance plans are deterministic
   * per owner array, so such tables also move together.) Its other replicas are the members after it, in
   * member order.
   * @param replicas copies of each partition, 1..{@link MAX_REPLICAS} and at most the member count. Default 1.
   * @throws ServerError `NODE_UNAVAILABLE` when there are no members; `INVALID_ARGUMENT` for a bad replica
   *   count or a table placed already.
   */
  addTable(tableId: number, partitions: number, replicas = 1): TableAssignment {
    const n = this.#members.length;
    if (n === 0) throw new ServerError('NODE_UNAVAILABLE', 'no node is available to own partitions');
    if (this.#tables.has(tableId))
      throw new ServerError('INVALID_ARGUMENT', `table ${tableId} is already placed`);
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > Math.min(n, MAX_REPLICAS)) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `replicas: expected an integer in 1..${Math.min(n, MAX_REPLICAS)} (the cluster has ${n} nodes), ` +
          `got ${String(replicas)}`,
      );
    }
    const first = initialRecord(this.#members, partitions, replicas);
    this.#tables.set(tableId, {
      owners: [...first.owners],
      replicas: [...first.replicas],
      replicaCount: replicas,
      targets: [...first.targets],
      memberships: first.owners.map(() => undefined),
    });
    this.#bump();
    return this.assignment(tableId) as TableAssignment;
  }

  /** The current assignment of a table; `undefined` for a table that is not placed. */
  assignment(tableId: number): TableAssignment | undefined {
    const table = this.#tables.get(tableId);
    return table === undefined ? undefined : { version: this.#version, owners: [...table.owners] };
  }

  /** Every placed table's id, in placing order. */
  tableIds(): number[] {
    return [...this.#tables.keys()];
  }

  /** A copy of what the placement records of one table; `undefined` for a table that is not placed. */
  recordOf(tableId: number): TablePlacementRecord | undefined {
    const table = this.#tables.get(tableId);
    if (table === undefined) return undefined;
    return {
      replicaCount: table.replicaCount,
      owners: [...table.owners],
      replicas: table.replicas.map((set) => [...set]),
      targets: table.targets.map((target) => (target === undefined ? undefined : [...target])),
    };
  }

  /** The primary of one partition; `undefined` when the table or partition is unknown. */
  owner(tableId: number, partition: number): string | undefined {
    return this.#tables.get(tableId)?.owners[partition];
  }

  /** The nodes holding one partition, the preferred primary first; `undefined` when unknown. */
  replicasOf(tableId: number, partition: number): readonly string[] | undefined {
    return this.#tables.get(tableId)?.replicas[partition];
  }

  /** A table's replica count; `undefined` for a table that is not placed. */
  replicaCount(tableId: number): number | undefined {
    return this.#tables.get(tableId)?.replicaCount;
  }

  /** Whether the table's partitions are Raft groups (more than one replica). */
  isReplicated(tableId: number): boolean {
    return (this.#tables.get(tableId)?.replicaCount ?? 1) > 1;
  }

  /** Every partition `node` owns, as `[tableId, partition]` pairs. */
  partitionsOf(node: string): Array<readonly [number, number]> {
    const out: Array<readonly [number, number]> = [];
    for (const [tableId, table] of this.#tables) {
      table.owners.forEach((owner, partition) => {
        if (owner === node) out.push([tableId, partition]);
      });
    }
    return out;
  }

  /**
   * Every partition of a replicated table `node` holds a replica of or is about to (it is in the partition's
   * move target), as `[tableId, partition]` pairs.
   */
  replicatedPartitionsOf(node: string): Array<readonly [number, number]> {
    const out: Array<readonly [number, number]> = [];
    for (const [tableId, table] of this.#tables) {
      if (table.replicaCount === 1) continue;
      table.replicas.forEach((set, partition) => {
        if (set.includes(node) || table.targets[partition]?.includes(node)) out.push([tableId, partition]);
      });
    }
    return out;
  }

  /** Every replicated table, as `[tableId, partition count]` pairs. */
  replicatedTables(): Array<readonly [number, number]> {
    return [...this.#tables]
      .filter(([, table]) => table.replicaCount > 1)
      .map(([tableId, table]) => [tableId, table.replicas.length] as const);
  }

  /** The replica set a replicated partition is being moved to; `undefined` when no move is under way. */
  targetOf(tableId: number, partition: number): readonly string[] | undefined {
    return this.#tables.get(tableId)?.targets[partition];
  }

  /**
   * The newest configuration the partition's group committed, or `undefined` while it still has the
   * replicas it was created with (its founders, `replicasOf`, all voters).
   */
  membershipOf(tableId: number, partition: number): GroupMembership | undefined {
    return this.#tables.get(tableId)?.memberships[partition];
  }

  /**
   * Asks for partition `partition`'s replicas to become `target` (`undefined`: drop the request; the group
   * keeps its voters and lets go of a learner it was adding, a rolled-back move). The group's leader makes
   * the changes; `replicasOf` follows as they commit.
   * @throws ServerError `INVALID_ARGUMENT` for an unreplicated table, a bad partition, a target of another
   *   size than the replica count, naming a node twice or a node that is not a member; `TABLE_NOT_FOUND`.
   */
  setTarget(tableId: number, partition: number, target: readonly string[] | undefined): void {
    const table = this.#replicatedTable(tableId, partition);
    if (target !== undefined) {
      const bad = target.find((node) => !this.#members.includes(node));
      if (
        target.length !== table.replicaCount ||
        new Set(target).size !== target.length ||
        bad !== undefined
      ) {
        throw new ServerError(
          'INVALID_ARGUMENT',
          `partition ${partition} of table ${tableId} needs ${table.replicaCount} distinct member nodes as ` +
            `its replicas, got [${target.join(', ')}]${bad === undefined ? '' : ` ("${bad}" is not a member)`}`,
        );
      }
    }
    const reached = target !== undefined && sameNodes(target, table.replicas[partition] ?? []);
    table.targets[partition] = reached ? undefined : target;
    this.#bump();
  }

  /**
   * Records a configuration partition `partition`'s group committed, at log index `membership.index`; one
   * not newer than the last recorded, or with the same members, is ignored. `replicasOf` becomes its voters, a target they reach is
   * done, and a primary that is no longer a replica gives way to the first voter (until a lease says
   * otherwise). Returns whether it was newer.
   * @throws ServerError as `setTarget` for a table or partition that is not replicated.
   */
  recordMembership(tableId: number, partition: number, membership: GroupMembership): boolean {
    const table = this.#replicatedTable(tableId, partition);
    const current = table.memberships[partition] ?? {
      voters: table.replicas[partition] ?? [],
      learners: [],
      index: 0,
    };
    // Not newer, or the same members (a snapshot moves the index a configuration is known at, not the members).
    if (
      current.index >= membership.index ||
      (sameNodes(current.voters, membership.voters) && sameNodes(current.learners, membership.learners))
    ) {
      return false;
    }
    table.memberships[partition] = {
      voters: [...membership.voters],
      learners: [...membership.learners],
      index: membership.index,
    };
    table.replicas[partition] = [...membership.voters];
    const target = table.targets[partition];
    if (target !== undefined && sameNodes(target, membership.voters) && membership.learners.length === 0) {
      table.targets[partition] = undefined;
    }
    const owner = table.owners[partition] as string;
    if (!membership.voters.includes(owner) && membership.voters[0] !== undefined) {
      table.owners[partition] = membership.voters[0];
    }
    this.#bump();
    const recorded = table.memberships[partition] as GroupMembership;
    for (const listener of [...this.#membershipListeners]) listener(tableId, partition, recorded);
    return true;
  }

  /**
   * Records that `node` is now primary of the partition: the last step of a move (unreplicated), or a lease
   * granted to another replica (replicated).
   * @throws ServerError `INVALID_ARGUMENT` for an unknown partition, a non-member node, or a node that is not
   *   a replica of a replicated partition; `TABLE_NOT_FOUND` for a table that is not placed.
   */
  setOwner(tableId: number, partition: number, node: string): void {
    const table = this.#tables.get(tableId);
    if (table === undefined) throw new ServerError('TABLE_NOT_FOUND', `table ${tableId} is not placed`);
    const owners = table.owners;
    if (!Number.isInteger(partition) || partition < 0 || partition >= owners.length) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `table ${tableId} has partitions 0..${owners.length - 1}, got ${partition}`,
      );
    }
    if (!this.#members.includes(node))
      throw new ServerError('INVALID_ARGUMENT', `node "${node}" is not a member`);
    if (table.replicaCount > 1 && !table.replicas[partition]?.includes(node)) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `node "${node}" holds no replica of partition ${partition} of table ${tableId} ` +
          `(its replicas: ${table.replicas[partition]?.join(', ')})`,
      );
    }
    if (owners[partition] === node) return;
    owners[partition] = node;
    if (table.replicaCount === 1) table.replicas[partition] = [node];
    this.#bump();
  }

  /**
   * The moves that would leave every table's partitions spread evenly over `members` (each node owning the
   * floor or ceiling of its share), moving as few partitions as possible. Partitions owned by nodes not in
   * `members` (a node leaving) always move. Deterministic: same state, same plan.
   */
  planRebalance(members: readonly string[] = this.#members): PartitionMove[] {
    if (members.length === 0) return [];
    const moves: PartitionMove[] = [];
    for (const [tableId, table] of this.#tables) {
      // A replicated partition changes hands by a lease, and its replicas by membership changes.
      if (table.replicaCount > 1) continue;
      moves.push(...planOwnerMoves(tableId, table.owners, members));
    }
    return moves;
  }

  /** Calls `listener` with the new version after every change; returns the function that stops it. */
  subscribe(listener: PlacementListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Calls `listener` with each configuration `recordMembership` takes; returns the function that stops it. */
  onMembership(listener: MembershipListener): () => void {
    this.#membershipListeners.add(listener);
    return () => this.#membershipListeners.delete(listener);
  }

  #replicatedTable(tableId: number, partition: number): PlacedTable {
    const table = this.#tables.get(tableId);
    if (table === undefined) throw new ServerError('TABLE_NOT_FOUND', `table ${tableId} is not placed`);
    if (table.replicaCount === 1 || !Number.isInteger(partition) || table.replicas[partition] === undefined) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `partition ${partition} of table ${tableId} is not a replicated partition ` +
          `(${table.replicas.length} partitions, ${table.replicaCount} replicas)`,
      );
    }
    return table;
  }

  #memberIndex(node: string): number {
    const index = this.#members.indexOf(node);
    if (index < 0) throw new ServerError('INVALID_ARGUMENT', `node "${node}" is not a member`);
    return index;
  }

  #bump(): void {
    this.#version += 1;
    for (const listener of this.#listeners) listener(this.#version);
  }
}
