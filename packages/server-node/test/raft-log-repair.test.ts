import { describe, expect, it } from 'vitest';
import { RaftHarness } from './support/raft/raft-harness.js';

const logOf = (h: RaftHarness, id: string): string[] => {
  const node = h.node(id);
  const out: string[] = [];
  for (let i = node.snapshotIndex + 1; i <= node.lastIndex; i++) {
    const entry = node.entryAt(i);
    out.push(`${i}@${entry?.term}:${entry?.kind}`);
  }
  return out;
};

describe('RaftNode log repair', () => {
  it('replaces a deposed leader’s uncommitted tail by the new leader’s entries, and commits those everywhere', () => {
    const h = new RaftHarness({ seed: 41n, members: ['a', 'b', 'c', 'd', 'e'] });
    const old = h.electLeader();
    for (let i = 0; i < 3; i++) h.propose(`shared-${i}`);
    h.runFor(300);
    // The old leader and one follower get entries the other three never see.
    const [buddy, ...rest] = h.ids().filter((id) => id !== old.id);
    if (buddy === undefined) throw new Error('no follower');
    h.partition([[old.id, buddy], rest]);
    for (let i = 0; i < 4; i++) old.propose(new TextEncoder().encode(`doomed-${i}`));
    h.runFor(100);
    expect(h.node(buddy).lastIndex).toBe(old.lastIndex);
    h.runUntil(
      () => h.leader()?.id !== old.id && h.leader() !== undefined,
      5_000,
      'a leader among the three',
    );
    for (let i = 0; i < 6; i++) h.propose(`winner-${i}`);
    h.runFor(500);
    const divergentAt = old.lastIndex;
    expect(h.node(rest[0] as string).termAt(divergentAt)).not.toBe(old.termAt(divergentAt));

    h.heal();
    h.runFor(2_000);
    const reference = logOf(h, rest[0] as string);
    for (const id of h.ids()) expect(logOf(h, id)).toEqual(reference);
    for (const id of h.ids()) {
      expect(h.sm(id).applied).toEqual([
        ...[0, 1, 2].map((i) => `shared-${i}`),
        ...[0, 1, 2, 3, 4, 5].map((i) => `winner-${i}`),
      ]);
    }
  });

  it('walks a follower that missed many entries back to where its log agrees, then streams the rest', () => {
    const h = new RaftHarness({ seed: 42n, members: ['a', 'b', 'c'] });
    const leader = h.electLeader();
    const laggard = h.ids().find((id) => id !== leader.id) as string;
    h.isolate(laggard);
    for (let i = 0; i < 100; i++) h.propose(`v${i}`);
    h.runFor(1_000);
    expect(h.node(laggard).lastIndex).toBeLessThan(10);
    h.heal();
    h.runUntil(() => h.sm(laggard).applied.length === 100, 5_000, 'the laggard catching up');
    expect(h.sm(laggard).applied).toEqual(h.sm(leader.id).applied);
    expect(h.stats.snapshotChunks).toBe(0);
  });

  it('recovers appends lost on the way: a lossy link delays replication but loses nothing', () => {
    const h = new RaftHarness({ seed: 43n, members: ['a', 'b', 'c'] });
    h.electLeader();
    h.setDropRate(0.3);
    const proposals = [];
    for (let i = 0; i < 60; i++) {
      const p = h.propose(`v${i}`);
      if (p !== undefined) proposals.push(p);
      h.runFor(20);
    }
    h.heal();
    h.runFor(3_000);
    const applied = h.sm('a').applied;
    for (const id of h.ids()) expect(h.sm(id).applied).toEqual(applied);
    for (const p of proposals) if (p.acknowledged) expect(applied).toContain(p.text);
    expect(h.stats.dropped).toBeGreaterThan(50);
  });
});
