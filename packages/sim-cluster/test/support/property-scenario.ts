/**
 * The scenario property of issue 7, as reusable pieces: the fast-check arbitrary of whole scenarios (several
 * streams of PUT/REMOVE items on a few keys, streamer options, a shrinkable fault plan covering every fault
 * of SIMULATION.md, the simulation seed held fixed while shrinking), the judgement of one run (every checker,
 * plus "a stream with unlimited retries resolves"), and the replay report a failure prints.
 *
 * The default suite, the soak and the mutants runner all go through `checkScenarioProperty`, so a failure
 * found by any of them is printed and dumped the same way. It does not count what happened (see
 * `property-tally.ts`) and does not decide budgets (the test files do).
 */

import { faultPlanArb } from '@datastreamer/sim-cluster/testing';
import fc from 'fast-check';
import type { SimCluster } from '../../src/cluster/sim-cluster.js';
import type { SimReplicationOptions } from '../../src/cluster/sim-cluster-options.js';
import type { Fault, FaultPlan, FaultStep } from '../../src/faults/fault.js';
import { describeFailure, dumpScenario } from '../../src/replay/dump-scenario.js';
import { runScenario, type ScenarioResult, type StreamResult } from '../../src/replay/run-scenario.js';
import type {
  Scenario,
  ScenarioItem,
  ScenarioStream,
  ScenarioStreamOptions,
} from '../../src/replay/scenario.js';
import { SCENARIO_TABLE } from '../../src/replay/scenario-workload.js';

/** The nodes every generated scenario starts with, unless its shape says otherwise. */
export const PROPERTY_NODES = ['node-1', 'node-2', 'node-3'] as const;

/** The cluster generated scenarios run on: its nodes, and how its tables are replicated. */
export interface ClusterShape {
  /** The nodes at the start (`node-1`, ... in order). */
  readonly nodes: readonly string[];
  /** Copies of each partition. Default 1. */
  readonly replicas?: number;
  readonly replication?: SimReplicationOptions;
  /** Whether plans may destroy a node (one at most). Default false. */
  readonly destroy?: boolean;
  /** Whether plans may cut off the metastorage's leader or majority. Default false. */
  readonly metastorage?: boolean;
}

/** Three unreplicated nodes: the shape of the issue-7 property. */
export const DEFAULT_SHAPE: ClusterShape = { nodes: PROPERTY_NODES };

/**
 * `nodes` nodes with 3 replicas of every partition, quick Raft timings, short leases and frequent snapshots
 * (so replicas that fall behind are caught up by one), and destroys in the fault mix.
 */
export function replicatedShape(nodes: 3 | 5): ClusterShape {
  return {
    nodes: Array.from({ length: nodes }, (_, i) => `node-${i + 1}`),
    replicas: 3,
    replication: {
      electionTimeoutMs: { min: 150, max: 300 },
      heartbeatIntervalMs: 30,
      leaseMs: 600,
      snapshotEveryEntries: 4,
      snapshotChunkBytes: 512,
      syncLatencyMs: { min: 1, max: 4 },
    },
    destroy: true,
    metastorage: true,
  };
}

/**
 * The scenario's cluster section for `shape`. A plan that replaces every starting node runs without a
 * metastorage (`metastorageNodes: 0`): its members are starting nodes, and it does not replace them yet (a
 * majority of them must stay), so the replacement could not happen with one.
 */
function clusterOf(
  shape: ClusterShape,
  partitions: number,
  networkDelayMs: readonly [number, number],
  faults: FaultPlan,
) {
  const leaving = new Set(faults.flatMap((step) => (step.fault.kind === 'leave' ? [step.fault.node] : [])));
  return {
    nodes: shape.nodes.length,
    ...(shape.nodes.every((node) => leaving.has(node)) ? { metastorageNodes: 0 } : {}),
    partitions,
    networkDelayMs,
    // Fault points inside the code: each run enables a seed-drawn half of them.
    buggify: true,
    ...(shape.replicas === undefined ? {} : { replicas: shape.replicas }),
    ...(shape.replication === undefined ? {} : { replication: shape.replication }),
  };
}

