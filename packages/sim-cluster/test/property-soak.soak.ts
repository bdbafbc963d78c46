import { describe, expect, it } from 'vitest';
import {
  checkScenarioProperty,
  type JudgedRun,
  propertyEnv,
  replicatedShape,
  resumeScenarioArb,
  scenarioArb,
} from './support/property-scenario.js';
import {
  emptyExactTally,
  emptyReplicationTally,
  emptyTally,
  formatTally,
  tallyExactRun,
  tallyReplicationRun,
  tallyRun,
} from './support/property-tally.js';

// SOAK_RUNS scenarios, a third each with the default shape, dense early faults, and streams that fail and
// resume (issue 13), then SOAK_REPLICATED_RUNS (default SOAK_RUNS) on replicated partitions (3 replicas; 3
// and 5 nodes, streams and resumes, destroys and lossy crashes), from a seed that changes every run (printed,
// and PROPERTY_SEED repeats it).
const runs = Number(process.env['SOAK_RUNS'] ?? '1000');
const replicatedRuns = Number(process.env['SOAK_REPLICATED_RUNS'] ?? runs);
const env = propertyEnv();
const seed = env.seed ?? Math.floor(Math.random() * 0x7fff_ffff);

describe('Scenario soak', () => {
  it(`passes every checker over ${runs} scenarios (fast-check seed ${seed})`, async () => {
    expect(Number.isInteger(runs) && runs > 0, `SOAK_RUNS must be a positive integer, got ${runs}`).toBe(
      true,
    );
    const tally = emptyTally();
    const exact = emptyExactTally();
    const started = performance.now();
    const third = Math.ceil(runs / 3);
    await checkScenarioProperty(scenarioArb({ maxItems: 100 }), {
      numRuns: third,
      seed,
      endOnFailure: env.endOnFailure,
      onRun: (run) => tallyRun(tally, run),
    });
    await checkScenarioProperty(scenarioArb({ maxItems: 100, maxSteps: 10, maxAtMs: 40 }), {
      numRuns: third,
      seed: seed + 1,
      endOnFailure: env.endOnFailure,
      onRun: (run) => tallyRun(tally, run),
    });
    await checkScenarioProperty(resumeScenarioArb({ maxItems: 60 }), {
      numRuns: runs - 2 * third,
      seed: seed + 2,
      endOnFailure: env.endOnFailure,
      onRun: (run) => {
        tallyRun(tally, run);
        tallyExactRun(exact, run);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    console.info(
      `soak: ${tally.runs} scenarios in ${seconds.toFixed(1)} s (${((seconds * 1000) / tally.runs).toFixed(1)} ms each; ` +
        `10,000 would take about ${((seconds / tally.runs) * 10_000).toFixed(0)} s)\n${formatTally(tally)}\n` +
        `exact outcomes: ${JSON.stringify(exact)}`,
    );
  });

  it(`passes every checker over ${replicatedRuns} replicated scenarios (fast-check seed ${seed})`, async () => {
    expect(
      Number.isInteger(replicatedRuns) && replicatedRuns > 0,
      `SOAK_REPLICATED_RUNS must be a positive integer, got ${replicatedRuns}`,
    ).toBe(true);
    const tally = emptyTally();
    const exact = emptyExactTally();
    const replication = emptyReplicationTally();
    const onRun = (run: JudgedRun) => {
      tallyRun(tally, run);
      tallyReplicationRun(replication, run);
    };
    const started = performance.now();
    const third = Math.ceil(replicatedRuns / 3);
    const options = (numRuns: number, offset: number) => ({
      numRuns,
      seed: seed + offset,
      endOnFailure: env.endOnFailure,
    });
    await checkScenarioProperty(scenarioArb({}, replicatedShape(3)), { ...options(third, 3), onRun });
    await checkScenarioProperty(scenarioArb({ maxItems: 80, maxSteps: 8, maxAtMs: 60 }, replicatedShape(5)), {
      ...options(third, 4),
      onRun,
    });
    await checkScenarioProperty(resumeScenarioArb({}, replicatedShape(3)), {
      ...options(replicatedRuns - 2 * third, 5),
      onRun: (run) => {
        tallyExactRun(exact, run);
        tallyReplicationRun(replication, run);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    console.info(
      `replicated soak: ${replication.runs} scenarios in ${seconds.toFixed(1)} s ` +
        `(${((seconds * 1000) / replication.runs).toFixed(1)} ms each)\n${formatTally(tally)}\n` +
        `exact: ${JSON.stringify(exact)}\nreplication: ${JSON.stringify(replication)}`,
    );
  });
});
