/**
 * What happened in property runs, counted from each run's history, stream summaries, verdict and network
 * counters: which faults were injected and which recovery paths ran. The default suite sums these over its
 * runs and asserts every fault kind and every recovery path occurred, so a property that passes only
 * because nothing happened fails instead.
 *
 * It judges nothing about correctness (the checkers do) and reads only what a run recorded.
 */
import { type BuggifyPoint, buggifyPointNames } from '@datastreamer/protocol';
import type { TopologyEvent } from '../../src/history/history-event.js';
import type { ScenarioResult } from '../../src/replay/run-scenario.js';
import type { JudgedRun } from './property-scenario.js';

/** The faults of SIMULATION.md, as observed in a run (not merely planned). */
export const ObservedFaults = {
  /** A data unit lost by the `drop` fault. */
  drop: 'drop',
  /** A `setFaults` with a delay range beyond the base delay. */
  delay: 'delay',
  /** A data unit delivered twice. */
  duplicate: 'duplicate',
  /** A link or endpoint clogged. */
  clog: 'clog',
  /** A symmetric or one-way partition, or an isolated endpoint. */
  cut: 'cut',
  /** A heal in the fault phase (a plan's `heal` step), besides the heal phase every run ends with. */
  heal: 'heal',
  /** A `disconnect` reset at least one connection. */
  disconnect: 'disconnect',
  /** Data units in flight were lost with their connection (outcome unknown to the sender). */
  inFlightLost: 'inFlightLost',
  crash: 'crash',
  pause: 'pause',
  move: 'move',
  join: 'join',
  leave: 'leave',
  /** Every node the run started with left, after others joined: the whole cluster replaced. */
  replaced: 'replaced',
} as const;

export type ObservedFault = (typeof ObservedFaults)[keyof typeof ObservedFaults];

/** The recovery paths the streamer and the cluster must exercise. */
export const RecoveryPaths = {
  /** A batch was sent again after a retryable error. */
  retry: 'retry',
  /** A batch was acknowledged as forwarded or after an assignment change. */
  reroute: 'reroute',
  /**
   * A batch attempt arrived after the batch (or a newer one of its partition) was applied, and the node's
   * batch fence acknowledged it without applying it again (late timed-out attempts, duplicated requests).
   */
  staleAttemptFenced: 'staleAttemptFenced',
  /** A crashed node came back (in the plan or at heal). */
  restart: 'restart',
  /** A partition moved, and the client's later batches of it were acknowledged by the new owner. */
  moveFollowed: 'moveFollowed',
  /** A stream failed and reported its failed items. */
  failedReported: 'failedReported',
  /**
   * A batch was acknowledged by a node that joined, after every node the run started with had left: a
   * client followed the cluster to nodes it was never given.
   */
  clusterFollowed: 'clusterFollowed',
} as const;

export type RecoveryPath = (typeof RecoveryPaths)[keyof typeof RecoveryPaths];

/** Counts over one or more runs. */
export interface Tally {
  runs: number;
  /** Streams resolved / rejected. */
  resolved: number;
  rejected: number;
  readonly faults: Record<ObservedFault, number>;
  readonly recovery: Record<RecoveryPath, number>;
  /** Firings of each fault point inside the code (BUGGIFY). */
  readonly buggify: Record<BuggifyPoint, number>;
  /** `NODE_UNAVAILABLE` failures the liveness checker judged for reachability (see liveness.ts). */
  livenessJudged: number;
}

/** An empty tally. */
export function emptyTally(): Tally {
  const faults = {} as Record<ObservedFault, number>;
  for (const kind of Object.values(ObservedFaults)) faults[kind] = 0;
  const recovery = {} as Record<RecoveryPath, number>;
  for (const path of Object.values(RecoveryPaths)) recovery[path] = 0;
  const buggify = {} as Record<BuggifyPoint, number>;
  for (const point of buggifyPointNames()) buggify[point] = 0;
  return { runs: 0, resolved: 0, rejected: 0, faults, recovery, buggify, livenessJudged: 0 };
}

/** A detail of a fault or topology event (by a name in a variable, which the linter and compiler both accept). */
function detail(event: { readonly details: Readonly<Record<string, unknown>> }, name: string): unknown {
  return event.details[name];
}

/** Moves of a partition followed by the client: an ack from the new owner after one from another node. */
function movesFollowed(result: ScenarioResult): number {
  const lastAckNode = new Map<number, string>();
  const movedTo = new Map<number, string>();
  let followed = 0;
  for (const event of result.history.events) {
    if (event.type === 'topology' && event.kind === 'move') {
      const partition = detail(event, 'partition');
      const to = detail(event, 'to');
      if (typeof partition === 'number' && typeof to === 'string') movedTo.set(partition, to);
    } else if (event.type === 'ack') {
      const target = movedTo.get(event.partition);
      const before = lastAckNode.get(event.partition);
      if (target !== undefined && event.node === target && before !== undefined && before !== target) {
        followed++;
        movedTo.delete(event.partition);
      }
      lastAckNode.set(event.partition, event.node);
    }
  }
  return followed;
}

