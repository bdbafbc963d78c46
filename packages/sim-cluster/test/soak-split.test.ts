// `pnpm test:soak` may be split over worker threads and machines (`--workers`, `--shard i/n`); the split must
// change who runs a scenario, never which scenarios run or how they end, or a failure found on one machine
// could not be found again on another.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseSoakArgs,
  SoakUsageError,
  scenarioSeed,
  scenarioShape,
  shardRange,
} from '../tools/soak/soak-plan.js';
import { runSoakScenario } from '../tools/soak/soak-scenario.js';

const SOAK = fileURLToPath(new URL('../tools/soak/soak.ts', import.meta.url));

describe('shardRange', () => {
  it('gives every scenario index to exactly one shard, in order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 40 }), (runs, count) => {
        const indexes: number[] = [];
        for (let index = 1; index <= count; index++) {
          const { from, to } = shardRange(runs, { index, count });
          for (let k = from; k < to; k++) indexes.push(k);
        }
        expect(indexes).toEqual(Array.from({ length: runs }, (_, k) => k));
      }),
      { numRuns: 300 },
    );
  });
});

describe('scenarioSeed', () => {
  it('depends on the base seed and the index only, and differs between indexes', () => {
    expect(scenarioSeed(9, 3)).toBe(scenarioSeed(9, 3));
    const seeds = new Set(Array.from({ length: 1000 }, (_, k) => scenarioSeed(9, k)));
    expect(seeds.size).toBe(1000);
    expect(scenarioSeed(10, 3)).not.toBe(scenarioSeed(9, 3));
    expect([0, 1, 2, 3, 4, 5, 6].map(scenarioShape)).toEqual([
      'default',
      'dense',
      'resume',
      'replicated-3',
      'replicated-5',
      'replicated-resume',
      'default',
    ]);
  });
});

describe('parseSoakArgs', () => {
  it('reads the flags, with SOAK_RUNS, PROPERTY_SEED and the core count as defaults', () => {
    expect(parseSoakArgs([], { SOAK_RUNS: '50', PROPERTY_SEED: '7' }, 4)).toEqual({
      runs: 50,
      workers: 4,
      shard: { index: 1, count: 1 },
      seed: 7,
      endOnFailure: false,
      json: false,
    });
    expect(
      parseSoakArgs(['--runs', '9', '--workers', '2', '--shard', '3/4', '--seed', '1'], {}, 8),
    ).toMatchObject({ runs: 9, workers: 2, shard: { index: 3, count: 4 }, seed: 1 });
  });

  it('refuses a bad value or an unknown flag, naming it', () => {
    expect(() => parseSoakArgs(['--shard', '5/4'], {}, 2)).toThrow(SoakUsageError);
    expect(() => parseSoakArgs(['--shard', '1-2'], {}, 2)).toThrow(/--shard must be i\/n/);
    expect(() => parseSoakArgs(['--workers', '0'], {}, 2)).toThrow(/--workers must be an integer >= 1/);
    expect(() => parseSoakArgs([], { SOAK_RUNS: 'many' }, 2)).toThrow(/SOAK_RUNS/);
    expect(() => parseSoakArgs(['--fast'], {}, 2)).toThrow(/unknown argument --fast/);
  });
});

describe('A split soak', () => {
  it('judges the same scenarios, with the same outcome, as one thread running them alone', async () => {
    // Shard 2 of 2 of a 6-scenario soak, on 2 worker threads, as its own process...
    const run = spawnSync(
      process.execPath,
      [
        '--conditions=@datastreamer/source',
        '--import',
        'tsx',
        SOAK,
        ...['--runs', '6', '--seed', '9', '--shard', '2/2', '--workers', '2', '--json'],
      ],
      { encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(0);
    const split = JSON.parse(run.stdout) as { from: number; to: number; scenarios: unknown[] };
    expect([split.from, split.to]).toEqual([3, 6]);
    // ...and the same indexes run here, one after another.
    const alone = [];
    for (let index = 3; index < 6; index++) alone.push(await runSoakScenario(index, 9, false));
    expect(split.scenarios).toEqual(alone);
  });
});
