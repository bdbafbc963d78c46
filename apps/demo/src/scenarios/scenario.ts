/**
 * The shape of a scenario, and the scenario names as a table (`pnpm demo <scenario>`). A scenario creates
 * its tables on a fresh cluster, streams its workload, verifies the result and returns its summary; it
 * never prints (the view does).
 */
import type { ScenarioContext } from '../run/scenario-context.js';
import type { ScenarioSummary } from '../run/scenario-summary.js';

export const ScenarioNames = [
  'album-release',
  'lifecycle',
  'history-import',
  'realtime',
  'aggregate',
  'chaos',
] as const;
export type ScenarioName = (typeof ScenarioNames)[number];

export interface Scenario {
  readonly name: ScenarioName;
  /** One line for `--help`. */
  readonly description: string;
  /** What `--events` means for it, and its default. */
  readonly defaultEvents: number;
  /** Events in the full story (`pnpm demo` without a scenario), sized so the story stays well under a minute. */
  readonly storyEvents: number;
  run(ctx: ScenarioContext): Promise<ScenarioSummary>;
}
