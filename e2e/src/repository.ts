/**
 * Paths of the repository, and the commands the pictures are made with, run as a user runs them: the demo
 * and the sim-cluster's report and replay commands, each a child process started through tsx from the
 * sources (no build needed).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository's root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const SOURCES = ['--conditions=@datastreamer/source', '--import', 'tsx'];

/** `node <sources> <script> ...args` from the repository root, output piped. */
function node(script: string, args: readonly string[]): ChildProcess {
  return spawn(process.execPath, [...SOURCES, script, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
}

/** `pnpm demo ...args` (apps/demo/src/main.ts). */
export function spawnDemo(args: readonly string[]): ChildProcess {
  return node('apps/demo/src/main.ts', args);
}

/** Demos started by {@link startWebDemo} that have not exited. */
const running = new Set<ChildProcess>();

/** Kills every demo {@link startWebDemo} started that is still running (after a failed test). */
export function killWebDemos(): void {
  for (const demo of running) demo.kill('SIGKILL');
  running.clear();
}

/**
 * A demo run with `--web`: the process, its end, its stderr, and the page's URL once it printed it. A
 * `--web` demo serves until a Ctrl-C: call {@link killWebDemos} after each test, so a failed one leaves none.
 */
export async function startWebDemo(args: readonly string[]) {
  const demo = spawnDemo([...args, '--web', '--port', '0']);
  running.add(demo);
  demo.on('exit', () => running.delete(demo));
  const exit = ended(demo);
  const stderr = watchStderr(demo);
  const url = (await stderr.waitFor(/web view at (http:\/\/127\.0\.0\.1:\d+\/)/))[1] as string;
  return { demo, exit, stderr, url };
}

/** Runs one of sim-cluster's commands (`report-cli.ts`, `replay-cli.ts`) to its end. */
export function runSimCommand(
  script: 'report-cli.ts' | 'replay-cli.ts',
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = node(`packages/sim-cluster/src/replay/${script}`, args);
  return ended(child);
}

/** The exit code and output of `child`, once it exits. */
export function ended(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `child`'s stderr, kept from the start, and a way to wait for a line of it. */
export function watchStderr(child: ChildProcess): { waitFor(pattern: RegExp): Promise<RegExpMatchArray> } {
  let text = '';
  let exitCode: number | null | undefined;
  const waiting = new Set<() => void>();
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const check of waiting) check();
  });
  child.on('close', (code) => {
    exitCode = code;
    for (const check of waiting) check();
  });
  return {
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(text);
          if (match !== null) {
            waiting.delete(check);
            resolve(match);
          } else if (exitCode !== undefined) {
            waiting.delete(check);
            reject(new Error(`exited (${exitCode}) before printing ${pattern}: ${text}`));
          }
        };
        waiting.add(check);
        check();
      }),
  };
}
