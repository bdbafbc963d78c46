// The at-least-once checker is what makes "nothing acknowledged is lost" a tested claim: if it passes a
// history with a lost, phantom or silently dropped item, every property test built on it proves nothing.
// Each test starts from a good history and plants one bug.

import { describe, expect, it } from 'vitest';
import { atLeastOnce } from '../src/checkers/at-least-once.js';
import { CheckerError } from '../src/checkers/checker-error.js';
import { formatEvent } from '../src/history/format-event.js';
import { goodRun, RunBuilder, rowFunctions, type TestRow } from './checker-fixtures.js';

const judge = (run: RunBuilder, extra: { preexisting?: TestRow[] } = {}) =>
  atLeastOnce<TestRow>(run.history, { ...rowFunctions, ...extra });

describe('atLeastOnce', () => {
  it('passes a history where every acknowledged item was applied', () => {
    const result = judge(goodRun());
    expect(result.valid).toBe(true);
    expect(result.lost).toEqual([]);
    expect(result.unexpected).toEqual([]);
    expect(result.unaccounted).toEqual([]);
    expect(result.counts).toEqual({ submitted: 6, acknowledged: 6, applied: 4 });
    expect(result.report).toMatch(/^atLeastOnce: passed/);
  });

  it('reports an acknowledged PUT that was never applied, with its submit and ack', () => {
    const run = new RunBuilder();
    const kept = run.put('client-1', 0, 0, 1, 1);
    const dropped = run.put('client-1', 0, 1, 2, 1);
    run.commit('client-1', 0, [0]);
    run.ack('client-1', 0, [0, 1]);
    run.settle('client-1', 0, 'resolved');
    const result = judge(run);
    expect(result.valid).toBe(false);
    expect(result.lost.map((l) => l.submit)).toEqual([dropped]);
    expect(result.lost[0]?.reason).toContain('no apply of key 2 with seq 1');
    expect(result.lost.map((l) => l.submit)).not.toContain(kept);
    expect(result.report).toContain('lost (acknowledged, never applied) (1)');
    expect(result.report).toContain(formatEvent(dropped));
  });

  it('reports every item of a key whose last item in the batch was not applied', () => {
    const run = new RunBuilder();
    const first = run.put('client-1', 0, 0, 1, 1);
    const second = run.put('client-1', 0, 1, 1, 2);
    // Only the superseded item's version reaches the store: the batch's write of key 1 is lost.
    run.apply(1, 1);
    run.ack('client-1', 0, [0, 1]);
    const result = judge(run);
    expect(result.lost.map((l) => [l.submit, l.winner])).toEqual([
      [first, second],
      [second, second],
    ]);
  });

  it('accepts an item superseded inside its batch when the batch was applied', () => {
    const run = new RunBuilder();
    run.put('client-1', 0, 0, 1, 1);
    run.remove('client-1', 0, 1, 1, 2);
    run.put('client-1', 0, 2, 1, 3);
    run.batch('client-1', 0, [0, 1, 2]);
    const result = judge(run);
    expect(result.valid).toBe(true);
    expect(run.history.ofType('apply')).toHaveLength(1);
  });

  it('reports an acknowledged REMOVE whose key stayed present', () => {
    const run = new RunBuilder();
    run.put('client-1', 0, 0, 1, 1);
    run.batch('client-1', 0, [0]);
    const removal = run.remove('client-1', 0, 1, 1, 2);
    run.ack('client-1', 0, [1]);
    const result = judge(run);
    expect(result.lost.map((l) => l.submit)).toEqual([removal]);
    expect(result.lost[0]?.reason).toContain('no tombstone was committed before the ack');
  });

  it('does not let a REMOVE submitted before its own earlier PUT was applied pass unapplied', () => {
    // Both items are submitted before anything commits: at the REMOVE's submit the key is absent, but the
    // REMOVE takes effect after the PUT before it, so the key must become absent again before the ack.
    const run = new RunBuilder();
    run.put('client-1', 0, 0, 1, 1);
    const removal = run.remove('client-1', 0, 1, 1, 2);
    run.batch('client-1', 0, [0]);
    run.ack('client-1', 0, [1]);
    expect(judge(run).lost.map((l) => l.submit)).toEqual([removal]);
  });

  it('accepts a REMOVE of an absent key, which writes no tombstone', () => {
    const run = new RunBuilder();
    run.remove('client-1', 0, 0, 7, 1);
    run.batch('client-1', 0, [0]);
    run.settle('client-1', 0, 'resolved');
    expect(run.history.ofType('apply')).toEqual([]);
    expect(judge(run).valid).toBe(true);
  });

  it('reports an item applied only after its ack', () => {
    const run = new RunBuilder();
    run.put('client-1', 0, 0, 1, 1);
    run.ack('client-1', 0, [0]);
    run.commit('client-1', 0, [0]);
    const result = judge(run);
    expect(result.valid).toBe(false);
    expect(result.lost[0]?.reason).toContain('applied only after the ack');
  });

  it('reports a row applied for an item never submitted', () => {
    const run = goodRun();
    const phantom = run.apply(9, 1);
    const result = judge(run);
    expect(result.valid).toBe(false);
    expect(result.unexpected.map((u) => u.apply)).toEqual([phantom]);
    expect(result.unexpected[0]?.reason).toContain('no PUT of that key and seq was ever submitted');
    expect(result.report).toContain(formatEvent(phantom));
  });

  it('reports a row whose seq was never submitted for its key', () => {
    const run = goodRun();
    const phantom = run.apply(1, 4);
    expect(judge(run).unexpected.map((u) => u.apply)).toEqual([phantom]);
  });

  it('reports a tombstone of a key no REMOVE was submitted for', () => {
    const run = goodRun();
    run.put('client-1', 1, 0, 5, 1);
    run.batch('client-1', 1, [0]);
    const phantom = run.apply(5, null);
    const result = judge(run);
    expect(result.unexpected.map((u) => u.apply)).toEqual([phantom]);
    expect(result.unexpected[0]?.reason).toContain('no REMOVE of it was ever submitted');
  });

  it('reports an apply committed before its item was submitted', () => {
    const run = new RunBuilder();
    const early = run.apply(1, 1);
    run.put('client-1', 0, 0, 1, 1);
    run.batch('client-1', 0, [0]);
    const result = judge(run);
    expect(result.unexpected.map((u) => u.apply)).toEqual([early]);
    expect(result.unexpected[0]?.reason).toContain('before any such PUT was submitted');
  });

  it('accepts applies of preexisting rows', () => {
    const run = new RunBuilder();
    run.apply(42, 0, 'setup');
    run.put('client-1', 0, 0, 1, 1);
    run.batch('client-1', 0, [0]);
    expect(judge(run).valid).toBe(false);
    expect(judge(run, { preexisting: [{ id: 42, seq: 0, by: 'setup' }] }).valid).toBe(true);
  });

  it('counts duplicate applies without failing', () => {
    const run = new RunBuilder();
    run.put('client-1', 0, 0, 1, 1);
    run.put('client-1', 0, 1, 2, 1);
    run.remove('client-1', 0, 2, 2, 2);
    // A retried batch: applied twice, acknowledged once.
    run.commit('client-1', 0, [0, 1]);
    run.commit('client-1', 0, [0, 1]);
    run.ack('client-1', 0, [0, 1]);
    // A second tombstone for the one REMOVE (as from a store that writes one for an absent key): counted too.
    run.commit('client-1', 0, [2]);
    run.apply(2, null);
    run.ack('client-1', 0, [2]);
    run.settle('client-1', 0, 'resolved');
    const result = judge(run);
    expect(result.valid).toBe(true);
    expect(result.duplicated).toBe(3);
    expect(result.report).toContain('3 duplicate applies');
  });

  it('reports an item of a rejected stream that was neither acknowledged nor reported failed', () => {
    const run = new RunBuilder();
    run.put('client-1', 0, 0, 1, 1);
    const silent = run.put('client-1', 0, 1, 2, 1);
    run.put('client-1', 0, 2, 3, 1);
    run.batch('client-1', 0, [0]);
    run.fail('client-1', 0, [2]);
    run.settle('client-1', 0, 'rejected');
    const result = judge(run);
    expect(result.valid).toBe(false);
    expect(result.unaccounted.map((u) => u.submit)).toEqual([silent]);
    expect(result.unaccounted[0]?.reason).toContain('neither acknowledged nor reported failed');
  });

  it('accepts a rejected stream that reports every unapplied item as failed', () => {
    const run = new RunBuilder();
    run.put('client-1', 0, 0, 1, 1);
    run.put('client-1', 0, 1, 2, 1);
    run.batch('client-1', 0, [0]);
    run.fail('client-1', 0, [1]);
    run.settle('client-1', 0, 'rejected');
    expect(judge(run).valid).toBe(true);
  });

  it('reports an item of a resolved stream that was only reported failed', () => {
    const run = new RunBuilder();
    run.put('client-1', 0, 0, 1, 1);
    run.fail('client-1', 0, [0]);
    run.settle('client-1', 0, 'resolved');
    expect(judge(run).unaccounted[0]?.reason).toContain('the stream resolved but');
  });

  it('reports an item acknowledged only after its stream resolved', () => {
    const run = new RunBuilder();
    run.put('client-1', 0, 0, 1, 1);
    run.commit('client-1', 0, [0]);
    run.settle('client-1', 0, 'resolved');
    run.ack('client-1', 0, [0]);
    expect(judge(run).unaccounted[0]?.reason).toContain('resolved before');
  });

  it('leaves the items of a stream that never settled to liveness', () => {
    const run = new RunBuilder();
    run.put('client-1', 0, 0, 1, 1);
    expect(judge(run).valid).toBe(true);
  });

  it('rejects a history that acknowledges an item never submitted', () => {
    const run = goodRun();
    run.ack('client-1', 0, [99]);
    expect(() => judge(run)).toThrow(CheckerError);
    expect(() => judge(run)).toThrow(/names item 99, which was never submitted/);
  });

  it('rejects a seq function that gives no number, naming the apply', () => {
    const run = goodRun();
    expect(() => atLeastOnce<TestRow>(run.history, { seq: () => Number.NaN })).toThrow(
      /seq\(row\) of #\d+ .* apply .* gave NaN/,
    );
  });
});
