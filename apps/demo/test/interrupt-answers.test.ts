// Ctrl-C is answered within a second in any phase: the run is asked to stop, and a run that has not ended by
// KILL_AFTER_MS (a verification step computing for seconds cannot look at the stop) is given up, its partial
// summary made from what it reported. A run that went quiet must not keep the demo waiting, and the summary
// must say which checks ran and which did not.

import { describe, expect, it, vi } from 'vitest';
import type { DemoEngine } from '../src/cli/demo-engine.js';
import { ExitCodes, KILL_AFTER_MS, runDemo } from '../src/cli/run-demo.js';
import { WHOLE_VERIFICATION } from '../src/cli/run-state.js';
import type { EngineEvent, VerifyStep } from '../src/run/engine-events.js';
import type { ScenarioSummary } from '../src/run/scenario-summary.js';
import { DRAIN_GRACE_MS } from '../src/run/stop-control.js';
import { captureStream, parseFlags } from './demo-harness.js';

/** An engine that replays `events` and then never ends by itself (it hangs, as a busy step does). */
function hangingEngine(events: readonly EngineEvent[]) {
  const calls = { stop: 0, kill: 0 };
  const factory = (_request: unknown, sink: (event: EngineEvent) => void): DemoEngine => {
    for (const event of events) sink(event);
    return {
      finished: new Promise<void>(() => undefined),
      stop: () => {
        calls.stop++;
      },
      kill: () => {
        calls.kill++;
      },
    };
  };
  return { factory, calls };
}

const snapshot = {
  scenario: 'album-release',
  elapsedMs: 2000,
  target: 10_000,
  produced: 6000,
  acked: 4000,
  rowsPerSec: 2000,
  batches: 4,
  retries: 1,
  reroutes: 0,
  waits: 0,
  waitMs: 0,
  inFlight: [],
  extra: [],
  ticker: [],
  notes: 0,
  ackedByNode: [],
  partitions: [],
  faults: [],
  networkCounts: [],
};
const stats = {
  events: 10_000,
  durationMs: 3000,
  rowsPerSec: 3333,
  mbPerSec: 1,
  batches: 10,
  latencyMs: { p50: 1, p95: 2, p99: 3, max: 4 },
  retries: 1,
  reroutes: 0,
};

/** A finished verification step whose check `ok` or not. */
const doneStep = (name: string, ok: boolean): VerifyStep => ({
  name,
  state: 'done',
  check: { name, ok, detail: ok ? 'held' : 'failed' },
});

async function interruptAfter(events: readonly EngineEvent[]) {
  vi.useFakeTimers();
  try {
    const { factory, calls } = hangingEngine(events);
    const { scenario, flags } = await parseFlags(['album-release', '--json']);
    const out = captureStream();
    const err = captureStream();
    const run = runDemo(scenario, flags, { stdout: out.stream, stderr: err.stream, env: {} }, factory);
    run.interrupt();
    expect(calls.stop).toBe(1);
    expect(err.text()).toContain('Ctrl-C');
    await vi.advanceTimersByTimeAsync(KILL_AFTER_MS - 1);
    expect(calls.kill).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    const code = await run.done;
    expect(calls.kill).toBe(1);
    return { code, summary: JSON.parse(out.text()) as ScenarioSummary };
  } finally {
    vi.useRealTimers();
  }
}

describe('Ctrl-C', () => {
  it('fits its budget: the drain grace and the kill deadline end well within a second', () => {
    expect(DRAIN_GRACE_MS).toBeLessThan(KILL_AFTER_MS);
    expect(KILL_AFTER_MS).toBeLessThanOrEqual(500);
  });

  it('gives up a run stuck in a verification step and reports the checks that ran and those that did not', async () => {
    const { code, summary } = await interruptAfter([
      { type: 'scenario', scenario: 'album-release', target: 10_000 },
      { type: 'progress', snapshot },
      { type: 'streamed', scenario: 'album-release', stats },
      {
        type: 'verify',
        scenario: 'album-release',
        steps: [
          doneStep('stream completed', true),
          doneStep('produced = stored', true),
          { name: 'checkers', state: 'running' },
          { name: 'last', state: 'pending' },
        ],
      },
    ]);
    expect(code).toBe(ExitCodes.interrupted);
    expect(summary.partial).toBe(true);
    expect(summary.checks.map((c) => c.name)).toEqual(['stream completed', 'produced = stored']);
    expect(summary.notVerified).toEqual(['checkers', 'last']);
    expect(summary.verdict).toBe('UNVERIFIED');
    expect(summary.events).toBe(stats.events);
    expect(summary.latencyMs).toEqual(stats.latencyMs);
  });

  it('gives up a run stuck while streaming, with its last progress and nothing verified', async () => {
    const { code, summary } = await interruptAfter([
      { type: 'scenario', scenario: 'album-release', target: 10_000 },
      { type: 'progress', snapshot },
    ]);
    expect(code).toBe(ExitCodes.interrupted);
    expect(summary.events).toBe(snapshot.produced);
    expect(summary.retries).toBe(snapshot.retries);
    expect(summary.stored).toBeNull();
    expect(summary.checks).toEqual([]);
    expect(summary.notVerified).toEqual([WHOLE_VERIFICATION]);
  });

  it('says INVALID, and exits 1, when a check that ran before the stop failed', async () => {
    const { code, summary } = await interruptAfter([
      { type: 'scenario', scenario: 'album-release', target: 10_000 },
      { type: 'streamed', scenario: 'album-release', stats },
      {
        type: 'verify',
        scenario: 'album-release',
        steps: [doneStep('stream completed', false), { name: 'checkers', state: 'running' }],
      },
    ]);
    expect(summary.verdict).toBe('INVALID');
    expect(code).toBe(ExitCodes.failed);
  });
});
