/**
 * fast-check arbitraries of fault plans (`runSchedule`'s plain-data plans): network settings, single faults of
 * every kind, timed steps and whole plans, naming only the nodes, clients and tables they are given. Plans only
 * name the nodes present at the start (never a node a join adds), so every shrink of a valid plan is still
 * valid; what the cluster refuses at run time (a move whose owner is crashed) `runSchedule` skips and
 * reports. They generate plans; they neither run nor validate them.
 */
import fc from 'fast-check';
import type { Fault, FaultPlan, FaultStep, NetworkSettings } from '../faults/fault.js';
import { FaultPlanError } from '../faults/fault-plan-error.js';

/** What generated faults may name. */
export interface FaultTargets {
  /** Nodes present when the plan starts (`cluster.nodes`); at least one. */
  readonly nodes: readonly string[];
  /** Client endpoints (`client-1`, ...). Default none. */
  readonly clients?: readonly string[];
  /** Tables whose partitions may move. Default none. */
  readonly tables?: readonly { readonly name: string; readonly partitions: number }[];
  /** Longest clog or pause. Default 2000 ms. */
  readonly maxHoldMs?: number;
  /** Whether nodes may be destroyed (replicated tables only; a plan destroys one node at most). Default false. */
  readonly destroy?: boolean;
  /** Whether to cut off the metastorage's leader or majority (a cluster with a metastorage). Default false. */
  readonly metastorage?: boolean;
}

const probability = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.2, noNaN: true }), fc.constant(1));

/** Network settings: any subset of the fields, each in range. */
export const networkSettingsArb: fc.Arbitrary<NetworkSettings> = fc.record(
  {
    drop: probability,
    duplicate: probability,
    reset: fc.double({ min: 0, max: 0.05, noNaN: true }),
    delayMs: fc
      .tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 200 }))
      .map(([min, extra]) => [min, min + extra] as const),
    reorder: fc.boolean(),
  },
  { requiredKeys: [] },
);

/**
 * Throws unless `targets` names at least one node and only well-formed tables (fast-check's own error would
 * not say which option was wrong).
 */
function checkTargets(targets: FaultTargets): void {
  if (!Array.isArray(targets.nodes) || targets.nodes.length === 0) {
    throw new FaultPlanError('fault targets: nodes must name at least one node');
  }
  for (const table of targets.tables ?? []) {
    if (!Number.isInteger(table.partitions) || table.partitions < 1) {
      throw new FaultPlanError(
        `fault targets: table ${JSON.stringify(table.name)} needs an integer partitions >= 1, got ${String(table.partitions)}`,
      );
    }
  }
  const hold = targets.maxHoldMs;
  if (hold !== undefined && (!Number.isInteger(hold) || hold < 0)) {
    throw new FaultPlanError(`fault targets: maxHoldMs must be an integer >= 0, got ${String(hold)}`);
  }
}

/**
 * One fault of any kind, naming only `targets`.
 * @throws FaultPlanError (`INVALID_ARGUMENT`) when `targets` names no node, or a bad table or hold.
 */
export function faultArb(targets: FaultTargets): fc.Arbitrary<Fault> {
  checkTargets(targets);
  const nodes = targets.nodes;
  const endpoints = [...nodes, ...(targets.clients ?? [])];
  const node = fc.constantFrom(...nodes);
  const endpoint = fc.constantFrom(...endpoints);
  const hold = fc.integer({ min: 0, max: targets.maxHoldMs ?? 2000 });
  const link = fc
    .uniqueArray(endpoint, { minLength: 2, maxLength: 2 })
    .map((pair) => [pair[0] as string, pair[1] as string] as const);
  const arbs: fc.Arbitrary<Fault>[] = [
    fc.record({ kind: fc.constant('setFaults' as const), faults: networkSettingsArb }),
    fc.record({ kind: fc.constant('crash' as const), node }),
    fc.record({ kind: fc.constant('restart' as const), node }),
    fc.record({ kind: fc.constant('pause' as const), node, ms: hold }),
    fc.record({ kind: fc.constant('clog' as const), target: endpoint, ms: hold }),
    fc.record({ kind: fc.constant('isolate' as const), endpoint }),
    fc.constant({ kind: 'heal' as const }),
    fc.constant({ kind: 'join' as const }),
  ];
  if (endpoints.length >= 2) {
    arbs.push(
      fc.record({ kind: fc.constant('setFaults' as const), faults: networkSettingsArb, between: link }),
      fc.record({ kind: fc.constant('clog' as const), target: link, ms: hold }),
      link.map(([a, b]): Fault => ({ kind: 'disconnect', a, b })),
      fc
        .tuple(fc.shuffledSubarray([...endpoints], { minLength: 2 }), fc.nat(), fc.boolean())
        .map(([chosen, cut, oneWay]): Fault => {
          const at = 1 + (cut % (chosen.length - 1));
          return {
            kind: 'partition',
            groupA: chosen.slice(0, at),
            groupB: chosen.slice(at),
            ...(oneWay ? { oneWay } : {}),
          };
        }),
    );
  }
  if (nodes.length >= 2) arbs.push(fc.record({ kind: fc.constant('leave' as const), node }));
  if (targets.metastorage === true) {
    arbs.push(
      fc.constant({ kind: 'isolateMetastorageLeader' as const }),
      fc.constant({ kind: 'loseMetastorageMajority' as const }),
    );
  }
  if (targets.destroy === true && nodes.length >= 3) {
    arbs.push(fc.record({ kind: fc.constant('destroy' as const), node }));
  }
  for (const table of targets.tables ?? []) {
    arbs.push(
      fc.record({
        kind: fc.constant('movePartition' as const),
        table: fc.constant(table.name),
        partition: fc.integer({ min: 0, max: table.partitions - 1 }),
        to: node,
      }),
    );
  }
  return fc.oneof(...arbs);
}

/** One step: a fault at a time in `0..maxAtMs`. */
export function faultStepArb(targets: FaultTargets, maxAtMs = 5000): fc.Arbitrary<FaultStep> {
  return fc.record({ atMs: fc.integer({ min: 0, max: maxAtMs }), fault: faultArb(targets) });
}

/**
 * A plan of up to `maxSteps` steps. Leaves and destroys never remove every node: a plan keeps the first node
 * (shrinking only removes steps, so it can never produce a plan that would), and destroys one node at most
 * (so every replicated partition keeps a majority of its replicas for good).
 */
export function faultPlanArb(
  targets: FaultTargets,
  options: { readonly maxSteps?: number; readonly maxAtMs?: number } = {},
): fc.Arbitrary<FaultPlan> {
  const keep = targets.nodes[0];
  return fc
    .array(faultStepArb(targets, options.maxAtMs), { maxLength: options.maxSteps ?? 8 })
    .map((steps) => {
      let destroyed = false;
      return steps.filter((s) => {
        if ((s.fault.kind === 'leave' || s.fault.kind === 'destroy') && s.fault.node === keep) return false;
        if (s.fault.kind !== 'destroy') return true;
        if (destroyed) return false;
        destroyed = true;
        return true;
      });
    });
}
