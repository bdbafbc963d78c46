// `--clock virtual` runs the same code on simulated time, so the same seed replays the same run: the history
// hash the summary prints is the proof a user can check. A real-clock run carries no hash (it would differ
// from run to run, and the summary must not suggest otherwise).

import { describe, expect, it } from 'vitest';
import { runJson } from './demo-harness.js';

describe('--clock virtual', () => {
  it('replays a faulty run: the same seed gives the same history hash and the same numbers', async () => {
    // Twice the buffer bound (8 partitions x 1,000): the streamer keeps pulling while faults land mid-stream.
    const args = ['chaos', '--events', '16000', '--partitions', '8', '--seed', '11', '--clock', 'virtual'];
    const first = await runJson(args);
    const second = await runJson(args);
    expect(first.code).toBe(0);
    expect(first.json.clock).toBe('virtual');
    expect(first.json.historyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(second.json.historyHash).toBe(first.json.historyHash);
    expect(first.json.retries).toBeGreaterThan(0);
    expect(second.json.retries).toBe(first.json.retries);
    expect(second.json.durationMs).toBe(first.json.durationMs);
    const other = await runJson([
      'chaos',
      '--events',
      '16000',
      '--partitions',
      '8',
      '--seed',
      '12',
      '--clock',
      'virtual',
    ]);
    expect(other.json.historyHash).not.toBe(first.json.historyHash);
  });

  it('prints no history hash for a real-clock run', async () => {
    const { code, json } = await runJson(['album-release', '--events', '2000', '--partitions', '4']);
    expect(code).toBe(0);
    expect(json.clock).toBe('real');
    expect(json.historyHash).toBeUndefined();
  });
});