/** How long the fault phase of a fail-and-resume scenario lasts at least, in virtual ms. */
export const RESUME_FAULT_PHASE_MS = 1000;

/**
 * The share of default-shape scenarios whose plan replaces every starting node (joins, then each starting
 * node leaves): the clients must follow the cluster to nodes they were never given (issue 20). Replicated
 * shapes never do (a node holding replicas cannot leave yet).
 */
export const REPLACE_ALL_SHARE = 0.1;

/** Virtual ms after heal within which every stream must settle (the liveness bound of these runs). */
export const PROPERTY_LIVENESS_BOUND_MS = 60_000;

/** How big generated scenarios get. */
export interface ScenarioSize {
  /** Most streams at once (each by its own client). Default 3. */
  readonly maxStreams?: number;
  /** Most items per stream. Default 60. */
  readonly maxItems?: number;
  /** Most fault steps. Default 6. */
  readonly maxSteps?: number;
  /** Latest fault step, in virtual ms after the fault phase starts. Default 120. */
  readonly maxAtMs?: number;
}

/** The client names `runScenario` gives the streams: `client-1` is the admin client. */
export function streamClients(streams: number): string[] {
  return Array.from({ length: streams }, (_, i) => `client-${i + 2}`);
}

const optionsArb: fc.Arbitrary<ScenarioStreamOptions> = fc.record({
  pageSize: fc.integer({ min: 1, max: 12 }),
  perPartitionParallelOperations: fc.integer({ min: 1, max: 3 }),
  autoFlushInterval: fc.constantFrom(0, 5, 20, 100),
  // -1: unlimited; small limits let a batch fail for good under faults, so failed-item reporting runs too.
  retryLimit: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 6 })),
  retryBackoff: fc.record({
    initialMs: fc.constantFrom(5, 20, 50),
    multiplier: fc.constant(2),
    maxMs: fc.constantFrom(100, 400),
  }),
});

function streamArb(keys: number, maxItems: number): fc.Arbitrary<ScenarioStream> {
  const item: fc.Arbitrary<ScenarioItem> = fc.record({
    op: fc.oneof({ weight: 4, arbitrary: fc.constant('PUT' as const) }, fc.constant('REMOVE' as const)),
    key: fc.integer({ min: 0, max: keys - 1 }),
  });
  return fc.record({
    startAtMs: fc.integer({ min: 0, max: 30 }),
    options: optionsArb,
    items: fc.array(item, { minLength: 1, maxLength: maxItems }),
  });
}

/**
 * A real connection keeps order, so plans of the default property never reorder (SIMULATION.md: reorder is
 * for adversarial runs only). Mapped after generation, so shrinking still works on the generated plan.
 */
function withoutReorder(plan: FaultPlan): FaultStep[] {
  return plan.map((step) => {
    const fault: Fault = step.fault;
    if (fault.kind !== 'setFaults' || fault.faults.reorder === undefined) return step;
    const { reorder: _, ...faults } = fault.faults;
    return { atMs: step.atMs, fault: { ...fault, faults } };
  });
}

/**
 * Whole scenarios: 1..`maxStreams` streams over 1..12 shared keys, 2, 4 or 8 partitions, request timeouts
 * from 100 ms (so timeouts fire with requests in flight) and a fault plan of every kind over the nodes, the
 * stream clients and the table's partitions. The simulation seed is `fc.noShrink`: shrinking removes steps,
 * items and streams and simplifies options under the same seed.
 */
