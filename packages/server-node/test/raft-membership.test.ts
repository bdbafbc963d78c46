import { describe, expect, it } from 'vitest';
import type { RaftNode } from '../src/raft/raft-node.js';
import { RaftHarness } from './support/raft/raft-harness.js';

function grow(h: RaftHarness, leader: RaftNode, member: string): void {
  h.addReplica(member);
  leader.addLearner(member);
  h.runUntil(
    () => (leader.progress().find((p) => p.member === member)?.matchIndex ?? 0) >= leader.commitIndex,
    5_000,
    `${member} catching up`,
  );
}

describe('RaftNode membership changes', () => {
  it('adds a learner that receives the log but neither votes nor counts toward commits', () => {
    const h = new RaftHarness({ seed: 61n, members: ['a', 'b', 'c'] });
    const leader = h.electLeader();
    for (let i = 0; i < 5; i++) h.propose(`v${i}`);
    h.runFor(300);
    grow(h, leader, 'd');
    expect(leader.config).toEqual({ voters: ['a', 'b', 'c'], learners: ['d'] });
    h.runFor(200);
    expect(h.sm('d').applied).toEqual(h.sm(leader.id).applied);
    // With two voters down, the learner does not make a majority: nothing commits.
    const [x, y] = ['a', 'b', 'c'].filter((id) => id !== leader.id) as [string, string];
    h.crash(x);
    h.crash(y);
    const stuck = h.propose('needs-a-voter');
    h.runFor(100);
    expect(leader.commitIndex).toBeLessThan(stuck?.index ?? 0);
    expect(h.sm('d').applied).not.toContain('needs-a-voter');
    // The learner never campaigns, even with the leader gone.
    h.crash(leader.id);
    h.runFor(3_000);
    expect(h.node('d').role).toBe('follower');
    expect(h.node('d').term).toBe(leader.term);
  });

  it('promotes a learner only once it has caught up, after which it counts toward commits', () => {
    const h = new RaftHarness({ seed: 62n, members: ['a', 'b', 'c'], raft: { snapshotChunkBytes: 8 } });
    const leader = h.electLeader();
    for (let i = 0; i < 40; i++) h.propose(`v${i}`);
    h.runFor(500);
    leader.takeSnapshot();
    h.addReplica('d');
    leader.addLearner('d');
    h.runFor(40);
    expect(() => leader.promote('d')).toThrow(
      expect.objectContaining({
        code: 'MEMBERSHIP_CHANGE_NOT_READY',
        message: expect.stringContaining('has not caught up'),
      }),
    );
    h.runUntil(
      () => (leader.progress().find((p) => p.member === 'd')?.matchIndex ?? 0) >= leader.commitIndex,
      5_000,
    );
    expect(h.sm('d').restores).toBe(1);
    leader.promote('d');
    h.runFor(200);
    expect(h.node('d').config).toEqual({ voters: ['a', 'b', 'c', 'd'], learners: [] });
    // Four voters need three: with two of the old ones down, the new voter makes the majority.
    const [x, y] = ['a', 'b', 'c'].filter((id) => id !== leader.id) as [string, string];
    h.crash(x);
    h.crash(y);
    const p = h.propose('with-d');
    h.runFor(300);
    expect(p?.acknowledged).toBe(false);
    h.restart(x);
    h.runUntil(() => p?.acknowledged === true, 3_000, 'the commit with d');
    expect(h.sm('d').applied).toContain('with-d');
  });

  it('removes a follower, which then gets nothing more and never disturbs the group', () => {
    const h = new RaftHarness({ seed: 63n, members: ['a', 'b', 'c', 'd'] });
    const leader = h.electLeader();
    h.runFor(100);
    const gone = h.ids().find((id) => id !== leader.id) as string;
    leader.removeMember(gone);
    h.runFor(300);
    expect(leader.config.voters).not.toContain(gone);
    const before = h.node(gone).lastIndex;
    for (let i = 0; i < 5; i++) h.propose(`v${i}`);
    h.runFor(3_000);
    expect(h.node(gone).lastIndex).toBe(before);
    expect(h.leader()?.id).toBe(leader.id);
    expect(h.sm(leader.id).applied).toHaveLength(5);
  });

  it('removes the leader itself: it steps down once the change commits, and the others elect a new leader', () => {
    const h = new RaftHarness({ seed: 64n, members: ['a', 'b', 'c'] });
    const old = h.electLeader();
    h.propose('before');
    h.runFor(200);
    const { index } = old.removeMember(old.id);
    h.runUntil(() => old.role !== 'leader', 2_000, 'the removed leader stepping down');
    expect(old.commitIndex).toBeGreaterThanOrEqual(index);
    h.runUntil(() => h.leader() !== undefined, 3_000, 'a new leader');
    const fresh = h.leader() as RaftNode;
    expect(fresh.id).not.toBe(old.id);
    expect(fresh.config).toEqual({ voters: ['a', 'b', 'c'].filter((id) => id !== old.id), learners: [] });
    h.propose('after');
    h.runFor(3_000);
    expect(h.sm(fresh.id).applied).toEqual(['before', 'after']);
    expect(old.role).toBe('follower');
  });

  it('takes one change at a time, and only once the leader committed an entry of its term', () => {
    const h = new RaftHarness({ seed: 65n, members: ['a', 'b', 'c'], syncLatencyMs: { min: 20, max: 20 } });
    const leader = h.electLeader();
    expect(() => leader.addLearner('d')).toThrow(
      expect.objectContaining({
        code: 'MEMBERSHIP_CHANGE_NOT_READY',
        message: expect.stringContaining('of its term'),
      }),
    );
    h.runFor(200);
    h.addReplica('d');
    leader.addLearner('d');
    expect(() => leader.removeMember('b')).toThrow(
      expect.objectContaining({
        code: 'MEMBERSHIP_CHANGE_NOT_READY',
        retryable: true,
        message: expect.stringContaining('not committed yet'),
      }),
    );
    h.runFor(200);
    leader.removeMember('d');
  });

  it('refuses changes that make no sense with INVALID_ARGUMENT', () => {
    const h = new RaftHarness({ seed: 66n, members: ['a'] });
    const leader = h.electLeader();
    h.runFor(50);
    const refusals: [() => unknown, string][] = [
      [() => leader.addLearner('a'), 'a is already a member'],
      [() => leader.promote('a'), 'a is not a learner'],
      [() => leader.removeMember('z'), 'z is not a member'],
      [() => leader.removeMember('a'), 'a is the last voter'],
    ];
    for (const [change, reason] of refusals) {
      expect(change).toThrow(
        expect.objectContaining({
          code: 'INVALID_ARGUMENT',
          message: `membership change of g refused: ${reason}`,
        }),
      );
    }
  });

  it('reverts to the previous configuration when an uncommitted change is cut from the log', () => {
    const h = new RaftHarness({ seed: 67n, members: ['a', 'b', 'c'] });
    const old = h.electLeader();
    h.runFor(200);
    h.isolate(old.id);
    old.addLearner('z');
    expect(old.config.learners).toEqual(['z']);
    h.runUntil(() => h.leader() !== undefined && h.leader()?.id !== old.id, 5_000, 'a new leader');
    h.propose('x');
    h.heal();
    h.runFor(1_000);
    expect(old.config).toEqual({ voters: ['a', 'b', 'c'], learners: [] });
  });
});
