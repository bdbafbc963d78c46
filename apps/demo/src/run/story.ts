/**
 * Runs one scenario, or the full story (every scenario in turn, each at its story size on a fresh cluster),
 * showing each through the progress reporter and handing each summary to `onSummary` as it ends. A stop
 * request ends the scenario running (it drains) and skips the rest. It prints nothing itself.
 */
import type { Logger } from '@datastreamer/protocol';
import { type ScenarioName, ScenarioNames } from '../scenarios/scenario.js';
import { scenarios } from '../scenarios/scenarios.js';
import type { ProgressReporter } from '../view/progress-reporter.js';
import { historyModeFor } from './history-mode.js';
import { checkHeapFor } from './memory-guard.js';
import type { RunMeter } from './run-meter.js';
import type { DemoOptions, StopRequest } from './scenario-context.js';
import type { ScenarioSummary } from './scenario-summary.js';

export interface StoryRun {
  readonly options: DemoOptions;
  readonly meter: RunMeter;
  readonly stop: StopRequest;
  readonly logger: Logger;
  readonly reporter: ProgressReporter;
  readonly onSummary: (summary: ScenarioSummary) => void;
}

/**
 * Runs `scenario`, or the story when undefined; resolves with the summaries in order.
 * @throws whatever a scenario throws outside its verification (a cluster that cannot start, a file that
 *   cannot be read).
 */
export async function runStory(
  scenario: ScenarioName | undefined,
  run: StoryRun,
): Promise<ScenarioSummary[]> {
  const names = scenario === undefined ? ScenarioNames : [scenario];
  const summaries: ScenarioSummary[] = [];
  for (const name of names) {
    if (run.stop.requested) break;
    const s = scenarios[name];
    const options: DemoOptions =
      scenario === undefined && run.options.events === undefined
        ? { ...run.options, events: s.storyEvents }
        : run.options;
    const events = options.events ?? s.defaultEvents;
    // Only a full history has to fit the heap; with it off (auto above the threshold) any size runs.
    if (historyModeFor(options.history, events) === 'full') checkHeapFor(name, events);
    run.meter.onBegin = () => run.reporter.start(run.meter);
    try {
      const summary = await s.run({ options, meter: run.meter, stop: run.stop, logger: run.logger });
      summaries.push(summary);
      run.reporter.stop();
      run.onSummary(summary);
    } finally {
      run.meter.onBegin = undefined;
      run.reporter.stop();
    }
  }
  return summaries;
}
