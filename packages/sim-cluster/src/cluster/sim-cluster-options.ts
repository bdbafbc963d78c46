/**
 * The options of `SimCluster.start`, their defaults, and their validation: a bad option is a
 * `SimClusterError` naming it, before anything starts. Also the option types of `connect` and
 * `movePartition`, and `ClusterClock`.
 */
import type { ClientOptions } from '@datastreamer/client';
import type { Clock, Logger, Rng } from '@datastreamer/protocol';
import {
  type ClusterNode,
  DEFAULT_MAX_CLOCK_OFFSET_MS,
  type ReceiverContext,
  type UserCredentials,
} from '@datastreamer/server-node';
import type { BuggifyOptions } from '../buggify/buggify-run.js';
import { SimClusterError } from '../errors/sim-cluster-error.js';
import type { DelayRange } from '../network/network-faults.js';

/** A receiver as the nodes run it (see server-node's `DataStreamerReceiver`). */
export type SimReceiver = Parameters<ClusterNode['deployReceiver']>[1];

/**
 * A receiver as `start({ receivers })` takes it: typed for its own payloads, argument and results
 * (`DataStreamerReceiver<Play, Arg, Result>`), so it needs no cast. The node hands it what the client sent,
 * decoded; those types are the receiver's promise about its clients, which nothing checks on the way in.
 */
export type TypedReceiver = (page: readonly never[], context: ReceiverContext, arg: never) => unknown;

export interface SimClusterOptions {
  /** Nodes at the start, named `node-1`, `node-2`, ... (1..64). Default 3. */
  readonly nodes?: number;
  /** Partition count of a table whose definition does not say (1..65535). Default 16. */
  readonly partitions?: number;
  /**
   * The root of every random choice of the run (network faults, jitter, the swarm): a safe non-negative
   * integer or a bigint below 2^64. Default: drawn from the platform's entropy and kept in `cluster.seed`,
   * so a failing run can be replayed.
   */
  readonly seed?: number | bigint;
  /** `'virtual'` (default): simulated time that jumps when the process is idle. `'real'`: the platform clock. */
  readonly clock?: 'virtual' | 'real';
  /** A pino-shaped logger for nodes, clients and the network. Default: silent. */
  readonly logger?: Logger;
  /** One-way network delay `[min, max]` ms with no fault set. Default `[1, 1]` on virtual time, `[0, 0]` on real. */
  readonly networkDelayMs?: DelayRange;
  /** Virtual-time cap that turns a livelock into an error (virtual clock only). Default one hour. */
  readonly maxVirtualTimeMs?: number;
  /** Receivers deployed on every node before the cluster serves, by name. Default: none. */
  readonly receivers?: Readonly<Record<string, TypedReceiver>>;
  /**
   * Copies of each partition of a table whose definition does not say (1..7, at most the node count): with
   * more than 1 each partition is a Raft group over that many nodes, its primary the replica holding the
   * lease. Default 1 (no replication).
   */
  readonly replicas?: number;
  /** Tuning of replicated partitions (Raft timings, leases, the nodes' disks). Defaults as documented. */
  readonly replication?: SimReplicationOptions;
  /**
   * How many of the first nodes form the metastorage, the Raft group the catalog lives in (every other node
   * learns it by watching them): 1..7, at most the node count. 0: no metastorage, the nodes share one
   * in-process catalog. Default 3, or every node when there are fewer.
   */
  readonly metastorageNodes?: number;
  /**
   * `'full'` (default): every applied row (decoded) and every recorded stream's submits and acks go into
   * the history, for `check`. `'off'`: none of them are recorded (the nodes' apply hook is not subscribed,
   * `stream` streams without recording) and `check` throws; faults and topology changes are still recorded.
   * For runs too large for a full history (about 4 KB of heap per event).
   */
  readonly history?: HistoryMode;
  /**
   * Authentication. `users`: clients must connect with one of them (`cluster.connect({ auth: { username,
   * password } })`, sent as Ignite 3's basic authentication); default none, so clients need no credentials.
   * `clusterSecret`: what the nodes prove to each other; default 32 bytes drawn from the seed (node peers
   * always authenticate).
   */
  readonly auth?: SimAuthOptions;
  /**
   * Fault points inside the code (BUGGIFY, see docs/SIMULATION.md): `true` or options turn them on for this
   * run, virtual clock only; the seed decides which points are enabled and when they fire. Default off.
   */
  readonly buggify?: boolean | BuggifyOptions;
}

