/**
 * One scenario of a soak, by its index: the scenario property (every checker, streams with unlimited retries
 * resolve) over the one scenario the index's seed draws, shrunk and dumped on failure as the default suite
 * does. The result names the history hash of the first run, so two runs of a soak can show they judged the
 * same scenarios. It does not decide which indexes run where (soak.ts does).
 */
import {
  checkScenarioProperty,
  replicatedShape,
  resumeScenarioArb,
  scenarioArb,
} from '../../test/support/property-scenario.js';
import {
  type ExactTally,
  emptyExactTally,
  emptyReplicationTally,
  emptyTally,
  type ReplicationTally,
  type Tally,
  tallyExactRun,
  tallyReplicationRun,
  tallyRun,
} from '../../test/support/property-tally.js';
import { type SoakShape, scenarioSeed, scenarioShape } from './soak-plan.js';

/** How one scenario went. Plain data: it crosses from a worker thread. */
export interface ScenarioOutcome {
  readonly index: number;
  /** Its fast-check seed. */
  readonly seed: number;
  readonly shape: SoakShape;
  /** The history hash of the scenario's run (before any shrinking). */
  readonly historyHash: string;
  /** The property's report (checkers, replay file and command) when it failed. */
  readonly failure?: string;
  /** What the runs of this scenario did (shrinking runs included). */
  readonly tally: Tally;
  /** For a `resume` scenario, how its streams failed and resumed. */
  readonly exact: ExactTally;
  /** For a replicated scenario, the failovers, lease moves, snapshot installs, destroys and lossy crashes. */
  readonly replication: ReplicationTally;
}

const ARBS = {
  default: scenarioArb({ maxItems: 100 }),
  dense: scenarioArb({ maxItems: 100, maxSteps: 10, maxAtMs: 40 }),
  resume: resumeScenarioArb({ maxItems: 60 }),
  'replicated-3': scenarioArb({}, replicatedShape(3)),
  'replicated-5': scenarioArb({ maxItems: 80, maxSteps: 8, maxAtMs: 60 }, replicatedShape(5)),
  'replicated-resume': resumeScenarioArb({}, replicatedShape(3)),
} as const;

/** Runs scenario `index` of the soak seeded `base`. */
export async function runSoakScenario(
  index: number,
  base: number,
  endOnFailure: boolean,
): Promise<ScenarioOutcome> {
  const seed = scenarioSeed(base, index);
  const shape = scenarioShape(index);
  const tally = emptyTally();
  const exact = emptyExactTally();
  const replication = emptyReplicationTally();
  let historyHash = '';
  let failure: string | undefined;
  try {
    await checkScenarioProperty(ARBS[shape], {
      numRuns: 1,
      seed,
      endOnFailure,
      onRun: (run) => {
        if (historyHash === '') historyHash = run.result.historyHash;
        tallyRun(tally, run);
        if (shape === 'resume' || shape === 'replicated-resume') tallyExactRun(exact, run);
        if (shape.startsWith('replicated')) tallyReplicationRun(replication, run);
      },
    });
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
  }
  return {
    index,
    seed,
    shape,
    historyHash,
    tally,
    exact,
    replication,
    ...(failure === undefined ? {} : { failure }),
  };
}
