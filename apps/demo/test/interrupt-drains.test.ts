// The real thing, as a child process: a first Ctrl-C while events stream stops the producers and ends the
// demo with a partial summary and exit code 130; a second aborts at once without one.

import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { ScenarioSummary } from '../src/run/scenario-summary.js';
import { collect, spawnDemo } from './demo-harness.js';

/** Resolves once the child's stderr matches `pattern` (or it exited: the assertions then say why). */
function waitFor(child: ChildProcess, pattern: RegExp): Promise<void> {
  return new Promise<void>((resolve) => {
    let seen = '';
    child.stderr?.on('data', (c: Buffer) => {
      seen += c.toString('utf8');
      if (pattern.test(seen)) resolve();
    });
    child.on('close', () => resolve());
  });
}

/** Starts a run far too long to finish during the test, and waits for `pattern` on its stderr. */
async function startLongRun(
  pattern: RegExp,
): Promise<{ child: ChildProcess; done: ReturnType<typeof collect> }> {
  const child = spawnDemo(['album-release', '--events', '400000', '--json', '--partitions', '8']);
  const done = collect(child);
  await waitFor(child, pattern);
  return { child, done };
}

describe('Ctrl-C during a run', () => {
  it('stops the producer and prints a partial summary saying what was not verified, exit code 130', async () => {
    const { child, done } = await startLongRun(/acked [1-9]/);
    child.kill('SIGINT');
    const { code, stdout, stderr } = await done;
    expect(stderr).toContain('Ctrl-C');
    expect(code).toBe(130);
    const summary = JSON.parse(stdout) as ScenarioSummary;
    expect(summary.partial).toBe(true);
    expect(summary.events).toBeGreaterThan(0);
    expect(summary.events).toBeLessThan(400_000);
    // Stopped before its checks could run: they are listed, and none is claimed to hold.
    expect(summary.notVerified.length).toBeGreaterThan(0);
    expect(summary.verdict).toBe('UNVERIFIED');
  });

  it('aborts at once on a second Ctrl-C, without a summary', async () => {
    const { child, done } = await startLongRun(/\[album-release\] started/);
    child.kill('SIGINT');
    await waitFor(child, /Ctrl-C again aborts/);
    child.kill('SIGINT');
    const { code, stdout, stderr } = await done;
    expect(code).toBe(130);
    expect(stderr).toContain('demo: aborted');
    expect(stdout).toBe('');
  });
});
