/**
 * Swarm testing (as FoundationDB does it): instead of every run suffering every fault a little, each run
 * draws from its seed WHICH fault kinds are on and HOW hard (drop rate, delay tail, how often, how long),
 * so across seeds some runs hammer one mechanism and others combine a few. The draws come from the cluster
 * seed's `swarm` child stream, so the same seed gives the same profile and the same plan, and nothing else
 * in the run shifts when the swarm changes.
 *
 * The swarm produces an ordinary fault plan (plain data, dumpable, replayable without the swarm), generated
 * while following the membership it implies: a crash leaves at least one node running and is followed by
 * a restart; cuts (the metastorage's leader or majority cut off included) are followed by a heal; joins,
 * leaves and moves happen only while no node is crashed (a move needs both ends up), except moves of a
 * replicated table's replicas, which are membership changes that must survive crashes; leaves and destroys
 * keep a majority of the metastorage's members (`SwarmTargets.metastorageNodes`); a destroy (opt in) happens
 * once at most, with every member running, and when every table is replicated a new node joins right after
 * it (the destroyed node replaced: repairs may put replicas on it). With joins and leaves on, and no
 * metastorage, now and then (a share {@link REPLACE_ALL_CHANCE} of the leaves drawn, once per plan) a leave
 * becomes a replacement of the whole cluster: nodes join, then, {@link REPLACE_ALL_GAP_MS} later, every node
 * the plan started with leaves, {@link REPLACE_ALL_SPACING_MS} apart, so clients must follow the cluster to
 * nodes they were never given. (A metastorage does not replace its members yet.) `runSwarm` runs the plan
 * over the fault phase, then heals (the two phases of
 * SIMULATION.md).
 */
import { createRng, type Rng } from '@datastreamer/protocol';
import type { SimCluster } from '../cluster/sim-cluster.js';
import type { Fault, FaultPlan, FaultStep, NetworkSettings } from './fault.js';
import { FaultPlanError } from './fault-plan-error.js';
import { type HealReport, healCluster, runSchedule, type ScheduleReport } from './run-schedule.js';
import { SwarmState } from './swarm-state.js';

/** What a swarm may turn on. The first five are network settings; the rest are events in time. */
export const SwarmFaultKinds = {
  drop: 'drop',
  duplicate: 'duplicate',
  reset: 'reset',
  delay: 'delay',
  /** Off by default: a real connection keeps order (opt in for adversarial runs). */
  reorder: 'reorder',
  clog: 'clog',
  partition: 'partition',
  isolate: 'isolate',
  disconnect: 'disconnect',
  crash: 'crash',
  /**
   * Off by default: a node destroyed with its disk, at most once per plan and only while every member runs
   * (each replicated partition keeps a majority). Turn it on for clusters whose tables are all replicated:
   * an unreplicated partition's data goes with the node.
   */
  destroy: 'destroy',
  pause: 'pause',
  move: 'move',
  join: 'join',
  leave: 'leave',
  /** The metastorage's leader cut off from the other nodes, healed later (nothing without a metastorage). */
  isolateMetastorageLeader: 'isolateMetastorageLeader',
  /** A majority of the metastorage's members cut off, healed later (nothing without a metastorage). */
  loseMetastorageMajority: 'loseMetastorageMajority',
} as const;

export type SwarmFaultKind = (typeof SwarmFaultKinds)[keyof typeof SwarmFaultKinds];

/** Every kind but `reorder` and `destroy`. */
export const DEFAULT_SWARM_KINDS: readonly SwarmFaultKind[] = Object.values(SwarmFaultKinds).filter(
  (k) => k !== 'reorder' && k !== 'destroy',
);

/** Default length of the fault phase, in virtual ms. */
export const DEFAULT_SWARM_DURATION_MS = 5000;

/** How likely a leave the swarm draws becomes a replacement of every starting node (once per plan). */
export const REPLACE_ALL_CHANCE = 0.25;

