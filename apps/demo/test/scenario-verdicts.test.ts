import { describe, expect, it } from 'vitest';
import { runJson } from './demo-harness.js';

const base = ['--seed', '7', '--partitions', '8'];
const detail = (s: { details: Readonly<Record<string, number | string>> }, name: string) =>
  Number(s.details[name]);

describe('demo scenarios at a small size (--json)', () => {
  it('album-release stores every produced event and is judged valid', async () => {
    const { code, json } = await runJson(['album-release', '--events', '8000', ...base]);
    expect(code).toBe(0);
    expect(json.verdict).toBe('VALID');
    expect(json.partial).toBe(false);
    expect(json.events).toBe(8000);
    expect(json.stored).toBe(8000);
    expect(json.checks.every((c) => c.ok)).toBe(true);
    expect(json.batches).toBeGreaterThan(0);
    expect(json.latencyMs.p50).toBeLessThanOrEqual(json.latencyMs.p99);
    expect(json.latencyMs.p99).toBeLessThanOrEqual(json.latencyMs.max);
    expect(json.rowsPerSec).toBeGreaterThan(0);
  });

  it('lifecycle stores the PUTs less the removed events', async () => {
    const { code, json } = await runJson(['lifecycle', '--events', '6000', ...base]);
    expect(code).toBe(0);
    expect(json.verdict).toBe('VALID');
    const puts = detail(json, 'puts');
    const removes = detail(json, 'removes');
    expect(puts).toBe(6000);
    expect(removes).toBeGreaterThan(0);
    expect(json.events).toBe(puts + removes);
    expect(json.stored).toBe(puts - removes);
  });

  it('history-import loads every valid line and counts the malformed ones', async () => {
    const { code, json } = await runJson(['history-import', '--generate', '3000', ...base]);
    expect(code).toBe(0);
    expect(json.verdict).toBe('VALID');
    const valid = detail(json, 'valid records');
    const malformed = detail(json, 'malformed lines');
    expect(malformed).toBe(6);
    expect(valid + malformed).toBe(3000);
    expect(json.stored).toBe(valid);
    expect(json.malformedLines?.map((m) => m.line)).toEqual([501, 1001, 1501, 2001, 2501, 3001]);
  });

  it('realtime slows the producer by backpressure and drops nothing', async () => {
    // 4 partitions of 500 items: a 2,000-item bound, well under a burst.
    const { code, json } = await runJson([
      'realtime',
      '--events',
      '30000',
      '--seed',
      '7',
      '--partitions',
      '4',
    ]);
    expect(code).toBe(0);
    expect(json.verdict).toBe('VALID');
    expect(json.stored).toBe(json.events);
    expect(detail(json, 'events dropped')).toBe(0);
    expect(detail(json, 'producer waits')).toBeGreaterThan(0);
    expect(json.checks.find((c) => c.name.startsWith('memory bounded'))?.ok).toBe(true);
  });

  it('aggregate stores the valid events, updates TrackStats and counts the invalid ones', async () => {
    const { code, json } = await runJson(['aggregate', '--events', '8000', ...base]);
    expect(code).toBe(0);
    expect(json.verdict).toBe('VALID');
    const invalid = detail(json, 'invalid events');
    expect(invalid).toBeGreaterThan(0);
    expect((json.stored ?? 0) + invalid).toBe(json.events);
    expect(json.checks.find((c) => c.name.startsWith('TrackStats'))?.ok).toBe(true);
  });
});

describe('chaos scenario at a small size', () => {
  it('injects faults on 3 replicas, fails over, retries and loses nothing', async () => {
    const { code, json, stderr } = await runJson(['chaos', '--events', '20000', ...base]);
    expect(code).toBe(0);
    expect(json.verdict).toBe('VALID');
    expect(detail(json, 'faults applied')).toBeGreaterThanOrEqual(3);
    // Replication as it happened: elections counted, and each primary that moved put on the ticker.
    expect(detail(json, 'replicas')).toBe(3);
    expect(detail(json, 'elections')).toBeGreaterThan(0);
    expect(detail(json, 'failovers')).toBeGreaterThan(0);
    expect(stderr).toMatch(/failover: TrackEvents partition \d+ primary node-\d → node-\d \(term \d+\)/);
    expect(stderr).toMatch(/pause node-\d \(primary of TrackEvents partition 0\)/);
    expect(json.retries).toBeGreaterThan(0);
    expect(json.stored).toBe(json.events);
    expect(json.events).toBe(20000);
    const checkers = json.checks.find((c) => c.name.startsWith('checkers'));
    expect(checkers?.ok).toBe(true);
  });
});
