/**
 * One run of the demo from parsed flags, in the main process: it starts the story (in a child process for
 * the CLI), shows its events (the progress view on stderr: live on a terminal, plain lines otherwise), prints
 * each summary on stdout (text, or one JSON object with `--json`), and decides the exit code. It also
 * answers Ctrl-C: the first asks the run to stop and gives it {@link KILL_AFTER_MS} to finish; a run that
 * has not finished by then (a verification step computing) is terminated and its partial summary made from
 * what it reported. So a Ctrl-C is answered within a second in any phase. A second Ctrl-C aborts at once.
 * With `--web` it also serves the live web view (web/live-server.ts) from the same events, prints its URL,
 * and keeps it up after a run that ended by itself until a Ctrl-C; a run stopped by Ctrl-C closes it at once.
 */
import type { EngineEvent } from '../run/engine-events.js';
import type { DemoOptions } from '../run/scenario-context.js';
import type { ScenarioSummary } from '../run/scenario-summary.js';
import type { ScenarioName } from '../scenarios/scenario.js';
import { colorEnabled, colors } from '../view/colors.js';
import { formatSummary } from '../view/format-summary.js';
import type { OutputStream } from '../view/output-stream.js';
import { type ProgressMode, ProgressReporter } from '../view/progress-reporter.js';
import { livePageHtml } from '../web/live-page.js';
import { LiveServer } from '../web/live-server.js';
import { LiveState } from '../web/live-state.js';
import { childProcessEngine, type DemoEngine, type EngineRequest } from './demo-engine.js';
import type { CliFlags } from './demo-program.js';
import { RunState } from './run-state.js';

export interface DemoIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: NodeJS.ProcessEnv;
}

/** Exit codes. */
export const ExitCodes = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** How long a run may take to stop after the first Ctrl-C before it is terminated, in ms. */
export const KILL_AFTER_MS = 400;

/** What a run hands back to the CLI. */
export interface DemoRun {
  /** Resolves with the exit code once the summary is printed. */
  readonly done: Promise<number>;
  /** A Ctrl-C: the first stops the run (see the module header), a second aborts it at once. */
  interrupt(): void;
}

/** Starts the story somewhere (see demo-engine.ts): a child process for the CLI, this thread for tests. */
export type EngineFactory = (request: EngineRequest, sink: (event: EngineEvent) => void) => DemoEngine;

/** The JSON printed for the story: every scenario's summary and the overall verdict. */
export interface StoryJson {
  readonly story: true;
  readonly partial: boolean;
  readonly verdict: 'VALID' | 'INVALID' | 'UNVERIFIED';
  readonly events: number;
  readonly durationMs: number;
  readonly scenarios: readonly ScenarioSummary[];
}

function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

function optionsOf(flags: CliFlags): DemoOptions {
  return {
    seed: flags.seed,
    nodes: flags.nodes,
    partitions: flags.partitions,
    history: flags.history,
    clock: flags.clock,
    ...(flags.events === undefined ? {} : { events: flags.events }),
    ...(flags.faults === undefined ? {} : { faults: flags.faults }),
    ...(flags.file === undefined ? {} : { file: flags.file }),
    ...(flags.generate === undefined ? {} : { generate: flags.generate }),
  };
}

/** The story's verdict: VALID when every scenario is, INVALID when one is, UNVERIFIED otherwise. */
function storyVerdict(summaries: readonly ScenarioSummary[]): StoryJson['verdict'] {
  if (summaries.some((s) => s.verdict === 'INVALID')) return 'INVALID';
  if (summaries.length > 0 && summaries.every((s) => s.verdict === 'VALID')) return 'VALID';
  return 'UNVERIFIED';
}

