/**
 * Plans the owner moves of one unreplicated table (see `Placement.planRebalance`): every member ends up
 * owning the floor or ceiling of its share of the partitions, moving as few as possible; a partition whose
 * owner is not in `members` always moves. Also the member owning the fewest partitions (`leastLoaded`: the
 * heir of a leaving owner's partitions). Deterministic: same owners and members, same plan. It plans only.
 */
import type { PartitionMove } from './placement-records.js';

/** The moves that spread `owners` (`owners[p]`: the owner of partition `p` of `tableId`) over `members`. */
export function planOwnerMoves(
  tableId: number,
  owners: readonly string[],
  members: readonly string[],
): PartitionMove[] {
  const moves: PartitionMove[] = [];
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
    if (limit !== undefined && (kept.get(owner) ?? 0) < limit) kept.set(owner, (kept.get(owner) ?? 0) + 1);
    else homeless.push(partition);
  });
  for (const partition of homeless) {
    const to = members.find((m) => (kept.get(m) ?? 0) < (quota.get(m) ?? 0)) as string;
    kept.set(to, (kept.get(to) ?? 0) + 1);
    moves.push({ tableId, partition, from: owners[partition] as string, to });
  }
  return moves;
}

/** The member of `members` owning the fewest of `owners` (the first such in member order). */
export function leastLoaded(members: readonly string[], owners: readonly string[]): string {
  let best = members[0] as string;
  let fewest = Number.POSITIVE_INFINITY;
  for (const member of members) {
    const count = owners.filter((owner) => owner === member).length;
    if (count < fewest) {
      best = member;
      fewest = count;
    }
  }
  return best;
}
