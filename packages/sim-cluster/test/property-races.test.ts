import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { raceArb, runRace } from './support/property-races.js';
import { propertyEnv } from './support/property-scenario.js';

const RUNS = 300;
const env = propertyEnv();

describe('Race property: orderings of acks, retries and flushes', () => {
  it('passes every checker whatever order the client receives its connections’ chunks in', async () => {
    let retries = 0;
    let resolved = 0;
    const failures: string[] = [];
    const details = await fc.check(
      fc.asyncProperty(fc.scheduler(), raceArb, async (scheduler, race) => {
        let outcome: Awaited<ReturnType<typeof runRace>>;
        try {
          outcome = await runRace(race, scheduler);
        } catch (error) {
          failures.push(
            `the run threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
          );
          throw error;
        }
        retries += outcome.retries;
        if (outcome.resolved) resolved++;
        if (outcome.failure !== undefined) failures.push(outcome.failure);
        return outcome.failure === undefined;
      }),
      {
        numRuns: RUNS,
        seed: env.seed ?? 0x0ace_5eed,
        ...(env.path === undefined ? {} : { path: env.path }),
        ...(env.endOnFailure ? { endOnFailure: true } : {}),
      },
    );
    if (details.failed) {
      throw new Error(
        [
          'race property failed',
          failures.at(-1) ?? '(see the fast-check report below)',
          `replay: PROPERTY_SEED=${details.seed} PROPERTY_PATH=${details.counterexamplePath ?? ''} ` +
            'pnpm --filter @datastreamer/sim-cluster exec vitest run test/property-races.test.ts',
          fc.defaultReportMessage(details) ?? '',
        ].join('\n'),
      );
    }
    // Not vacuous: the held deliveries made requests time out and batches go again.
    expect(retries).toBeGreaterThan(0);
    expect(resolved).toBeGreaterThan(RUNS / 2);
  });
});
