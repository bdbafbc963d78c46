// The final-state checker compares what the table holds after the run with the newest version applied per
// key. It must catch a stale value, a removed key that came back, a row that vanished, and a row nobody
// wrote, whether the final rows are read from the stores or implied by the history.

import { describe, expect, it } from 'vitest';
import { finalState } from '../src/checkers/final-state.js';
import { canonicalKey } from '../src/history/canonical-key.js';
import { History } from '../src/history/history.js';
import { goodRun, RunBuilder, rowFunctions, type TestRow } from './checker-fixtures.js';

const judge = (
  run: RunBuilder,
  rows: TestRow[] | undefined,
  extra: { preexisting?: TestRow[]; producer?: (row: TestRow) => string } = {},
) => finalState<TestRow>(run.history, { ...rowFunctions, ...(rows === undefined ? {} : { rows }), ...extra });

describe('finalState', () => {
  it('passes a table that holds the newest applied version of every key', () => {
    const run = goodRun();
    expect(run.rows()).toEqual([{ id: 1, seq: 3, by: 'client-1' }]);
    const fromTable = judge(run, run.rows());
    expect(fromTable.valid).toBe(true);
    expect(fromTable.source).toBe('rows');
    expect(fromTable.keys).toBe(2);
    const fromHistory = judge(run, undefined);
    expect(fromHistory.valid).toBe(true);
    expect(fromHistory.source).toBe('history');
  });

  it('reports a stale value', () => {
    const run = goodRun();
    const result = judge(run, [{ id: 1, seq: 1, by: 'client-1' }]);
    expect(result.valid).toBe(false);
    expect(result.mismatches).toHaveLength(1);
    expect(result.mismatches[0]).toMatchObject({
      kind: 'stale',
      key: '1',
      expected: { present: true, seq: 3 },
      actualSeq: 1,
    });
    expect(result.mismatches[0]?.decidedBy?.type).toBe('apply');
    expect(result.report).toContain('key 1 holds the stale row with seq 1; the newest applied has seq 3');
  });

  it('reports a removed key that is back', () => {
    const run = goodRun();
    const result = judge(run, [...run.rows(), { id: 2, seq: 2, by: 'client-1' }]);
    expect(result.mismatches.map((m) => [m.kind, m.key])).toEqual([['resurrected', '2']]);
    expect(result.mismatches[0]?.reason).toContain('REMOVE seq 3');
  });

  it('reports a missing row', () => {
    const result = judge(goodRun(), []);
    expect(result.mismatches.map((m) => [m.kind, m.key, m.actual])).toEqual([['missing', '1', null]]);
  });

  it('reports a row of a key never submitted, and of one submitted but never applied', () => {
    const run = goodRun();
    run.put('client-1', 1, 0, 8, 1);
    const result = judge(run, [...run.rows(), { id: 9, seq: 1, by: 'x' }, { id: 8, seq: 1, by: 'client-1' }]);
    expect(result.mismatches.map((m) => [m.kind, m.key])).toEqual([
      ['unexpected-key', '9'],
      ['unexpected-key', '8'],
    ]);
    expect(result.mismatches[0]?.reason).toContain('never submitted');
    expect(result.mismatches[1]?.reason).toContain('submitted (#');
  });

  it('reports a version that was never the newest applied', () => {
    const result = judge(goodRun(), [{ id: 1, seq: 7, by: 'client-1' }]);
    expect(result.mismatches.map((m) => m.kind)).toEqual(['unknown-version']);
  });

  it('reports two rows of one key', () => {
    const run = goodRun();
    const result = judge(run, [...run.rows(), ...run.rows()]);
    expect(result.mismatches.map((m) => m.kind)).toEqual(['duplicate-key']);
  });

  it('finds a stale overwrite in the state the history leaves when no rows are given', () => {
    const run = goodRun();
    run.apply(1, 1);
    const result = judge(run, undefined);
    expect(result.mismatches.map((m) => [m.kind, m.actualSeq])).toEqual([['stale', 1]]);
    const resurrected = goodRun();
    resurrected.apply(2, 1);
    expect(judge(resurrected, undefined).mismatches.map((m) => m.kind)).toEqual(['resurrected']);
  });

  it('accepts preexisting keys that no stream touched', () => {
    const run = goodRun();
    const old = { id: 50, seq: 0, by: 'setup' };
    expect(judge(run, [...run.rows(), old]).valid).toBe(false);
    expect(judge(run, [...run.rows(), old], { preexisting: [old] }).valid).toBe(true);
  });

  it('takes the last commit for a key written by several producers', () => {
    const run = new RunBuilder();
    run.put('client-1', 0, 0, 1, 5);
    run.put('client-2', 0, 0, 1, 1);
    run.batch('client-1', 0, [0]);
    run.batch('client-2', 0, [0]);
    expect(judge(run, [{ id: 1, seq: 1, by: 'client-2' }]).valid).toBe(true);
    expect(judge(run, [{ id: 1, seq: 5, by: 'client-1' }]).mismatches.map((m) => m.kind)).toEqual([
      'unknown-version',
    ]);
  });

  it('checks the producer of the final row when rows name it', () => {
    const run = goodRun();
    const producer = (row: TestRow) => row.by;
    expect(judge(run, run.rows(), { producer }).valid).toBe(true);
    const result = judge(run, [{ id: 1, seq: 3, by: 'client-9' }], { producer });
    expect(result.mismatches.map((m) => m.kind)).toEqual(['unknown-version']);
  });

  it('maps final rows to the history’s own spelling of keys', () => {
    // The recorder spells keys from the key columns ({"id":1}); the user's key function returns the bare id.
    let now = 0;
    const history = new History({ clock: { now: () => now++ } });
    const key = canonicalKey({ id: 1 });
    history.recordSubmit({ client: 'client-1', stream: 0, index: 0, op: 'PUT', key, seq: 1 });
    history.recordApply({
      node: 'node-1',
      table: 'T',
      partition: 0,
      key,
      row: { id: 1, seq: 1, by: 'client-1' },
      commitTs: 5n,
    });
    const options = { ...rowFunctions, rows: [{ id: 1, seq: 1, by: 'client-1' }] };
    expect(finalState<TestRow>(history, options).valid).toBe(true);
    const stale = finalState<TestRow>(history, { ...options, rows: [] });
    expect(stale.mismatches.map((m) => [m.kind, m.key])).toEqual([['missing', key]]);
  });
});