export function scenarioArb(
  size: ScenarioSize = {},
  cluster: ClusterShape = DEFAULT_SHAPE,
): fc.Arbitrary<Scenario> {
  const maxStreams = size.maxStreams ?? 3;
  const maxItems = size.maxItems ?? 60;
  const shape = fc.record({
    streams: fc.integer({ min: 1, max: maxStreams }),
    partitions: fc.constantFrom(2, 4, 8),
    keys: fc.integer({ min: 1, max: 12 }),
  });
  return shape.chain(({ streams, partitions, keys }) =>
    fc
      .record({
        seed: fc.noShrink(fc.integer({ min: 0, max: 0x7fff_ffff })),
        delayTail: fc.integer({ min: 0, max: 3 }),
        requestTimeoutMs: fc.constantFrom(100, 300, 1000, 5000),
        streams: fc.array(streamArb(keys, maxItems), { minLength: streams, maxLength: streams }),
        faults: faultPlanArb(
          {
            nodes: cluster.nodes,
            clients: streamClients(streams),
            tables: [{ name: SCENARIO_TABLE, partitions }],
            maxHoldMs: 200,
            destroy: cluster.destroy === true,
            metastorage: cluster.metastorage === true,
          },
          {
            maxSteps: size.maxSteps ?? 6,
            maxAtMs: size.maxAtMs ?? 120,
            replaceAll: cluster.replicas === undefined ? REPLACE_ALL_SHARE : 0,
          },
        ).map(withoutReorder),
        // Drawn last, so the draws above are those of runs before it existed. Now and then a stream
        // starts late, its client idle until then: after a replacement of every node it must have followed
        // the cluster without streaming anything.
        late: fc.array(
          fc.oneof(
            { weight: 9, arbitrary: fc.constant(undefined) },
            { weight: 1, arbitrary: fc.integer({ min: 200, max: 800 }) },
          ),
          { minLength: streams, maxLength: streams },
        ),
      })
      .map(
        (drawn): Scenario => ({
          version: 1,
          seed: drawn.seed,
          cluster: clusterOf(cluster, partitions, [1, 1 + drawn.delayTail], drawn.faults),
          client: { requestTimeoutMs: drawn.requestTimeoutMs },
          workload: {
            partitions,
            streams: drawn.streams.map((stream, i) => {
              const startAtMs = drawn.late[i];
              return startAtMs === undefined ? stream : { ...stream, startAtMs };
            }),
          },
          faults: drawn.faults,
          livenessBoundMs: PROPERTY_LIVENESS_BOUND_MS,
        }),
      ),
  );
}

/**
 * Scenarios that fail and resume (issue 13): streams with small retry limits (0-2) and short request timeouts,
 * some cancelled at a random time or holding a poison item the table refuses, each on its own keys; when one
 * fails it is resumed with its failed items and the rest of its source, by its own client or another one, as
 * the same producer or a new one, with unlimited retries. The plan (cuts, clogs, pauses, crashes, moves,
 * drops) runs, then heal lets every held message arrive: late attempts of a failed run meet the resume.
 */
