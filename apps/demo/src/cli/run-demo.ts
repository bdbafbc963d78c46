/**
 * One run of the demo from parsed flags: the logger, the progress view (live on a terminal, plain lines
 * otherwise, on stderr), the scenario or the story, each summary on stdout (text, or one JSON object with
 * `--json`), and the exit code. Ctrl-C handling is the caller's: it sets the stop request this reads.
 */
import { realClock } from '@datastreamer/protocol';
import { RunMeter } from '../run/run-meter.js';
import type { StopRequest } from '../run/scenario-context.js';
import { formatSummary, type ScenarioSummary } from '../run/scenario-summary.js';
import { runStory } from '../run/story.js';
import type { ScenarioName } from '../scenarios/scenario.js';
import { colorEnabled, colors } from '../view/colors.js';
import type { OutputStream } from '../view/output-stream.js';
import { type ProgressMode, ProgressReporter } from '../view/progress-reporter.js';
import { demoLogger } from './demo-logger.js';
import type { CliFlags } from './demo-program.js';

export interface DemoIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: NodeJS.ProcessEnv;
}

/** Exit codes. */
export const ExitCodes = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** What a run hands back to the CLI. */
export interface DemoRun {
  readonly reporter: ProgressReporter;
  readonly done: Promise<number>;
}

/** The JSON printed for the story: every scenario's summary and the overall verdict. */
export interface StoryJson {
  readonly story: true;
  readonly partial: boolean;
  readonly verdict: 'VALID' | 'INVALID';
  readonly events: number;
  readonly durationMs: number;
  readonly scenarios: readonly ScenarioSummary[];
}

function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

/** Starts the run; `done` resolves with the exit code once the summary is printed. */
export function runDemo(
  scenario: ScenarioName | undefined,
  flags: CliFlags,
  io: DemoIo,
  stop: StopRequest,
): DemoRun {
  const errColor = colorEnabled(io.stderr, io.env);
  const outColors = colors(colorEnabled(io.stdout, io.env));
  const mode: ProgressMode = io.stderr.isTTY === true ? 'tty' : 'plain';
  const reporter = new ProgressReporter({ mode, stream: io.stderr, colors: colors(errColor) });
  const logger = demoLogger(flags.logLevel, io.stderr.isTTY === true, errColor);
  const meter = new RunMeter(() => realClock.now());
  const options = {
    seed: flags.seed,
    nodes: flags.nodes,
    partitions: flags.partitions,
    history: flags.history,
    ...(flags.events === undefined ? {} : { events: flags.events }),
    ...(flags.faults === undefined ? {} : { faults: flags.faults }),
    ...(flags.file === undefined ? {} : { file: flags.file }),
    ...(flags.generate === undefined ? {} : { generate: flags.generate }),
  };
  const done = (async () => {
    const startedAt = realClock.now();
    if (!flags.json) {
      const what = scenario ?? 'the full story';
      io.stdout.write(
        outColors.bold(
          `datastreamer demo: ${what} on ${options.nodes} nodes, ${options.partitions} partitions, seed ${options.seed}\n`,
        ),
      );
    }
    let summaries: ScenarioSummary[];
    try {
      summaries = await runStory(scenario, {
        options,
        meter,
        stop,
        logger,
        reporter,
        onSummary: (summary) => {
          if (!flags.json) io.stdout.write(`${formatSummary(summary, outColors)}\n`);
        },
      });
    } catch (error) {
      reporter.close();
      // The stack only when logs are on: a missing file is the user's to fix, not a crash to debug.
      const verbose = flags.logLevel !== 'silent';
      const detail =
        error instanceof Error ? (verbose ? (error.stack ?? error.message) : error.message) : String(error);
      io.stderr.write(`demo: ${detail}\n`);
      return ExitCodes.failed;
    }
    reporter.close();
    const valid = summaries.length > 0 && summaries.every((s) => s.verdict === 'VALID');
    const partial = stop.requested;
    if (flags.json) {
      const single = scenario !== undefined ? summaries[0] : undefined;
      const story: StoryJson = {
        story: true,
        partial,
        verdict: valid ? 'VALID' : 'INVALID',
        events: summaries.reduce((a, s) => a + s.events, 0),
        durationMs: summaries.reduce((a, s) => a + s.durationMs, 0),
        scenarios: summaries,
      };
      io.stdout.write(`${toJson(single ?? story)}\n`);
    } else if (scenario === undefined) {
      const events = summaries.reduce((a, s) => a + s.events, 0).toLocaleString('en-US');
      const seconds = (summaries.reduce((a, s) => a + s.durationMs, 0) / 1000).toFixed(1);
      const wall = ((realClock.now() - startedAt) / 1000).toFixed(1);
      const verdict = valid
        ? outColors.green(outColors.bold('VALID'))
        : outColors.red(outColors.bold('INVALID'));
      io.stdout.write(
        `${outColors.bold('The story')}: ${summaries.length} of 6 scenarios, ${events} events streamed in ${seconds} s (${wall} s with clusters and verification), ${valid ? 'nothing lost' : 'verification failed'}: ${verdict}${partial ? ' (partial: stopped by Ctrl-C)' : ''}\n`,
      );
    }
    if (!valid) return ExitCodes.failed;
    return partial ? ExitCodes.interrupted : ExitCodes.ok;
  })();
  return { reporter, done };
}
