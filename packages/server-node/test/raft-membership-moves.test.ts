import { silentLogger } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import type { GroupMembership } from '../src/placement/placement.js';
import { sameNodes } from '../src/placement/placement.js';
import type { RaftNode } from '../src/raft/raft-node.js';
import { MembershipReconciler, nextMembershipStep } from '../src/replication/membership-reconciler.js';
import { RaftHarness } from './support/raft/raft-harness.js';

/**
 * A move driven the way a partition group drives it: whoever leads runs its reconciler toward `target` at
 * every step of the run; each committed configuration is recorded, with how far the new replica had got
 * when the leader promoted it.
 */
class MoveBench {
  readonly h: RaftHarness;
  target: readonly string[] | undefined;
  readonly committed: GroupMembership[] = [];
  /** At each promotion: the learner's match index and the leader's commit index at that moment. */
  readonly promotions: Array<{ member: string; match: number; commitIndex: number }> = [];
  readonly #reconcilers = new Map<RaftNode, MembershipReconciler>();

  constructor(h: RaftHarness, target: readonly string[]) {
    this.h = h;
    this.target = target;
  }

  /** Runs until the voters are `target` with no learner left (or fails after `maxMs`). */
  runToTarget(maxMs = 10_000): void {
    this.h.runUntil(() => this.tick() && this.#reached(), maxMs, `the move to ${this.target?.join(',')}`);
  }

  /** One reconcile on the leader; always true (for `runUntil`). */
  tick(): boolean {
    const leader = this.h.leader();
    if (leader === undefined) return true;
    let reconciler = this.#reconcilers.get(leader);
    if (reconciler === undefined) {
      reconciler = new MembershipReconciler({
        raft: leader,
        log: silentLogger,
        target: () => this.target,
        committed: (m) => {
          // As the placement records them: only newer than the last, and not the founders' (index 0).
          if ((this.committed.at(-1)?.index ?? 0) >= m.index) return false;
          this.committed.push(m);
          return true;
        },
      });
      this.#reconcilers.set(leader, reconciler);
    }
    const before = leader.config.voters;
    const learners = leader.config.learners;
    reconciler.reconcile();
    const promoted = leader.config.voters.find((v) => !before.includes(v) && learners.includes(v));
    if (promoted !== undefined) {
      const match = leader.progress().find((p) => p.member === promoted)?.matchIndex ?? 0;
      this.promotions.push({ member: promoted, match, commitIndex: leader.commitIndex });
    }
    return true;
  }

  #reached(): boolean {
    const leader = this.h.leader();
    const target = this.target ?? [];
    return (
      leader !== undefined &&
      leader.configIndex <= leader.commitIndex &&
      sameNodes(leader.config.voters, target) &&
      leader.config.learners.length === 0
    );
  }
}

/** Every acknowledged proposal is applied on every live replica of `voters`. */
function expectAcknowledgedOn(h: RaftHarness, voters: readonly string[]): void {
  const acknowledged = h.proposals.filter((p) => p.acknowledged).map((p) => p.text);
  expect(acknowledged.length).toBeGreaterThan(0);
  for (const id of voters) {
    h.runUntil(() => acknowledged.every((text) => h.sm(id).applied.includes(text)), 3_000, `${id} applying`);
  }
}

function writeSome(h: RaftHarness, prefix: string, count: number): void {
  for (let i = 0; i < count; i++) {
    h.propose(`${prefix}${i}`);
    h.runFor(5);
  }
}

/**
 * A group a, b, c with 40 writes, and a move of a follower's replica (`leaving`) to d, run until d is a
 * learner.
 */
function moveUnderWay(seed: bigint) {
  const h = new RaftHarness({ seed, members: ['a', 'b', 'c'], raft: { snapshotChunkBytes: 8 } });
  const leader = h.electLeader();
  writeSome(h, 'v', 40);
  h.addReplica('d');
  const leaving = ['a', 'b', 'c'].find((id) => id !== leader.id) as string;
  const target = ['a', 'b', 'c', 'd'].filter((id) => id !== leaving);
  const bench = new MoveBench(h, target);
  h.runUntil(() => bench.tick() && leader.config.learners.includes('d'), 2_000, 'the learner added');
  return { h, leader, leaving, target, bench };
}

