import { describe, expect, it } from 'vitest';
import { RaftHarness } from './support/raft/raft-harness.js';

const followersOf = (h: RaftHarness, leader: string) => h.live().filter((n) => n.id !== leader);

describe('RaftNode elections', () => {
  it('elects one leader that every other replica follows, in groups of 3 and 5', () => {
    for (const members of [
      ['a', 'b', 'c'],
      ['a', 'b', 'c', 'd', 'e'],
    ]) {
      const h = new RaftHarness({ seed: 11n, members });
      const leader = h.electLeader();
      h.runFor(500);
      expect(
        h
          .live()
          .filter((n) => n.role === 'leader')
          .map((n) => n.id),
      ).toEqual([leader.id]);
      for (const follower of followersOf(h, leader.id)) {
        expect(follower).toMatchObject({ role: 'follower', leaderId: leader.id, term: leader.term });
      }
    }
  });

  it('elects a leader on the majority side of a partition, never on the minority side', () => {
    const h = new RaftHarness({ seed: 12n, members: ['a', 'b', 'c', 'd', 'e'] });
    h.electLeader();
    h.partition([
      ['a', 'b'],
      ['c', 'd', 'e'],
    ]);
    h.runFor(3_000);
    const leaders = h.live().filter((n) => n.role === 'leader');
    expect(leaders).toHaveLength(1);
    expect(['c', 'd', 'e']).toContain(leaders[0]?.id);
    for (const id of ['a', 'b']) expect(h.node(id).role).not.toBe('leader');
  });

  it('elects nobody while no side of a partition has a majority', () => {
    const h = new RaftHarness({ seed: 13n, members: ['a', 'b', 'c', 'd'] });
    h.electLeader();
    h.partition([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    h.runFor(1_000);
    const termsAfterStepDown = h.live().map((n) => n.term);
    h.runFor(5_000);
    expect(h.live().filter((n) => n.role === 'leader')).toEqual([]);
    // Pre-votes fail on both sides, so no term moves while the partition lasts.
    expect(h.live().map((n) => n.term)).toEqual(termsAfterStepDown);
    h.heal();
    h.electLeader();
  });

  it('keeps an isolated replica from raising its term, so its return disturbs nobody (pre-vote)', () => {
    const h = new RaftHarness({ seed: 14n, members: ['a', 'b', 'c'] });
    const leader = h.electLeader();
    const [follower] = followersOf(h, leader.id);
    if (follower === undefined) throw new Error('no follower');
    h.isolate(follower.id);
    h.runFor(5_000);
    expect(follower.term).toBe(leader.term);
    expect(follower.role).toBe('preCandidate');
    h.heal();
    h.runFor(1_000);
    expect(h.leader()?.id).toBe(leader.id);
    expect(leader.term).toBe(follower.term);
  });

  it('lets an isolated replica without pre-vote raise its term, which deposes the leader on return', () => {
    const h = new RaftHarness({ seed: 15n, members: ['a', 'b', 'c'], raft: { preVote: false } });
    const leader = h.electLeader();
    const [follower] = followersOf(h, leader.id);
    if (follower === undefined) throw new Error('no follower');
    h.isolate(follower.id);
    h.runFor(3_000);
    expect(follower.term).toBeGreaterThan(leader.term + 3);
    h.heal();
    h.runUntil(() => leader.term >= follower.term, 3_000, 'the old leader seeing the higher term');
    h.electLeader();
  });

  it('refuses to vote while it hears from a leader (leader stickiness), whatever the term asked for', () => {
    const h = new RaftHarness({ seed: 16n, members: ['a', 'b', 'c'] });
    const leader = h.electLeader();
    h.runFor(200);
    const [follower] = followersOf(h, leader.id);
    if (follower === undefined) throw new Error('no follower');
    const answers: unknown[] = [];
    for (const preVote of [true, false]) {
      follower.handleRequest(
        {
          op: 'RAFT_VOTE',
          group: 'g',
          from: 'z',
          term: leader.term + 5,
          lastLogIndex: 99,
          lastLogTerm: 99,
          preVote,
        },
        (result) => answers.push(result),
      );
    }
    h.runFor(10);
    expect(answers).toEqual([
      { term: leader.term, granted: false, preVote: true },
      { term: leader.term, granted: false, preVote: false },
    ]);
    expect(follower.term).toBe(leader.term);
  });

  it('grants a vote only to a candidate whose log is at least as up to date, once per term', () => {
    const h = new RaftHarness({ seed: 17n, members: ['a', 'b', 'c'] });
    const leader = h.electLeader();
    h.propose('x');
    h.runFor(300);
    h.isolate(leader.id);
    h.runFor(600);
    // Long after the last heartbeat: no stickiness left on an isolated replica.
    const voter = h.live().find((n) => n.id !== leader.id && n.role === 'follower') ?? h.node('a');
    const answers: { granted: boolean }[] = [];
    const ask = (from: string, term: number, lastLogIndex: number, lastLogTerm: number) =>
      voter.handleRequest(
        { op: 'RAFT_VOTE', group: 'g', from, term, lastLogIndex, lastLogTerm, preVote: false },
        (result) => answers.push(result),
      );
    h.isolate(voter.id);
    h.runFor(600);
    const term = voter.term + 1;
    ask('y', term, 0, 0);
    ask('z', term, voter.lastIndex, voter.termAt(voter.lastIndex) ?? 0);
    ask('w', term, voter.lastIndex + 5, term);
    h.runFor(50);
    expect(answers.map((a) => a.granted)).toEqual([false, true, false]);
    expect(voter.votedFor).toBe('z');
  });

  it('runs the same way twice from the same seed, and differently from another seed', () => {
    const trace = (seed: bigint) => {
      const h = new RaftHarness({ seed, members: ['a', 'b', 'c'] });
      h.setDropRate(0.2);
      h.electLeader();
      for (let i = 0; i < 10; i++) {
        h.propose(`v${i}`);
        h.runFor(50);
      }
      h.crash(h.leader()?.id ?? 'a');
      h.runFor(2_000);
      return h.trace.join('\n');
    };
    expect(trace(21n)).toBe(trace(21n));
    expect(trace(21n)).not.toBe(trace(22n));
  });
});