/** Starts the run; `done` resolves with the exit code once the summary is printed. */
export function runDemo(
  scenario: ScenarioName | undefined,
  flags: CliFlags,
  io: DemoIo,
  startEngine: EngineFactory = childProcessEngine,
): DemoRun {
  const errColor = colorEnabled(io.stderr, io.env);
  const outColors = colors(colorEnabled(io.stdout, io.env));
  const mode: ProgressMode = io.stderr.isTTY === true ? 'tty' : 'plain';
  const reporter = new ProgressReporter({ mode, stream: io.stderr, colors: colors(errColor) });
  const options = optionsOf(flags);
  const state = new RunState();
  const live = flags.web ? new LiveState() : undefined;
  const server = live === undefined ? undefined : new LiveServer(live, livePageHtml());
  const show = (event: EngineEvent): void => {
    state.apply(event);
    live?.apply(event);
    switch (event.type) {
      case 'scenario':
        reporter.scenario(event.scenario);
        break;
      case 'progress':
        reporter.progress(event.snapshot);
        break;
      case 'streamed':
        reporter.streamed();
        break;
      case 'verify':
        reporter.verify(event.steps);
        break;
      case 'summary':
        reporter.stop();
        if (!flags.json) io.stdout.write(`${formatSummary(event.summary, outColors)}\n`);
        break;
    }
  };
  const request: EngineRequest = {
    scenario,
    options,
    logLevel: flags.logLevel,
    tty: io.stderr.isTTY === true,
    color: errColor,
  };
  const startedAt = performance.now();
  if (!flags.json) {
    const what = scenario ?? 'the full story';
    io.stdout.write(
      outColors.bold(
        `datastreamer demo: ${what} on ${options.nodes} nodes, ${options.partitions} partitions, seed ${options.seed}, ${options.clock} clock\n`,
      ),
    );
  }
  // Listening starts with the run: events that come first are kept by the live state for the page.
  const listening = server
    ?.listen(flags.port ?? 0)
    .then((url) => reporter.message(`demo: web view at ${url} (Ctrl-C stops the run and the server)`));
  const engine = startEngine(request, show);
  let interrupts = 0;
  // After a run that ended by itself, the web view stays up until this resolves (the next Ctrl-C).
  let releaseWeb: () => void = () => undefined;
  const webReleased = new Promise<void>((resolve) => {
    releaseWeb = resolve;
  });
  let finished = false;
  let killTimer: NodeJS.Timeout | undefined;
  let giveUp: (why: 'killed' | 'aborted') => void = () => undefined;
  const givenUp = new Promise<'killed' | 'aborted'>((resolve) => {
    giveUp = resolve;
  });

  const interrupt = (): void => {
    if (finished) {
      releaseWeb();
      return;
    }
    interrupts++;
    if (interrupts === 1) {
      reporter.message(
        'demo: Ctrl-C: stopping within a second, then a partial summary (Ctrl-C again aborts)',
      );
      engine.stop();
      killTimer = setTimeout(() => {
        engine.kill();
        giveUp('killed');
      }, KILL_AFTER_MS);
      return;
    }
    engine.kill();
    giveUp('aborted');
  };

  const run = async (): Promise<number> => {
    let outcome: 'finished' | 'killed' | 'aborted';
    try {
      outcome = await Promise.race([engine.finished.then(() => 'finished' as const), givenUp]);
    } catch (error) {
      reporter.close();
      // The stack only when logs are on: a missing file is the user's to fix, not a crash to debug.
      const verbose = flags.logLevel !== 'silent';
      const detail =
        error instanceof Error ? (verbose ? (error.stack ?? error.message) : error.message) : String(error);
      io.stderr.write(`demo: ${detail}\n`);
      return ExitCodes.failed;
    } finally {
      if (killTimer !== undefined) clearTimeout(killTimer);
    }
    reporter.close();
    if (outcome === 'aborted') {
      io.stderr.write('demo: aborted\n');
      return ExitCodes.interrupted;
    }
    const summaries = state.summaries;
    if (outcome === 'killed') {
      const partial = state.partialSummary(options);
      if (partial !== undefined) {
        summaries.push(partial);
        if (!flags.json) io.stdout.write(`${formatSummary(partial, outColors)}\n`);
      }
    }
    const verdict = storyVerdict(summaries);
    const partial = interrupts > 0;
    if (flags.json) {
      const single = scenario !== undefined ? summaries[0] : undefined;
      const story: StoryJson = {
        story: true,
        partial,
        verdict,
        events: summaries.reduce((a, s) => a + s.events, 0),
        durationMs: summaries.reduce((a, s) => a + s.durationMs, 0),
        scenarios: summaries,
      };
      io.stdout.write(`${toJson(single ?? story)}\n`);
    } else if (scenario === undefined) {
      const events = summaries.reduce((a, s) => a + s.events, 0).toLocaleString('en-US');
      const seconds = (summaries.reduce((a, s) => a + s.durationMs, 0) / 1000).toFixed(1);
      const wall = ((performance.now() - startedAt) / 1000).toFixed(1);
      const said =
        verdict === 'VALID'
          ? `nothing lost: ${outColors.green(outColors.bold('VALID'))}`
          : verdict === 'INVALID'
            ? `verification failed: ${outColors.red(outColors.bold('INVALID'))}`
            : `not every check ran: ${outColors.yellow(outColors.bold('NOT VERIFIED'))}`;
      io.stdout.write(
        `${outColors.bold('The story')}: ${summaries.length} of 6 scenarios, ${events} events streamed in ${seconds} s (${wall} s with clusters and verification), ${said}${partial ? ' (partial: stopped by Ctrl-C)' : ''}\n`,
      );
    }
    if (verdict === 'INVALID') return ExitCodes.failed;
    if (partial) return ExitCodes.interrupted;
    return verdict === 'VALID' ? ExitCodes.ok : ExitCodes.failed;
  };

  const done = (async () => {
    try {
      await listening;
    } catch (error) {
      engine.kill();
      io.stderr.write(
        `demo: the web view cannot listen: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      return ExitCodes.failed;
    }
    const code = await run();
    if (server === undefined) return code;
    finished = true;
    if (interrupts === 0) {
      io.stderr.write(`demo: the run ended; the web view stays at ${server.url} until Ctrl-C\n`);
      await webReleased;
    }
    await server.close();
    return code;
  })();
  return { done, interrupt };
}