/** Between a replacement's joins and its first leave: time for clients to hear of the new nodes, in ms. */
export const REPLACE_ALL_GAP_MS = 150;

/** Between two leaves of a replacement, in ms: time for a client that lost one node to ask another. */
export const REPLACE_ALL_SPACING_MS = 30;

const NETWORK_KINDS: ReadonlySet<SwarmFaultKind> = new Set([
  'drop',
  'duplicate',
  'reset',
  'delay',
  'reorder',
]);

/** What one run's swarm does: drawn from the seed. Plain data. */
export interface SwarmProfile {
  /** The kinds turned on (at least one), in {@link SwarmFaultKinds} order. */
  readonly kinds: readonly SwarmFaultKind[];
  /** Network settings in force over the whole fault phase (those of the network kinds turned on). */
  readonly network: NetworkSettings;
  /** Mean gap between two fault events, in ms. */
  readonly meanGapMs: number;
  /** Longest clog, pause, cut or crash, in ms. */
  readonly maxHoldMs: number;
}

/** What the swarm may aim at. */
export interface SwarmTargets {
  /** Member nodes when the plan starts (`cluster.nodes`). */
  readonly nodes: readonly string[];
  /** Client endpoints cuts, clogs and disconnects may involve (`client-1`, ...). Default none. */
  readonly clients?: readonly string[];
  /** Tables whose partitions may move (`replicated`: Raft groups, moved by membership changes). Default none. */
  readonly tables?: readonly {
    readonly name: string;
    readonly partitions: number;
    readonly replicated?: boolean;
  }[];
  /** Most members at once (joins stop there). Default: the starting count plus 2. */
  readonly maxNodes?: number;
  /**
   * The metastorage's members (`cluster.metastorageNodes`): leaves and destroys keep a majority of them, and
   * no replacement of the whole cluster is drawn while there are any. Default none.
   */
  readonly metastorageNodes?: readonly string[];
}

/** Options of {@link planSwarm} and {@link runSwarm}. */
export interface SwarmOptions extends Omit<SwarmTargets, 'nodes'> {
  /** Length of the fault phase in virtual ms. Default {@link DEFAULT_SWARM_DURATION_MS}. */
  readonly durationMs?: number;
  /** The kinds the swarm may turn on. Default {@link DEFAULT_SWARM_KINDS}. */
  readonly kinds?: readonly SwarmFaultKind[];
}

/** A swarm's profile and the plan it made. */
export interface SwarmPlan {
  readonly profile: SwarmProfile;
  readonly plan: FaultPlan;
}

/** `x` log-uniformly in [lo, hi]: small rates are as likely as large ones, per order of magnitude. */
function logUniform(rng: Rng, lo: number, hi: number): number {
  return lo * (hi / lo) ** rng.next();
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(0, items.length - 1)] as T;
}

function checkKinds(kinds: readonly SwarmFaultKind[]): readonly SwarmFaultKind[] {
  const known: readonly string[] = Object.values(SwarmFaultKinds);
  if (!Array.isArray(kinds) || kinds.length === 0) {
    throw new FaultPlanError('swarm kinds must be a non-empty array of fault kinds');
  }
  for (const kind of kinds) {
    if (!known.includes(kind)) {
      throw new FaultPlanError(`swarm kind ${JSON.stringify(kind)} is unknown (known: ${known.join(', ')})`);
    }
  }
  return kinds;
}

/**
 * Draws a profile: each candidate kind is on with probability 1/2 (at least one is), rates log-uniform
 * (drop and duplicate 0.1 %..5 %, reset 0.05 %..1 %, delay tail up to 2..100 ms), mean gap 50..1000 ms,
 * longest hold 50..3000 ms.
 *
 * @throws FaultPlanError for an empty or unknown kind list.
 */
