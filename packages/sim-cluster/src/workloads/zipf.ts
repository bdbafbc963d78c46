/**
 * Skewed draws for the workloads: a Zipf table over `n` ranks, drawn by one binary search. It is what makes a
 * few hit tracks take most plays and a few heavy listeners play many tracks. No randomness of its own: the
 * caller passes a uniform number.
 */

/** Cumulative Zipf weights (exponent `s`) over `n` ranks, normalised to end at 1. */
export function zipfTable(n: number, s: number): Float64Array {
  const table = new Float64Array(n);
  let sum = 0;
  for (let rank = 1; rank <= n; rank++) {
    sum += 1 / rank ** s;
    table[rank - 1] = sum;
  }
  for (let i = 0; i < n; i++) table[i] = (table[i] ?? 0) / sum;
  return table;
}

/** The 0-based rank whose cumulative weight first reaches `u` (a uniform number in [0, 1)). */
export function drawRank(table: Float64Array, u: number): number {
  let lo = 0;
  let hi = table.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((table[mid] ?? 1) < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
