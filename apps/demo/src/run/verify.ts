/**
 * The verifications the scenarios share: the cluster's checkers over the recorded history (at-least-once,
 * per-key order, final state, liveness; not run when the cluster ran with its history off), counts that must
 * match, the stream's outcome, and the redelivered applies of a table; `beginVerification`, which reports
 * the end of streaming and announces a scenario's steps; and `buildSummary`, which puts a scenario's numbers
 * and checks together and says when the history checkers were skipped.
 */
import { ClientError, type DataStreamerSummary } from '@datastreamer/client';
import type { SimCluster } from '@datastreamer/sim-cluster';
import { historyOffReason } from './history-mode.js';
import type { RunMeter } from './run-meter.js';
import type { ScenarioContext } from './scenario-context.js';
import {
  type Check,
  latencyPercentiles,
  type ScenarioSummary,
  type StreamStats,
  verdictOf,
} from './scenario-summary.js';
import { Verification } from './verification.js';

/** The name of the step that runs the four checkers. */
export const CHECKERS_STEP = 'checkers (at-least-once, per-key order, final state, liveness, exact outcomes)';

/** The name of the step that records the streams' outcome. */
export const STREAM_STEP = 'stream completed';

/** The checkers' step (none when the history is off): to put in a verification's list. */
export function checkerSteps(cluster: SimCluster): string[] {
  return cluster.historyMode === 'off' ? [] : [CHECKERS_STEP];
}

/** The checkers' verdict over the history, as a check, and the redeliveries they counted. */
export interface HistoryJudgement {
  readonly check: Omit<Check, 'name'>;
  readonly duplicated: number;
}

/**
 * The four checkers over the history of `table`, for rows keyed by `keyColumn` that every producer writes
 * once per key (sequence number 0; a REMOVE is recorded with 1). Only for a cluster with its history on
 * (see {@link checkerSteps}); with it off the summary says they were skipped (see {@link buildSummary}).
 */
export function judgeHistory(cluster: SimCluster, table: string, keyColumn: string): HistoryJudgement {
  const verdict = cluster.check<Record<string, unknown>>({
    table,
    key: (row) => ({ [keyColumn]: row[keyColumn] }),
    seq: () => 0,
  });
  const detail = verdict.valid
    ? `nothing lost, none out of order, final state as applied (${verdict.duplicated} redelivered)`
    : `lost ${verdict.lost.length}, unexpected ${verdict.unexpected.length}, unaccounted ${verdict.unaccounted.length}, reordered ${verdict.reordered.length}, final-state mismatches ${verdict.finalStateMismatches.length}, unsettled ${verdict.unsettled.length}`;
  return { check: { ok: verdict.valid, detail }, duplicated: verdict.duplicated };
}

/**
 * Runs the checkers' step when the cluster recorded its history (see {@link checkerSteps}); resolves with the
 * redeliveries they counted (0 when they did not run).
 */
export async function runCheckers(
  verification: Verification,
  cluster: SimCluster,
  table: string,
  keyColumn: string,
): Promise<number> {
  if (cluster.historyMode === 'off') return 0;
  let duplicated = 0;
  await verification.run(CHECKERS_STEP, () => {
    const judged = judgeHistory(cluster, table, keyColumn);
    duplicated = judged.duplicated;
    return judged.check;
  });
  return duplicated;
}

/**
 * Records the streams' outcome as the first step: resolved, failed (a failed check), or cancelled because a
 * stop was requested (not verified: the stream was stopped before it drained).
 */
export function recordStream(ctx: ScenarioContext, verification: Verification, error: unknown): void {
  if (error === undefined) {
    verification.record(STREAM_STEP, { ok: true, detail: 'every item acknowledged' });
  } else if (ctx.stop.requested && error instanceof ClientError && error.code === 'CANCELLED') {
    verification.skip(STREAM_STEP);
  } else {
    verification.record(STREAM_STEP, {
      ok: false,
      detail: error instanceof Error ? error.message : String(error),
    });
  }
}

