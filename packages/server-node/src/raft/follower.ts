/**
 * A follower's handling of what its leader sends, once the node has checked the term: the consistency check
 * and conflict repair of an append (Raft figure 2, with the leader told where to resume from when the check
 * fails), and the gathering and installing of a snapshot sent in chunks.
 *
 * It does not answer: the node sends the outcome once what it promises is durable.
 */
import type { RaftAppendArgs, RaftSnapshotArgs } from '@datastreamer/protocol/internal';
import type { RaftLog } from './raft-log.js';
import type { ReplicaState } from './replica-state.js';
import { SnapshotReceiver } from './snapshot-receiver.js';

/** What an append did: `index` is the last index now agreeing with the leader, or where to resume. */
export interface AppendOutcome {
  readonly success: boolean;
  readonly index: number;
}

/** The first index of the run of entries that share the term of the entry at `index`. */
function firstIndexOfTerm(log: RaftLog, index: number): number {
  const term = log.termAt(index);
  let first = index;
  while (first - 1 > log.snapshotIndex && log.termAt(first - 1) === term) first--;
  return first;
}

/**
 * Checks that the log agrees with the leader's at `prevLogIndex`, removes the entries that conflict with the
 * new ones, appends those it lacks, and commits up to what the leader committed (within the new entries).
 */
export function acceptAppend(state: ReplicaState, args: RaftAppendArgs): AppendOutcome {
  const log = state.log;
  const { prevLogIndex, entries } = args;
  if (prevLogIndex > log.lastIndex) return { success: false, index: log.lastIndex + 1 };
  // Below the snapshot everything is committed, so it agrees with any leader.
  if (prevLogIndex >= log.snapshotIndex && log.termAt(prevLogIndex) !== args.prevLogTerm) {
    // Skip the whole conflicting term at once; entries up to the commit index agree for sure.
    return { success: false, index: Math.max(state.commitIndex + 1, firstIndexOfTerm(log, prevLogIndex)) };
  }
  let k = Math.max(0, log.snapshotIndex - prevLogIndex);
  for (; k < entries.length; k++) {
    const have = log.termAt(prevLogIndex + 1 + k);
    if (have === undefined) break;
    if (have !== entries[k]?.term) {
      state.truncateFrom(prevLogIndex + 1 + k);
      break;
    }
  }
  if (k < entries.length) state.append(entries.slice(k));
  const lastNew = prevLogIndex + entries.length;
  state.commitTo(Math.min(args.leaderCommit, lastNew));
  return { success: true, index: lastNew };
}

/** What a snapshot chunk did: the offset wanted next, and whether the snapshot is now installed. */
export interface ChunkOutcome {
  /** The snapshot being received after this chunk (`undefined` when none is). */
  readonly receiver: SnapshotReceiver | undefined;
  readonly nextOffset: number;
  readonly done: boolean;
}

/**
 * Takes one chunk of the snapshot `args.meta`, and installs the snapshot when the last chunk completes it. A
 * snapshot that covers nothing past the commit index is answered as done at once.
 */
export function acceptSnapshotChunk(
  state: ReplicaState,
  receiving: SnapshotReceiver | undefined,
  args: RaftSnapshotArgs,
): ChunkOutcome {
  if (args.meta.index <= state.commitIndex) {
    return { receiver: undefined, nextOffset: args.offset + args.data.length, done: true };
  }
  let receiver = receiving;
  if (args.offset === 0) receiver = new SnapshotReceiver(args.meta);
  if (receiver === undefined || !receiver.isFor(args.meta)) {
    return { receiver: undefined, nextOffset: 0, done: false };
  }
  if (!receiver.take(args.offset, args.data) || !args.done) {
    return { receiver, nextOffset: receiver.received, done: false };
  }
  state.installSnapshot(args.meta, receiver.bytes());
  return { receiver: undefined, nextOffset: receiver.received, done: true };
}
