import { describe, expect, it } from 'vitest';
import { check } from '../src/checkers/check.js';
import { exactOutcomes } from '../src/checkers/exact-outcomes.js';
import { RunBuilder, rowFunctions } from './checker-fixtures.js';

const P = 'importer';
const at = (epoch: number, batchSeq: number) => ({ producerId: P, epoch, batchSeq });

/**
 * A failed run and its resume by the same producer, as a correct cluster records them. client-1's stream
 * (epoch 1) takes PUT 1/1, PUT 2/1, PUT 1/2, PUT 2/2, PUT 1/3, PUT 2/3 in batches of two: the first is
 * acknowledged, the second applied but its answer lost (the seal said so: reported applied), the third sent
 * and not applied (failed). client-2 resumes as the same producer (epoch 2) with the failed items and PUT
 * 1/4, and resolves.
 */
function failedThenResumed(): RunBuilder {
  const run = new RunBuilder();
  run.put('client-1', 0, 0, 1, 1);
  run.put('client-1', 0, 1, 2, 1);
  run.put('client-1', 0, 2, 1, 2);
  run.put('client-1', 0, 3, 2, 2);
  run.put('client-1', 0, 4, 1, 3);
  run.put('client-1', 0, 5, 2, 3);
  run.commit('client-1', 0, [0, 1], at(1, 1));
  run.ack('client-1', 0, [0, 1]);
  run.commit('client-1', 0, [2, 3], at(1, 2));
  run.fail('client-1', 0, [4, 5]);
  run.settle('client-1', 0, 'rejected', { producerId: P, epoch: 1 });
  run.put('client-2', 0, 0, 1, 3);
  run.put('client-2', 0, 1, 2, 3);
  run.put('client-2', 0, 2, 1, 4);
  run.commit('client-2', 0, [0, 1, 2], at(2, 1));
  run.ack('client-2', 0, [0, 1, 2]);
  run.settle('client-2', 0, 'resolved', { producerId: P, epoch: 2 });
  return run;
}

describe('exactOutcomes', () => {
  it('passes a failed run whose report is true and its resume', () => {
    const run = failedThenResumed();
    const result = exactOutcomes(run.history, rowFunctions);
    expect(result.report).toContain('exactOutcomes: passed');
    expect(result).toMatchObject({ valid: true, rejectedStreams: 1, resumes: 1 });
    expect(result.counts).toEqual({ failed: 2, reportedApplied: 2, resumedKeys: 2 });
    // And the whole verdict agrees (items reported applied are not unaccounted for atLeastOnce).
    expect(check(run.history, { ...rowFunctions, rows: run.rows() }).valid).toBe(true);
  });

  it('fails when a failed item not in doubt was applied by its own run', () => {
    const run = failedThenResumed();
    run.apply(2, 3, 'client-1', undefined, at(1, 3));
    const result = exactOutcomes(run.history, rowFunctions);
    expect(result.valid).toBe(false);
    // Key 2 still ends at seq 3 (the resume wrote that seq too): only the false report is found.
    expect(result.violations).toEqual([expect.objectContaining({ kind: 'failed-but-applied', key: '2' })]);
    expect(result.report).toContain('was reported failed and not in doubt, yet its run applied it');
  });

  it('passes when that item was reported in doubt', () => {
    const run = new RunBuilder();
    run.put('client-1', 0, 0, 1, 1);
    run.put('client-1', 0, 1, 1, 2);
    run.commit('client-1', 0, [0], at(1, 1));
    run.ack('client-1', 0, [0]);
    run.fail('client-1', 0, [1], [1]);
    run.settle('client-1', 0, 'rejected', { producerId: P, epoch: 1 });
    run.apply(1, 2, 'client-1', undefined, at(1, 2)); // the held attempt landed after all
    expect(exactOutcomes(run.history, rowFunctions).valid).toBe(true);
  });

  it('fails when an item reported applied was never written by its run', () => {
    const run = new RunBuilder();
    run.put('client-1', 0, 0, 1, 1);
    run.put('client-1', 0, 1, 2, 1);
    run.commit('client-1', 0, [0], at(1, 1));
    run.ack('client-1', 0, [0]);
    // Item 1 is neither acknowledged nor failed, and nothing wrote it.
    run.settle('client-1', 0, 'rejected', { producerId: P, epoch: 1 });
    const result = exactOutcomes(run.history, rowFunctions);
    expect(result.valid).toBe(false);
    expect(result.violations[0]).toMatchObject({ kind: 'reported-but-not-applied', key: '2' });
  });

  it('fails when a late attempt of the failed run overwrites the resume', () => {
    const run = failedThenResumed();
    // The failed run's batch 2 applied again, after the resume: key 1 goes back from seq 4 to seq 2.
    run.apply(1, 2, 'client-1', undefined, at(1, 2));
    const result = exactOutcomes(run.history, rowFunctions);
    expect(result.valid).toBe(false);
    expect(result.violations).toEqual([expect.objectContaining({ kind: 'resume-overwritten', key: '1' })]);
    expect(result.report).toContain('does not end as its last item left it');
  });

  it('counts tombstones against the REMOVEs that were not reported failed', () => {
    const run = new RunBuilder();
    run.put('client-1', 0, 0, 1, 1);
    run.remove('client-1', 0, 1, 1, 2);
    run.commit('client-1', 0, [0], at(1, 1));
    run.ack('client-1', 0, [0]);
    run.fail('client-1', 0, [1]);
    run.settle('client-1', 0, 'rejected', { producerId: P, epoch: 1 });
    expect(exactOutcomes(run.history, rowFunctions).valid).toBe(true);
    run.apply(1, null, 'client-1', undefined, at(1, 2));
    const result = exactOutcomes(run.history, rowFunctions);
    expect(result.valid).toBe(false);
    expect(result.violations[0]?.reason).toContain(
      'committed 1 tombstone(s) of key 1 but only 0 of its REMOVEs',
    );
  });

  it('lets an in-doubt REMOVE account for a tombstone, but not for two', () => {
    // The soak's case (3 replicas): PUT 1 and REMOVE 1 went in one batch whose answer was lost (in doubt),
    // a second REMOVE 1 was never sent (failed); the batch committed later, after a failover.
    const run = new RunBuilder();
    run.put('client-1', 0, 0, 1, 1);
    run.remove('client-1', 0, 1, 1, 2);
    run.remove('client-1', 0, 2, 1, 3);
    run.fail('client-1', 0, [0, 1, 2], [0, 1]);
    run.settle('client-1', 0, 'rejected', { producerId: P, epoch: 1 });
    run.apply(1, null, 'client-1', undefined, at(1, 1));
    expect(exactOutcomes(run.history, rowFunctions).valid).toBe(true);
    run.apply(1, null, 'client-1', undefined, at(1, 2));
    const result = exactOutcomes(run.history, rowFunctions);
    expect(result.valid).toBe(false);
    expect(result.violations[0]?.reason).toContain(
      'committed 2 tombstone(s) of key 1 but only 1 of its REMOVEs of that key were not reported certainly failed',
    );
  });

  it('does not judge a rejected stream that named no epoch', () => {
    const run = new RunBuilder();
    run.put('client-1', 0, 0, 1, 1);
    run.settle('client-1', 0, 'rejected');
    expect(exactOutcomes(run.history, rowFunctions)).toMatchObject({ valid: true, rejectedStreams: 0 });
  });
});
