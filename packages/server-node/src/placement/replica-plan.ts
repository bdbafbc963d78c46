/**
 * Plans moves of replicated partitions' replicas: which partitions should get which replica set (a move
 * target, `Placement.setTarget`) so that no replica stays on a node that is not in `members` (a node leaving,
 * or destroyed) and the replicas spread evenly over `members` (a node that joined gets its share). Each
 * partition changes one replica per plan (a move is one learner added, promoted, and one replica removed);
 * planning again once the moves are done goes further. Deterministic: same placement, same plan.
 *
 * It plans only: it records nothing and moves nothing (the caller sets the targets, the groups' leaders
 * make the changes). A partition with a move under way is left alone; one whose replicas cannot be replaced
 * (too few members) keeps them.
 */
import type { Placement } from './placement.js';

/** One replicated partition's wanted replica set. */
export interface ReplicaMove {
  readonly tableId: number;
  readonly partition: number;
  /** The replica that leaves. */
  readonly from: string;
  /** The node that takes its place. */
  readonly to: string;
  /** The replica set after the move, in the partition's order with `to` in place of `from`. */
  readonly target: readonly string[];
}

/**
 * The moves that take every replica off nodes not in `members` and even out how many replicas each member
 * holds (within one of each other), one per partition (see the module header).
 */
export function planReplicaMoves(
  placement: Placement,
  members: readonly string[] = placement.members,
): ReplicaMove[] {
  const load = new Map<string, number>(members.map((m) => [m, 0]));
  const partitions: Array<{ tableId: number; partition: number; replicas: readonly string[] }> = [];
  for (const [tableId, count] of placement.replicatedTables()) {
    for (let partition = 0; partition < count; partition++) {
      const replicas = placement.targetOf(tableId, partition) ?? placement.replicasOf(tableId, partition);
      if (replicas === undefined) continue;
      for (const node of replicas) if (load.has(node)) load.set(node, (load.get(node) ?? 0) + 1);
      if (placement.targetOf(tableId, partition) === undefined)
        partitions.push({ tableId, partition, replicas });
    }
  }
  const moves: ReplicaMove[] = [];
  const move = (p: (typeof partitions)[number], from: string, to: string) => {
    load.set(to, (load.get(to) ?? 0) + 1);
    if (load.has(from)) load.set(from, (load.get(from) ?? 0) - 1);
    const target = p.replicas.map((node) => (node === from ? to : node));
    moves.push({ tableId: p.tableId, partition: p.partition, from, to, target });
  };
  // Replicas on nodes that are not members first: they are the ones at risk.
  const rest: typeof partitions = [];
  for (const p of partitions) {
    const gone = p.replicas.find((node) => !load.has(node));
    const to = gone === undefined ? undefined : leastLoaded(load, p.replicas);
    if (gone !== undefined && to !== undefined) move(p, gone, to);
    else if (gone === undefined) rest.push(p);
  }
  // Then evening out: a replica of the most loaded node goes to the least loaded one it is not on yet, the
  // partition's preferred primary (its first replica) last, so primaries move as little as possible.
  for (const p of rest) {
    const to = leastLoaded(load, p.replicas);
    if (to === undefined) continue;
    const candidates = [...p.replicas.slice(1), p.replicas[0] as string];
    let from: string | undefined;
    for (const node of candidates) {
      if ((load.get(node) ?? 0) - (load.get(to) ?? 0) < 2) continue;
      if (from === undefined || (load.get(node) ?? 0) > (load.get(from) ?? 0)) from = node;
    }
    if (from !== undefined) move(p, from, to);
  }
  return moves;
}

/** The member with the fewest replicas that is not in `exclude` (the first such in member order). */
function leastLoaded(load: ReadonlyMap<string, number>, exclude: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const [node, count] of load) {
    if (exclude.includes(node)) continue;
    if (best === undefined || count < (load.get(best) ?? 0)) best = node;
  }
  return best;
}
