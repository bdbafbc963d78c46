import { createRng } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { MemoryDisk } from '../src/disk/memory-disk.js';
import { RaftNode } from '../src/raft/raft-node.js';
import type { RaftNodeOptions } from '../src/raft/raft-options.js';
import { caught } from './support/caught.js';
import { ManualClock } from './support/manual-clock.js';
import { LogStateMachine } from './support/raft/log-state-machine.js';

function options(overrides: Partial<RaftNodeOptions>): RaftNodeOptions {
  const clock = new ManualClock(0);
  return {
    id: 'a',
    group: 'g',
    clock,
    rng: createRng(1n),
    disk: new MemoryDisk({ clock }),
    stateMachine: new LogStateMachine(),
    send: () => {},
    ...overrides,
  };
}

describe('RaftNode options', () => {
  it('refuses each bad option with INVALID_ARGUMENT naming it', () => {
    const bad: [Partial<RaftNodeOptions>, string][] = [
      [{ id: '' }, 'id and group must not be empty'],
      [{ electionTimeoutMs: { min: 0, max: 10 } }, 'electionTimeoutMs.min'],
      [{ electionTimeoutMs: { min: 100, max: 50 } }, 'electionTimeoutMs.max: expected an integer >= 100'],
      [{ heartbeatIntervalMs: 300 }, 'heartbeatIntervalMs (300) must be below electionTimeoutMs.min (300)'],
      [{ maxEntriesPerAppend: 0 }, 'maxEntriesPerAppend'],
      [{ maxInflightAppends: 1.5 }, 'maxInflightAppends'],
      [{ snapshotChunkBytes: -1 }, 'snapshotChunkBytes'],
      [{ snapshotEveryEntries: -1 }, 'snapshotEveryEntries'],
      [{ initialConfig: { voters: ['a', 'b'], learners: ['b'] } }, 'names a member twice'],
    ];
    for (const [override, message] of bad) {
      const error = caught(() => new RaftNode(options(override)));
      expect(error.code, message).toBe('INVALID_ARGUMENT');
      expect(error.message).toContain(message);
    }
  });

  it('starts as a follower of term 0 that knows no group without an initial configuration', () => {
    const node = new RaftNode(options({}));
    expect(node).toMatchObject({
      role: 'follower',
      term: 0,
      commitIndex: 0,
      lastIndex: 0,
      leaderId: undefined,
    });
    expect(node.config).toEqual({ voters: [], learners: [] });
    node.stop();
    expect(node.stopped).toBe(true);
  });

  it('elects itself at once as the only voter, after its first election timeout', () => {
    const clock = new ManualClock(0);
    const node = new RaftNode(
      options({ clock, disk: new MemoryDisk({ clock }), initialConfig: { voters: ['a'], learners: [] } }),
    );
    clock.advance(700);
    expect(node.role).toBe('leader');
    expect(node.term).toBe(1);
    node.propose(Uint8Array.of(1));
    clock.advance(10);
    expect(node.commitIndex).toBe(2);
  });
});
