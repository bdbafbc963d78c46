import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Placement } from '../src/placement/placement.js';

function countsOf(placement: Placement, tableId: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const owner of placement.assignment(tableId)?.owners ?? [])
    counts.set(owner, (counts.get(owner) ?? 0) + 1);
  return counts;
}

describe('Placement', () => {
  it('assigns a new table round-robin and bumps the version on every change', () => {
    const placement = new Placement();
    placement.addMember('node-1');
    placement.addMember('node-2');
    const v = placement.version;
    const assignment = placement.addTable(1, 4);
    expect(assignment.owners).toEqual(['node-1', 'node-2', 'node-1', 'node-2']);
    expect(assignment.version).toBe(v + 1);
    placement.setOwner(1, 0, 'node-2');
    expect(placement.owner(1, 0)).toBe('node-2');
    expect(placement.version).toBe(v + 2);
  });

  it('refuses to remove a member that still owns partitions', () => {
    const placement = new Placement();
    placement.addMember('node-1');
    placement.addTable(1, 2);
    expect(() => placement.removeMember('node-1')).toThrow(/still owns 2 partitions/);
  });

  it('refuses owners that are not members and partitions that do not exist', () => {
    const placement = new Placement();
    placement.addMember('node-1');
    placement.addTable(1, 2);
    expect(() => placement.setOwner(1, 0, 'node-9')).toThrow(/"node-9" is not a member/);
    expect(() => placement.setOwner(1, 2, 'node-1')).toThrow(/partitions 0\.\.1, got 2/);
  });

  it('plans moves that spread partitions evenly and move only what must move', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 40 }),
        (before, after, partitions) => {
          const placement = new Placement();
          for (let i = 1; i <= Math.max(before, after); i++) placement.addMember(`node-${i}`);
          const initial = Array.from({ length: before }, (_, i) => `node-${i + 1}`);
          placement.addTable(1, 1);
          // Start from an even spread over the first `before` nodes.
          const placementOf = new Placement();
          for (const m of initial) placementOf.addMember(m);
          placementOf.addTable(7, partitions);
          const target = Array.from({ length: after }, (_, i) => `node-${i + 1}`);
          for (const m of target) if (!initial.includes(m)) placementOf.addMember(m);
          const moves = placementOf.planRebalance(target);
          for (const move of moves) placementOf.setOwner(move.tableId, move.partition, move.to);
          const counts = countsOf(placementOf, 7);
          const values = target.map((m) => counts.get(m) ?? 0);
          expect(values.reduce((a, b) => a + b, 0)).toBe(partitions);
          expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(1);
          for (const owner of counts.keys()) expect(target).toContain(owner);
          // A partition moves only if its owner left or was over its share.
          const over = Math.ceil(partitions / target.length);
          const movedFromStaying = moves.filter((m) => target.includes(m.from)).length;
          const initialCounts = new Map<string, number>();
          for (let p = 0; p < partitions; p++) {
            const o = initial[(p + 7 - 1) % initial.length] as string;
            initialCounts.set(o, (initialCounts.get(o) ?? 0) + 1);
          }
          let excess = 0;
          for (const m of target) excess += Math.max(0, (initialCounts.get(m) ?? 0) - over);
          expect(movedFromStaying).toBeLessThanOrEqual(excess + target.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});
