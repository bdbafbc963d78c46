/**
 * What a running demo reports to whoever shows it: a scenario began, its streaming progress, the end of its
 * streaming with the stream's numbers, the state of each verification step, and its summary. Plain data, so
 * the events cross from the worker thread that runs the scenarios to the main thread that shows them. It
 * shows nothing.
 */
import type { ProgressSnapshot } from './progress-snapshot.js';
import type { Check, ScenarioSummary, StreamStats } from './scenario-summary.js';

/** Where a verification step is. `skipped`: not run, because a stop was requested first. */
export type VerifyStepState = 'pending' | 'running' | 'done' | 'skipped';

/** One step of a scenario's verification, as the view shows it. */
export interface VerifyStep {
  readonly name: string;
  readonly state: VerifyStepState;
  /** Its result, once done. */
  readonly check?: Check;
  /** How far a running step got, when it can tell (items compared, of the total). */
  readonly done?: number;
  readonly total?: number;
}

export type EngineEvent =
  /** A scenario began, aiming at `target` events (0 when unknown). */
  | { readonly type: 'scenario'; readonly scenario: string; readonly target: number }
  /** Streaming progress, a few times a second while a scenario streams. */
  | { readonly type: 'progress'; readonly snapshot: ProgressSnapshot }
  /** The streams ended; verification follows. */
  | { readonly type: 'streamed'; readonly scenario: string; readonly stats: StreamStats }
  /** The verification's steps, each time one changes. */
  | { readonly type: 'verify'; readonly scenario: string; readonly steps: readonly VerifyStep[] }
  /** A scenario ended. */
  | { readonly type: 'summary'; readonly summary: ScenarioSummary };

/** Receives a run's events. */
export type EngineSink = (event: EngineEvent) => void;
