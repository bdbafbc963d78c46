// The liveness checker is what turns "the stream completes once faults stop" into a failure with a reason
// instead of a hung test: a stream still open after heal plus the bound, or settled late, must be reported;
// one that waited out the fault phase must not.

import { describe, expect, it } from 'vitest';
import { DEFAULT_LIVENESS_BOUND_MS } from '../src/checkers/check-options.js';
import { CheckerError } from '../src/checkers/checker-error.js';
import { liveness } from '../src/checkers/liveness.js';
import { RunBuilder } from './checker-fixtures.js';

/** A stream that starts at 1 ms and is still open when the network heals at `healAtMs`. */
function openAcrossHeal(healAtMs: number): RunBuilder {
  const run = new RunBuilder();
  run.put('client-1', 0, 0, 1, 1);
  run.now = healAtMs - 1;
  run.heal();
  return run;
}

describe('liveness', () => {
  it('passes a stream that settles within the bound after heal, however long the faults lasted', () => {
    const run = openAcrossHeal(500_000);
    run.batch('client-1', 0, [0]);
    run.tick(DEFAULT_LIVENESS_BOUND_MS - 10);
    run.settle('client-1', 0, 'resolved');
    const result = liveness(run.history);
    expect(result.valid).toBe(true);
    expect(result).toMatchObject({
      healAtMs: 500_000,
      healFrom: 'event',
      boundMs: DEFAULT_LIVENESS_BOUND_MS,
    });
    expect(result.streams).toBe(1);
  });

  it('reports a stream that never settled after heal', () => {
    const run = openAcrossHeal(1000);
    const result = liveness(run.history, { livenessBoundMs: 100 });
    expect(result.valid).toBe(false);
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]).toMatchObject({
      kind: 'unsettled',
      client: 'client-1',
      stream: 0,
      startedAtMs: 1,
      deadlineMs: 1100,
    });
    expect(result.report).toContain(
      'client-1 stream 0 (started at 1ms) never settled; its deadline was 1100ms',
    );
    expect(result.violations[0]?.first).toBe(run.history.events[0]);
    expect(result.report).toContain('#0 @1ms submit client-1 stream 0 item 0');
  });

  it('reports a stream that settled after its deadline', () => {
    const run = openAcrossHeal(1000);
    run.now = 1200;
    run.settle('client-1', 0, 'rejected');
    const result = liveness(run.history, { livenessBoundMs: 100 });
    expect(result.violations.map((v) => [v.kind, v.settled?.atMs])).toEqual([['late', 1201]]);
  });

  it('gives a stream that starts after heal the bound from its start', () => {
    const run = new RunBuilder();
    run.heal();
    run.now = 5000;
    run.put('client-1', 0, 0, 1, 1);
    run.batch('client-1', 0, [0]);
    run.settle('client-1', 0, 'resolved');
    expect(liveness(run.history, { livenessBoundMs: 100 }).valid).toBe(true);
  });

  it('takes the heal point from the option over heal events, and 0 without either', () => {
    const run = openAcrossHeal(1000);
    run.now = 1500;
    run.settle('client-1', 0, 'resolved');
    expect(liveness(run.history, { livenessBoundMs: 600 }).valid).toBe(true);
    const late = liveness(run.history, { livenessBoundMs: 600, healAtMs: 0 });
    expect(late.healFrom).toBe('option');
    expect(late.violations.map((v) => v.deadlineMs)).toEqual([601]);

    const noHeal = new RunBuilder();
    noHeal.put('client-1', 0, 0, 1, 1);
    noHeal.now = 2000;
    noHeal.settle('client-1', 0, 'resolved');
    const result = liveness(noHeal.history, { livenessBoundMs: 1000 });
    expect(result.healFrom).toBe('none');
    expect(result.violations.map((v) => v.kind)).toEqual(['late']);
  });

  it('takes a topology heal as the heal point too', () => {
    const run = new RunBuilder();
    run.put('client-1', 0, 0, 1, 1);
    run.now = 3000;
    run.history.recordTopology({ kind: 'heal' });
    run.settle('client-1', 0, 'resolved');
    expect(liveness(run.history, { livenessBoundMs: 10 })).toMatchObject({ valid: true, healAtMs: 3000 });
  });

  it('rejects a bound that is not a positive number', () => {
    const run = openAcrossHeal(10);
    expect(() => liveness(run.history, { livenessBoundMs: 0 })).toThrow(CheckerError);
    expect(() => liveness(run.history, { livenessBoundMs: Number.NaN })).toThrow(/livenessBoundMs/);
    expect(() => liveness(run.history, { healAtMs: -1 })).toThrow(/healAtMs/);
  });
});

