/**
 * The options of a Raft replica, their defaults, and their check. Times are milliseconds on the injected
 * `Clock`; randomness (election timeouts) comes from the injected `Rng`.
 *
 * It does not run anything: raft-node.ts reads the checked settings.
 */
import type { Buggify, Clock, Logger, Rng } from '@datastreamer/protocol';
import type { RaftConfig } from '@datastreamer/protocol/internal';
import type { Disk } from '../disk/disk.js';
import { ServerError } from '../errors/server-error.js';
import type { RaftProbe, RaftRoleChange, RaftSend, RaftStateMachine } from './raft-types.js';

export const RAFT_DEFAULTS = {
  electionTimeoutMs: { min: 300, max: 600 },
  heartbeatIntervalMs: 50,
  maxEntriesPerAppend: 64,
  maxInflightAppends: 8,
  snapshotChunkBytes: 64 * 1024,
  snapshotEveryEntries: 4096,
  preVote: true,
} as const;

/** The tuning a node gives every Raft group it holds (a partition's, the metastorage's): see `RaftNodeOptions`. */
export type RaftTuning = Pick<
  RaftNodeOptions,
  | 'electionTimeoutMs'
  | 'heartbeatIntervalMs'
  | 'maxEntriesPerAppend'
  | 'maxInflightAppends'
  | 'snapshotChunkBytes'
  | 'snapshotEveryEntries'
>;

export interface RaftNodeOptions {
  /** This replica's name, unique in its group (the node's name). */
  readonly id: string;
  /** The group's name: the first field of every request, and the storage folder's name. */
  readonly group: string;
  readonly clock: Clock;
  /** Election timeouts are drawn from here. */
  readonly rng: Rng;
  /** The node's disk; the replica keeps its files under `storagePrefix`. */
  readonly disk: Disk;
  /** Default `raft/<group>`. */
  readonly storagePrefix?: string;
  readonly stateMachine: RaftStateMachine;
  readonly send: RaftSend;
  /**
   * The configuration of a new group, for its founding members; ignored once the disk holds a snapshot (the
   * log's config entries override it too). A replica created without one waits to learn its group from a
   * leader, as a learner being added does. Default: no members.
   */
  readonly initialConfig?: RaftConfig;
  /**
   * The election timeout is drawn uniformly from [min, max] each time it is armed. `min` is also how long a
   * replica refuses to vote after hearing from a leader, and so the longest lease a leader can rely on.
   * Default 300..600.
   */
  readonly electionTimeoutMs?: { readonly min: number; readonly max: number };
  /** How often a leader contacts each member. Default 50; must be below the election timeout's min. */
  readonly heartbeatIntervalMs?: number;
  /** Default 64. */
  readonly maxEntriesPerAppend?: number;
  /** Appends sent to one member and not yet answered, while streaming. Default 8. */
  readonly maxInflightAppends?: number;
  /** Default 64 KiB. */
  readonly snapshotChunkBytes?: number;
  /** Take a snapshot (and compact the log) every this many applied entries; 0: only on request. Default 4096. */
  readonly snapshotEveryEntries?: number;
  /** Ask for pre-votes before starting an election (Raft thesis 9.6). Default true. */
  readonly preVote?: boolean;
  /** Default: silent. */
  readonly logger?: Logger;
  /** Hooks for a safety checker (tests). Default: none. */
  readonly probe?: RaftProbe;
  /**
   * Fault points (simulation only): `raft.election-timeout-early` arms an election timer at 1 ms,
   * `raft.snapshot-now` snapshots (and compacts the log) right after an entry applies. Default: none fires.
   */
  readonly buggify?: Buggify;
  /** Called when the role, term or known leader changes. Default: none. */
  readonly onRoleChange?: (change: RaftRoleChange) => void;
}

/** The options with every default filled in, checked. */
export interface RaftSettings {
  readonly electionMin: number;
  readonly electionMax: number;
  readonly heartbeatMs: number;
  readonly maxEntries: number;
  readonly maxInflight: number;
  readonly chunkBytes: number;
  readonly snapshotEvery: number;
  readonly preVote: boolean;
}

function positiveInteger(name: string, value: number, min = 1): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new ServerError(
      'INVALID_ARGUMENT',
      `Raft option ${name}: expected an integer >= ${min}, got ${value}`,
    );
  }
  return value;
}

/**
 * Fills in the defaults and checks every setting.
 * @throws ServerError `INVALID_ARGUMENT` naming the first bad option.
 */
export function raftSettings(options: RaftNodeOptions): RaftSettings {
  if (options.id.length === 0 || options.group.length === 0) {
    throw new ServerError('INVALID_ARGUMENT', 'Raft options id and group must not be empty');
  }
  const election = options.electionTimeoutMs ?? RAFT_DEFAULTS.electionTimeoutMs;
  const electionMin = positiveInteger('electionTimeoutMs.min', election.min);
  const electionMax = positiveInteger('electionTimeoutMs.max', election.max, electionMin);
  const heartbeatMs = positiveInteger(
    'heartbeatIntervalMs',
    options.heartbeatIntervalMs ?? RAFT_DEFAULTS.heartbeatIntervalMs,
  );
  if (heartbeatMs >= electionMin) {
    throw new ServerError(
      'INVALID_ARGUMENT',
      `Raft option heartbeatIntervalMs (${heartbeatMs}) must be below electionTimeoutMs.min (${electionMin})`,
    );
  }
  const config = options.initialConfig;
  if (config !== undefined) {
    const members = [...config.voters, ...config.learners];
    if (new Set(members).size !== members.length) {
      throw new ServerError('INVALID_ARGUMENT', `Raft option initialConfig names a member twice: ${members}`);
    }
  }
  return {
    electionMin,
    electionMax,
    heartbeatMs,
    maxEntries: positiveInteger(
      'maxEntriesPerAppend',
      options.maxEntriesPerAppend ?? RAFT_DEFAULTS.maxEntriesPerAppend,
    ),
    maxInflight: positiveInteger(
      'maxInflightAppends',
      options.maxInflightAppends ?? RAFT_DEFAULTS.maxInflightAppends,
    ),
    chunkBytes: positiveInteger(
      'snapshotChunkBytes',
      options.snapshotChunkBytes ?? RAFT_DEFAULTS.snapshotChunkBytes,
    ),
    snapshotEvery: positiveInteger(
      'snapshotEveryEntries',
      options.snapshotEveryEntries ?? RAFT_DEFAULTS.snapshotEveryEntries,
      0,
    ),
    preVote: options.preVote ?? RAFT_DEFAULTS.preVote,
  };
}
