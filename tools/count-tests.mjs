#!/usr/bin/env node
// Sums the JSON reports that every workspace package's vitest run writes (`.vitest-report.json`, see
// vitest.shared.ts) and prints the closing line that CI reads: `tests: N passed, M failed`. A test file that
// failed to load counts as one failure, so a broken import can't pass as "0 failed". `tools/run-tests.mjs`
// (`pnpm test`) and `.ci/run` import it; run alone it prints the line (`--verbose`: which reports it read).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folders that hold workspace packages (pnpm-workspace.yaml), and single-package folders at the root. */
const GROUPS = ['packages', 'apps'];
const SINGLES = ['examples', 'integration', 'e2e'];

/** Every package folder of the workspace under `root`, relative to it. */
function packageDirs(root) {
  const dirs = [];
  for (const group of GROUPS) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) dirs.push(`${group}/${name}`);
  }
  for (const single of SINGLES) if (existsSync(join(root, single, 'package.json'))) dirs.push(single);
  return dirs;
}

/** The report files present under `root`. */
export function reportFiles(root) {
  return packageDirs(root)
    .map((dir) => join(root, dir, '.vitest-report.json'))
    .filter((file) => existsSync(file));
}

/** Passed and failed tests over every report under `root`, and the packages they came from. */
export function sumReports(root) {
  let passed = 0;
  let failed = 0;
  const seen = [];
  for (const dir of packageDirs(root)) {
    const report = join(root, dir, '.vitest-report.json');
    if (!existsSync(report)) continue;
    const json = JSON.parse(readFileSync(report, 'utf8'));
    passed += json.numPassedTests;
    failed += json.numFailedTests;
    for (const file of json.testResults ?? []) {
      const failedInside = (file.assertionResults ?? []).some((a) => a.status === 'failed');
      if (file.status === 'failed' && !failedInside) failed += 1;
    }
    seen.push(dir);
  }
  return { passed, failed, seen };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { passed, failed, seen } = sumReports(fileURLToPath(new URL('..', import.meta.url)));
  if (process.argv.includes('--verbose')) console.error(`reports: ${seen.join(', ') || 'none'}`);
  console.log(`tests: ${passed} passed, ${failed} failed`);
}
