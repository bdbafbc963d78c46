/**
 * Sequential keys must spread evenly over partitions: a chi-square goodness-of-fit test against the uniform
 * distribution, two-sided, so that a hash that clusters fails and so does one that merely preserves key
 * order (which spreads sequential keys "too" evenly and hot-spots on real key patterns).
 */
import { describe, expect, it } from 'vitest';
import { colocationHash } from '../src/hash/colocation-hash.js';
import { partitionFor } from '../src/hash/partition.js';
import type { ColumnDef } from '../src/schema/table-schema.js';
import type { InternalValue } from '../src/schema/values.js';

const KEYS = 100_000;

/**
 * Chi-square quantiles at p = 0.001 in each tail, for df = partitions - 1 (from scipy.stats.chi2.ppf(0.999, df)
 * and chi2.ppf(0.001, df)). A uniform hash falls outside [lower, upper] with probability 0.002.
 */
const CHI_SQUARE_BOUNDS: Readonly<Record<number, { readonly lower: number; readonly upper: number }>> = {
  16: { lower: 3.4827, upper: 37.6973 }, // df = 15
  32: { lower: 12.1963, upper: 61.0983 }, // df = 31
};

function chiSquare(partitionOf: (i: number) => number, partitions: number): number {
  const counts = new Array<number>(partitions).fill(0);
  for (let i = 0; i < KEYS; i++) {
    const p = partitionOf(i);
    counts[p] = (counts[p] ?? 0) + 1;
  }
  const expected = KEYS / partitions;
  return counts.reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
}

function expectUniform(statistic: number, partitions: number): void {
  const bounds = CHI_SQUARE_BOUNDS[partitions];
  if (bounds === undefined) throw new Error(`no chi-square bounds for ${partitions} partitions`);
  expect(statistic).toBeGreaterThan(bounds.lower);
  expect(statistic).toBeLessThan(bounds.upper);
}

const keyKinds: ReadonlyArray<readonly [string, ColumnDef, (i: number) => InternalValue]> = [
  ['INT32 0..99999', { name: 'id', type: 'INT32' }, (i) => i],
  ['INT64 0..99999', { name: 'id', type: 'INT64' }, (i) => BigInt(i)],
  ['STRING user-0..user-99999', { name: 'id', type: 'STRING' }, (i) => `user-${i}`],
];

describe('colocation hash distribution', () => {
  for (const [label, column, keyOf] of keyKinds) {
    for (const partitions of [16, 32]) {
      it(`spreads ${label} evenly over ${partitions} partitions`, () => {
        const statistic = chiSquare(
          (i) => partitionFor(colocationHash([column], [keyOf(i)]), partitions),
          partitions,
        );
        expectUniform(statistic, partitions);
      });
    }
  }

  it('rejects a hash that keeps key order (too even) and one that skips partitions', () => {
    const identity = chiSquare((i) => partitionFor(i, 16), 16);
    expect(identity).toBeLessThan(3.4827);
    const evenOnly = chiSquare((i) => partitionFor(i & ~1, 16), 16);
    expect(evenOnly).toBeGreaterThan(37.6973);
  });
});
