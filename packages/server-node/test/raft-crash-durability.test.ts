import { describe, expect, it } from 'vitest';
import type { Disk } from '../src/disk/disk.js';
import type { MemoryDisk } from '../src/disk/memory-disk.js';
import { RaftSafetyViolation } from '../src/raft/raft-safety-checker.js';
import { RaftHarness } from './support/raft/raft-harness.js';

const MEMBERS = ['a', 'b', 'c'];

/** Streams proposals, crashes every replica at once, restarts them, and commits one more entry. */
function crashEverything(h: RaftHarness, crashAtMs: number): { unsynced: number } {
  h.electLeader();
  let n = 0;
  const until = h.clock.now() + crashAtMs;
  while (h.clock.now() < until) {
    h.propose(`v${n++}`);
    h.runFor(3);
  }
  const unsynced = MEMBERS.reduce((sum, id) => sum + h.disk(id).unsyncedChanges, 0);
  for (const id of MEMBERS) h.crash(id);
  for (const id of MEMBERS) h.restart(id);
  let final = h.propose('final');
  h.runUntil(
    () => {
      if (final === undefined || (!final.acknowledged && h.leader()?.term !== final.term))
        final = h.propose('final');
      return final?.acknowledged === true && h.live().every((r) => r.lastApplied >= (final?.index ?? 0));
    },
    10_000,
    'a commit after the restart',
  );
  return { unsynced };
}

/** A disk whose sync answers at once without making anything durable: an fsync that lies. */
function lyingDisk(disk: MemoryDisk): Disk {
  return {
    read: (path) => disk.read(path),
    size: (path) => disk.size(path),
    list: (prefix) => disk.list(prefix),
    write: (path, data) => disk.write(path, data),
    append: (path, data) => disk.append(path, data),
    appendOwned: (path, parts) => disk.appendOwned(path, parts),
    truncate: (path, length) => disk.truncate(path, length),
    remove: (path) => disk.remove(path),
    sync: (onDurable) => onDurable(),
    get stats() {
      return disk.stats;
    },
  };
}

describe('RaftNode across crashes', () => {
  it('loses the writes a crash catches unsynced, but never an acknowledged entry', () => {
    for (const seed of [71n, 72n, 73n, 74n, 75n]) {
      const h = new RaftHarness({ seed, members: MEMBERS, syncLatencyMs: { min: 10, max: 30 } });
      const { unsynced } = crashEverything(h, 150 + Number(seed % 7n) * 13);
      expect(unsynced).toBeGreaterThan(0);
      const applied = h.sm('a').applied;
      for (const id of MEMBERS) expect(h.sm(id).applied).toEqual(applied);
      const acknowledged = h.proposals.filter((p) => p.acknowledged && p.text !== 'final');
      expect(acknowledged.length).toBeGreaterThan(5);
      for (const p of acknowledged) expect(applied).toContain(p.text);
    }
  });

  it('keeps term and vote across a crash, so a replica never votes twice in one term', () => {
    const h = new RaftHarness({ seed: 76n, members: MEMBERS, syncLatencyMs: { min: 5, max: 5 } });
    const leader = h.electLeader();
    h.runFor(50);
    const follower = MEMBERS.find((id) => id !== leader.id) as string;
    const { term, votedFor } = h.node(follower);
    h.crash(follower);
    const again = h.restart(follower);
    expect({ term: again.term, votedFor: again.votedFor }).toEqual({ term, votedFor });
  });

  it('is caught by the safety checker when a disk acknowledges syncs it never made', () => {
    const caught: unknown[] = [];
    for (const seed of [81n, 82n, 83n, 84n, 85n, 86n]) {
      const h = new RaftHarness({
        seed,
        members: MEMBERS,
        syncLatencyMs: { min: 30, max: 60 },
        wrapDisk: lyingDisk,
      });
      try {
        crashEverything(h, 100);
      } catch (error) {
        caught.push(error);
      }
    }
    expect(caught).toHaveLength(6);
    for (const error of caught) expect(error).toBeInstanceOf(RaftSafetyViolation);
  });
});
