import { describe, expect, it } from 'vitest';
import { RaftHarness } from './support/raft/raft-harness.js';

describe('RaftNode snapshots', () => {
  it('catches up a replica that fell behind the leader’s snapshot by sending it in chunks', () => {
    const h = new RaftHarness({ seed: 51n, members: ['a', 'b', 'c'], raft: { snapshotChunkBytes: 32 } });
    const leader = h.electLeader();
    const laggard = h.ids().find((id) => id !== leader.id) as string;
    h.crash(laggard);
    for (let i = 0; i < 50; i++) h.propose(`value-${i}`);
    h.runFor(1_000);
    expect(leader.takeSnapshot()).toBe(true);
    expect(leader.snapshotIndex).toBe(leader.lastApplied);
    expect(leader.entryAt(leader.snapshotIndex)).toBeUndefined();
    for (let i = 50; i < 55; i++) h.propose(`value-${i}`);
    h.restart(laggard);
    h.runUntil(() => h.sm(laggard).applied.length === 55, 5_000, 'the laggard catching up');
    expect(h.sm(laggard).restores).toBe(1);
    expect(h.sm(laggard).applied).toEqual(h.sm(leader.id).applied);
    expect(h.node(laggard).snapshotIndex).toBe(leader.snapshotIndex);
    // The snapshot (50 values as JSON, well over 32 bytes) took several chunks.
    expect(h.stats.snapshotChunks).toBeGreaterThan(10);
  });

  it('resends the chunks a lossy link loses, and still installs the whole snapshot', () => {
    const h = new RaftHarness({ seed: 52n, members: ['a', 'b', 'c'], raft: { snapshotChunkBytes: 16 } });
    const leader = h.electLeader();
    const laggard = h.ids().find((id) => id !== leader.id) as string;
    h.isolate(laggard);
    for (let i = 0; i < 30; i++) h.propose(`v${i}`);
    h.runFor(500);
    leader.takeSnapshot();
    h.heal();
    h.setDropRate(0.3);
    h.runUntil(() => h.sm(laggard).applied.length === 30, 20_000, 'the laggard catching up');
    expect(h.sm(laggard).applied).toEqual(h.sm(leader.id).applied);
    expect(h.stats.dropped).toBeGreaterThan(0);
  });

  it('restarts from its own snapshot and the log after it, then learns the commit index again', () => {
    const h = new RaftHarness({ seed: 53n, members: ['a', 'b', 'c'] });
    const leader = h.electLeader();
    for (let i = 0; i < 10; i++) h.propose(`v${i}`);
    h.runFor(300);
    const follower = h.ids().find((id) => id !== leader.id) as string;
    expect(h.node(follower).takeSnapshot()).toBe(true);
    for (let i = 10; i < 15; i++) h.propose(`v${i}`);
    h.runFor(300);
    h.crash(follower);
    const restarted = h.restart(follower);
    expect(h.sm(follower).applied).toHaveLength(
      h.node(follower).snapshotIndex > 0 ? JSON.parse('0') + h.sm(follower).applied.length : 0,
    );
    expect(restarted.commitIndex).toBe(restarted.snapshotIndex);
    expect(restarted.lastIndex).toBeGreaterThan(restarted.snapshotIndex);
    h.runFor(300);
    expect(h.sm(follower).applied).toEqual(h.sm(leader.id).applied);
  });

  it('takes snapshots by itself every so many applied entries, keeping the log short', () => {
    const h = new RaftHarness({ seed: 54n, members: ['a', 'b', 'c'], raft: { snapshotEveryEntries: 10 } });
    h.electLeader();
    for (let i = 0; i < 45; i++) h.propose(`v${i}`);
    h.runFor(1_000);
    for (const node of h.live()) {
      expect(node.snapshotIndex).toBeGreaterThanOrEqual(40);
      expect(node.lastIndex - node.snapshotIndex).toBeLessThan(10);
    }
  });

  it('answers a snapshot it already holds as done, and one it is not receiving from offset 0', () => {
    const h = new RaftHarness({ seed: 55n, members: ['a'] });
    const node = h.electLeader();
    h.propose('x');
    h.runFor(100);
    const answers: unknown[] = [];
    const meta = { index: 1, term: node.term, config: node.config, lease: null };
    const term = node.term + 1;
    const chunk = (offset: number, index: number) =>
      node.handleRequest(
        {
          op: 'RAFT_SNAPSHOT',
          group: 'g',
          from: 'z',
          term,
          leaderTime: 7,
          meta: { ...meta, index },
          offset,
          data: Uint8Array.of(1),
          done: false,
        },
        (result) => answers.push(result),
      );
    chunk(0, 1);
    chunk(5, 50);
    h.runFor(50);
    expect(answers).toEqual([
      { term, snapshotIndex: 1, nextOffset: 1, done: true, leaderTime: 7 },
      { term, snapshotIndex: 50, nextOffset: 0, done: false, leaderTime: 7 },
    ]);
  });
});
