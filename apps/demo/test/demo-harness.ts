// Test helpers: run the demo in this process with captured output, or as a child process through tsx.
import { type ChildProcess, spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { inProcessEngine } from '../src/cli/demo-engine.js';
import { type CliFlags, demoProgram } from '../src/cli/demo-program.js';
import { runDemo } from '../src/cli/run-demo.js';
import type { ScenarioSummary } from '../src/run/scenario-summary.js';
import type { ScenarioName } from '../src/scenarios/scenario.js';

/** A stream that keeps what is written (not a terminal). */
export function captureStream(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  return { stream, text: () => chunks.join('') };
}

/** Parses `args` as the CLI does, without running anything. */
export async function parseFlags(
  args: readonly string[],
): Promise<{ scenario: ScenarioName | undefined; flags: CliFlags }> {
  let parsed: { scenario: ScenarioName | undefined; flags: CliFlags } | undefined;
  await demoProgram(async (scenario, flags) => {
    parsed = { scenario, flags };
  }).parseAsync(['node', 'demo', ...args]);
  if (parsed === undefined) throw new Error('the program did not run its action');
  return parsed;
}

/**
 * Parses `args` as the CLI does and returns what it wrote to stderr for a refused argument (the CLI then
 * exits with code 2; one spawned test checks that mapping, the others read the message here).
 */
export async function refusal(args: readonly string[]): Promise<string> {
  let stderr = '';
  const program = demoProgram(async () => undefined)
    .exitOverride()
    .configureOutput({ writeErr: (text) => (stderr += text), writeOut: () => undefined });
  try {
    await program.parseAsync(['node', 'demo', ...args]);
  } catch {
    return stderr;
  }
  throw new Error(`the arguments were accepted: ${args.join(' ')}`);
}

/** Runs the demo in this thread with `--json` and returns the exit code, the summary and stderr. */
export async function runJson(args: readonly string[]) {
  const { scenario, flags } = await parseFlags([...args, '--json']);
  const out = captureStream();
  const err = captureStream();
  const run = runDemo(scenario, flags, { stdout: out.stream, stderr: err.stream, env: {} }, inProcessEngine);
  const code = await run.done;
  return { code, json: JSON.parse(out.text()) as ScenarioSummary, stderr: err.text() };
}

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** Starts `main.ts` as a child process (stdin ignored, stdout and stderr piped: not a terminal). */
export function spawnDemo(args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, ['--conditions=@datastreamer/source', '--import', 'tsx', main, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...env },
  });
}

/** Waits for a child to exit; resolves with its code and everything it wrote. */
export function collect(
  child: ChildProcess,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The start of an escape sequence (colours, cursor movement): ESC then '['. */
const CSI = `${String.fromCharCode(27)}[`;

/** Whether `text` holds any escape sequence. */
export function hasEscapes(text: string): boolean {
  return text.includes(CSI);
}
