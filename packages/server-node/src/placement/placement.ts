/**
 * Placement: which node is primary for each partition of each table, under one cluster-wide version that
 * grows with every change. Responses carry the "assignment changed" flag when a client's version is older,
 * and a node that is not the owner of a batch's partition forwards it to the node this map names.
 *
 * Placement only records and plans ownership. Moving the data that goes with it (fencing the old owner,
 * handing over committed state) is the node's partition-move procedure, which ends by calling `setOwner`.
 */
import { ServerError } from '../errors/server-error.js';

/** The owners of one table's partitions at one placement version. */
export interface TableAssignment {
  readonly version: number;
  /** `owners[p]` is the node that is primary for partition `p`. */
  readonly owners: readonly string[];
}

/** One partition changing hands, as planned by {@link Placement.planRebalance}. */
export interface PartitionMove {
  readonly tableId: number;
  readonly partition: number;
  readonly from: string;
  readonly to: string;
}

export type PlacementListener = (version: number) => void;

export class Placement {
  #version = 0;
  readonly #members: string[] = [];
  readonly #owners = new Map<number, string[]>();
  readonly #listeners = new Set<PlacementListener>();

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
   * @throws ServerError `INVALID_ARGUMENT` while it still owns partitions (move them first).
   */
  removeMember(node: string): void {
    const index = this.#members.indexOf(node);
    if (index < 0) throw new ServerError('INVALID_ARGUMENT', `node "${node}" is not a member`);
    const owned = this.partitionsOf(node).length;
    if (owned > 0) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `node "${node}" still owns ${owned} partitions: move them first`,
      );
    }
    this.#members.splice(index, 1);
    this.#bump();
  }

  /**
   * Assigns a new table's partitions round-robin over the members: partition p goes to member p mod n, the
   * same for every table, so partition p of tables colocated by the same key and partition count lands on one
   * node and a receiver's transaction over them stays local. (Rebalance plans are deterministic per owner
   * array, so such tables also move together.)
   * @throws ServerError `NODE_UNAVAILABLE` when there are no members.
   */
  addTable(tableId: number, partitions: number): TableAssignment {
    if (this.#members.length === 0)
      throw new ServerError('NODE_UNAVAILABLE', 'no node is available to own partitions');
    if (this.#owners.has(tableId))
      throw new ServerError('INVALID_ARGUMENT', `table ${tableId} is already placed`);
    const n = this.#members.length;
    const owners = Array.from({ length: partitions }, (_, p) => this.#members[p % n] as string);
    this.#owners.set(tableId, owners);
    this.#bump();
    return this.assignment(tableId) as TableAssignment;
  }

  /** The current assignment of a table; `undefined` for a table that is not placed. */
  assignment(tableId: number): TableAssignment | undefined {
    const owners = this.#owners.get(tableId);
    return owners === undefined ? undefined : { version: this.#version, owners: [...owners] };
  }

  /** The primary of one partition; `undefined` when the table or partition is unknown. */
  owner(tableId: number, partition: number): string | undefined {
    return this.#owners.get(tableId)?.[partition];
  }

  /** Every partition `node` owns, as `[tableId, partition]` pairs. */
  partitionsOf(node: string): Array<readonly [number, number]> {
    const out: Array<readonly [number, number]> = [];
    for (const [tableId, owners] of this.#owners) {
      owners.forEach((owner, partition) => {
        if (owner === node) out.push([tableId, partition]);
      });
    }
    return out;
  }

  /**
   * Records that `node` is now primary of the partition (the last step of a move).
   * @throws ServerError `INVALID_ARGUMENT` for an unknown table, partition or non-member node.
   */
  setOwner(tableId: number, partition: number, node: string): void {
    const owners = this.#owners.get(tableId);
    if (owners === undefined) throw new ServerError('TABLE_NOT_FOUND', `table ${tableId} is not placed`);
    if (!Number.isInteger(partition) || partition < 0 || partition >= owners.length) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `table ${tableId} has partitions 0..${owners.length - 1}, got ${partition}`,
      );
    }
    if (!this.#members.includes(node))
      throw new ServerError('INVALID_ARGUMENT', `node "${node}" is not a member`);
    if (owners[partition] === node) return;
    owners[partition] = node;
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
    for (const [tableId, owners] of this.#owners) {
      const count = new Map<string, number>(members.map((m) => [m, 0]));
      for (const owner of owners) if (count.has(owner)) count.set(owner, (count.get(owner) ?? 0) + 1);
      const base = Math.floor(owners.length / members.length);
      let withExtra = owners.length % members.length;
      // Which nodes may keep one partition above the floor: those already holding the most, in member order.
      const quota = new Map<string, number>();
      for (const m of [...members].sort((a, b) => (count.get(b) ?? 0) - (count.get(a) ?? 0))) {
        const extra = withExtra > 0 && (count.get(m) ?? 0) > base ? 1 : 0;
        withExtra -= extra;
        quota.set(m, base + extra);
      }
      for (const m of members) {
        if (withExtra > 0 && quota.get(m) === base) {
          quota.set(m, base + 1);
          withExtra -= 1;
        }
      }
      const kept = new Map<string, number>(members.map((m) => [m, 0]));
      const homeless: number[] = [];
      owners.forEach((owner, partition) => {
        const limit = quota.get(owner);
        if (limit !== undefined && (kept.get(owner) ?? 0) < limit)
          kept.set(owner, (kept.get(owner) ?? 0) + 1);
        else homeless.push(partition);
      });
      for (const partition of homeless) {
        const to = members.find((m) => (kept.get(m) ?? 0) < (quota.get(m) ?? 0)) as string;
        kept.set(to, (kept.get(to) ?? 0) + 1);
        moves.push({ tableId, partition, from: owners[partition] as string, to });
      }
    }
    return moves;
  }

  /** Calls `listener` with the new version after every change; returns the function that stops it. */
  subscribe(listener: PlacementListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #bump(): void {
    this.#version += 1;
    for (const listener of this.#listeners) listener(this.#version);
  }
}
