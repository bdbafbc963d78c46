/**
 * What a scenario reports at the end, as load tools do: events, rows/s, MB/s, batch latency p50/p95/p99/max,
 * retries, reroutes, duplicates applied, and the verification verdict with each check that made it and each
 * that did not run. Plain JSON-safe data (the `--json` output); view/format-summary.ts renders it for a terminal.
 * It runs no check itself.
 */

/** One verification: what was compared, whether it held, and the numbers. */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface LatencyPercentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * `VALID`: every check held. `INVALID`: a check failed. `UNVERIFIED`: none failed, but a stop (Ctrl-C) came
 * before every check ran; `notVerified` lists the others.
 */
export type Verdict = 'VALID' | 'INVALID' | 'UNVERIFIED';

/** What a scenario's streaming did, known when its streams end (before any verification). */
export interface StreamStats {
  /** Items produced and taken by the streamer (PUTs and REMOVEs). */
  readonly events: number;
  /** Streaming time, on the run's clock (virtual ms with `--clock virtual`). */
  readonly durationMs: number;
  readonly rowsPerSec: number;
  readonly mbPerSec: number;
  readonly batches: number;
  readonly latencyMs: LatencyPercentiles;
  readonly retries: number;
  readonly reroutes: number;
}

export interface ScenarioSummary extends StreamStats {
  readonly scenario: string;
  /** Stopped by Ctrl-C: the numbers cover what was produced until then; see `notVerified`. */
  readonly partial: boolean;
  readonly seed: number;
  readonly nodes: number;
  readonly partitions: number;
  /** The clock the cluster ran on: only a `virtual` run replays exactly from its seed. */
  readonly clock: 'real' | 'virtual';
  /**
   * The recorded history's hash (`virtual` runs that ran to the end): the same seed and flags give the same
   * hash on every run.
   */
  readonly historyHash?: string;
  /** Rows in the table at the end; null when a stop came before the table was read. */
  readonly stored: number | null;
  /**
   * Applies beyond the first of one item (at-least-once redelivery), counted from the cluster's history; 0
   * and not counted when the history was off (`historyCheckersSkipped`).
   */
  readonly duplicatesApplied: number;
  /** Scenario-specific numbers (malformed lines, invalid events, producer wait, faults injected, ...). */
  readonly details: Readonly<Record<string, number | string>>;
  /** The checks that ran. */
  readonly checks: readonly Check[];
  /** The checks that did not run, because a stop (Ctrl-C) came first. Empty for a complete run. */
  readonly notVerified: readonly string[];
  /** history-import: the first malformed lines of the file, by 1-based line number. */
  readonly malformedLines?: readonly { readonly line: number; readonly reason: string }[];
  /**
   * Present when the cluster ran with its history off: why. The cluster's checkers did not run and
   * redeliveries were not counted; the checks are the table against what was produced.
   */
  readonly historyCheckersSkipped?: string;
  readonly verdict: Verdict;
}

/** The verdict of `checks` when `notVerified` did not run. */
export function verdictOf(checks: readonly Check[], notVerified: readonly string[]): Verdict {
  if (checks.some((c) => !c.ok)) return 'INVALID';
  return notVerified.length > 0 ? 'UNVERIFIED' : 'VALID';
}

/** The `q` quantile (0..1) of `values` by the nearest-rank method; 0 for none. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? 0;
}

/** p50, p95, p99 and max of `latencies` (unsorted), rounded to 0.1 ms. */
export function latencyPercentiles(latencies: readonly number[]): LatencyPercentiles {
  const sorted = Float64Array.from(latencies).sort();
  const list = Array.from(sorted);
  const r = (x: number) => Math.round(x * 10) / 10;
  return {
    p50: r(quantile(list, 0.5)),
    p95: r(quantile(list, 0.95)),
    p99: r(quantile(list, 0.99)),
    max: r(list.at(-1) ?? 0),
  };
}