export function drawSwarmProfile(
  rng: Rng,
  kinds: readonly SwarmFaultKind[] = DEFAULT_SWARM_KINDS,
): SwarmProfile {
  const candidates = new Set(checkKinds(kinds));
  const all = Object.values(SwarmFaultKinds).filter((k) => candidates.has(k));
  let on = all.filter(() => rng.chance(0.5));
  if (on.length === 0) on = [pick(rng, all)];
  const network: { -readonly [K in keyof NetworkSettings]: NetworkSettings[K] } = {};
  const drop = logUniform(rng, 0.001, 0.05);
  const duplicate = logUniform(rng, 0.001, 0.05);
  const reset = logUniform(rng, 0.0005, 0.01);
  const delayMax = Math.round(logUniform(rng, 2, 100));
  if (on.includes('drop')) network.drop = drop;
  if (on.includes('duplicate')) network.duplicate = duplicate;
  if (on.includes('reset')) network.reset = reset;
  if (on.includes('delay')) network.delayMs = [1, delayMax];
  if (on.includes('reorder')) network.reorder = true;
  return {
    kinds: on,
    network,
    meanGapMs: Math.round(logUniform(rng, 50, 1000)),
    maxHoldMs: Math.round(logUniform(rng, 50, 3000)),
  };
}

/**
 * Generates the plan of a profile over `durationMs`: the network settings at 0, then fault events with
 * exponential gaps of mean `profile.meanGapMs`, each with its follow-up (heal after a cut, restart after a
 * crash) when that falls within the phase. Deterministic for the same `rng` state and arguments.
 *
 * @throws FaultPlanError when `targets.nodes` is empty or `durationMs` is not a finite number >= 0.
 */
