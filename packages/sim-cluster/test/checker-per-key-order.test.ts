// The per-key order checker is what catches a key going back in time: a late retry or a stale owner writing
// an old version over a newer one. It must see such steps back through rows and through tombstones (which
// carry no sequence number), and must not call a duplicate or another producer's write a step back.

import { describe, expect, it } from 'vitest';
import type { PerKeyOrderOptions } from '../src/checkers/check-options.js';
import { CheckerError } from '../src/checkers/checker-error.js';
import { perKeyOrder } from '../src/checkers/per-key-order.js';
import { formatEvent } from '../src/history/format-event.js';
import { goodRun, RunBuilder, rowFunctions, type TestRow } from './checker-fixtures.js';

const judge = (run: RunBuilder, producer?: (row: TestRow) => string) =>
  perKeyOrder<TestRow>(run.history, {
    seq: rowFunctions.seq,
    ...(producer === undefined ? {} : { producer }),
  });

/** client-1 streams PUT 1/1, REMOVE 1/2, PUT 1/3 as three batches. */
function putRemovePut(): RunBuilder {
  const run = new RunBuilder();
  run.put('client-1', 0, 0, 1, 1);
  run.remove('client-1', 0, 1, 1, 2);
  run.put('client-1', 0, 2, 1, 3);
  run.batch('client-1', 0, [0]);
  run.batch('client-1', 0, [1]);
  run.batch('client-1', 0, [2]);
  return run;
}

/**
 * client-1's run (producer P, epoch 1) streams PUT 1/1 and PUT 1/2 and fails with both reported failed,
 * in doubt when `inDoubt`; both apply late, after it ended; its resume (epoch `resumeEpoch`, on `resumedOn`:
 * another client by default, which cannot know what client-1 left in doubt) sends them again, in order.
 */
function inDoubtAppliedLateThenResumed(
  inDoubt: boolean,
  resumeEpoch = 2,
  resumedOn = 'client-2',
): RunBuilder {
  const at = (epoch: number, batchSeq: number) => ({ producerId: 'P', epoch, batchSeq });
  const run = new RunBuilder();
  run.put('client-1', 0, 0, 1, 1, 'P');
  run.put('client-1', 0, 1, 1, 2, 'P');
  run.fail('client-1', 0, [0, 1], inDoubt ? [0, 1] : []);
  run.settle('client-1', 0, 'rejected', { producerId: 'P', epoch: 1 });
  run.commit('client-1', 0, [0], at(1, 1));
  run.commit('client-1', 0, [1], at(1, 2));
  const stream = resumedOn === 'client-1' ? 1 : 0;
  run.put(resumedOn, stream, 0, 1, 1, 'P');
  run.put(resumedOn, stream, 1, 1, 2, 'P');
  run.commit(resumedOn, stream, [0], at(resumeEpoch, 1));
  run.commit(resumedOn, stream, [1], at(resumeEpoch, 2));
  run.ack(resumedOn, stream, [0, 1]);
  run.settle(resumedOn, stream, 'resolved', { producerId: 'P', epoch: resumeEpoch });
  return run;
}

