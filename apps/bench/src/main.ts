/**
 * `pnpm bench`: runs each case of PERFORMANCE.md in its own child process (a fresh heap and JIT, started
 * with this process's own flags plus `--expose-gc`), one after another, and prints the table, or with
 * `--json` the report object alone on stdout. Progress goes to stderr. Exit code 0 when every case ran
 * (there are no timing assertions), 1 when a case failed, 2 on a bad argument.
 *
 * Every cluster case runs over the same simulated network, each message delayed `--network-delay` ms one
 * way (default 1, the simulated network's default); `--network-delay 0` gives the in-process figures.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { buildReport, formatReport } from './bench-report.js';
import { ALBUM_RELEASE_ROWS, caseRows, DEFAULT_ROWS } from './case-rows.js';
import { DEFAULT_BENCH_NETWORK_DELAY_MS } from './cases/bench-cluster.js';
import { type CaseName, CaseNames, type CaseOutput } from './cases/case-result.js';

/** Rows of `--smoke`. */
const SMOKE_ROWS = 20_000;

function positiveInteger(text: string): number {
  const value = Number(text.replaceAll('_', '').replaceAll(',', ''));
  if (!Number.isSafeInteger(value) || value <= 0) throw new InvalidArgumentError('expected an integer > 0');
  return value;
}

function nonNegativeNumber(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError('expected a number of milliseconds >= 0');
  }
  return value;
}

function runChild(name: CaseName, rows: number, networkDelayMs: number): Promise<CaseOutput> {
  const script = fileURLToPath(new URL('./run-case.ts', import.meta.url));
  const args = [...process.execArgv, '--expose-gc', script, name, String(rows), String(networkDelayMs)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`case ${name} exited with code ${code}`));
        return;
      }
      try {
        resolve(JSON.parse(out.trim()) as CaseOutput);
      } catch (error) {
        reject(new Error(`case ${name} printed no result: ${JSON.stringify(out)}`, { cause: error }));
      }
    });
  });
}

const program = new Command('bench')
  .description('Runs the PERFORMANCE.md cases, each in its own process, on the real clock.')
  .option('--json', 'print the report as one JSON object on stdout (progress on stderr)', false)
  .option(
    '--rows <n>',
    `rows per throughput case (album_release: ${ALBUM_RELEASE_ROWS} unless fewer)`,
    positiveInteger,
  )
  .option('--smoke', `a quick run that only proves the bench works: --rows ${SMOKE_ROWS}`, false)
  .option(
    '--network-delay <ms>',
    'one-way delay of every simulated message in the cluster cases (0: in-process, next event-loop turn)',
    nonNegativeNumber,
    DEFAULT_BENCH_NETWORK_DELAY_MS,
  )
  .option('--cases <names>', `comma-separated subset of ${CaseNames.join(',')} (the report needs all)`)
  .parse();

const options = program.opts<{
  json: boolean;
  rows?: number;
  smoke: boolean;
  networkDelay: number;
  cases?: string;
}>();
const networkDelayMs = options.networkDelay;
const rows = options.rows ?? (options.smoke ? SMOKE_ROWS : DEFAULT_ROWS);
const selected = (options.cases?.split(',') ?? [...CaseNames]).map((name) => name.trim());
for (const name of selected) {
  if (!CaseNames.some((c) => c === name))
    program.error(`unknown case "${name}" (cases: ${CaseNames.join(', ')})`);
}

const outputs: Partial<Record<CaseName, CaseOutput>> = {};
try {
  for (const name of CaseNames) {
    if (!selected.includes(name)) continue;
    const n = caseRows(name, rows, networkDelayMs);
    process.stderr.write(`bench: ${name} (${n.toLocaleString('en-US')} rows)... `);
    const output = await runChild(name, n, networkDelayMs);
    outputs[name] = output;
    process.stderr.write(
      `${output.seconds.toFixed(3)} s, ${output.rowsPerSec.toLocaleString('en-US')} rows/s\n`,
    );
  }
} catch (error) {
  process.stderr.write(`\nbench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

const complete = CaseNames.every((name) => outputs[name] !== undefined);
const env = { node: process.version, cpus: os.availableParallelism(), rows };
if (!complete) {
  process.stdout.write(`${JSON.stringify({ ...env, cases: outputs })}\n`);
} else {
  const report = buildReport(env, outputs as Record<CaseName, CaseOutput>);
  process.stdout.write(
    options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, { networkDelayMs }),
  );
}