/** See {@link SimClusterOptions.auth}. */
export interface SimAuthOptions {
  readonly users?: readonly UserCredentials[];
  readonly clusterSecret?: string;
}

/** Tuning of replicated partitions. */
export interface SimReplicationOptions {
  /** Raft election timeout range, ms. Default 300..600 on the virtual clock, 1000..2000 on the real one. */
  readonly electionTimeoutMs?: { readonly min: number; readonly max: number };
  /** Raft heartbeat interval, ms (below the election timeout's min). Default 50 (virtual), 100 (real). */
  readonly heartbeatIntervalMs?: number;
  /** A replica snapshots its state every this many applied entries (0: never). Default 4096. */
  readonly snapshotEveryEntries?: number;
  /** Bytes per snapshot chunk. Default 64 KiB. */
  readonly snapshotChunkBytes?: number;
  /** Lease length, ms: longer than the nodes' clock-offset bound (500 ms). Default 2000. */
  readonly leaseMs?: number;
  /** Each node's simulated fsync latency, ms: a number, or a range drawn per sync. Default 2. */
  readonly syncLatencyMs?: number | { readonly min: number; readonly max: number };
}

/** What `SimCluster` records: see {@link SimClusterOptions.history}. */
export const HistoryModes = ['full', 'off'] as const;
export type HistoryMode = (typeof HistoryModes)[number];

export interface ResolvedSimClusterOptions {
  readonly nodes: number;
  readonly partitions: number;
  readonly seed: number | bigint | undefined;
  readonly clock: 'virtual' | 'real';
  readonly logger: Logger | undefined;
  readonly networkDelayMs: DelayRange | undefined;
  readonly maxVirtualTimeMs: number | undefined;
  readonly receivers: Readonly<Record<string, SimReceiver>>;
  readonly history: HistoryMode;
  readonly replicas: number;
  readonly replication: SimReplicationOptions;
  /** 0: none. */
  readonly metastorageNodes: number;
  readonly auth: SimAuthOptions;
  /** Undefined: off. */
  readonly buggify: BuggifyOptions | undefined;
}

function integerIn(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new SimClusterError(
      'INVALID_ARGUMENT',
      `option ${name} must be an integer in ${min}..${max}, got ${String(value)}`,
    );
  }
  return value;
}

