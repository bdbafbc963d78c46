/**
 * The replay command: re-runs a dumped scenario with full logging and says whether it reproduced.
 *
 *   pnpm --filter @datastreamer/sim-cluster replay <scenario.json> [--level debug] [--history out.jsonl]
 *     [--html out.html]
 *
 * Logs (JSON lines, pino's format, virtual time in `time`) go to stderr; the verdict, the history hash and
 * the comparison with the scenario's `expected` go to stdout. `--html` writes the run's report page
 * (`history.toHtml`: the seed and this command on top, each violation linked to its events). Exit code 0 when the run passes every checker
 * and matches `expected`, 1 otherwise, 2 for a bad command line or scenario. Relative paths are the folder's the
 * command was typed in (see user-path.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { reportJudgement } from '../checkers/report-judgement.js';
import { replayCommand } from './dump-scenario.js';
import { JsonLineLogger, type LogLevelName, LogLevels } from './json-line-logger.js';
import { runScenario } from './run-scenario.js';
import { scenarioFromJson } from './scenario-json.js';
import { userPath } from './user-path.js';

const USAGE =
  'usage: replay <scenario.json> [--level trace|debug|info|warn|error|silent] [--history <out.jsonl>] [--html <out.html>]';

interface Args {
  readonly file: string;
  readonly level: LogLevelName;
  readonly history: string | undefined;
  readonly html: string | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  let file: string | undefined;
  let level: LogLevelName = 'debug';
  let history: string | undefined;
  let html: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--level') {
      const value = argv[++i];
      if (value === undefined || !Object.hasOwn(LogLevels, value))
        throw new Error(`--level needs a level\n${USAGE}`);
      level = value as LogLevelName;
    } else if (arg === '--history') {
      history = argv[++i];
      if (history === undefined) throw new Error(`--history needs a file\n${USAGE}`);
    } else if (arg === '--html') {
      html = argv[++i];
      if (html === undefined) throw new Error(`--html needs a file\n${USAGE}`);
    } else if (arg.startsWith('--')) {
      throw new Error(`unknown option ${arg}\n${USAGE}`);
    } else if (file === undefined) {
      file = arg;
    } else {
      throw new Error(`one scenario file at a time\n${USAGE}`);
    }
  }
  if (file === undefined) throw new Error(USAGE);
  return { file, level, history, html };
}

async function main(argv: readonly string[]): Promise<number> {
  let args: Args;
  let scenario: ReturnType<typeof scenarioFromJson>;
  try {
    args = parseArgs(argv);
    scenario = scenarioFromJson(readFileSync(userPath(args.file), 'utf8'));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const logger = new JsonLineLogger({ level: args.level, write: (line) => process.stderr.write(line) });
  const result = await runScenario(scenario, {
    logger,
    onCluster: (cluster) => logger.useClock(cluster.clock),
  });
  if (args.history !== undefined) writeFileSync(userPath(args.history), result.history.toJsonLines());
  if (args.html !== undefined) {
    writeFileSync(
      userPath(args.html),
      result.history.toHtml({
        title: `Replay of ${args.file}${scenario.name === undefined ? '' : ` (${scenario.name})`}`,
        seed: result.seed,
        replayCommand: replayCommand(userPath(args.file)),
        judgement: reportJudgement(result.verdict),
      }),
    );
  }
  const out: string[] = [
    `scenario: ${args.file}${scenario.name === undefined ? '' : ` (${scenario.name})`}`,
    `seed: ${String(result.seed)}   virtual time: ${result.virtualMs} ms   events: ${result.history.length}`,
    `faults: ${result.schedule.applied} applied, ${result.schedule.skipped} skipped; heal restarted ${result.heal.restarted.join(', ') || 'nothing'}`,
    ...result.streams.map(
      (s) =>
        `stream ${s.client}: ${s.outcome}${s.summary === undefined ? '' : ` (${s.summary.items} items, ${s.summary.retries} retries)`}`,
    ),
    result.verdict.report,
    `history hash: ${result.historyHash}`,
  ];
  let ok = result.valid;
  const expected = scenario.expected;
  if (expected?.historyHash !== undefined) {
    const same = expected.historyHash === result.historyHash;
    out.push(
      same
        ? 'reproduced: the history hash matches the recorded run'
        : `NOT reproduced: expected hash ${expected.historyHash}`,
    );
    ok &&= same;
  }
  if (expected?.valid !== undefined && expected.valid !== result.valid) {
    out.push(`verdict differs from the recorded run (recorded valid: ${expected.valid})`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return ok ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