export function resumeScenarioArb(
  size: ScenarioSize = {},
  cluster: ClusterShape = DEFAULT_SHAPE,
): fc.Arbitrary<Scenario> {
  const maxStreams = size.maxStreams ?? 3;
  const maxItems = size.maxItems ?? 40;
  const shape = fc.record({
    streams: fc.integer({ min: 1, max: maxStreams }),
    partitions: fc.constantFrom(2, 4, 8),
    keys: fc.integer({ min: 1, max: 6 }),
  });
  const failingOptions: fc.Arbitrary<ScenarioStreamOptions> = fc.record({
    pageSize: fc.integer({ min: 1, max: 6 }),
    perPartitionParallelOperations: fc.integer({ min: 1, max: 2 }),
    autoFlushInterval: fc.constantFrom(0, 5, 20),
    retryLimit: fc.integer({ min: 0, max: 2 }),
    retryBackoff: fc.record({
      initialMs: fc.constantFrom(5, 20),
      multiplier: fc.constant(2),
      maxMs: fc.constantFrom(50, 200),
    }),
  });
  const resumable = (index: number, keys: number): fc.Arbitrary<ScenarioStream> =>
    fc
      .record({
        startAtMs: fc.integer({ min: 0, max: 60 }),
        options: failingOptions,
        items: fc.array(
          fc.record({
            op: fc.oneof(
              { weight: 4, arbitrary: fc.constant('PUT' as const) },
              fc.constant('REMOVE' as const),
            ),
            // Each stream on keys of its own, so a resume's final writes can be judged key by key.
            key: fc.integer({ min: 0, max: keys - 1 }).map((k) => index * 100 + k),
          }),
          { minLength: 1, maxLength: maxItems },
        ),
        cancelAtMs: fc.option(fc.integer({ min: 0, max: 150 }), { nil: undefined }),
        poison: fc.option(fc.nat(), { nil: undefined }),
        resume: fc.record({
          client: fc.constantFrom('same' as const, 'other' as const),
          producer: fc.oneof(
            { weight: 3, arbitrary: fc.constant('same' as const) },
            fc.constant('new' as const),
          ),
          afterMs: fc.integer({ min: 0, max: 50 }),
        }),
      })
      .map(
        ({ cancelAtMs, poison, ...stream }): ScenarioStream => ({
          ...stream,
          ...(cancelAtMs === undefined ? {} : { cancelAtMs }),
          ...(poison === undefined ? {} : { poisonAt: poison % stream.items.length }),
        }),
      );
  return shape.chain(({ streams, partitions, keys }) =>
    fc
      .record({
        seed: fc.noShrink(fc.integer({ min: 0, max: 0x7fff_ffff })),
        requestTimeoutMs: fc.constantFrom(50, 100, 300),
        streams: fc.tuple(...Array.from({ length: streams }, (_, i) => resumable(i, keys))),
        // A link of a stream's client to a node held for a while, early: attempts on it outlive the stream
        // and arrive after its seal or its resume (the late attempts the fences must refuse).
        held: fc.record({
          atMs: fc.integer({ min: 0, max: 60 }),
          fault: fc.record({
            kind: fc.constant('clog' as const),
            target: fc.tuple(fc.constantFrom(...streamClients(streams)), fc.constantFrom(...cluster.nodes)),
            ms: fc.integer({ min: 200, max: 1000 }),
          }),
        }),
        faults: faultPlanArb(
          {
            nodes: cluster.nodes,
            // The resuming client (after the stream clients) is a target too.
            clients: streamClients(streams + 1),
            tables: [{ name: SCENARIO_TABLE, partitions }],
            maxHoldMs: 1000,
            destroy: cluster.destroy === true,
            metastorage: cluster.metastorage === true,
          },
          { maxSteps: size.maxSteps ?? 6, maxAtMs: size.maxAtMs ?? 150 },
        ).map(withoutReorder),
      })
      .map(
        (drawn): Scenario => ({
          version: 1,
          seed: drawn.seed,
          cluster: clusterOf(cluster, partitions, [1, 3], drawn.faults),
          client: { requestTimeoutMs: drawn.requestTimeoutMs },
          workload: { partitions, streams: drawn.streams },
          faults: [drawn.held, ...drawn.faults],
          // Cuts and clogs stay in place for a while: seals meet them, and held attempts arrive after resumes.
          faultPhaseMs: RESUME_FAULT_PHASE_MS,
          livenessBoundMs: PROPERTY_LIVENESS_BOUND_MS,
        }),
      ),
  );
}

/** One judged run: the result and the cluster it ran on (stopped, its counters still readable). */
export interface JudgedRun {
  readonly scenario: Scenario;
  readonly result: ScenarioResult;
  readonly cluster: SimCluster;
  /** Why the run fails the property, or `undefined` when it passes. */
  readonly failure: string | undefined;
}

/**
 * Streams with an unlimited retry limit that did not resolve: after heal every error is retryable and
 * every node is back, so such a stream has no reason to give up.
 */
function unresolvedUnlimited(scenario: Scenario, result: ScenarioResult): string[] {
  const out: string[] = [];
  const gaveUp = (what: string, outcome: StreamResult): void => {
    const error = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    out.push(`${outcome.client} (${what}) ended ${outcome.outcome}: ${error}`);
  };
  scenario.workload.streams.forEach((stream, i) => {
    const outcome = result.streams[i];
    if (outcome === undefined) return;
    if (stream.options?.retryLimit === -1 && outcome.outcome !== 'resolved') gaveUp('retryLimit -1', outcome);
    // A resume retries without limit: after heal nothing stops it.
    if (outcome.resumed !== undefined && outcome.resumed.outcome !== 'resolved')
      gaveUp('resume', outcome.resumed);
  });
  return out;
}

