/**
 * Runs a fault plan against a cluster on the cluster's clock, and ends a fault phase with a heal.
 *
 * `runSchedule` validates the plan against the cluster's nodes, then applies each step `atMs` after it was
 * called, in time order, one after the other (a join or leave that takes virtual time delays the steps
 * behind it; they then run as soon as it settles; replica moves of replicated tables are started and go on
 * under the later steps, see `applyFault`). What the steps do is recorded by the cluster (topology)
 * and the network (fault events); a step the cluster refuses because of its state at that moment (a move
 * whose owner is crashed, a node that already left) is skipped and recorded as a `fault` event of kind
 * `skipped`, unless `onRefused: 'throw'`. That makes any sub-plan of a valid plan runnable, which is what
 * shrinking needs.
 *
 * `healCluster` is the heal phase of SIMULATION.md: network healed, crashed nodes restarted, a `heal`
 * topology event recorded (the liveness checker's default heal point).
 */
import type { SimCluster } from '../cluster/sim-cluster.js';
import { applyFault } from './apply-fault.js';
import type { Fault, FaultPlan } from './fault.js';
import { FaultPlanError } from './fault-plan-error.js';
import { validatePlan } from './validate-plan.js';

/** Options of {@link runSchedule}. */
export interface RunScheduleOptions {
  /** Stops the plan: the promise rejects with the signal's reason; steps already applied stay. */
  readonly signal?: AbortSignal;
  /**
   * What to do with a step the cluster refuses (an error coded `INVALID_ARGUMENT`, `NODE_UNAVAILABLE` or
   * `TABLE_NOT_FOUND`): `'skip'` it and go on (default), or `'throw'` (the promise rejects).
   */
  readonly onRefused?: 'skip' | 'throw';
}

/** What happened to one step. */
export interface StepOutcome {
  /** Position in the plan sorted by `atMs`. */
  readonly index: number;
  /** The step's planned offset from the plan's start. */
  readonly atMs: number;
  /** Cluster clock time when it was applied (or refused). */
  readonly appliedAtMs: number;
  readonly fault: Fault;
  readonly status: 'applied' | 'skipped';
  /** Why the cluster refused it. */
  readonly reason?: string;
}

/** What `runSchedule` did. */
export interface ScheduleReport {
  /** Cluster clock time when the plan started; steps are relative to it. */
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
  readonly steps: readonly StepOutcome[];
  readonly applied: number;
  readonly skipped: number;
}

/** What `healCluster` did. */
export interface HealReport {
  readonly atMs: number;
  /** The crashed nodes it restarted, in join order. */
  readonly restarted: readonly string[];
}

const REFUSAL_CODES: ReadonlySet<unknown> = new Set([
  'INVALID_ARGUMENT',
  'NODE_UNAVAILABLE',
  'TABLE_NOT_FOUND',
]);

function refusal(error: unknown): string | undefined {
  if (!(error instanceof Error) || error instanceof FaultPlanError) return undefined;
  const code = (error as { readonly code?: unknown }).code;
  return REFUSAL_CODES.has(code) ? `${String(code)}: ${error.message}` : undefined;
}

/**
 * Applies every step of `plan` at `atMs` after now, on `cluster.clock`, and resolves when the last one has
 * been applied. Does not heal at the end (see {@link healCluster}).
 *
 * @throws FaultPlanError (before anything is applied) when the plan is invalid or names an unknown node;
 *   the refusal error when `onRefused: 'throw'`; the signal's reason when aborted; whatever the cluster
 *   throws otherwise (e.g. `CLOSED` once it stopped).
 */
export async function runSchedule(
  cluster: SimCluster,
  plan: FaultPlan,
  options: RunScheduleOptions = {},
): Promise<ScheduleReport> {
  const steps = validatePlan(plan, { nodes: cluster.nodes });
  const clock = cluster.clock;
  const startedAtMs = clock.now();
  const outcomes: StepOutcome[] = [];
  let skipped = 0;
  for (let index = 0; index < steps.length; index++) {
    const { atMs, fault } = steps[index] as (typeof steps)[number];
    options.signal?.throwIfAborted();
    const wait = startedAtMs + atMs - clock.now();
    if (wait > 0) await clock.sleep(wait, options.signal);
    const appliedAtMs = clock.now();
    try {
      await applyFault(cluster, fault);
      outcomes.push({ index, atMs, appliedAtMs, fault, status: 'applied' });
    } catch (error) {
      const reason = refusal(error);
      if (reason === undefined || options.onRefused === 'throw') throw error;
      skipped++;
      cluster.history.recordFault({ kind: 'skipped', step: index, fault: fault.kind, reason });
      outcomes.push({ index, atMs, appliedAtMs, fault, status: 'skipped', reason });
    }
  }
  return {
    startedAtMs,
    finishedAtMs: clock.now(),
    steps: outcomes,
    applied: outcomes.length - skipped,
    skipped,
  };
}

/**
 * The heal phase: heals the network (cuts, clogs, pauses and fault settings end), restarts every crashed
 * member, and records a `heal` topology event.
 */
export async function healCluster(cluster: SimCluster): Promise<HealReport> {
  cluster.network.heal();
  const restarted: string[] = [];
  for (const name of cluster.nodes) {
    if (cluster.node(name).isRunning && !cluster.network.isDown(name)) continue;
    await cluster.restartNode(name);
    restarted.push(name);
  }
  cluster.history.recordTopology({ kind: 'heal', restarted });
  return { atMs: cluster.clock.now(), restarted };
}
