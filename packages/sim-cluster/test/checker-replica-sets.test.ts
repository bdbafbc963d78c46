// The replica-sets checker is what catches a move that takes a replica away before its replacement joined:
// each configuration a group committed must keep the table's replica count of voters.

import { describe, expect, it } from 'vitest';
import { check } from '../src/checkers/check.js';
import { judgeReplicaSets } from '../src/checkers/replica-sets.js';
import { RunBuilder } from './checker-fixtures.js';

function membership(run: RunBuilder, voters: string[], learners: string[], index: number): void {
  run.tick();
  run.history.recordTopology({
    kind: 'membership',
    table: 'T',
    partition: 3,
    voters,
    learners,
    index,
    replicas: 3,
  });
}

describe('replicaSets', () => {
  it('passes a move that adds a learner, promotes it, and only then removes the old replica', () => {
    const run = new RunBuilder();
    membership(run, ['a', 'b', 'c'], ['d'], 10);
    membership(run, ['a', 'b', 'c', 'd'], [], 14);
    membership(run, ['a', 'b', 'd'], [], 15);
    const result = judgeReplicaSets(run.history);
    expect(result).toMatchObject({ valid: true, configurations: 3, shrunk: [] });
  });

  it('fails a move that removed a replica before its replacement became a voter', () => {
    const run = new RunBuilder();
    membership(run, ['a', 'b', 'c'], ['d'], 10);
    membership(run, ['a', 'b'], ['d'], 12);
    const result = judgeReplicaSets(run.history);
    expect(result.valid).toBe(false);
    expect(result.shrunk).toEqual([
      expect.objectContaining({ table: 'T', partition: 3, voters: ['a', 'b'], replicas: 3 }),
    ]);
    expect(result.report).toContain('replicaSets: FAILED');
    expect(result.report).toContain('T/3: voters [a, b], 3 replicas');
    // It makes the whole verdict fail.
    const verdict = check(run.history, { key: () => 0, seq: () => 0, rows: [] });
    expect(verdict.valid).toBe(false);
    expect(verdict.shrunkGroups).toHaveLength(1);
  });

  it('judges nothing in a history without moves', () => {
    const run = new RunBuilder();
    run.heal();
    expect(judgeReplicaSets(run.history)).toMatchObject({ valid: true, configurations: 0 });
  });
});
