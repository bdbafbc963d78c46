/**
 * fast-check arbitraries for the Raft ops' requests and results (see wire-arbitraries.ts for every other
 * op): log entries of every kind, snapshot metadata with and without a lease, non-negative terms and indexes.
 */
import fc from 'fast-check';
import type { RaftConfig, RaftEntry, RaftLease, RaftSnapshotMeta } from '../../src/messages/raft-entry.js';
import type {
  RaftAppendArgs,
  RaftAppendResult,
  RaftSnapshotArgs,
  RaftSnapshotResult,
  RaftVoteArgs,
  RaftVoteResult,
} from '../../src/messages/raft-messages.js';

const number = fc.maxSafeInteger().map(Math.abs);
const name = fc.string({ unit: 'grapheme', maxLength: 12 });
const names = fc.array(name, { maxLength: 4 });

export const raftConfig: fc.Arbitrary<RaftConfig> = fc.record({ voters: names, learners: names });

export const raftLease: fc.Arbitrary<RaftLease> = fc.record({
  holder: name,
  startMs: number,
  expiresAtMs: number,
});

export const raftEntry: fc.Arbitrary<RaftEntry> = fc.oneof(
  fc.record({
    kind: fc.constant('command' as const),
    term: number,
    command: fc.uint8Array({ maxLength: 24 }),
  }),
  fc.record({ kind: fc.constant('noop' as const), term: number }),
  fc.record({ kind: fc.constant('config' as const), term: number, config: raftConfig }),
  fc.record({ kind: fc.constant('lease' as const), term: number, lease: raftLease }),
);

const snapshotMeta: fc.Arbitrary<RaftSnapshotMeta> = fc.record({
  index: number,
  term: number,
  config: raftConfig,
  lease: fc.option(raftLease, { nil: null }),
});

const envelope = { group: name, from: name, term: number };

export const raftVoteArgs: fc.Arbitrary<RaftVoteArgs> = fc.record({
  ...envelope,
  lastLogIndex: number,
  lastLogTerm: number,
  preVote: fc.boolean(),
});

export const raftAppendArgs: fc.Arbitrary<RaftAppendArgs> = fc.record({
  ...envelope,
  leaderTime: number,
  prevLogIndex: number,
  prevLogTerm: number,
  leaderCommit: number,
  entries: fc.array(raftEntry, { maxLength: 5 }),
});

export const raftSnapshotArgs: fc.Arbitrary<RaftSnapshotArgs> = fc.record({
  ...envelope,
  leaderTime: number,
  meta: snapshotMeta,
  offset: number,
  data: fc.uint8Array({ maxLength: 40 }),
  done: fc.boolean(),
});

export const raftVoteResult: fc.Arbitrary<RaftVoteResult> = fc.record({
  term: number,
  granted: fc.boolean(),
  preVote: fc.boolean(),
});

export const raftAppendResult: fc.Arbitrary<RaftAppendResult> = fc.record({
  term: number,
  success: fc.boolean(),
  index: number,
  leaderTime: number,
});

export const raftSnapshotResult: fc.Arbitrary<RaftSnapshotResult> = fc.record({
  term: number,
  snapshotIndex: number,
  nextOffset: number,
  done: fc.boolean(),
  leaderTime: number,
});
