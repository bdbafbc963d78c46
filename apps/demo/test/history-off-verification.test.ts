// A run too large for the history must still be verified against the table, and must say plainly that the
// checkers did not run: a silent skip would pass off an unjudged run as a judged one.

import { describe, expect, it } from 'vitest';
import { HISTORY_FULL_MAX_EVENTS, historyModeFor } from '../src/run/history-mode.js';
import { CHECKERS_STEP } from '../src/run/verify.js';
import { refusal, runJson } from './demo-harness.js';

const base = ['--seed', '5', '--partitions', '8'];
const CHECKERS = CHECKERS_STEP;

describe('historyModeFor', () => {
  it('records the history up to the threshold and turns it off above, unless forced', () => {
    expect(historyModeFor(undefined, HISTORY_FULL_MAX_EVENTS)).toBe('full');
    expect(historyModeFor('auto', HISTORY_FULL_MAX_EVENTS + 1)).toBe('off');
    expect(historyModeFor('full', 50_000_000)).toBe('full');
    expect(historyModeFor('off', 1)).toBe('off');
  });
});

describe('demo with --history off', () => {
  it('verifies album-release against the table and says the checkers were skipped', async () => {
    const { code, json } = await runJson(['album-release', '--events', '6000', '--history', 'off', ...base]);
    expect(code).toBe(0);
    expect(json.verdict).toBe('VALID');
    expect(json.stored).toBe(6000);
    expect(json.historyCheckersSkipped).toMatch(/history was off \(--history off\)/);
    expect(json.checks.map((c) => c.name)).toEqual([
      'stream completed',
      'produced = stored',
      'produced vs stored',
    ]);
    expect(json.checks.every((c) => c.ok)).toBe(true);
  });

  it('runs the checkers and reports no skip with the history on', async () => {
    const { json } = await runJson(['album-release', '--events', '2000', '--history', 'full', ...base]);
    expect(json.historyCheckersSkipped).toBeUndefined();
    expect(json.checks.map((c) => c.name)).toContain(CHECKERS);
  });

  it('keeps the other scenarios valid with the history off', async () => {
    for (const scenario of ['lifecycle', 'realtime', 'aggregate']) {
      const { code, json } = await runJson([scenario, '--events', '3000', '--history', 'off', ...base]);
      expect({ scenario, code, verdict: json.verdict }).toEqual({ scenario, code: 0, verdict: 'VALID' });
      expect(json.historyCheckersSkipped).toBeDefined();
    }
  });

  it('rejects an unknown --history mode, naming the flag', async () => {
    expect(await refusal(['album-release', '--history', 'sometimes'])).toContain('--history');
  });
});
