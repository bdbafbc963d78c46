/**
 * One reading of a running scenario's meter for the view: counts, the recent rate, items held per node and
 * the newest ticker lines. Plain data (it crosses from the run's worker thread to the view). Taking one is
 * cheap (a few numbers, one pass over the partitions); rendering it is the view's job.
 */
import type { PartitionPlace, RunMeter, TickerEntry } from './run-meter.js';

/** A fault or topology change that lasted, in ms since the scenario began (`toMs` null: still holding). */
export interface FaultBand {
  readonly label: string;
  readonly source: 'fault' | 'topology';
  readonly fromMs: number;
  readonly toMs: number | null;
}

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
  /** Rows acknowledged by each node so far. */
  readonly ackedByNode: readonly (readonly [string, number])[];
  /** Where each partition's replicas and primary are now. */
  readonly partitions: readonly PartitionPlace[];
  /**
   * Faults and topology changes so far: those that last as bands, the rest as instants (`toMs` = `fromMs`),
   * elections and leases left out (the counters count them).
   */
  readonly faults: readonly FaultBand[];
  /** Per-message network events so far (drops, duplicates, resets, refusals). */
  readonly networkCounts: readonly (readonly [string, number])[];
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
    ackedByNode: [...meter.ackedByNode].sort(([a], [b]) => a.localeCompare(b)),
    partitions: meter.partitionPlaces(),
    ...faultsOf(meter),
  };
}

/** The meter's fault spans, on the scenario's time axis (the cluster's clock started with the scenario). */
function faultsOf(meter: RunMeter): Pick<ProgressSnapshot, 'faults' | 'networkCounts'> {
  const spans = meter.faultSpans();
  if (spans === undefined) return { faults: [], networkCounts: [] };
  const since = meter.startedAt;
  const faults: FaultBand[] = [
    ...spans.spans().map((s) => ({
      label: s.label,
      source: s.source,
      fromMs: s.fromMs - since,
      toMs: s.toMs === undefined ? null : s.toMs - since,
    })),
    // Elections and leases are counted on the view (replication-watch.ts); listed, they would bury the faults.
    ...spans
      .instants()
      .filter((i) => i.kind !== 'election' && i.kind !== 'lease')
      .map((i) => ({
        label: i.label,
        source: i.source,
        fromMs: i.atMs - since,
        toMs: i.atMs - since,
      })),
  ];
  faults.sort((a, b) => a.fromMs - b.fromMs);
  return { faults, networkCounts: [...spans.counts()] };
}