/** @throws SimClusterError `INVALID_ARGUMENT` naming the first bad option. */
export function resolveSimClusterOptions(options: unknown): ResolvedSimClusterOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new SimClusterError('INVALID_ARGUMENT', 'SimCluster.start takes an options object');
  }
  const o = options as SimClusterOptions;
  const known = [
    'nodes',
    'partitions',
    'seed',
    'clock',
    'logger',
    'networkDelayMs',
    'maxVirtualTimeMs',
    'receivers',
    'history',
    'replicas',
    'replication',
    'metastorageNodes',
    'auth',
    'buggify',
  ];
  for (const name of Object.keys(o)) {
    if (!known.includes(name)) {
      throw new SimClusterError('INVALID_ARGUMENT', `unknown option ${name} (known: ${known.join(', ')})`);
    }
  }
  const clock = o.clock ?? 'virtual';
  if (clock !== 'virtual' && clock !== 'real') {
    throw new SimClusterError(
      'INVALID_ARGUMENT',
      `option clock must be 'virtual' or 'real', got ${String(clock)}`,
    );
  }
  if (o.seed !== undefined && typeof o.seed !== 'number' && typeof o.seed !== 'bigint') {
    throw new SimClusterError(
      'INVALID_ARGUMENT',
      `option seed must be a number or a bigint, got ${typeof o.seed}`,
    );
  }
  if (
    o.maxVirtualTimeMs !== undefined &&
    !(typeof o.maxVirtualTimeMs === 'number' && o.maxVirtualTimeMs > 0)
  ) {
    throw new SimClusterError('INVALID_ARGUMENT', `option maxVirtualTimeMs must be a positive number`);
  }
  const history = o.history ?? 'full';
  if (!(HistoryModes as readonly unknown[]).includes(history)) {
    throw new SimClusterError(
      'INVALID_ARGUMENT',
      `option history must be 'full' or 'off', got ${String(history)}`,
    );
  }
  const receivers = o.receivers ?? {};
  if (typeof receivers !== 'object' || receivers === null || Array.isArray(receivers)) {
    throw new SimClusterError('INVALID_ARGUMENT', 'option receivers must be an object of name: receiver');
  }
  for (const [name, receiver] of Object.entries(receivers)) {
    if (typeof receiver !== 'function') {
      throw new SimClusterError(
        'INVALID_ARGUMENT',
        `option receivers: receiver '${name}' must be a function, got ${typeof receiver}`,
      );
    }
  }
  const nodes = integerIn('nodes', o.nodes ?? 3, 1, 64);
  const replication = o.replication ?? {};
  if (typeof replication !== 'object' || replication === null || Array.isArray(replication)) {
    throw new SimClusterError('INVALID_ARGUMENT', 'option replication must be an object');
  }
  const knownReplication = [
    'electionTimeoutMs',
    'heartbeatIntervalMs',
    'snapshotEveryEntries',
    'snapshotChunkBytes',
    'leaseMs',
    'syncLatencyMs',
  ];
  for (const name of Object.keys(replication)) {
    if (!knownReplication.includes(name)) {
      throw new SimClusterError(
        'INVALID_ARGUMENT',
        `unknown option replication.${name} (known: ${knownReplication.join(', ')})`,
      );
    }
  }
  checkReplication(replication);
  // Every value is a function (checked above); what it declares about its payloads is the user's promise.
  const deployable = receivers as Readonly<Record<string, SimReceiver>>;
  return {
    nodes,
    replicas: integerIn('replicas', o.replicas ?? 1, 1, Math.min(7, nodes)),
    replication,
    metastorageNodes: integerIn(
      'metastorageNodes',
      o.metastorageNodes ?? Math.min(3, nodes),
      0,
      Math.min(7, nodes),
    ),
    auth: checkAuth(o.auth),
    buggify: checkBuggify(o.buggify, clock),
    partitions: integerIn('partitions', o.partitions ?? 16, 1, 65_535),
    seed: o.seed,
    clock,
    logger: o.logger,
    networkDelayMs: o.networkDelayMs,
    maxVirtualTimeMs: o.maxVirtualTimeMs,
    receivers: deployable,
    history,
  };
}

/** Checks the replication tuning. @throws SimClusterError `INVALID_ARGUMENT` naming the first bad field. */
function checkReplication(replication: SimReplicationOptions): void {
  const { electionTimeoutMs, heartbeatIntervalMs, snapshotEveryEntries, snapshotChunkBytes } = replication;
  const { leaseMs, syncLatencyMs } = replication;
  let electionMin = 300;
  if (electionTimeoutMs !== undefined) {
    electionMin = integerIn('replication.electionTimeoutMs.min', electionTimeoutMs.min, 2, 600_000);
    integerIn('replication.electionTimeoutMs.max', electionTimeoutMs.max, electionMin, 600_000);
  }
  if (heartbeatIntervalMs !== undefined) {
    integerIn('replication.heartbeatIntervalMs', heartbeatIntervalMs, 1, electionMin - 1);
  }
  if (snapshotEveryEntries !== undefined) {
    integerIn('replication.snapshotEveryEntries', snapshotEveryEntries, 0, 2 ** 31 - 1);
  }
  if (snapshotChunkBytes !== undefined) {
    integerIn('replication.snapshotChunkBytes', snapshotChunkBytes, 1, 2 ** 31 - 1);
  }
  // A leaseholder stops serving the nodes' clock-offset bound before its lease expires: a lease must be longer.
  if (leaseMs !== undefined) {
    integerIn('replication.leaseMs', leaseMs, DEFAULT_MAX_CLOCK_OFFSET_MS + 1, 3_600_000);
  }
  if (typeof syncLatencyMs === 'number') integerIn('replication.syncLatencyMs', syncLatencyMs, 0, 60_000);
  else if (syncLatencyMs !== undefined) {
    const min = integerIn('replication.syncLatencyMs.min', syncLatencyMs.min, 0, 60_000);
    integerIn('replication.syncLatencyMs.max', syncLatencyMs.max, min, 60_000);
  }
}

