/**
 * The Raft core's vocabulary: the requests replicas exchange (the protocol's Raft ops without a request id),
 * the state machine a group replicates into, the probe a safety checker listens on, and the read-only view of
 * a replica that probes, metrics and tests see.
 *
 * It holds no behaviour.
 */
import type { ResultOf } from '@datastreamer/protocol';
import type {
  RaftAppendArgs,
  RaftConfig,
  RaftEntry,
  RaftSnapshotArgs,
  RaftSnapshotMeta,
  RaftVoteArgs,
} from '@datastreamer/protocol/internal';

export type RaftOp = 'RAFT_VOTE' | 'RAFT_APPEND' | 'RAFT_SNAPSHOT';

/** A request from one replica to another: a protocol Raft request without the transport's request id. */
export type RaftRequest =
  | ({ readonly op: 'RAFT_VOTE' } & RaftVoteArgs)
  | ({ readonly op: 'RAFT_APPEND' } & RaftAppendArgs)
  | ({ readonly op: 'RAFT_SNAPSHOT' } & RaftSnapshotArgs);

export type RaftRequestOf<K extends RaftOp> = Extract<RaftRequest, { readonly op: K }>;

/** What the receiving replica answers to a request of op `K`. */
export type RaftResultOf<K extends RaftOp> = ResultOf<K>;

/** Sends `request` to replica `to`; the answer comes back through `RaftNode.handleResult`. */
export type RaftSend = (to: string, request: RaftRequest) => void;

/** A committed command, as the state machine receives it. */
export interface AppliedCommand {
  readonly index: number;
  /** The term the command was proposed in: with `index`, it tells a proposer its command from another. */
  readonly term: number;
  readonly command: Uint8Array;
}

/** What a Raft group replicates into. It is volatile: a restarted replica rebuilds it from its snapshot. */
export interface RaftStateMachine {
  /** Applies a committed command; called once per index, in index order. */
  apply(command: AppliedCommand): void;
  /** The state after the last applied command, as bytes (what `restore` takes back). */
  snapshot(): Uint8Array;
  /** Replaces the whole state by a snapshot's bytes. */
  restore(snapshot: Uint8Array): void;
}

export const RaftRoles = {
  follower: 'follower',
  /** Asking for pre-votes before it disturbs anyone with a new term. */
  preCandidate: 'preCandidate',
  candidate: 'candidate',
  leader: 'leader',
} as const;

export type RaftRole = keyof typeof RaftRoles;

/** How a leader's replication to one member stands. */
export interface FollowerProgress {
  readonly member: string;
  /** The highest index known to agree with the leader's log. */
  readonly matchIndex: number;
  /** The next index to send. */
  readonly nextIndex: number;
  /** `probe`: finding where the logs agree; `replicate`: streaming entries; `snapshot`: sending a snapshot. */
  readonly mode: 'probe' | 'replicate' | 'snapshot';
}

/** A replica as probes, metrics and tests read it. */
export interface RaftNodeView {
  readonly id: string;
  readonly group: string;
  readonly role: RaftRole;
  readonly term: number;
  /** The leader this replica follows (itself when leader), if it knows one. */
  readonly leaderId: string | undefined;
  readonly commitIndex: number;
  readonly lastApplied: number;
  readonly lastIndex: number;
  readonly snapshotIndex: number;
  /** The newest configuration in the log (in effect as soon as it is appended). */
  readonly config: RaftConfig;
  termAt(index: number): number | undefined;
  entryAt(index: number): RaftEntry | undefined;
  /**
   * Leader only: the latest time T such that a majority of the voters (the leader included) acknowledged a
   * message the leader sent at T or later. `undefined` on a follower, or before a majority answered.
   */
  quorumContactAt(): number | undefined;
}

/** Hooks a safety checker listens on; each runs synchronously when the replica does what it names. */
export interface RaftProbe {
  /** `entries` now sit in `node`'s log from `firstIndex` on (replacing any entries there before). */
  appended(node: RaftNodeView, firstIndex: number, entries: readonly RaftEntry[]): void;
  /** `node`'s commit index rose to `commitIndex`. */
  committed(node: RaftNodeView, commitIndex: number): void;
  /** `node` applied the entry at `index` (every kind, not only commands). */
  applied(node: RaftNodeView, index: number, entry: RaftEntry): void;
  /** `node` became leader of its current term. */
  becameLeader(node: RaftNodeView): void;
  /** `node` replaced its state and log head with the snapshot `meta` (taken locally or installed). */
  snapshotInstalled(node: RaftNodeView, meta: RaftSnapshotMeta): void;
}

/** What `onRoleChange` reports. */
export interface RaftRoleChange {
  readonly role: RaftRole;
  readonly term: number;
  readonly leaderId: string | undefined;
}
