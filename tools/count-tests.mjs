#!/usr/bin/env node
// Sums the JSON reports that every package's vitest run writes (`.vitest-report.json`, see vitest.shared.ts)
// and prints the closing line that CI reads: `tests: N passed, M failed`. A test file that failed to load
// counts as one failure, so a broken import can't pass as "0 failed".
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let passed = 0;
let failed = 0;
const seen = [];
for (const group of ['packages', 'apps']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const report = join(dir, name, '.vitest-report.json');
    if (!existsSync(report)) continue;
    const json = JSON.parse(readFileSync(report, 'utf8'));
    passed += json.numPassedTests;
    failed += json.numFailedTests;
    for (const file of json.testResults ?? []) {
      const failedInside = (file.assertionResults ?? []).some((a) => a.status === 'failed');
      if (file.status === 'failed' && !failedInside) failed += 1;
    }
    seen.push(`${group}/${name}`);
  }
}
if (process.argv.includes('--verbose')) console.error(`reports: ${seen.join(', ') || 'none'}`);
console.log(`tests: ${passed} passed, ${failed} failed`);
