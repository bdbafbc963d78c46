/**
 * The command line (commander): `demo [scenario] [flags]`, the help that explains every scenario, flag and
 * profile, and the parsing of each flag into a checked value (a bad value is an error naming the flag, exit
 * code 2). It runs nothing: the action it is given does.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { type FaultProfileName, FaultProfileNames } from '../faults/fault-profiles.js';
import { HISTORY_FULL_MAX_EVENTS, type HistoryChoice, HistoryChoices } from '../run/history-mode.js';
import { type ClockChoice, ClockChoices } from '../run/scenario-context.js';
import { type ScenarioName, ScenarioNames } from '../scenarios/scenario.js';
import { scenarios } from '../scenarios/scenarios.js';
import { type LogLevelName, LogLevelNames } from './demo-logger.js';

/** The flags, parsed. */
export interface CliFlags {
  readonly seed: number;
  readonly nodes: number;
  readonly partitions: number;
  readonly events?: number;
  readonly faults?: FaultProfileName;
  readonly json: boolean;
  readonly logLevel: LogLevelName;
  readonly generate?: number;
  readonly file?: string;
  readonly history: HistoryChoice;
  readonly clock: ClockChoice;
  /** Serve the live web view on 127.0.0.1 while the run goes. */
  readonly web: boolean;
  /** The web view's port (0: any free port). */
  readonly port?: number;
}

function integerIn(min: number, max: number) {
  return (text: string): number => {
    const value = Number(text.replaceAll('_', '').replaceAll(',', ''));
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(
        `expected an integer in ${min.toLocaleString('en-US')}..${max.toLocaleString('en-US')}`,
      );
    }
    return value;
  };
}

const scenarioHelp = ScenarioNames.map((name) => {
  const s = scenarios[name];
  return `  ${name.padEnd(15)} ${s.description}\n  ${''.padEnd(15)} default --events ${s.defaultEvents.toLocaleString('en-US')}`;
}).join('\n');

const HELP_AFTER = `
Scenarios:
${scenarioHelp}

With no scenario, the full story runs every scenario in turn, each on a fresh cluster with sizes that keep
the whole story well under a minute, and ends with a verified summary.

Fault profiles (--faults):
  none            no faults (the default, except for chaos)
  flaky           message drops, duplicates and delays for the whole run
  chaos           drops and delays, a node crash and restart, a partition moved mid-stream (on replicated
                  partitions: its primary paused instead), a network cut and its heal (the default of the
                  chaos scenario, which runs on 3 replicas of every partition)

Every scenario verifies the table against what was produced (and the cluster's checkers: nothing lost,
per-key order, final state) and exits non-zero when anything is lost or out of order. The checkers read a
history of every event (about 3.6 KB each); above ${HISTORY_FULL_MAX_EVENTS.toLocaleString('en-US')} events (or with --history off) it is not
recorded, the checkers are skipped, and the summary says so: the table is still checked against what was
produced.

Clocks (--clock): real (the default) is the platform clock, as a deployment runs: timing, and so retries
and their order, differ from run to run. virtual is simulated time (waits cost no real time) and replays:
the same seed and flags give the same run, and the summary prints its history hash to show it.

Web view (--web): serves a page on 127.0.0.1 only (port --port, default any free port) and prints its URL:
rows/s per node and in total, items in flight per node, partitions per node with their primaries, faults on
the time axis, retries and reroutes, the verification and its verdict, a few times a second. The page stays
up after the run until Ctrl-C, which stops both the run and the server.

Output: a live view on a terminal, a plain progress line every few seconds otherwise (both on stderr), then
a "verifying" phase with each check as it runs; the summary on stdout, as one JSON object with --json.
NO_COLOR turns colours off. Ctrl-C is answered within a second in any phase: the producers stop, the
streams get a moment to drain, and a partial summary says which checks ran and which were not verified
(exit code 130); a second Ctrl-C aborts at once.

Exit codes: 0 verified, 1 verification failed or a scenario failed, 2 bad arguments, 130 stopped by Ctrl-C.

Examples:
  pnpm demo                                   the full story
  pnpm demo album-release --events 2500000    the full first hour after a release
  pnpm demo chaos --seed 7                    faults on a schedule, on the real clock
  pnpm demo chaos --seed 7 --clock virtual    the same, replayable: run it twice, same history hash
  pnpm demo history-import --generate 100000 --file plays.csv
  pnpm demo history-import --file plays.csv   import an existing file
  pnpm demo realtime --json > summary.json
  pnpm demo chaos --web                       watch it in a browser
`;

/**
 * The program; `action` gets the scenario (undefined: the full story) and the flags.
 */
export function demoProgram(
  action: (scenario: ScenarioName | undefined, flags: CliFlags) => Promise<void>,
): Command {
  return new Command('demo')
    .description(
      'Music play events streamed into a simulated 3-node cluster with the data streamer, live on the terminal, verified at the end.',
    )
    .argument('[scenario]', `one of ${ScenarioNames.join(', ')}; none: the full story`, (value: string) => {
      if (!(ScenarioNames as readonly string[]).includes(value)) {
        throw new InvalidArgumentError(`unknown scenario (scenarios: ${ScenarioNames.join(', ')})`);
      }
      return value as ScenarioName;
    })
    .option(
      '--seed <n>',
      'seed of every random choice (workload, network faults); with --clock virtual it replays the run',
      integerIn(0, 2 ** 32 - 1),
      42,
    )
    .option('--nodes <n>', 'nodes of the cluster', integerIn(1, 16), 3)
    .option('--partitions <n>', 'partitions of each table', integerIn(1, 1024), 16)
    .option(
      '--events <n>',
      "events to produce (history-import: lines of the generated file); default: the scenario's",
      integerIn(1, 50_000_000),
    )
    .addOption(
      new Option(
        '--history <mode>',
        `record the cluster's history for its checkers: auto = full up to ${HISTORY_FULL_MAX_EVENTS.toLocaleString('en-US')} events, off above`,
      )
        .choices(HistoryChoices)
        .default('auto'),
    )
    .addOption(
      new Option('--faults <profile>', 'faults to inject while streaming').choices(FaultProfileNames),
    )
    .addOption(
      new Option(
        '--clock <clock>',
        'real: the platform clock; virtual: simulated time, replayable from the seed',
      )
        .choices(ClockChoices)
        .default('real'),
    )
    .option('--web', 'serve a live web view on 127.0.0.1 while the run goes (its URL is printed)', false)
    .option('--port <n>', 'with --web: the port (default: any free port)', integerIn(0, 65_535))
    .option('--json', 'print the summary as one JSON object on stdout (progress stays on stderr)', false)
    .addOption(
      new Option('--log-level <level>', 'pino log level of the cluster and client, on stderr')
        .choices(LogLevelNames)
        .default('silent'),
    )
    .option(
      '--generate <n>',
      'history-import: write a sample CSV of n lines first (to --file, or a temporary file)',
      integerIn(1, 50_000_000),
    )
    .option(
      '--file <path>',
      'history-import: the CSV file to load (header RecordId,UserId,TrackId,PlayDate,PlayCount,Rating,PlayDuration)',
    )
    .addHelpText('after', HELP_AFTER)
    .showHelpAfterError('(run with --help for every scenario and flag)')
    .action(async (scenario: ScenarioName | undefined, flags: CliFlags, command: Command) => {
      if (flags.port !== undefined && !flags.web) command.error('error: option --port needs --web');
      await action(scenario, flags);
    });
}
