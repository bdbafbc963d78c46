import { describe, expect, it } from 'vitest';
import { RaftHarness } from './support/raft/raft-harness.js';

const MIN_ELECTION_MS = 150;

describe('RaftNode with an isolated leader', () => {
  it('never commits what the isolated leader accepts, and elects a new leader on the majority side', () => {
    const h = new RaftHarness({ seed: 31n, members: ['a', 'b', 'c'] });
    const old = h.electLeader();
    h.propose('before');
    h.runFor(300);
    h.isolate(old.id);
    const stranded = ['lost-1', 'lost-2', 'lost-3'].map((text) => {
      const { index, term } = old.propose(new TextEncoder().encode(text));
      return { text, index, term };
    });
    h.runUntil(() => h.leader() !== undefined && h.leader()?.id !== old.id, 5_000, 'a new leader');
    const fresh = h.leader();
    if (fresh === undefined) throw new Error('no new leader');
    expect(fresh.term).toBeGreaterThan(old.term);
    h.propose('after');
    h.runFor(500);
    expect(old.commitIndex).toBeLessThan(stranded[0]?.index ?? 0);
    for (const id of h.ids()) expect(h.sm(id).applied).not.toContain('lost-1');

    h.heal();
    h.runFor(1_000);
    // The stranded entries were replaced by the new leader's; nobody ever applied them.
    for (const id of h.ids()) {
      expect(h.sm(id).applied).toEqual(['before', 'after']);
      for (const { index, term } of stranded) expect(h.node(id).termAt(index)).not.toBe(term);
    }
  });

  it('steps down once no majority has answered for a minimum election timeout', () => {
    const h = new RaftHarness({ seed: 32n, members: ['a', 'b', 'c'] });
    const old = h.electLeader();
    h.runFor(200);
    h.isolate(old.id);
    const isolatedAt = h.clock.now();
    h.runUntil(() => old.role !== 'leader', 2_000, 'the isolated leader stepping down');
    expect(h.clock.now() - isolatedAt).toBeLessThanOrEqual(MIN_ELECTION_MS + 100);
    expect(old.role).toBe('follower');
  });

  it('stops advancing its majority contact once cut off, and no successor is elected before that contact plus the minimum election timeout', () => {
    const h = new RaftHarness({ seed: 33n, members: ['a', 'b', 'c', 'd', 'e'] });
    const old = h.electLeader();
    h.runFor(300);
    const before = old.quorumContactAt() ?? Number.NaN;
    expect(before).toBeGreaterThan(h.clock.now() - 100);
    h.isolate(old.id);
    h.runFor(100);
    const lastContact = old.quorumContactAt() ?? Number.NaN;
    h.runFor(20);
    expect(old.quorumContactAt()).toBe(lastContact);
    h.runUntil(() => h.live().some((n) => n.role === 'leader' && n.term > old.term), 5_000, 'a successor');
    expect(h.clock.now()).toBeGreaterThanOrEqual(lastContact + MIN_ELECTION_MS);
  });

  it('lets a new leader find the previous lease and its end in its log', () => {
    const h = new RaftHarness({ seed: 34n, members: ['a', 'b', 'c'] });
    const old = h.electLeader();
    h.runFor(100);
    const lease = { holder: old.id, startMs: h.clock.now(), expiresAtMs: h.clock.now() + 120 };
    const { index } = old.proposeLease(lease);
    h.runUntil(() => old.latestLease()?.committed === true, 1_000, 'the lease committed');
    h.isolate(old.id);
    h.runUntil(() => h.leader() !== undefined && h.leader()?.id !== old.id, 5_000, 'a new leader');
    const fresh = h.leader();
    // Found at once (committed or not: the new leader has not committed in its term yet), then committed.
    expect(fresh?.latestLease()).toMatchObject({ index, lease });
    // The successor was elected only after the old lease had run out.
    expect(h.clock.now()).toBeGreaterThan(lease.expiresAtMs);
    h.runFor(200);
    expect(fresh?.latestLease()).toEqual({ index, lease, committed: true });
  });

  it('refuses proposals, leases and membership changes on a follower with NOT_PRIMARY naming the leader', () => {
    const h = new RaftHarness({ seed: 35n, members: ['a', 'b', 'c'] });
    const leader = h.electLeader();
    h.runFor(100);
    const follower = h.live().find((n) => n.id !== leader.id);
    if (follower === undefined) throw new Error('no follower');
    const attempts = [
      () => follower.propose(Uint8Array.of(1)),
      () => follower.proposeLease({ holder: follower.id, startMs: 0, expiresAtMs: 10 }),
      () => follower.addLearner('x'),
    ];
    for (const attempt of attempts) {
      expect(attempt).toThrow(
        expect.objectContaining({ code: 'NOT_PRIMARY', retryable: true, extensions: { leader: leader.id } }),
      );
    }
  });

  it('refuses a lease without a holder or that ends before it starts', () => {
    const h = new RaftHarness({ seed: 36n, members: ['a'] });
    const leader = h.electLeader();
    for (const lease of [
      { holder: '', startMs: 0, expiresAtMs: 10 },
      { holder: 'a', startMs: 10, expiresAtMs: 10 },
      { holder: 'a', startMs: -1, expiresAtMs: 10 },
    ]) {
      expect(() => leader.proposeLease(lease)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });
});