/**
 * A planted run of issue 20: three nodes, node-4 joins, the three leave (each going down, its client
 * connection reset, then the leave); then client-1's stream fails with NODE_UNAVAILABLE. `extra` adds
 * events just before the stream.
 */
function replacedThenFailed(extra: (run: RunBuilder) => void = () => {}, start = true): RunBuilder {
  const run = new RunBuilder();
  if (start) run.history.recordTopology({ kind: 'start', nodes: ['node-1', 'node-2', 'node-3'] });
  run.tick(10);
  run.history.recordTopology({ kind: 'join', node: 'node-4' });
  for (const node of ['node-1', 'node-2', 'node-3']) {
    run.tick(10);
    run.history.recordFault({ kind: 'reset', from: 'client-1', to: node, connectionId: 1, reason: 'down' });
    run.history.recordFault({ kind: 'down', endpoint: node });
    run.history.recordTopology({ kind: 'leave', node });
  }
  extra(run);
  run.tick(10);
  run.put('client-1', 0, 0, 1, 1);
  run.tick(100);
  run.settle('client-1', 0, 'rejected');
  return run;
}

describe('liveness of streams that give up on a reachable cluster', () => {
  it('reports a NODE_UNAVAILABLE failure while the members that joined were reachable', () => {
    const result = liveness(replacedThenFailed().history);
    expect(result.valid).toBe(false);
    expect(result.failuresJudged).toBe(1);
    expect(result.violations.map((v) => [v.kind, v.client, v.stream])).toEqual([['failed', 'client-1', 0]]);
    expect(result.report).toContain('client-1 stream 0 failed with NODE_UNAVAILABLE');
  });

  it('excuses it when the client could reach no majority: its link to the joined node was cut', () => {
    const result = liveness(
      replacedThenFailed((run) => {
        run.history.recordFault({ kind: 'isolate', endpoint: 'client-1' });
      }).history,
    );
    expect(result).toMatchObject({ valid: true, failuresJudged: 1 });
  });

  it('does not judge it after a crash, a fault between nodes, or without a start event', () => {
    const crashed = replacedThenFailed((run) => {
      run.history.recordFault({ kind: 'down', endpoint: 'node-4' });
      run.history.recordTopology({ kind: 'crash', node: 'node-4' });
      run.history.recordFault({ kind: 'up', endpoint: 'node-4' });
      run.history.recordTopology({ kind: 'restart', node: 'node-4' });
    });
    const joinedTwo = (run: RunBuilder) => run.history.recordTopology({ kind: 'join', node: 'node-5' });
    const cutBetweenNodes = replacedThenFailed((run) => {
      joinedTwo(run);
      run.history.recordFault({ kind: 'partition', groupA: ['node-4'], groupB: ['node-5'], oneWay: false });
    });
    for (const run of [crashed, cutBetweenNodes, replacedThenFailed(() => {}, false)]) {
      expect(liveness(run.history)).toMatchObject({ valid: true, failuresJudged: 0 });
    }
  });

  it('takes a graceful leave for no fault, and judges only NODE_UNAVAILABLE failures', () => {
    // The resets and the down of each leaving node come before its leave event, at the same time.
    expect(liveness(replacedThenFailed().history).failuresJudged).toBe(1);
    const run = replacedThenFailed();
    const settled = run.history.ofType('settled')[0];
    const other = {
      events: run.history.events.map((e) => (e === settled ? { ...e, code: 'OVERLOADED' as const } : e)),
    };
    expect(liveness(other)).toMatchObject({ valid: true, failuresJudged: 0 });
  });
});