/** Checks `buggify`: a boolean or an options object (checked by `BuggifyRun`), on virtual time only. */
function checkBuggify(buggify: unknown, clock: 'virtual' | 'real'): BuggifyOptions | undefined {
  if (buggify === undefined || buggify === false) return undefined;
  if (buggify !== true && (typeof buggify !== 'object' || buggify === null || Array.isArray(buggify))) {
    throw new SimClusterError(
      'INVALID_ARGUMENT',
      `option buggify must be a boolean or { enabledShare?, probability?, enable? }, got ${String(buggify)}`,
    );
  }
  if (clock === 'real') {
    throw new SimClusterError(
      'INVALID_ARGUMENT',
      "option buggify needs clock: 'virtual' (fault points never fire on the real clock)",
    );
  }
  if (buggify === true) return {};
  const { enabledShare, probability, enable, ...rest } = buggify as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) {
    throw new SimClusterError(
      'INVALID_ARGUMENT',
      `unknown option buggify.${unknown} (known: enabledShare, probability, enable)`,
    );
  }
  if (enable !== undefined && !Array.isArray(enable)) {
    throw new SimClusterError('INVALID_ARGUMENT', 'option buggify.enable must be an array of point names');
  }
  return buggify as BuggifyOptions;
}

/** Checks the shape of `auth` (the nodes check each user); never quotes a password. */
function checkAuth(auth: unknown): SimAuthOptions {
  if (auth === undefined) return {};
  if (typeof auth !== 'object' || auth === null || Array.isArray(auth)) {
    throw new SimClusterError('INVALID_ARGUMENT', 'option auth must be an object { users?, clusterSecret? }');
  }
  const { users, clusterSecret, ...rest } = auth as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) {
    throw new SimClusterError(
      'INVALID_ARGUMENT',
      `unknown option auth.${unknown} (known: users, clusterSecret)`,
    );
  }
  if (clusterSecret !== undefined && (typeof clusterSecret !== 'string' || clusterSecret.length === 0)) {
    throw new SimClusterError('INVALID_ARGUMENT', 'option auth.clusterSecret must be a non-empty string');
  }
  if (users !== undefined) {
    const valid =
      Array.isArray(users) &&
      users.every((user: unknown) => {
        const { username, password } = (user ?? {}) as { username?: unknown; password?: unknown };
        return typeof username === 'string' && username.length > 0 && typeof password === 'string';
      });
    if (!valid) {
      throw new SimClusterError(
        'INVALID_ARGUMENT',
        'option auth.users must be an array of { username: a non-empty string, password: a string }',
      );
    }
  }
  return auth as SimAuthOptions;
}

/** 32 random bytes from `rng`, in hex: the default cluster secret, a function of the seed. */
export function defaultClusterSecret(rng: Rng): string {
  let hex = '';
  for (let i = 0; i < 8; i++) hex += rng.nextUint32().toString(16).padStart(8, '0');
  return hex;
}

/** What `connect` takes: a subset of nodes, and client options other than transport and endpoints. */
export interface ConnectOptions
  extends Omit<ClientOptions, 'transport' | 'endpoints' | 'clock' | 'rng' | 'buggify'> {
  /**
   * The nodes to connect to. Default: every running node. A client given a subset keeps to it (its
   * `clusterDiscovery` defaults to false: the server forwards), unless `clusterDiscovery: true` is given.
   */
  readonly nodes?: readonly string[];
}

/** How `movePartition` moves a replica of a replicated table. */
export interface ReplicaMoveOptions {
  /** The replica that leaves. Default: the last replica that is not the primary. */
  readonly from?: string;
  /** How long to wait for the move, in cluster ms. Default {@link REPLICA_MOVE_WAIT_MS}; 0: not at all. */
  readonly waitMs?: number;
}

/** A clock with the `sleep` tests use; virtual or real. */
export type ClusterClock = Clock;