/** Runs `scenario` and judges it: every checker must pass, and streams with unlimited retries must resolve. */
export async function judgeScenario(scenario: Scenario): Promise<JudgedRun> {
  let cluster: SimCluster | undefined;
  const result = await runScenario(scenario, {
    onCluster: (c) => {
      cluster = c;
    },
  });
  if (cluster === undefined) throw new Error('runScenario did not report its cluster');
  const gaveUp = unresolvedUnlimited(scenario, result);
  const problems: string[] = [];
  if (!result.valid) problems.push(result.verdict.report);
  if (gaveUp.length > 0) problems.push(`streams gave up: ${gaveUp.join('; ')}`);
  return {
    scenario,
    result,
    cluster,
    failure: problems.length === 0 ? undefined : problems.join('\n'),
  };
}

/** Options of {@link checkScenarioProperty}. */
export interface PropertyRunOptions {
  readonly numRuns: number;
  /** The fast-check seed. Default: `$PROPERTY_SEED`, else fast-check's own (random) seed. */
  readonly seed?: number;
  /** Replays one path of the seed (`$PROPERTY_PATH`). */
  readonly path?: string;
  /** Stop at the first failure without shrinking (`$PROPERTY_END_ON_FAILURE=1`; the mutants runner). */
  readonly endOnFailure?: boolean;
  /** Called after each judged run (passing or not), e.g. to count what happened. */
  readonly onRun?: (run: JudgedRun) => void;
}

/** The fast-check seed, path and shrink setting from the environment, for replaying a reported failure. */
export function propertyEnv(defaults: { readonly seed?: number } = {}): {
  seed?: number;
  path?: string;
  endOnFailure: boolean;
} {
  const env = process.env;
  const seedText = env['PROPERTY_SEED'];
  const seed = seedText === undefined || seedText === '' ? defaults.seed : Number(seedText);
  if (seed !== undefined && !Number.isInteger(seed)) {
    throw new Error(`PROPERTY_SEED must be an integer, got ${seedText}`);
  }
  const path = env['PROPERTY_PATH'];
  return {
    ...(seed === undefined ? {} : { seed }),
    ...(path === undefined || path === '' ? {} : { path }),
    endOnFailure: env['PROPERTY_END_ON_FAILURE'] === '1',
  };
}

/**
 * Checks the scenario property over `arb` with fast-check. On failure it dumps the (shrunk) counterexample
 * with its fast-check seed, path and history hash, and throws an error holding fast-check's report, the
 * checkers' report and the replay lines (simulation seed, fast-check seed and path, file, command).
 *
 * @throws Error when a run fails the property (or throws).
 */
export async function checkScenarioProperty(
  arb: fc.Arbitrary<Scenario>,
  options: PropertyRunOptions,
): Promise<void> {
  const failures = new WeakMap<Scenario, JudgedRun>();
  const details = await fc.check(
    fc.asyncProperty(arb, async (scenario) => {
      const run = await judgeScenario(scenario);
      options.onRun?.(run);
      if (run.failure !== undefined) {
        failures.set(scenario, run);
        return false;
      }
      return true;
    }),
    {
      numRuns: options.numRuns,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.path === undefined ? {} : { path: options.path }),
      ...(options.endOnFailure === true ? { endOnFailure: true } : {}),
    },
  );
  if (!details.failed) return;
  const counterexample = details.counterexample?.[0];
  const report = fc.defaultReportMessage(details) ?? 'the property failed';
  if (counterexample === undefined) throw new Error(report);
  const run = failures.get(counterexample);
  const dumped: Scenario = {
    ...counterexample,
    fastCheck: { seed: details.seed, path: details.counterexamplePath ?? '' },
    ...(run === undefined ? {} : { expected: { historyHash: run.result.historyHash, valid: false } }),
  };
  const file = dumpScenario(dumped);
  throw new Error(
    [
      'scenario property failed',
      run?.failure ?? '(the run threw: see the fast-check report below)',
      describeFailure(dumped, file),
      report,
    ].join('\n'),
  );
}