describe('perKeyOrder', () => {
  it('lets a resume apply again an item its failed run reported in doubt and applied late, and counts it', () => {
    const result = judge(inDoubtAppliedLateThenResumed(true));
    expect(result.violations).toEqual([]);
    expect(result.reapplied).toBe(1);
    expect(result.report).toContain('1 in-doubt items applied again by their resume');
  });

  it('still reports that step back when the item was not reported in doubt, or not by a newer epoch', () => {
    const certain = judge(inDoubtAppliedLateThenResumed(false));
    expect(certain.violations.map((v) => [v.seq, v.previousSeq])).toEqual([[1, 2]]);
    expect(certain.reapplied).toBe(0);
    const sameEpoch = judge(inDoubtAppliedLateThenResumed(true, 1));
    expect(sameEpoch.violations.map((v) => [v.seq, v.previousSeq])).toEqual([[1, 2]]);
  });

  it('reports that step back when the resume ran on the client that left the items in doubt', () => {
    // That client remembers what it left in doubt, seals it first and sends nothing that applied again.
    const sameClient = judge(inDoubtAppliedLateThenResumed(true, 2, 'client-1'));
    expect(sameClient.violations.map((v) => [v.seq, v.previousSeq])).toEqual([[1, 2]]);
    expect(sameClient.reapplied).toBe(0);
  });

  it('passes applies that follow each key’s sequence', () => {
    const result = judge(goodRun());
    expect(result.valid).toBe(true);
    expect(result.violations).toEqual([]);
    expect(result.keys).toBe(2);
    expect(result.unattributed).toBe(0);
    expect(judge(putRemovePut()).valid).toBe(true);
  });

  it('reports a stale row committed over a newer one, with both applies', () => {
    const run = new RunBuilder();
    run.put('client-1', 0, 0, 1, 1);
    run.put('client-1', 0, 1, 1, 2);
    run.batch('client-1', 0, [0]);
    run.batch('client-1', 0, [1]);
    const newer = run.history.events.at(-2);
    // A late retry of the first batch lands after the second.
    const stale = run.apply(1, 1);
    const result = judge(run);
    expect(result.valid).toBe(false);
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]).toMatchObject({
      producer: 'client-1',
      key: '1',
      op: 'PUT',
      seq: 1,
      previousSeq: 2,
    });
    expect(result.violations[0]?.apply).toBe(stale);
    expect(result.violations[0]?.previous).toBe(newer);
    expect(result.report).toContain(formatEvent(stale));
    expect(result.report).toContain('went back');
  });

  it('reports a stale row written over a tombstone', () => {
    const run = putRemovePut();
    const stale = run.apply(1, 1);
    const result = judge(run);
    expect(result.violations.map((v) => [v.apply, v.seq, v.previousSeq])).toEqual([[stale, 1, 3]]);

    const early = new RunBuilder();
    early.put('client-1', 0, 0, 1, 1);
    early.remove('client-1', 0, 1, 1, 2);
    early.batch('client-1', 0, [0]);
    early.batch('client-1', 0, [1]);
    const resurrecting = early.apply(1, 1);
    const second = judge(early);
    expect(second.violations.map((v) => [v.apply, v.op, v.seq, v.previousSeq])).toEqual([
      [resurrecting, 'PUT', 1, 2],
    ]);
  });

  it('reports a stale tombstone committed over a newer row', () => {
    const run = putRemovePut();
    const stale = run.apply(1, null);
    const result = judge(run);
    expect(result.violations.map((v) => [v.apply, v.op, v.seq, v.previousSeq])).toEqual([
      [stale, 'REMOVE', 2, 3],
    ]);
    expect(result.violations[0]?.reason).toContain('tombstone');
  });

  it('orders applies by commit timestamp, not by when they were recorded', () => {
    const run = new RunBuilder();
    run.put('client-1', 0, 0, 1, 1);
    run.put('client-1', 0, 1, 1, 2);
    // Recorded newest first, but committed in order: no step back.
    run.apply(1, 2, 'client-1', 20n);
    run.apply(1, 1, 'client-1', 10n);
    expect(judge(run).valid).toBe(true);
    // Recorded in order, but committed newest first: a step back.
    const swapped = new RunBuilder();
    swapped.put('client-1', 0, 0, 1, 1);
    swapped.put('client-1', 0, 1, 1, 2);
    swapped.apply(1, 1, 'client-1', 20n);
    swapped.apply(1, 2, 'client-1', 10n);
    expect(judge(swapped).violations).toHaveLength(1);
  });

  it('accepts the same version applied twice in a row', () => {
    const run = putRemovePut();
    run.commit('client-1', 0, [2]);
    const removal = new RunBuilder();
    removal.put('client-1', 0, 0, 1, 1);
    removal.remove('client-1', 0, 1, 1, 2);
    removal.batch('client-1', 0, [0]);
    removal.batch('client-1', 0, [1]);
    removal.apply(1, null);
    expect(judge(run).valid).toBe(true);
    expect(judge(removal).valid).toBe(true);
  });

  it('gives a tombstone the smallest REMOVE that keeps the sequence from going back', () => {
    // Two REMOVEs are in flight when the first tombstone lands; reading it as the second REMOVE would make
    // the later row (seq 3) a step back. The charitable reading finds no violation.
    const run = new RunBuilder();
    run.put('client-1', 0, 0, 1, 1);
    run.remove('client-1', 0, 1, 1, 2);
    run.put('client-1', 0, 2, 1, 3);
    run.remove('client-1', 0, 3, 1, 4);
    run.batch('client-1', 0, [0]);
    run.batch('client-1', 0, [1]);
    run.batch('client-1', 0, [2]);
    run.batch('client-1', 0, [3]);
    expect(judge(run).valid).toBe(true);
  });

  it('judges each producer’s sequence on its own', () => {
    const run = new RunBuilder();
    run.put('client-1', 0, 0, 1, 5);
    run.put('client-2', 0, 0, 1, 1);
    run.batch('client-1', 0, [0]);
    run.batch('client-2', 0, [0]);
    expect(judge(run).valid).toBe(true);
    run.apply(1, 4, 'client-1');
    // seq 4 of client-1 was never submitted, so it is not attributed: only the row function can name it.
    expect(judge(run).unattributed).toBe(1);
    expect(judge(run, (row) => row.by).violations).toHaveLength(1);
  });

  it('leaves out a row that several producers could have written', () => {
    const run = new RunBuilder();
    run.put('client-1', 0, 0, 1, 1);
    run.put('client-2', 0, 0, 1, 1);
    run.batch('client-1', 0, [0]);
    const result = judge(run);
    expect(result.valid).toBe(true);
    expect(result.unattributed).toBe(1);
  });

  it('rejects a missing seq option', () => {
    expect(() => perKeyOrder(goodRun().history, {} as unknown as PerKeyOrderOptions<TestRow>)).toThrow(
      CheckerError,
    );
    expect(() => perKeyOrder(goodRun().history, {} as unknown as PerKeyOrderOptions<TestRow>)).toThrow(
      /option seq is required/,
    );
  });
});
