import { describe, expect, it } from 'vitest';
import { checkScenarioProperty, propertyEnv, scenarioArb } from './support/property-scenario.js';
import { emptyTally, formatTally, tallyRun } from './support/property-tally.js';

// SOAK_RUNS scenarios, half with the default shape and half with dense early faults, from a seed that
// changes every run (printed, and PROPERTY_SEED repeats it).
const runs = Number(process.env['SOAK_RUNS'] ?? '1000');
const env = propertyEnv();
const seed = env.seed ?? Math.floor(Math.random() * 0x7fff_ffff);

describe('Scenario soak', () => {
  it(`passes every checker over ${runs} scenarios (fast-check seed ${seed})`, async () => {
    expect(Number.isInteger(runs) && runs > 0, `SOAK_RUNS must be a positive integer, got ${runs}`).toBe(
      true,
    );
    const tally = emptyTally();
    const started = performance.now();
    const half = Math.ceil(runs / 2);
    await checkScenarioProperty(scenarioArb({ maxItems: 100 }), {
      numRuns: half,
      seed,
      endOnFailure: env.endOnFailure,
      onRun: (run) => tallyRun(tally, run),
    });
    await checkScenarioProperty(scenarioArb({ maxItems: 100, maxSteps: 10, maxAtMs: 40 }), {
      numRuns: runs - half,
      seed: seed + 1,
      endOnFailure: env.endOnFailure,
      onRun: (run) => tallyRun(tally, run),
    });
    const seconds = (performance.now() - started) / 1000;
    console.info(
      `soak: ${tally.runs} scenarios in ${seconds.toFixed(1)} s (${((seconds * 1000) / tally.runs).toFixed(1)} ms each; ` +
        `10,000 would take about ${((seconds / tally.runs) * 10_000).toFixed(0)} s)\n${formatTally(tally)}`,
    );
  });
});
