// Statistical sanity: a biased reduction (plain modulo, a float multiply that skips values) or a broken
// generator step shows up as a lopsided histogram. Seeds are fixed, so these never flake.
import { describe, expect, it } from 'vitest';
import { createRng } from '../src/runtime/seeded-rng.js';

/** Pearson's chi-square statistic of `counts` against a uniform expectation. */
function chiSquare(counts: readonly number[], total: number): number {
  const expected = total / counts.length;
  return counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
}

// Upper critical values of chi-square at p = 0.001.
const CRITICAL_DF9 = 27.877;
const CRITICAL_DF15 = 37.697;

describe('SeededRng uniformity', () => {
  it.each([[1], [42], [20240601]])('spreads int(0, 9) evenly over 100k draws (seed %s)', (seed) => {
    const rng = createRng(seed);
    const counts = new Array<number>(10).fill(0);
    const draws = 100_000;
    for (let i = 0; i < draws; i++) {
      const value = rng.int(0, 9);
      counts[value] = (counts[value] ?? 0) + 1;
    }
    expect(chiSquare(counts, draws)).toBeLessThan(CRITICAL_DF9);
  });

  it('spreads next() evenly over 16 bins', () => {
    const rng = createRng(77);
    const counts = new Array<number>(16).fill(0);
    const draws = 100_000;
    for (let i = 0; i < draws; i++) {
      const bin = Math.floor(rng.next() * 16);
      counts[bin] = (counts[bin] ?? 0) + 1;
    }
    expect(chiSquare(counts, draws)).toBeLessThan(CRITICAL_DF15);
  });

  it('has no modulo bias on a range that does not divide 2^32', () => {
    // With range 3 * 2^30, a plain `u % range` maps two 32-bit values onto each of the lowest 2^30 results,
    // so half the draws (not a third) would land there.
    const rng = createRng(13);
    const range = 3 * 2 ** 30;
    let low = 0;
    const draws = 30_000;
    for (let i = 0; i < draws; i++) {
      if (rng.int(0, range - 1) < 2 ** 30) {
        low++;
      }
    }
    // A third is 10000; the binomial standard deviation is about 82, so 500 is over 6 sigma.
    expect(Math.abs(low - draws / 3)).toBeLessThan(500);
  });

  it('fires chance(0.3) about 30% of the time', () => {
    const rng = createRng(8);
    let hits = 0;
    const draws = 100_000;
    for (let i = 0; i < draws; i++) {
      if (rng.chance(0.3)) {
        hits++;
      }
    }
    // Binomial standard deviation is about 145; 5 sigma is about 725.
    expect(Math.abs(hits - 30_000)).toBeLessThan(725);
  });

  it('detects a biased histogram (the check can fail)', () => {
    const counts = [10_500, 9_950, 9_950, 9_950, 9_950, 9_950, 9_950, 9_950, 9_950, 9_900];
    expect(chiSquare(counts, 100_000)).toBeGreaterThan(CRITICAL_DF9);
  });
});
