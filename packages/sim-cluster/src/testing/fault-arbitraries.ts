/**
 * fast-check arbitraries of fault plans (`runSchedule`'s plain-data plans): network settings, single faults of
 * every kind, timed steps and whole plans, naming only the nodes, clients and tables they are given. Plans only
 * name the nodes present at the start (never a node a join adds), so every shrink of a valid plan is still
 * valid; what the cluster refuses at run time (a move whose owner is crashed) `runSchedule` skips and
 * reports. They generate plans; they neither run nor validate them.
 *
 * A plan may also replace the whole cluster (`replaceAll`): after its other steps, the network heals, nodes
 * join, and every node the plan started with leaves, one after the other. A client learns of new nodes only
 * through nodes it reaches, so such a plan gives it a fair chance: its other steps name no client (no cut,
 * clog or disconnect of a client's links) and the replacement starts with a heal. (A client cut off from
 * every node for as long as the cluster is replaced cannot find it again: nothing would tell it where the
 * new nodes are.) The replacement is drawn as one value and turned into steps after the rest is filtered, so
 * a shrink keeps it whole or drops it: never leaves without the joins before them.
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

/** Options of {@link faultPlanArb}. */
export interface FaultPlanOptions {
  /** Most steps drawn (a replacement adds its own). Default 8. */
  readonly maxSteps?: number;
  /** Latest step, in ms from the plan's start. Default 5000. */
  readonly maxAtMs?: number;
  /**
   * How likely a plan replaces every starting node, 0..1: 0 to 40 ms after its last other step, a heal and
   * one or two joins; 120 to 250 ms later (time for clients to hear of the new nodes, or to reconnect after
   * a reset) the first starting node leaves, the others each 20 to 60 ms after the one before. Default 0.
   */
  readonly replaceAll?: number;
}

/** One replacement of the whole cluster, as drawn. */
interface Replacement {
  readonly afterMs: number;
  readonly joins: number;
  readonly gapMs: number;
  readonly spacingMs: number;
}

/**
 * A plan of up to `maxSteps` steps. Leaves and destroys never remove every node: a plan keeps the first node
 * (shrinking only removes steps, so it can never produce a plan that would) unless a replacement (see
 * `replaceAll`) joined others first, and destroys one node at most (so every replicated partition keeps a
 * majority of its replicas for good).
 *
 * @throws FaultPlanError as {@link faultArb}, or for a `replaceAll` outside 0..1.
 */
export function faultPlanArb(targets: FaultTargets, options: FaultPlanOptions = {}): fc.Arbitrary<FaultPlan> {
  const keep = targets.nodes[0];
  const replaceAll = options.replaceAll ?? 0;
  if (!(replaceAll >= 0 && replaceAll <= 1)) {
    throw new FaultPlanError(
      `fault plan: replaceAll must be a probability in 0..1, got ${String(replaceAll)}`,
    );
  }
  const weight = Math.round(replaceAll * 100);
  const replacement: fc.Arbitrary<Replacement | null> = fc.oneof(
    { weight: 100 - weight, arbitrary: fc.constant(null) },
    {
      weight,
      arbitrary: fc.record({
        afterMs: fc.integer({ min: 0, max: 40 }),
        joins: fc.integer({ min: 1, max: 2 }),
        gapMs: fc.integer({ min: 120, max: 250 }),
        spacingMs: fc.integer({ min: 20, max: 60 }),
      }),
    },
  );
  return fc
    .tuple(
      fc.array(faultStepArb(targets, options.maxAtMs), { maxLength: options.maxSteps ?? 8 }),
      replacement,
    )
    .map(([steps, replace]) => {
      let destroyed = false;
      const kept = steps.filter((s) => {
        if ((s.fault.kind === 'leave' || s.fault.kind === 'destroy') && s.fault.node === keep) return false;
        if (s.fault.kind !== 'destroy') return true;
        if (destroyed) return false;
        destroyed = true;
        return true;
      });
      if (replace === null) return kept;
      const clients = new Set(targets.clients ?? []);
      const others = kept.filter((s) => !namesAny(s.fault, clients));
      const last = Math.max(0, ...others.map((s) => s.atMs));
      return [...others, ...replacementSteps(targets.nodes, last + replace.afterMs, replace)];
    });
}

/** Whether `fault` names one of `endpoints` (a cut, clog, isolation, disconnect or setting on its links). */
function namesAny(fault: Fault, endpoints: ReadonlySet<string>): boolean {
  switch (fault.kind) {
    case 'clog':
      return typeof fault.target === 'string'
        ? endpoints.has(fault.target)
        : fault.target.some((e) => endpoints.has(e));
    case 'isolate':
      return endpoints.has(fault.endpoint);
    case 'disconnect':
      return endpoints.has(fault.a) || endpoints.has(fault.b);
    case 'partition':
      return [...fault.groupA, ...fault.groupB].some((e) => endpoints.has(e));
    case 'setFaults':
      return fault.between?.some((e) => endpoints.has(e)) ?? false;
    default:
      return false;
  }
}

/** A heal and the joins at `atMs`, then the starting nodes' leaves (steps at one time run in plan order). */
function replacementSteps(nodes: readonly string[], atMs: number, replace: Replacement): FaultStep[] {
  const joins = Array.from({ length: replace.joins }, (): FaultStep => ({ atMs, fault: { kind: 'join' } }));
  const leaves = nodes.map(
    (node, i): FaultStep => ({
      atMs: atMs + replace.gapMs + i * replace.spacingMs,
      fault: { kind: 'leave', node },
    }),
  );
  return [{ atMs, fault: { kind: 'heal' } }, ...joins, ...leaves];
}
