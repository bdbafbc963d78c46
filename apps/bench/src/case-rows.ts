/**
 * How many rows each case handles for a run's `--rows`: the throughput cases take `--rows` as it is, the
 * per-row case a fraction (each of its rows waits a whole round trip), the album release its full first
 * hour unless the run is a smoke run. Pure; running the cases is `main.ts`'s job.
 */
import type { CaseName } from './cases/case-result.js';

/** Rows of the throughput cases unless `--rows` says otherwise. */
export const DEFAULT_ROWS = 1_000_000;
/** The album release's first hour; `--rows` below {@link DEFAULT_ROWS} shrinks the case (smoke runs). */
export const ALBUM_RELEASE_ROWS = 2_500_000;

/** Rows of the many-clients cases; `--rows` below {@link DEFAULT_ROWS} shrinks them (smoke runs). */
export const MANY_CLIENTS_ROWS = 400_000;

/**
 * Rows each case handles for `--rows rows`: per_row a thousandth (at least 500) over a network with a delay,
 * where each row waits a round trip, and a hundredth (at least 1000) without one; album_release the full
 * first hour (2,500,000) unless `rows` is below the default (a smoke run), then `rows`; the many-clients
 * cases 400,000, or `rows` when that is fewer and below the default.
 */
export function caseRows(name: CaseName, rows: number, networkDelayMs: number): number {
  if (name === 'per_row') {
    return networkDelayMs > 0
      ? Math.max(500, Math.floor(rows / 1000))
      : Math.max(1000, Math.floor(rows / 100));
  }
  if (name === 'album_release') return rows < DEFAULT_ROWS ? rows : ALBUM_RELEASE_ROWS;
  if (name === 'stream_16p_16c' || name === 'stream_1024p_16c' || name === 'stream_1000c') {
    return rows < DEFAULT_ROWS ? Math.min(rows, MANY_CLIENTS_ROWS) : MANY_CLIENTS_ROWS;
  }
  return rows;
}