describe('MembershipReconciler', () => {
  it('plans add, promote once caught up, then remove, and rolls a dropped learner back', () => {
    const view = (voters: string[], learners: string[], match = 0) => ({
      leader: 'a',
      config: { voters, learners },
      commitIndex: 10,
      matchOf: () => match,
    });
    const target = ['a', 'b', 'd'];
    expect(nextMembershipStep(view(['a', 'b', 'c'], []), target)).toEqual({
      kind: 'addLearner',
      member: 'd',
    });
    expect(nextMembershipStep(view(['a', 'b', 'c'], ['d'], 9), target)).toMatchObject({ kind: 'wait' });
    expect(nextMembershipStep(view(['a', 'b', 'c'], ['d'], 10), target)).toEqual({
      kind: 'promote',
      member: 'd',
    });
    expect(nextMembershipStep(view(['a', 'b', 'c', 'd'], []), target)).toEqual({
      kind: 'remove',
      member: 'c',
    });
    expect(nextMembershipStep(view(['a', 'b', 'd'], []), target)).toEqual({ kind: 'none' });
    // The leader leaves last, after any other replica that leaves.
    expect(nextMembershipStep(view(['a', 'b', 'c', 'd', 'e'], []), ['b', 'd', 'e'])).toEqual({
      kind: 'remove',
      member: 'c',
    });
    expect(nextMembershipStep(view(['a', 'b', 'd', 'e'], []), ['b', 'd', 'e'])).toEqual({
      kind: 'remove',
      member: 'a',
    });
    // A learner that is no longer wanted goes first.
    expect(nextMembershipStep(view(['a', 'b', 'c'], ['d']), ['a', 'b', 'c'])).toEqual({
      kind: 'remove',
      member: 'd',
    });
  });

  it('catches a learner up from a snapshot sent in chunks, resending the lost ones from the offset asked for', () => {
    const h = new RaftHarness({ seed: 151n, members: ['a', 'b', 'c'], raft: { snapshotChunkBytes: 16 } });
    h.electLeader();
    writeSome(h, 'before', 60);
    h.runFor(200);
    h.addReplica('d');
    const bench = new MoveBench(h, ['a', 'b', 'd']);
    h.setDropRate(0.3);
    // Writes go on during the move.
    for (let i = 0; i < 40; i++) {
      h.propose(`during${i}`);
      h.runFor(5);
      bench.tick();
    }
    h.setDropRate(0);
    bench.runToTarget();
    const chunksResent = h.live().reduce((sum, node) => sum + node.snapshotChunksResent, 0);
    expect(chunksResent).toBeGreaterThan(0);
    expect(h.sm('d').restores).toBeGreaterThanOrEqual(1);
    expectAcknowledgedOn(h, ['a', 'b', 'd']);
  });

  it('promotes the new replica only once it holds the commit index, and removes the old one only after', () => {
    const h = new RaftHarness({ seed: 152n, members: ['a', 'b', 'c'], raft: { snapshotChunkBytes: 8 } });
    const leader = h.electLeader();
    writeSome(h, 'v', 50);
    const leaving = ['a', 'b', 'c'].find((id) => id !== leader.id) as string;
    const target = ['a', 'b', 'c', 'd'].filter((id) => id !== leaving);
    h.addReplica('d');
    const bench = new MoveBench(h, target);
    bench.runToTarget();
    expect(bench.promotions).toHaveLength(1);
    const [promotion] = bench.promotions;
    expect(promotion?.match).toBeGreaterThanOrEqual(promotion?.commitIndex ?? Number.POSITIVE_INFINITY);
    // Never fewer than three voters on the way: add, promote, and only then remove.
    expect(bench.committed.map((m) => [m.voters.length, m.learners])).toEqual([
      [3, ['d']],
      [4, []],
      [3, []],
    ]);
    expectAcknowledgedOn(h, target);
  });

  it('resumes a move after its leader crashed mid-way, under the next leader, losing no acknowledged write', () => {
    const h = new RaftHarness({ seed: 153n, members: ['a', 'b', 'c'], raft: { snapshotChunkBytes: 8 } });
    const first = h.electLeader();
    writeSome(h, 'v', 40);
    const stays = ['a', 'b', 'c'].filter((id) => id !== first.id);
    h.addReplica('d');
    // The old leader is the replica that leaves: the move must end without it.
    const bench = new MoveBench(h, [...stays, 'd']);
    h.runUntil(() => bench.tick() && first.config.learners.includes('d'), 2_000, 'the learner added');
    h.crash(first.id);
    writeSomeWhenLed(h, 'after', 20);
    bench.runToTarget();
    expect(h.leader()?.id).not.toBe(first.id);
    expectAcknowledgedOn(h, [...stays, 'd']);
  });

  it('finishes a move whose learner crashed mid-catch-up: it restarts and catches up again', () => {
    const { h, leaving, target, bench } = moveUnderWay(154n);
    h.runFor(20);
    h.crash('d');
    writeSomeWhenLed(h, 'down', 10);
    for (let i = 0; i < 20; i++) bench.tick();
    // With its learner down the move waits: the leaving replica stays a voter.
    expect(h.leader()?.config.voters).toContain(leaving);
    h.restart('d');
    bench.runToTarget();
    expectAcknowledgedOn(h, target);
  });

  it('finishes a move whose leaving replica crashed mid-way, without it', () => {
    const { h, leaving, target, bench } = moveUnderWay(155n);
    h.crash(leaving);
    writeSomeWhenLed(h, 'without', 10);
    bench.runToTarget();
    expectAcknowledgedOn(h, target);
  });

  it('rolls a move back when its target is dropped: the learner is removed, the voters stay', () => {
    const { h, leader, bench } = moveUnderWay(156n);
    h.crash('d');
    bench.target = undefined;
    h.runUntil(
      () => bench.tick() && leader.config.learners.length === 0 && leader.configIndex <= leader.commitIndex,
      3_000,
      'the rollback',
    );
    expect(leader.config).toEqual({ voters: ['a', 'b', 'c'], learners: [] });
    expectAcknowledgedOn(h, ['a', 'b', 'c']);
  });
});

/** Proposes `count` writes through whoever leads, waiting for a leader when there is none. */
function writeSomeWhenLed(h: RaftHarness, prefix: string, count: number): void {
  for (let i = 0; i < count; i++) {
    h.runUntil(() => h.leader()?.committedInTerm === true, 3_000, 'a leader');
    h.propose(`${prefix}${i}`);
    h.runFor(5);
  }
}
