/**
 * Runs one scenario, or the full story (every scenario in turn, each at its story size on a fresh cluster),
 * reporting each through `emit`: its start, its progress while it streams, its verification, and its
 * summary. A stop request ends the scenario running (see stop-control.ts) and skips the rest. This is what
 * the demo's worker thread runs; it prints nothing itself.
 */
import type { Logger } from '@datastreamer/protocol';
import type { EngineSink } from '../run/engine-events.js';
import { historyModeFor } from '../run/history-mode.js';
import { checkHeapFor } from '../run/memory-guard.js';
import { ProgressFeed } from '../run/progress-feed.js';
import { RunMeter } from '../run/run-meter.js';
import type { DemoOptions } from '../run/scenario-context.js';
import type { ScenarioSummary } from '../run/scenario-summary.js';
import type { StopRequest } from '../run/stop-control.js';
import { type ScenarioName, ScenarioNames } from '../scenarios/scenario.js';
import { scenarios } from '../scenarios/scenarios.js';

export interface StoryRun {
  readonly options: DemoOptions;
  readonly stop: StopRequest;
  readonly logger: Logger;
  readonly emit: EngineSink;
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
  // The meter reads each scenario's cluster clock once it starts (RunMeter.useClock); until then, real time.
  const meter = new RunMeter(() => performance.now());
  const feed = new ProgressFeed(run.emit);
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
    meter.onBegin = () => {
      run.emit({ type: 'scenario', scenario: meter.scenario, target: meter.target });
      feed.start(meter);
    };
    meter.onEnd = () => feed.stop();
    try {
      const summary = await s.run({ options, meter, stop: run.stop, logger: run.logger, emit: run.emit });
      summaries.push(summary);
      run.emit({ type: 'summary', summary });
    } finally {
      meter.onBegin = undefined;
      meter.onEnd = undefined;
      feed.stop();
    }
  }
  return summaries;
}