/** A check that two counts are equal. */
export function countCheck(expected: number, actual: number, what = 'rows'): Omit<Check, 'name'> {
  const fmt = (x: number) => x.toLocaleString('en-US');
  return {
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

/** The streaming numbers from the meter and the streams' summaries (exact when the streams resolved). */
export function streamStats(meter: RunMeter, streams: readonly DataStreamerSummary[]): StreamStats {
  const durationMs = Math.max(1, Math.round(meter.streamMs()));
  const sum = (f: (s: DataStreamerSummary) => number, fallback: number) =>
    streams.length === 0 ? fallback : streams.reduce((acc, s) => acc + f(s), 0);
  const bytes = sum((s) => s.bytes, meter.bytes);
  return {
    events: meter.produced,
    durationMs,
    rowsPerSec: Math.round((meter.produced / durationMs) * 1000),
    mbPerSec: Math.round((bytes / 1_048_576 / (durationMs / 1000)) * 100) / 100,
    batches: sum((s) => s.batches, meter.batches),
    latencyMs: latencyPercentiles(meter.latencies),
    retries: sum((s) => s.retries, meter.retries),
    reroutes: sum((s) => s.rerouted, meter.reroutes),
  };
}

/**
 * The streams of `scenario` ended (resolved when `streams` holds their summaries): reports it with the
 * streaming numbers, and starts the verification of `steps`, the stream's outcome first.
 */
export function beginVerification(
  ctx: ScenarioContext,
  scenario: string,
  steps: readonly string[],
  outcome: { readonly streams: readonly DataStreamerSummary[]; readonly error: unknown },
): Verification {
  ctx.emit({ type: 'streamed', scenario, stats: streamStats(ctx.meter, outcome.streams) });
  const verification = new Verification(scenario, [STREAM_STEP, ...steps], ctx.emit, ctx.stop);
  recordStream(ctx, verification, outcome.error);
  return verification;
}

/** What a scenario passes to {@link buildSummary}. */
export interface SummaryInput {
  readonly scenario: string;
  readonly cluster: SimCluster;
  /** Rows in the table; undefined when a stop came before it was read. */
  readonly stored: number | undefined;
  readonly verification: Verification;
  readonly duplicatesApplied: number;
  /** The streams' summaries, when they resolved (their retries, reroutes and bytes are exact). */
  readonly streams?: readonly DataStreamerSummary[];
  readonly details?: Readonly<Record<string, number | string>>;
  readonly malformedLines?: readonly { readonly line: number; readonly reason: string }[];
}

/**
 * The scenario's summary from the meter, the streams' summaries and the verification. A virtual-clock run
 * that was not stopped carries its history hash (computing it walks the whole history, so only then).
 */
export function buildSummary(ctx: ScenarioContext, input: SummaryInput): ScenarioSummary {
  const { checks, notVerified } = input.verification;
  const { cluster } = input;
  const virtual = ctx.options.clock === 'virtual';
  return {
    scenario: input.scenario,
    partial: ctx.stop.requested,
    seed: ctx.options.seed,
    nodes: ctx.options.nodes,
    partitions: ctx.options.partitions,
    clock: virtual ? 'virtual' : 'real',
    ...(virtual && !ctx.stop.requested ? { historyHash: cluster.history.hash() } : {}),
    ...streamStats(ctx.meter, input.streams ?? []),
    stored: input.stored ?? null,
    duplicatesApplied: input.duplicatesApplied,
    details: input.details ?? {},
    checks,
    notVerified,
    ...(input.malformedLines === undefined ? {} : { malformedLines: input.malformedLines }),
    ...(cluster.historyMode === 'off'
      ? { historyCheckersSkipped: historyOffReason(ctx.options.history) }
      : {}),
    verdict: verdictOf(checks, notVerified),
  };
}