/**
 * Acks from joined nodes after every starting node left (0 when they did not all leave), and whether they
 * all left.
 */
function clusterReplaced(result: ScenarioResult): { readonly replaced: boolean; readonly followed: number } {
  const events = result.history.events;
  const start = events.find((e) => e.type === 'topology' && e.kind === 'start');
  const starting = start === undefined ? [] : (detail(start as TopologyEvent, 'nodes') as string[]);
  const left = new Set<string>();
  let followed = 0;
  for (const event of events) {
    if (event.type === 'topology' && event.kind === 'leave') left.add(String(detail(event, 'node')));
    const replaced = starting.length > 0 && starting.every((n) => left.has(n));
    if (replaced && event.type === 'ack' && !starting.includes(event.node)) followed++;
  }
  return { replaced: starting.length > 0 && starting.every((n) => left.has(n)), followed };
}

/** Adds what `run` did to `tally`. */
export function tallyRun(tally: Tally, run: JudgedRun): void {
  const { result, cluster } = run;
  const faults = tally.faults;
  const recovery = tally.recovery;
  tally.runs++;
  let planHeals = 0;
  for (const event of result.history.events) {
    if (event.type === 'fault') {
      switch (event.kind) {
        case 'drop':
          if (detail(event, 'cause') === 'fault') faults.drop++;
          else faults.cut++;
          break;
        case 'duplicate':
          faults.duplicate++;
          break;
        case 'faults': {
          const settings = detail(event, 'faults') as { readonly delayMs?: readonly number[] } | undefined;
          if ((settings?.delayMs?.[1] ?? 0) > 1) faults.delay++;
          break;
        }
        case 'clog':
          faults.clog++;
          break;
        case 'partition':
        case 'isolate':
          faults.cut++;
          break;
        case 'heal':
          planHeals++;
          break;
        case 'reset':
          if (detail(event, 'reason') === 'disconnect') faults.disconnect++;
          break;
      }
    } else if (event.type === 'topology') {
      switch (event.kind) {
        case 'crash':
        case 'pause':
        case 'move':
        case 'join':
        case 'leave':
          faults[event.kind]++;
          break;
        case 'restart':
          recovery.restart++;
          break;
        case 'heal':
          break;
      }
    } else if (event.type === 'fail') {
      recovery.failedReported++;
    }
  }
  // The heal phase heals the network once; any other network heal came from the plan.
  if (planHeals > 1) faults.heal += planHeals - 1;
  if (cluster.network.stats.unitsDiscarded > 0) faults.inFlightLost++;
  for (const stream of result.streams) {
    if (stream.outcome === 'resolved') tally.resolved++;
    else if (stream.outcome === 'rejected') tally.rejected++;
    recovery.retry += stream.summary?.retries ?? 0;
    recovery.reroute += stream.summary?.rerouted ?? 0;
  }
  for (const name of cluster.nodes) recovery.staleAttemptFenced += cluster.node(name).metrics().staleBatches;
  recovery.moveFollowed += movesFollowed(result);
  const replacement = clusterReplaced(result);
  if (replacement.replaced) faults.replaced++;
  recovery.clusterFollowed += replacement.followed;
  tally.livenessJudged += result.verdict.liveness.failuresJudged;
  for (const [point, counts] of result.buggify ?? []) tally.buggify[point] += counts.fired;
}

/** The fault kinds and recovery paths a tally never saw. */
export function missing(tally: Tally): string[] {
  const out: string[] = [];
  for (const [kind, count] of Object.entries(tally.faults)) if (count === 0) out.push(`fault ${kind}`);
  for (const [path, count] of Object.entries(tally.recovery)) if (count === 0) out.push(`recovery ${path}`);
  for (const [point, count] of Object.entries(tally.buggify)) if (count === 0) out.push(`buggify ${point}`);
  return out;
}

/** One line per counter, for the test log. */
export function formatTally(tally: Tally): string {
  const pairs = (record: Readonly<Record<string, number>>) =>
    Object.entries(record)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
  return [
    `runs=${tally.runs} streams resolved=${tally.resolved} rejected=${tally.rejected} ` +
      `NODE_UNAVAILABLE failures judged for reachability=${tally.livenessJudged}`,
    `faults: ${pairs(tally.faults)}`,
    `recovery: ${pairs(tally.recovery)}`,
    `buggify (fired): ${pairs(tally.buggify)}`,
  ].join('\n');
}