export function swarmPlan(
  rng: Rng,
  profile: SwarmProfile,
  targets: SwarmTargets,
  durationMs: number = DEFAULT_SWARM_DURATION_MS,
): FaultPlan {
  if (!Array.isArray(targets.nodes) || targets.nodes.length === 0) {
    throw new FaultPlanError('a swarm needs at least one node to aim at');
  }
  if (!(Number.isFinite(durationMs) && durationMs >= 0)) {
    throw new FaultPlanError(`swarm durationMs must be a finite number >= 0, got ${durationMs}`);
  }
  const clients = targets.clients ?? [];
  const tables = (targets.tables ?? []).filter((t) => t.partitions > 0);
  const maxNodes = targets.maxNodes ?? targets.nodes.length + 2;
  const metastorage = targets.metastorageNodes ?? [];
  const events = profile.kinds.filter((k) => !NETWORK_KINDS.has(k));
  const hasSettings = Object.keys(profile.network).length > 0;
  const steps: FaultStep[] = [];
  const push = (atMs: number, fault: Fault) => {
    if (atMs < durationMs) steps.push({ atMs, fault });
  };
  // A heal (after a cut) also clears the settings: put them back at once.
  const healAt = (atMs: number) => {
    push(atMs, { kind: 'heal' });
    if (hasSettings) push(atMs, { kind: 'setFaults', faults: profile.network });
  };
  if (hasSettings) push(0, { kind: 'setFaults', faults: profile.network });
  const state = new SwarmState(targets.nodes);
  /** The members that may go for good now: a metastorage member only while a majority of them stays. */
  const mayGo = () =>
    state.members.filter((node) => {
      if (!metastorage.includes(node)) return true;
      const staying = metastorage.filter((m) => m !== node && state.members.includes(m)).length;
      return staying * 2 > metastorage.length;
    });
  const hold = () => rng.int(1, Math.max(1, profile.maxHoldMs));
  let replaced = false;
  /** Until a replacement's last leave, nothing crashes (leaves happen only with every node up). */
  let replacingUntil = -1;
  /** Joins at `t` (at least one, within `maxNodes` counting the starting nodes), then every starting node leaves. */
  const replaceAll = (t: number): boolean => {
    const starting = targets.nodes.filter((n) => state.members.includes(n));
    const room = maxNodes - state.members.length;
    const others = state.members.length - starting.length;
    const lastLeaveAt = t + REPLACE_ALL_GAP_MS + (starting.length - 1) * REPLACE_ALL_SPACING_MS;
    if (metastorage.length > 0 || starting.length === 0 || room < 1 || lastLeaveAt >= durationMs)
      return false;
    const joins = Math.min(room, rng.int(1, 2));
    if (others + joins < 1) return false;
    for (let j = 0; j < joins; j++) {
      state.join();
      push(t, { kind: 'join' });
    }
    starting.forEach((node, i) => {
      state.leave(node);
      push(t + REPLACE_ALL_GAP_MS + i * REPLACE_ALL_SPACING_MS, { kind: 'leave', node });
    });
    replacingUntil = lastLeaveAt;
    return true;
  };
  let t = 0;
  while (events.length > 0) {
    t += Math.max(1, Math.round(-Math.log(1 - rng.next()) * profile.meanGapMs));
    if (t >= durationMs) break;
    state.advanceTo(t);
    const members = state.members;
    const endpoints = [...members, ...clients];
    switch (pick(rng, events)) {
      case 'clog': {
        if (endpoints.length >= 2 && rng.chance(0.5)) {
          const a = pick(rng, endpoints);
          const b = pick(
            rng,
            endpoints.filter((e) => e !== a),
          );
          push(t, { kind: 'clog', target: [a, b], ms: hold() });
        } else push(t, { kind: 'clog', target: pick(rng, members), ms: hold() });
        break;
      }
      case 'partition': {
        if (members.length < 2) break;
        const cut = rng.int(1, members.length - 1);
        const shuffled = members.map((n) => ({ n, k: rng.next() })).sort((x, y) => x.k - y.k);
        const groupA = shuffled.slice(0, cut).map((x) => x.n);
        const groupB = shuffled.slice(cut).map((x) => x.n);
        for (const client of clients) (rng.chance(0.5) ? groupA : groupB).push(client);
        push(t, { kind: 'partition', groupA, groupB, ...(rng.chance(0.3) ? { oneWay: true } : {}) });
        healAt(t + hold());
        break;
      }
      case 'isolate':
        push(t, { kind: 'isolate', endpoint: pick(rng, members) });
        healAt(t + hold());
        break;
      case 'isolateMetastorageLeader':
        push(t, { kind: 'isolateMetastorageLeader' });
        healAt(t + hold());
        break;
      case 'loseMetastorageMajority':
        push(t, { kind: 'loseMetastorageMajority' });
        healAt(t + hold());
        break;
      case 'disconnect': {
        if (clients.length > 0 && (members.length < 2 || rng.chance(0.5))) {
          push(t, { kind: 'disconnect', a: pick(rng, clients), b: pick(rng, members) });
        } else if (members.length >= 2) {
          const a = pick(rng, members);
          push(t, {
            kind: 'disconnect',
            a,
            b: pick(
              rng,
              members.filter((m) => m !== a),
            ),
          });
        }
        break;
      }
      case 'crash': {
        const running = state.running();
        if (running.length < 2 || t <= replacingUntil) break;
        const node = pick(rng, running);
        state.crashed.add(node);
        push(t, { kind: 'crash', node });
        const back = t + hold();
        push(back, { kind: 'restart', node });
        state.restartAt(back, node);
        break;
      }
      case 'destroy': {
        const going = mayGo();
        if (state.destroyed || state.crashed.size > 0 || members.length < 3 || t <= replacingUntil) break;
        if (going.length === 0) break;
        const node = pick(rng, going);
        state.destroyed = true;
        state.leave(node);
        push(t, { kind: 'destroy', node });
        if (tables.length > 0 && tables.every((table) => table.replicated === true)) {
          state.join();
          push(t, { kind: 'join' });
        }
        break;
      }
      case 'pause':
        push(t, { kind: 'pause', node: pick(rng, members), ms: hold() });
        break;
      case 'move': {
        const replicated = tables.every((table) => table.replicated === true);
        if (tables.length === 0 || (state.crashed.size > 0 && !replicated)) break;
        const table = pick(rng, tables);
        push(t, {
          kind: 'movePartition',
          table: table.name,
          partition: rng.int(0, table.partitions - 1),
          to: pick(rng, members),
        });
        break;
      }
      case 'join':
        if (state.crashed.size === 0 && members.length < maxNodes) {
          state.join();
          push(t, { kind: 'join' });
        }
        break;
      case 'leave': {
        if (state.crashed.size > 0 || members.length < 2) break;
        if (!replaced && events.includes('join') && rng.chance(REPLACE_ALL_CHANCE) && replaceAll(t)) {
          replaced = true;
          break;
        }
        const going = mayGo();
        if (going.length === 0) break;
        const node = pick(rng, going);
        state.leave(node);
        push(t, { kind: 'leave', node });
        break;
      }
      default:
        break;
    }
  }
  // Follow-ups were pushed out of time order; a stable sort keeps a heal before the settings it restores.
  return steps
    .map((s, i) => ({ s, i }))
    .sort((x, y) => x.s.atMs - y.s.atMs || x.i - y.i)
    .map((x) => x.s);
}

