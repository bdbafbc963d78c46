/**
 * Writes a failing scenario to a file and says how to replay it: what a test prints when a run fails.
 * The file name carries the seed and a digest of the scenario, so repeated failures of one scenario land in
 * one file and different ones never collide.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Scenario } from './scenario.js';
import { scenarioToJson } from './scenario-json.js';

/** The environment variable naming where failures are dumped. */
export const FAILURES_DIR_VARIABLE = 'SIM_FAILURES_DIR';

/** The command that re-runs a dumped scenario with full logging. */
export function replayCommand(path: string): string {
  return `pnpm --filter @datastreamer/sim-cluster replay ${resolve(path)}`;
}

/**
 * Writes `scenario` as JSON into `dir` (default: `$SIM_FAILURES_DIR`, else `<tmpdir>/datastreamer-sim-failures`)
 * and returns the file's absolute path.
 *
 * @throws ScenarioError / FaultPlanError for an invalid scenario; the file system's error when it cannot write.
 */
export function dumpScenario(scenario: Scenario, dir?: string): string {
  const text = scenarioToJson(scenario);
  const target = resolve(
    dir ?? process.env[FAILURES_DIR_VARIABLE] ?? join(tmpdir(), 'datastreamer-sim-failures'),
  );
  mkdirSync(target, { recursive: true });
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 12);
  const path = join(target, `scenario-${String(scenario.seed)}-${digest}.json`);
  writeFileSync(path, text);
  return path;
}

/** The lines a failing test prints: the seeds, the file, the command. */
export function describeFailure(scenario: Scenario, path: string): string {
  const lines = [`simulation seed: ${String(scenario.seed)}`];
  if (scenario.fastCheck !== undefined) {
    lines.push(
      `fast-check seed: ${scenario.fastCheck.seed}${scenario.fastCheck.path === undefined ? '' : ` path: "${scenario.fastCheck.path}"`}`,
    );
  }
  lines.push(`scenario: ${path}`, `replay:   ${replayCommand(path)}`);
  return lines.join('\n');
}
