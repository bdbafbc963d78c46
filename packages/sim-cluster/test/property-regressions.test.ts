import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/replay/run-scenario.js';
import { scenarioFromJson } from '../src/replay/scenario-json.js';

// Scenarios the property found, kept as they were dumped (replay one with full logs:
// pnpm --filter @datastreamer/sim-cluster replay test/support/property-regressions/<file>.json).
function load(name: string) {
  return scenarioFromJson(
    readFileSync(new URL(`./support/property-regressions/${name}.json`, import.meta.url), 'utf8'),
  );
}

describe('Scenario regressions found by the property', () => {
  // OPEN BUG (client streamer / server-node, not sim-cluster): a batch attempt that timed out is still in
  // flight when its retry is acknowledged and the partition's next batch is applied; the late attempt is
  // then applied too and an older seq overwrites a newer one. `it.fails` until fixed: once the order holds,
  // this test turns red and must become a plain `it`.
  it.fails('keeps per-key order when a timed-out attempt arrives after the next batch', async () => {
    const result = await runScenario(load('late-attempt-overwrites-newer'));
    expect(result.verdict.reordered, result.verdict.report).toEqual([]);
    expect(result.valid, result.verdict.report).toBe(true);
  });
});