/**
 * The swarm of a seed: profile from `createRng(seed).child('swarm').child('profile')`, plan from
 * `.child('plan')`. The same seed and arguments give the same profile and plan.
 *
 * @throws FaultPlanError as {@link drawSwarmProfile} and {@link swarmPlan}.
 */
export function planSwarm(
  seed: number | bigint,
  targets: SwarmTargets,
  options: SwarmOptions = {},
): SwarmPlan {
  const swarm = createRng(seed).child('swarm');
  const profile = drawSwarmProfile(swarm.child('profile'), options.kinds);
  const merged: SwarmTargets = {
    nodes: targets.nodes,
    ...((options.clients ?? targets.clients) === undefined
      ? {}
      : { clients: options.clients ?? targets.clients }),
    ...((options.tables ?? targets.tables) === undefined ? {} : { tables: options.tables ?? targets.tables }),
    ...((options.maxNodes ?? targets.maxNodes) === undefined
      ? {}
      : { maxNodes: options.maxNodes ?? targets.maxNodes }),
    ...((options.metastorageNodes ?? targets.metastorageNodes) === undefined
      ? {}
      : { metastorageNodes: options.metastorageNodes ?? targets.metastorageNodes }),
  };
  const plan = swarmPlan(
    swarm.child('plan'),
    profile,
    merged,
    options.durationMs ?? DEFAULT_SWARM_DURATION_MS,
  );
  return { profile, plan };
}

/** What `runSwarm` did. */
export interface SwarmRun extends SwarmPlan {
  readonly schedule: ScheduleReport;
  /** Absent with `heal: false`. */
  readonly heal?: HealReport;
}

/**
 * Runs the cluster seed's swarm: records the profile (a `fault` event of kind `swarm`), runs its plan over
 * the fault phase (`durationMs` from now), then heals unless `heal: false`.
 *
 * @throws as {@link planSwarm} and `runSchedule`.
 */
export async function runSwarm(
  cluster: SimCluster,
  options: SwarmOptions & { readonly heal?: boolean; readonly signal?: AbortSignal } = {},
): Promise<SwarmRun> {
  const { heal = true, signal, ...swarmOptions } = options;
  const durationMs = swarmOptions.durationMs ?? DEFAULT_SWARM_DURATION_MS;
  const targets = { nodes: cluster.nodes, metastorageNodes: cluster.metastorageNodes };
  const { profile, plan } = planSwarm(cluster.seed, targets, swarmOptions);
  cluster.history.recordFault({ kind: 'swarm', profile, steps: plan.length });
  const endAt = cluster.clock.now() + durationMs;
  const schedule = await runSchedule(cluster, plan, signal === undefined ? {} : { signal });
  const rest = endAt - cluster.clock.now();
  if (rest > 0) await cluster.clock.sleep(rest, signal);
  if (!heal) return { profile, plan, schedule };
  return { profile, plan, schedule, heal: await healCluster(cluster) };
}
