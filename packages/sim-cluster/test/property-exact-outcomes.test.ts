import { afterAll, describe, expect, it } from 'vitest';
import { checkScenarioProperty, propertyEnv, resumeScenarioArb } from './support/property-scenario.js';
import { type ExactTally, emptyExactTally, missingExact, tallyExactRun } from './support/property-tally.js';

// Fixed seeds, so CI and the mutants runner judge the same scenarios (PROPERTY_SEED explores others).
const RUNS = 300;
const tally: ExactTally = emptyExactTally();
const env = propertyEnv();

afterAll(() => {
  console.info(`exact-outcomes tally\n${JSON.stringify(tally)}`);
});

describe('Scenario property: exact outcomes when streams fail and resume', () => {
  it('keeps every report true and ends every resume with its last writes, under faults and late messages', async () => {
    await checkScenarioProperty(resumeScenarioArb(), {
      numRuns: RUNS,
      seed: env.seed ?? 0x0e_7ac7,
      ...(env.path === undefined ? {} : { path: env.path }),
      endOnFailure: env.endOnFailure,
      onRun: (run) => tallyExactRun(tally, run),
    });
  });

  it('saw failures of every kind, seals, fenced late attempts and resumes of both kinds', () => {
    // Not vacuous: each path of the exact outcomes must have run somewhere.
    expect(tally.runs).toBe(RUNS);
    expect(missingExact(tally), JSON.stringify(tally)).toEqual([]);
  });
});