/** What the fail-and-resume scenarios exercised (issue 13): each must happen somewhere in the suite. */
export interface ExactTally {
  runs: number;
  /** Streams that failed, by why: retries spent or a refusal, cancelled, a poison item. */
  failed: number;
  cancelled: number;
  poisoned: number;
  /** Resumes by the same producer / a new one, and how many of them resolved. */
  resumedSame: number;
  resumedNew: number;
  resumesResolved: number;
  /** Partitions sealed by failing streams (nodes' `seals`). */
  seals: number;
  /** Attempts refused as fenced (an older or sealed epoch): late attempts meeting a resume or a seal. */
  fencedAttempts: number;
  /** Items a failed stream reported applied though unacknowledged (its seal said so). */
  appliedBySeal: number;
  /** Items reported in doubt (their partition could not be sealed). */
  inDoubt: number;
  /** Resent items a resume on the same client found applied by the failed run and did not write again. */
  appliedByEarlierRun: number;
}

export function emptyExactTally(): ExactTally {
  return {
    runs: 0,
    failed: 0,
    cancelled: 0,
    poisoned: 0,
    resumedSame: 0,
    resumedNew: 0,
    resumesResolved: 0,
    seals: 0,
    fencedAttempts: 0,
    appliedBySeal: 0,
    inDoubt: 0,
    appliedByEarlierRun: 0,
  };
}

/** Adds what `run` did to `tally`. */
export function tallyExactRun(tally: ExactTally, run: JudgedRun): void {
  const { result, cluster, scenario } = run;
  tally.runs++;
  result.streams.forEach((stream, i) => {
    if (stream.outcome !== 'rejected') return;
    tally.failed++;
    const code = (stream.error as { readonly code?: unknown } | undefined)?.code;
    if (code === 'CANCELLED') tally.cancelled++;
    if (code === 'INVALID_ROW') tally.poisoned++;
    if (stream.resumed !== undefined) {
      if (scenario.workload.streams[i]?.resume?.producer === 'new') tally.resumedNew++;
      else tally.resumedSame++;
      if (stream.resumed.outcome === 'resolved') tally.resumesResolved++;
    }
  });
  for (const event of result.history.events) {
    if (event.type === 'fail') tally.inDoubt += event.inDoubt?.length ?? 0;
    else if (event.type === 'ack' && event.earlierRun !== undefined)
      tally.appliedByEarlierRun += event.indexes.length;
  }
  tally.appliedBySeal += result.verdict.exactOutcomes.counts.reportedApplied;
  for (const name of cluster.nodes) {
    const metrics = cluster.node(name).metrics();
    tally.seals += metrics.seals;
    tally.fencedAttempts += metrics.fencedBatches;
  }
}

/** The counters of an exact tally that stayed at zero. */
export function missingExact(tally: ExactTally): string[] {
  return (
    Object.entries(tally)
      // Reported, not required: a late apply of an in-doubt batch before a same-client resume is rare in a
      // few hundred runs; the regression scenarios (property-regressions.test.ts) reach it every time.
      .filter(([name, count]) => count === 0 && name !== 'appliedByEarlierRun')
      .map(([name]) => name)
  );
}

/** What runs on replicated partitions exercised (issue 14): each must happen somewhere in the suite. */
export interface ReplicationTally {
  runs: number;
  /** Elections beyond each partition's first: failovers. */
  reElections: number;
  /** Leases granted to another replica than the partition's previous holder: primaries that moved. */
  leaseChanges: number;
  /** Snapshots replicas installed from their leaders (nodes still members at the end). */
  snapshotInstalls: number;
  /** Nodes destroyed with their disks. */
  destroys: number;
  /** Crashes that lost unsynced disk writes. */
  lossyCrashes: number;
  /** `isolateMetastorageLeader` steps that found a leader to cut off. */
  metastorageLeaderIsolated: number;
  /** `loseMetastorageMajority` steps that cut off a majority of the members. */
  metastorageMajorityLost: number;
  /** Runs whose metastorage elected a leader more than once (a leader lost or cut off). */
  metastorageReElected: number;
  /** Replica moves (membership changes) that reached their target replica set. */
  replicaMoves: number;
  /** Replica moves during which one of their nodes crashed or was destroyed. */
  movesInterruptedByCrash: number;
  /** Of those, moves that reached their target all the same: resumed after the crash. */
  movesResumedAfterCrash: number;
  /** Of those, repairs: a destroyed node's replica replaced on another node. */
  repairs: number;
  /** Snapshot chunks a leader sent again after they (or their answers) were lost. */
  snapshotChunksResent: number;
  /** Batches a node refused because their sender routed them under an older assignment than it knew. */
  staleAssignmentRefusals: number;
}

