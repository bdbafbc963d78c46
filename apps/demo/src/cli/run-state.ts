/**
 * What the main thread knows of a run from its events: the summaries of the scenarios that ended, and of the
 * one running its latest progress, its streaming numbers once it streamed, and its verification steps. When
 * the run is given up (a Ctrl-C its worker could not answer in time), it makes the running scenario's
 * partial summary from that: the numbers it has, the checks that ran, the rest as not verified. It prints
 * nothing.
 */
import type { EngineEvent, VerifyStep } from '../run/engine-events.js';
import type { ProgressSnapshot } from '../run/progress-snapshot.js';
import type { DemoOptions } from '../run/scenario-context.js';
import { type Check, type ScenarioSummary, type StreamStats, verdictOf } from '../run/scenario-summary.js';

/** What stands for the verification of a scenario stopped before its verification began. */
export const WHOLE_VERIFICATION = 'the verification (stopped while streaming)';

interface Running {
  readonly scenario: string;
  snapshot?: ProgressSnapshot;
  stats?: StreamStats;
  steps: readonly VerifyStep[];
}

export class RunState {
  readonly summaries: ScenarioSummary[] = [];
  #running: Running | undefined;

  /** Takes in one event of the run. */
  apply(event: EngineEvent): void {
    switch (event.type) {
      case 'scenario':
        this.#running = { scenario: event.scenario, steps: [] };
        break;
      case 'progress':
        if (this.#running !== undefined) this.#running.snapshot = event.snapshot;
        break;
      case 'streamed':
        if (this.#running !== undefined) this.#running.stats = event.stats;
        break;
      case 'verify':
        if (this.#running !== undefined) this.#running.steps = event.steps;
        break;
      case 'summary':
        this.summaries.push(event.summary);
        this.#running = undefined;
        break;
    }
  }

  /** The partial summary of the scenario running, if one is (see the module header). */
  partialSummary(options: DemoOptions): ScenarioSummary | undefined {
    const running = this.#running;
    if (running === undefined) return undefined;
    const checks: Check[] = running.steps.flatMap((s) => (s.check === undefined ? [] : [s.check]));
    const notVerified =
      running.steps.length === 0
        ? [WHOLE_VERIFICATION]
        : running.steps.filter((s) => s.check === undefined).map((s) => s.name);
    return {
      scenario: running.scenario,
      partial: true,
      seed: options.seed,
      nodes: options.nodes,
      partitions: options.partitions,
      clock: options.clock,
      ...(running.stats ?? statsOf(running.snapshot)),
      stored: null,
      duplicatesApplied: 0,
      details: {},
      checks,
      notVerified,
      verdict: verdictOf(checks, notVerified),
    };
  }
}

/** The streaming numbers a progress snapshot gives (latencies are not in it). */
function statsOf(snapshot: ProgressSnapshot | undefined): StreamStats {
  const events = snapshot?.produced ?? 0;
  const durationMs = Math.max(1, Math.round(snapshot?.elapsedMs ?? 0));
  return {
    events,
    durationMs,
    rowsPerSec: Math.round((events / durationMs) * 1000),
    mbPerSec: 0,
    batches: snapshot?.batches ?? 0,
    latencyMs: { p50: 0, p95: 0, p99: 0, max: 0 },
    retries: snapshot?.retries ?? 0,
    reroutes: snapshot?.reroutes ?? 0,
  };
}
