import { describe, expect, it } from 'vitest';
import { type GroupMembership, Placement } from '../src/placement/placement.js';
import { planReplicaMoves } from '../src/placement/replica-plan.js';

function placementOf(...members: string[]): Placement {
  const placement = new Placement();
  for (const member of members) placement.addMember(member);
  return placement;
}

describe('Placement move targets and committed memberships', () => {
  it('records a target, follows committed configurations by index, and ends the move when reached', () => {
    const placement = placementOf('node-1', 'node-2', 'node-3', 'node-4');
    placement.addTable(1, 2, 3);
    const seen: GroupMembership[] = [];
    placement.onMembership((_, __, m) => seen.push(m));
    placement.setTarget(1, 0, ['node-1', 'node-2', 'node-4']);
    expect(placement.targetOf(1, 0)).toEqual(['node-1', 'node-2', 'node-4']);
    // A node in a target is about to hold a replica: it counts as holding one.
    expect(placement.replicatedPartitionsOf('node-4')).toContainEqual([1, 0]);
    const voters = ['node-1', 'node-2', 'node-3'];
    expect(placement.recordMembership(1, 0, { voters, learners: ['node-4'], index: 7 })).toBe(true);
    expect(placement.replicasOf(1, 0)).toEqual(voters);
    const four = ['node-1', 'node-2', 'node-3', 'node-4'];
    expect(placement.recordMembership(1, 0, { voters: four, learners: [], index: 9 })).toBe(true);
    // A late report of an older configuration changes nothing.
    expect(placement.recordMembership(1, 0, { voters, learners: ['node-4'], index: 7 })).toBe(false);
    expect(placement.replicasOf(1, 0)).toEqual(four);
    expect(placement.targetOf(1, 0)).toBeDefined();
    placement.recordMembership(1, 0, { voters: ['node-1', 'node-2', 'node-4'], learners: [], index: 11 });
    expect(placement.targetOf(1, 0)).toBeUndefined();
    expect(placement.replicasOf(1, 0)).toEqual(['node-1', 'node-2', 'node-4']);
    expect(seen.map((m) => m.index)).toEqual([7, 9, 11]);
    // The same members at a later index (a snapshot moved the index it is known at) are nothing new.
    expect(
      placement.recordMembership(1, 0, { voters: ['node-4', 'node-1', 'node-2'], learners: [], index: 30 }),
    ).toBe(false);
    // Nor are a group's founders, before any change.
    expect(
      placement.recordMembership(1, 1, { voters: ['node-2', 'node-3', 'node-4'], learners: [], index: 12 }),
    ).toBe(false);
    expect(placement.membershipOf(1, 1)).toBeUndefined();
    expect(seen).toHaveLength(3);
  });

  it('gives way to the first voter when the primary is no longer a replica', () => {
    const placement = placementOf('node-1', 'node-2', 'node-3', 'node-4');
    placement.addTable(1, 1, 3);
    expect(placement.owner(1, 0)).toBe('node-1');
    placement.recordMembership(1, 0, { voters: ['node-2', 'node-3', 'node-4'], learners: [], index: 5 });
    expect(placement.owner(1, 0)).toBe('node-2');
  });

  it('refuses targets of the wrong size, with a node twice or a non-member, and unreplicated partitions', () => {
    const placement = placementOf('node-1', 'node-2', 'node-3', 'node-4');
    placement.addTable(1, 2, 3);
    placement.addTable(2, 2, 1);
    expect(() => placement.setTarget(1, 0, ['node-1', 'node-2'])).toThrow(/needs 3 distinct member nodes/);
    expect(() => placement.setTarget(1, 0, ['node-1', 'node-1', 'node-2'])).toThrow(/distinct/);
    expect(() => placement.setTarget(1, 0, ['node-1', 'node-2', 'node-9'])).toThrow(
      /"node-9" is not a member/,
    );
    expect(() => placement.setTarget(2, 0, ['node-1'])).toThrow(/not a replicated partition/);
    expect(() => placement.setTarget(1, 5, ['node-1', 'node-2', 'node-3'])).toThrow(
      /not a replicated partition/,
    );
    expect(() => placement.setTarget(9, 0, undefined)).toThrow(/table 9 is not placed/);
  });

  it('drops a move toward a node it forgets: the move rolls back', () => {
    const placement = placementOf('node-1', 'node-2', 'node-3', 'node-4');
    placement.addTable(1, 1, 3);
    placement.setTarget(1, 0, ['node-1', 'node-2', 'node-4']);
    placement.forgetMember('node-4');
    expect(placement.targetOf(1, 0)).toBeUndefined();
  });
});

describe('planReplicaMoves', () => {
  it('replaces replicas on nodes that are gone, one per partition, on the least loaded nodes', () => {
    const placement = placementOf('node-1', 'node-2', 'node-3', 'node-4', 'node-5');
    placement.addTable(1, 5, 3);
    placement.forgetMember('node-3');
    const moves = planReplicaMoves(placement);
    // Partitions 0..2 held a replica on node-3.
    expect(moves.filter((m) => m.from === 'node-3').map((m) => m.partition)).toEqual([0, 1, 2]);
    for (const move of moves) {
      expect(move.target).toHaveLength(3);
      expect(move.target).not.toContain('node-3');
      expect(new Set(move.target).size).toBe(3);
    }
    // Nothing is planned for a partition with a move under way.
    for (const move of moves) placement.setTarget(move.tableId, move.partition, move.target);
    expect(planReplicaMoves(placement)).toEqual([]);
  });

  it('keeps replicas on a gone node when no other node can take them', () => {
    const placement = placementOf('node-1', 'node-2', 'node-3');
    placement.addTable(1, 3, 3);
    placement.forgetMember('node-2');
    expect(planReplicaMoves(placement)).toEqual([]);
  });

  it('evens out replicas onto a node that joined, moving primaries last', () => {
    const placement = placementOf('node-1', 'node-2', 'node-3');
    placement.addTable(1, 8, 3);
    placement.addMember('node-4');
    const moves = planReplicaMoves(placement);
    expect(moves.every((m) => m.to === 'node-4')).toBe(true);
    expect(moves).toHaveLength(6);
    expect(moves.every((m) => m.from !== placement.owner(1, m.partition))).toBe(true);
  });
});
