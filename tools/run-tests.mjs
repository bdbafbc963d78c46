#!/usr/bin/env node
// `pnpm test`: lint and typecheck of the whole workspace (one Biome run, one tsc program: the per-package
// tasks would check each package's sibling sources again and again) and every package's tests, through
// turbo, then the line CI reads, `tests: N passed, M failed` (tools/count-tests.mjs), as the very last line.
// Turbo runs as many tasks at once as the machine has cores (each vitest run then uses one worker per core it
// is given): its default of 10 made 2 cores switch between a dozen processes. Exits 1 when a task failed or
// any test failed, else 0.
//
//   node tools/run-tests.mjs [extra turbo arguments, e.g. --force or --filter=@datastreamer/client]

import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reportFiles, sumReports } from './count-tests.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

// A report left by an earlier run must not be counted again: turbo writes each package's afresh (or restores
// it from its cache along with the task's output).
for (const file of reportFiles(root)) rmSync(file, { force: true });

const concurrency = Math.max(1, availableParallelism());
const turbo = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules', 'turbo', 'bin', 'turbo'),
    'run',
    'lint:all',
    'typecheck:all',
    'test',
    '--continue',
    `--concurrency=${concurrency}`,
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: 'inherit', env: { TURBO_TELEMETRY_DISABLED: '1', ...process.env } },
);
const { passed, failed } = sumReports(root);
if (turbo.status !== 0) {
  console.error(`test: a lint, typecheck or test task failed (turbo exit ${turbo.status ?? turbo.signal})`);
}
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(turbo.status === 0 && failed === 0 ? 0 : 1);
