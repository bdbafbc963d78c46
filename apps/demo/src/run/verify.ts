/**
 * The verifications the scenarios share, each returned as a `Check`: the cluster's checkers over the
 * recorded history (at-least-once, per-key order, final state, liveness; none when the cluster ran with its
 * history off), counts that must match, and the redelivered applies of a table; and `buildSummary`, which
 * puts a scenario's numbers and checks together and says when the history checkers were skipped.
 */
import type { DataStreamerSummary } from '@datastreamer/client';
import type { SimCluster } from '@datastreamer/sim-cluster';
import { historyOffReason } from './history-mode.js';
import type { RunMeter } from './run-meter.js';
import type { ScenarioContext } from './scenario-context.js';
import { type Check, latencyPercentiles, type ScenarioSummary } from './scenario-summary.js';

/** The checkers' check (none when the history was off) and the redeliveries they counted. */
export interface HistoryJudgement {
  readonly checks: readonly Check[];
  readonly duplicated: number;
}

/**
 * The four checkers over the history of `table`, for rows keyed by `keyColumn` that every producer writes
 * once per key (sequence number 0; a REMOVE is recorded with 1). With the cluster's history off there is
 * nothing to judge: no check, and the summary says they were skipped (see {@link buildSummary}).
 */
export function judgeHistory(cluster: SimCluster, table: string, keyColumn: string): HistoryJudgement {
  if (cluster.historyMode === 'off') return { checks: [], duplicated: 0 };
  const verdict = cluster.check<Record<string, unknown>>({
    table,
    key: (row) => ({ [keyColumn]: row[keyColumn] }),
    seq: () => 0,
  });
  const detail = verdict.valid
    ? `nothing lost, none out of order, final state as applied (${verdict.duplicated} redelivered)`
    : `lost ${verdict.lost.length}, unexpected ${verdict.unexpected.length}, unaccounted ${verdict.unaccounted.length}, reordered ${verdict.reordered.length}, final-state mismatches ${verdict.finalStateMismatches.length}, unsettled ${verdict.unsettled.length}`;
  return {
    checks: [
      {
        name: 'checkers (at-least-once, per-key order, final state, liveness)',
        ok: verdict.valid,
        detail,
      },
    ],
    duplicated: verdict.duplicated,
  };
}

/** A check that two counts are equal. */
export function countCheck(name: string, expected: number, actual: number, what = 'rows'): Check {
  const fmt = (x: number) => x.toLocaleString('en-US');
  return {
    name,
    ok: expected === actual,
    detail:
      expected === actual
        ? `${fmt(actual)} ${what}`
        : `expected ${fmt(expected)} ${what}, found ${fmt(actual)}`,
  };
}

/**
 * Applies of `table` beyond the first per key, from the history's apply records (every commit of every node
 * is recorded, whatever stream made it): redeliveries of at-least-once, for a table written once per key.
 */
export function redeliveredApplies(cluster: SimCluster, table: string): number {
  let applies = 0;
  const keys = new Set<string>();
  for (const event of cluster.history.events) {
    if (event.type !== 'apply' || event.table !== table || event.row === null) continue;
    applies++;
    keys.add(event.key);
  }
  return applies - keys.size;
}

/** What a scenario passes to {@link buildSummary}. */
export interface SummaryInput {
  readonly scenario: string;
  /** The cluster's history mode: with `off`, the summary says the history checkers were skipped and why. */
  readonly history: 'full' | 'off';
  readonly stored: number;
  readonly checks: readonly Check[];
  readonly duplicatesApplied: number;
  /** The streams' summaries, when they resolved (their retries, reroutes and bytes are exact). */
  readonly streams?: readonly DataStreamerSummary[];
  readonly details?: Readonly<Record<string, number | string>>;
  readonly malformedLines?: readonly { readonly line: number; readonly reason: string }[];
}

/** The scenario's summary from the meter, the streams' summaries and the checks. */
export function buildSummary(ctx: ScenarioContext, input: SummaryInput): ScenarioSummary {
  const meter: RunMeter = ctx.meter;
  const durationMs = Math.max(1, Math.round(meter.streamMs()));
  const streams = input.streams ?? [];
  const sum = (f: (s: DataStreamerSummary) => number, fallback: number) =>
    streams.length === 0 ? fallback : streams.reduce((acc, s) => acc + f(s), 0);
  const bytes = sum((s) => s.bytes, meter.bytes);
  const ok = input.checks.every((c) => c.ok);
  return {
    scenario: input.scenario,
    partial: ctx.stop.requested,
    seed: ctx.options.seed,
    nodes: ctx.options.nodes,
    partitions: ctx.options.partitions,
    events: meter.produced,
    stored: input.stored,
    durationMs,
    rowsPerSec: Math.round((meter.produced / durationMs) * 1000),
    mbPerSec: Math.round((bytes / 1_048_576 / (durationMs / 1000)) * 100) / 100,
    batches: sum((s) => s.batches, meter.batches),
    latencyMs: latencyPercentiles(meter.latencies),
    retries: sum((s) => s.retries, meter.retries),
    reroutes: sum((s) => s.rerouted, meter.reroutes),
    duplicatesApplied: input.duplicatesApplied,
    details: input.details ?? {},
    checks: input.checks,
    ...(input.malformedLines === undefined ? {} : { malformedLines: input.malformedLines }),
    ...(input.history === 'off' ? { historyCheckersSkipped: historyOffReason(ctx.options.history) } : {}),
    verdict: ok ? 'VALID' : 'INVALID',
  };
}