export function emptyReplicationTally(): ReplicationTally {
  return {
    runs: 0,
    reElections: 0,
    leaseChanges: 0,
    snapshotInstalls: 0,
    destroys: 0,
    lossyCrashes: 0,
    metastorageLeaderIsolated: 0,
    metastorageMajorityLost: 0,
    metastorageReElected: 0,
    replicaMoves: 0,
    movesInterruptedByCrash: 0,
    movesResumedAfterCrash: 0,
    repairs: 0,
    snapshotChunksResent: 0,
    staleAssignmentRefusals: 0,
  };
}

/** A replica move under way in a run's history: its target, and whether a crash hit one of its nodes. */
interface PendingMove {
  readonly target: readonly string[];
  readonly from: string;
  readonly repair: boolean;
  crashed: boolean;
}

/** Counts the replica moves of a history (see `ReplicationTally`). */
function tallyMoves(tally: ReplicationTally, events: JudgedRun['result']['history']['events']): void {
  const pending = new Map<string, PendingMove>();
  const destroyed = new Set<string>();
  for (const event of events) {
    if (event.type !== 'topology') continue;
    const partition = `${String(detail(event, 'table'))}/${String(detail(event, 'partition'))}`;
    const target = detail(event, 'replicas');
    const node = String(detail(event, 'node'));
    if (event.kind === 'move' && Array.isArray(target)) {
      const from = String(detail(event, 'from'));
      pending.set(partition, {
        target: target.map(String),
        from,
        repair: destroyed.has(from),
        crashed: false,
      });
    } else if (event.kind === 'crash' || event.kind === 'destroy') {
      if (event.kind === 'destroy') destroyed.add(node);
      for (const move of pending.values()) {
        if (move.crashed || !(move.target.includes(node) || move.from === node)) continue;
        move.crashed = true;
        tally.movesInterruptedByCrash++;
      }
    } else if (event.kind === 'membership') {
      const move = pending.get(partition);
      const voters = detail(event, 'voters');
      if (move === undefined || !Array.isArray(voters) || voters.length !== move.target.length) continue;
      if (!move.target.every((n) => voters.includes(n))) continue;
      pending.delete(partition);
      tally.replicaMoves++;
      if (move.crashed) tally.movesResumedAfterCrash++;
      if (move.repair) tally.repairs++;
    }
  }
}

/** Adds what `run` did to `tally`. */
export function tallyReplicationRun(tally: ReplicationTally, run: JudgedRun): void {
  const { result, cluster } = run;
  tally.runs++;
  const elected = new Set<string>();
  const holders = new Map<string, unknown>();
  for (const event of result.history.events) {
    if (event.type === 'fault') {
      if (event.kind === 'isolateMetastorageLeader' && typeof detail(event, 'leader') === 'string') {
        tally.metastorageLeaderIsolated++;
      }
      const cut = detail(event, 'cut');
      if (event.kind === 'loseMetastorageMajority' && Array.isArray(cut) && cut.length > 0) {
        tally.metastorageMajorityLost++;
      }
      continue;
    }
    if (event.type !== 'topology') continue;
    const partition = `${String(detail(event, 'table'))}/${String(detail(event, 'partition'))}`;
    switch (event.kind) {
      case 'election':
        if (elected.has(partition)) tally.reElections++;
        elected.add(partition);
        break;
      case 'lease': {
        const before = holders.get(partition);
        if (before !== undefined && before !== detail(event, 'node')) tally.leaseChanges++;
        holders.set(partition, detail(event, 'node'));
        break;
      }
      case 'destroy':
        tally.destroys++;
        break;
      case 'crash':
        if (typeof detail(event, 'unsyncedLost') === 'number') tally.lossyCrashes++;
        break;
      default:
        break;
    }
  }
  let metastorageElections = 0;
  tallyMoves(tally, result.history.events);
  for (const name of cluster.nodes) {
    const node = cluster.node(name);
    const metrics = node.metrics();
    const { snapshotInstalls, snapshotChunksResent } = metrics.replication;
    tally.staleAssignmentRefusals += metrics.staleAssignmentRefusals;
    tally.snapshotInstalls += snapshotInstalls;
    tally.snapshotChunksResent += snapshotChunksResent;
    metastorageElections += node.metastorage?.electionsWon ?? 0;
  }
  if (metastorageElections > 1) tally.metastorageReElected++;
}

/** The counters of a replication tally that stayed at zero. */
export function missingReplication(tally: ReplicationTally): string[] {
  return Object.entries(tally)
    .filter(([, count]) => count === 0)
    .map(([name]) => name);
}
