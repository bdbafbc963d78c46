import { describe, expect, it } from 'vitest';
import type { ProgressSnapshot } from '../src/run/progress-snapshot.js';
import { LiveState, MAX_POINTS } from '../src/web/live-state.js';

function snapshot(elapsedMs: number, byNode: Record<string, number>, extra: Partial<ProgressSnapshot> = {}) {
  const acked = Object.values(byNode).reduce((a, b) => a + b, 0);
  const s: ProgressSnapshot = {
    scenario: 'album-release',
    elapsedMs,
    target: 1000,
    produced: acked,
    acked,
    rowsPerSec: 0,
    batches: 0,
    retries: 2,
    reroutes: 1,
    waits: 0,
    waitMs: 0,
    inFlight: Object.keys(byNode).map((node) => [node, 5] as const),
    extra: [],
    ticker: [],
    notes: 0,
    ackedByNode: Object.entries(byNode),
    partitions: [{ partition: 0, replicas: ['node-1', 'node-2'], primary: 'node-1', term: 3 }],
    faults: [{ label: 'crash node-2', source: 'topology', fromMs: 100, toMs: null }],
    networkCounts: [],
    ...extra,
  };
  return { type: 'progress' as const, snapshot: s };
}

const begin = (scenario = 'album-release') => ({ type: 'scenario' as const, scenario, target: 1000 });

describe('LiveState', () => {
  it('makes one point per snapshot with rows/s in total and per node', () => {
    const state = new LiveState();
    state.apply(begin());
    state.apply(snapshot(0, { 'node-1': 0, 'node-2': 0 }));
    state.apply(snapshot(500, { 'node-1': 300, 'node-2': 100 }));
    const frame = state.frame(0, 0);
    expect(frame.nodes).toEqual(['node-1', 'node-2']);
    expect(frame.points).toEqual([
      {
        t: 0.5,
        rowsPerSec: 800,
        nodeRowsPerSec: { 'node-1': 600, 'node-2': 200 },
        inFlight: { 'node-1': 5, 'node-2': 5 },
        retries: 2,
        reroutes: 1,
      },
    ]);
    expect(frame.inFlight).toEqual([5, 5]);
    expect(frame.partitions[0]?.primary).toBe('node-1');
    expect(frame.faults[0]?.label).toBe('crash node-2');
    expect(frame.counters).toContainEqual(['retries', 2]);
  });

  it('gives a page only the points it has not seen', () => {
    const state = new LiveState();
    state.apply(begin());
    for (let i = 0; i <= 4; i++) state.apply(snapshot(i * 100, { 'node-1': i * 10 }));
    const first = state.frame(0, 0);
    expect(first.points).toHaveLength(4);
    state.apply(snapshot(500, { 'node-1': 50 }));
    const second = state.frame(first.run, first.from + first.points.length);
    expect(second.from).toBe(4);
    expect(second.points.map((p) => p.t)).toEqual([0.5]);
  });

  it('starts the series again for the next scenario, and keeps each verdict', () => {
    const state = new LiveState();
    state.apply(begin());
    state.apply(snapshot(0, { 'node-1': 0 }));
    state.apply(snapshot(100, { 'node-1': 10 }));
    const seen = state.frame(0, 0);
    state.apply({
      type: 'summary',
      summary: { scenario: 'album-release', verdict: 'VALID', events: 10, rowsPerSec: 100 } as never,
    });
    expect(state.frame(seen.run, 1).phase).toBe('ended');
    state.apply(begin('lifecycle'));
    const next = state.frame(seen.run, 1);
    expect(next.run).toBe(seen.run + 1);
    expect(next.scenario).toBe('lifecycle');
    expect(next.points).toEqual([]);
    expect(next.verdicts).toEqual([
      { scenario: 'album-release', verdict: 'VALID', events: 10, rowsPerSec: 100 },
    ]);
  });

  it('keeps at most MAX_POINTS points, the newest', () => {
    const state = new LiveState();
    state.apply(begin());
    for (let i = 0; i <= MAX_POINTS + 10; i++) state.apply(snapshot(i * 10, { 'node-1': i }));
    const frame = state.frame(0, 0);
    expect(frame.points).toHaveLength(MAX_POINTS);
    expect(frame.from).toBe(10);
    expect(frame.points.at(-1)?.t).toBe(((MAX_POINTS + 10) * 10) / 1000);
  });
});
