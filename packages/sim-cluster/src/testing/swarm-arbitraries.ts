/**
 * fast-check arbitraries of swarm profiles (which fault kinds a run turns on, and how hard) and of the plans a
 * profile makes. Where `planSwarm` draws the profile from a seed, these let fast-check draw and shrink it:
 * a failing profile shrinks towards fewer kinds, lower rates and shorter holds. The plan is made by the same
 * `swarmPlan` the swarm runs, so it follows the swarm's rules (a crash is followed by a restart, a cut by a
 * heal). They generate; they run nothing.
 */
import { createRng } from '@datastreamer/protocol';
import fc from 'fast-check';
import type { NetworkSettings } from '../faults/fault.js';
import { FaultPlanError } from '../faults/fault-plan-error.js';
import {
  DEFAULT_SWARM_DURATION_MS,
  DEFAULT_SWARM_KINDS,
  type SwarmFaultKind,
  SwarmFaultKinds,
  type SwarmPlan,
  type SwarmProfile,
  type SwarmTargets,
  swarmPlan,
} from '../faults/swarm.js';

const ORDER: readonly SwarmFaultKind[] = Object.values(SwarmFaultKinds);

function checkKinds(kinds: readonly SwarmFaultKind[]): void {
  if (!Array.isArray(kinds) || kinds.length === 0) {
    throw new FaultPlanError('swarm kinds must be a non-empty array of fault kinds');
  }
  for (const kind of kinds) {
    if (!ORDER.includes(kind)) {
      throw new FaultPlanError(`swarm kind ${JSON.stringify(kind)} is unknown (known: ${ORDER.join(', ')})`);
    }
  }
}

/**
 * Swarm profiles over `kinds` (default every kind but `reorder`): a non-empty subset of the kinds, in
 * `SwarmFaultKinds` order, with the rates `drawSwarmProfile` uses (drop and duplicate 0.1 %..5 %, reset
 * 0.05 %..1 %, delay tail 2..100 ms), a mean gap of 50..1000 ms and a longest hold of 50..3000 ms.
 *
 * @throws FaultPlanError (`INVALID_ARGUMENT`) for an empty or unknown kind list.
 */
export function swarmProfileArb(
  kinds: readonly SwarmFaultKind[] = DEFAULT_SWARM_KINDS,
): fc.Arbitrary<SwarmProfile> {
  checkKinds(kinds);
  const candidates = ORDER.filter((k) => kinds.includes(k));
  return fc
    .record({
      on: fc.subarray(candidates, { minLength: 1 }),
      drop: fc.double({ min: 0.001, max: 0.05, noNaN: true }),
      duplicate: fc.double({ min: 0.001, max: 0.05, noNaN: true }),
      reset: fc.double({ min: 0.0005, max: 0.01, noNaN: true }),
      delayMax: fc.integer({ min: 2, max: 100 }),
      meanGapMs: fc.integer({ min: 50, max: 1000 }),
      maxHoldMs: fc.integer({ min: 50, max: 3000 }),
    })
    .map((drawn): SwarmProfile => {
      const { on } = drawn;
      const network: { -readonly [K in keyof NetworkSettings]: NetworkSettings[K] } = {};
      if (on.includes('drop')) network.drop = drawn.drop;
      if (on.includes('duplicate')) network.duplicate = drawn.duplicate;
      if (on.includes('reset')) network.reset = drawn.reset;
      if (on.includes('delay')) network.delayMs = [1, drawn.delayMax];
      if (on.includes('reorder')) network.reorder = true;
      return { kinds: on, network, meanGapMs: drawn.meanGapMs, maxHoldMs: drawn.maxHoldMs };
    });
}

/** Options of {@link swarmPlanArb}. */
export interface SwarmPlanArbOptions {
  /** Length of the fault phase in virtual ms. Default 5000 (`DEFAULT_SWARM_DURATION_MS`). */
  readonly durationMs?: number;
  /** The kinds profiles may turn on. Default every kind but `reorder`. */
  readonly kinds?: readonly SwarmFaultKind[];
}

/**
 * A profile and the plan `swarmPlan` makes of it over `targets`: run the plan with `runSchedule`, then
 * `healCluster`. The timing seed is not shrunk (`fc.noShrink`), so shrinking simplifies the profile under
 * the same seed.
 *
 * @throws FaultPlanError (`INVALID_ARGUMENT`) for bad kinds, no target node, or a bad duration.
 */
export function swarmPlanArb(
  targets: SwarmTargets,
  options: SwarmPlanArbOptions = {},
): fc.Arbitrary<SwarmPlan> {
  const durationMs = options.durationMs ?? DEFAULT_SWARM_DURATION_MS;
  if (!Array.isArray(targets.nodes) || targets.nodes.length === 0) {
    throw new FaultPlanError('swarm targets: nodes must name at least one node');
  }
  if (!Number.isFinite(durationMs) || durationMs < 0) {
    throw new FaultPlanError(`swarm durationMs must be a finite number >= 0, got ${String(durationMs)}`);
  }
  return fc
    .tuple(swarmProfileArb(options.kinds), fc.noShrink(fc.integer({ min: 0, max: 0x7fff_ffff })))
    .map(([profile, seed]) => ({
      profile,
      plan: swarmPlan(createRng(seed).child('swarm'), profile, targets, durationMs),
    }));
}
