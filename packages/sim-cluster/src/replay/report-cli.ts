/**
 * The report command: one self-contained HTML page of a history dumped as JSON lines (`--history` of the
 * replay command, or `history.toJsonLines()`), judged by the checkers when it has streamed items.
 *
 *   pnpm --filter @datastreamer/sim-cluster report <history.jsonl> [--html out.html] [--seed N]
 *     [--replay "<command>"] [--key Id[,Col]] [--seq Seq] [--table T] [--title T]
 *
 * Writes the page (default: the history's path with `.html` for `.jsonl`) and prints where, and the verdict.
 * Relative paths are the folder's the command was typed in (see user-path.ts).
 * Exit code 0 when the page was written (whatever the verdict: the page shows it), 2 for a bad command line,
 * a history it cannot read or rows without the named columns.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { historyReportFile } from './history-report-file.js';
import { userPath } from './user-path.js';

const USAGE =
  'usage: report <history.jsonl> [--html <out.html>] [--seed <n>] [--replay <command>] [--key <col>[,<col>]] [--seq <col>] [--table <name>] [--title <text>]';

const VALUE_OPTIONS = ['--html', '--seed', '--replay', '--key', '--seq', '--table', '--title'] as const;
type ValueOption = (typeof VALUE_OPTIONS)[number];

function parseArgs(argv: readonly string[]): { file: string; values: Map<ValueOption, string> } {
  let file: string | undefined;
  const values = new Map<ValueOption, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if ((VALUE_OPTIONS as readonly string[]).includes(arg)) {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      values.set(arg as ValueOption, value);
    } else if (arg.startsWith('--')) {
      throw new Error(`unknown option ${arg}\n${USAGE}`);
    } else if (file === undefined) {
      file = arg;
    } else {
      throw new Error(`one history file at a time\n${USAGE}`);
    }
  }
  if (file === undefined) throw new Error(USAGE);
  return { file, values };
}

function main(argv: readonly string[]): number {
  try {
    const args = parseArgs(argv);
    const { values } = args;
    const file = userPath(args.file);
    const html = values.get('--html');
    const out = html === undefined ? `${file.replace(/\.jsonl$/, '')}.html` : userPath(html);
    const key = values.get('--key');
    const seed = values.get('--seed');
    const replay = values.get('--replay');
    const seq = values.get('--seq');
    const table = values.get('--table');
    const title = values.get('--title');
    const report = historyReportFile(readFileSync(file, 'utf8'), {
      title: title ?? `History report: ${args.file}`,
      ...(seed === undefined ? {} : { seed }),
      ...(replay === undefined ? {} : { replayCommand: replay }),
      ...(key === undefined ? {} : { keyColumns: key.split(',').map((c) => c.trim()) }),
      ...(seq === undefined ? {} : { seqColumn: seq }),
      ...(table === undefined ? {} : { table }),
    });
    writeFileSync(out, report.html);
    const verdict = report.verdict;
    process.stdout.write(
      `report: ${out} (${report.history.length} events; ${
        verdict === undefined ? 'not judged: no streamed items' : verdict.valid ? 'VALID' : 'INVALID'
      })\n`,
    );
    return 0;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
