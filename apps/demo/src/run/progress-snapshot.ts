/**
 * One reading of a running scenario's meter for the view: counts, the recent rate, items held per node and
 * the newest ticker lines. Plain data (it crosses from the run's worker thread to the view). Taking one is
 * cheap (a few numbers, one pass over the partitions); rendering it is the view's job.
 */
import type { RunMeter, TickerEntry } from './run-meter.js';

export interface ProgressSnapshot {
  readonly scenario: string;
  readonly elapsedMs: number;
  readonly target: number;
  readonly produced: number;
  readonly acked: number;
  /** Acknowledged rows per second since the previous snapshot (or since the start). */
  readonly rowsPerSec: number;
  readonly batches: number;
  readonly retries: number;
  readonly reroutes: number;
  readonly waits: number;
  readonly waitMs: number;
  readonly inFlight: readonly (readonly [string, number])[];
  readonly extra: readonly (readonly [string, number])[];
  readonly ticker: readonly TickerEntry[];
  /** Ticker lines noted since the scenario began (the ticker keeps the newest only). */
  readonly notes: number;
}

/** A snapshot of `meter`; `previous` (if any) gives the window of the rate. */
export function takeSnapshot(meter: RunMeter, previous?: ProgressSnapshot): ProgressSnapshot {
  const elapsedMs = meter.elapsedMs();
  const sameRun =
    previous !== undefined && previous.scenario === meter.scenario && previous.elapsedMs < elapsedMs;
  const windowMs = sameRun ? elapsedMs - previous.elapsedMs : elapsedMs;
  const windowRows = sameRun ? meter.acked - previous.acked : meter.acked;
  return {
    scenario: meter.scenario,
    elapsedMs,
    target: meter.target,
    produced: meter.produced,
    acked: meter.acked,
    rowsPerSec: windowMs > 0 ? Math.round((windowRows / windowMs) * 1000) : 0,
    batches: meter.batches,
    retries: meter.retries,
    reroutes: meter.reroutes,
    waits: meter.waits,
    waitMs: meter.waitMs,
    inFlight: [...meter.inFlightByNode()].sort(([a], [b]) => a.localeCompare(b)),
    extra: [...meter.extra],
    ticker: meter.ticker.slice(-8),
    notes: meter.notes,
  };
}
