// The verdict is what every scenario property of the simulation will assert on, so it must be exactly as
// strict as the guarantees: a correct run (retries, duplicate applies, lost responses, several producers,
// streams that give up and report their failed items) must pass, and a run with one planted bug of each
// kind must fail on the right checker. Runs come from a small model of streamers and a store, driven by
// fast-check.

import type { StreamerOperationType } from '@datastreamer/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check } from '../src/checkers/check.js';
import { goodRun, RunBuilder, rowFunctions, type TestRow } from './checker-fixtures.js';

/** A bug to plant into a modelled run. */
type Bug = 'none' | 'ack-without-apply' | 'stale-replay' | 'silent-failure' | 'phantom-apply' | 'unsettled';

interface Workload {
  /** Per producer, its items: a key (0-3) and whether it removes. */
  readonly producers: readonly (readonly { readonly key: number; readonly remove: boolean }[])[];
  /** Batch sizes, used in turn. */
  readonly batchSizes: readonly number[];
  /** Whether producers write the same keys. */
  readonly sharedKeys: boolean;
  /** Drives every choice of the run (which producer moves, what happens to each attempt). */
  readonly choices: readonly number[];
}

const workloadArb: fc.Arbitrary<Workload> = fc.record({
  producers: fc.array(fc.array(fc.record({ key: fc.nat(3), remove: fc.boolean() }), { maxLength: 14 }), {
    minLength: 1,
    maxLength: 3,
  }),
  batchSizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
  sharedKeys: fc.boolean(),
  choices: fc.array(fc.nat(99), { minLength: 1, maxLength: 300 }),
});

interface Item {
  readonly id: number;
  readonly op: StreamerOperationType;
  readonly seq: number;
}

interface ProducerState {
  readonly client: string;
  readonly items: readonly Item[];
  readonly batches: readonly (readonly number[])[];
  submitted: number;
  batch: number;
  attempts: number;
  appliedThisBatch: boolean;
  acked: Set<number>;
  /** Batches that were applied at least once. */
  applied: number[];
  done: boolean;
}

interface Simulated {
  readonly run: RunBuilder;
  /** Whether the bug could be planted in this run. */
  readonly planted: boolean;
}

/**
 * Runs the workload through the model: each producer submits its items in order (pulling up to a batch
 * ahead), sends one batch at a time, and retries until acknowledged. An attempt is applied and acknowledged,
 * applied with its response lost, or dropped; after a few attempts the producer may give up, report every
 * submitted unacknowledged item as failed and reject.
 */
function simulate(workload: Workload, bug: Bug): Simulated {
  const run = new RunBuilder();
  let cursor = 0;
  const next = (): number => workload.choices[cursor++ % workload.choices.length] as number;
  const producers: ProducerState[] = workload.producers.map((ops, p) => {
    const seqs = new Map<number, number>();
    const items = ops.map(({ key, remove }) => {
      const id = workload.sharedKeys ? key : p * 10 + key;
      const seq = (seqs.get(id) ?? 0) + 1;
      seqs.set(id, seq);
      return { id, op: remove ? 'REMOVE' : 'PUT', seq } as const;
    });
    const batches: number[][] = [];
    for (let i = 0, b = 0; i < items.length; b++) {
      const size = workload.batchSizes[b % workload.batchSizes.length] as number;
      batches.push(Array.from({ length: Math.min(size, items.length - i) }, (_, j) => i + j));
      i += size;
    }
    return {
      client: `client-${p + 1}`,
      items,
      batches,
      submitted: 0,
      batch: 0,
      attempts: 0,
      appliedThisBatch: false,
      acked: new Set(),
      applied: [],
      done: false,
    };
  });
  let planted = bug === 'phantom-apply' || bug === 'unsettled';
  const settle = (p: ProducerState, outcome: 'resolved' | 'rejected') => {
    p.done = true;
    if (!(bug === 'unsettled' && p === producers[0])) run.settle(p.client, 0, outcome);
  };
  for (const p of producers) if (p.batches.length === 0) settle(p, 'resolved');
  run.heal();
  for (
    let active = producers.filter((p) => !p.done);
    active.length > 0;
    active = producers.filter((p) => !p.done)
  ) {
    const p = active[next() % active.length] as ProducerState;
    const batch = p.batches[p.batch] as readonly number[];
    const lastOfBatch = batch[batch.length - 1] as number;
    if (p.submitted < p.items.length && (p.submitted <= lastOfBatch || next() % 3 === 0)) {
      const item = p.items[p.submitted] as Item;
      run.submit(p.client, 0, p.submitted, item.op, item.id, item.seq);
      p.submitted++;
      continue;
    }
    p.attempts++;
    let outcome = next() % 10;
    if (p.attempts >= 4) outcome = outcome % 2 === 0 ? 0 : 9;
    if (outcome <= 5) {
      const plantHere =
        bug === 'ack-without-apply' && !planted && !p.appliedThisBatch && hasPutWinner(p, batch);
      if (plantHere) planted = true;
      else run.commit(p.client, 0, batch);
      run.ack(p.client, 0, batch);
      if (!plantHere && !p.appliedThisBatch) p.applied.push(p.batch);
      for (const i of batch) p.acked.add(i);
      p.batch++;
      p.attempts = 0;
      p.appliedThisBatch = false;
      if (p.batch === p.batches.length) settle(p, 'resolved');
    } else if (outcome <= 7) {
      run.commit(p.client, 0, batch);
      if (!p.appliedThisBatch) p.applied.push(p.batch);
      p.appliedThisBatch = true;
    } else if (outcome === 9 && p.attempts >= 2) {
      const unacked = Array.from({ length: p.submitted }, (_, i) => i).filter((i) => !p.acked.has(i));
      if (bug === 'silent-failure' && !planted && unacked.length > 0) {
        planted = true;
        unacked.shift();
      }
      run.fail(p.client, 0, unacked);
      settle(p, 'rejected');
    }
  }
  if (bug === 'stale-replay') planted = replayStale(run, producers[0] as ProducerState);
  if (bug === 'phantom-apply') run.apply(99, 1);
  return { run, planted };
}

/** Whether some key's last item in `batch` is a PUT. */
function hasPutWinner(p: ProducerState, batch: readonly number[]): boolean {
  const last = new Map<number, Item>();
  for (const i of batch) last.set((p.items[i] as Item).id, p.items[i] as Item);
  return [...last.values()].some((item) => item.op === 'PUT');
}

/** Re-applies, at the end, a PUT of an applied batch that a later applied batch of the producer overwrote. */
function replayStale(run: RunBuilder, p: ProducerState): boolean {
  for (const [position, b] of p.applied.entries()) {
    const batch = p.batches[b] as readonly number[];
    const last = new Map<number, Item>();
    for (const i of batch) last.set((p.items[i] as Item).id, p.items[i] as Item);
    for (const item of last.values()) {
      if (item.op !== 'PUT') continue;
      const overwritten = p.applied
        .slice(position + 1)
        .some((later) =>
          (p.batches[later] as readonly number[]).some((i) => (p.items[i] as Item).id === item.id),
        );
      if (overwritten) {
        run.apply(item.id, item.seq, p.client);
        return true;
      }
    }
  }
  return false;
}

const judge = (run: RunBuilder) => check<TestRow>(run.history, { ...rowFunctions, rows: run.rows() });

describe('check', () => {
  it('gathers every checker’s findings into one verdict', () => {
    const good = judge(goodRun());
    expect(good.valid).toBe(true);
    expect(good).toMatchObject({
      lost: [],
      unexpected: [],
      duplicated: 0,
      unaccounted: [],
      reordered: [],
      finalStateMismatches: [],
      unsettled: [],
      inexact: [],
    });
    expect(good.report.split('\n').filter((line) => /^\w+: passed/.test(line))).toHaveLength(5);

    const run = goodRun();
    run.apply(1, 1);
    const bad = check<TestRow>(run.history, rowFunctions);
    expect(bad.valid).toBe(false);
    expect(bad.reordered).toHaveLength(1);
    expect(bad.finalStateMismatches).toHaveLength(1);
    expect(bad.duplicated).toBe(1);
    expect(bad.atLeastOnce.valid).toBe(true);
    expect(bad.report).toContain('perKeyOrder: FAILED');
  });

  it('passes every correct run of the model', () => {
    fc.assert(
      fc.property(workloadArb, (workload) => {
        const { run } = simulate(workload, 'none');
        const verdict = judge(run);
        if (!verdict.valid) throw new Error(`${verdict.report}\n${run.history.toJsonLines()}`);
      }),
      { numRuns: 200 },
    );
  });

  it('fails a run where an acknowledged batch was never applied', () => {
    fc.assert(
      fc.property(workloadArb, (workload) => {
        const { run, planted } = simulate({ ...workload, sharedKeys: false }, 'ack-without-apply');
        fc.pre(planted);
        const verdict = judge(run);
        expect(verdict.valid).toBe(false);
        expect(verdict.lost.length).toBeGreaterThan(0);
      }),
    );
  });

  it('fails a run where a stale batch is applied again after a newer one', () => {
    fc.assert(
      fc.property(workloadArb, (workload) => {
        const { run, planted } = simulate({ ...workload, sharedKeys: false }, 'stale-replay');
        fc.pre(planted);
        const verdict = judge(run);
        expect(verdict.reordered.length).toBeGreaterThan(0);
      }),
    );
  });

  it('fails a run where a rejected stream leaves an item out of its failed items', () => {
    fc.assert(
      fc.property(workloadArb, (workload) => {
        const { run, planted } = simulate(workload, 'silent-failure');
        fc.pre(planted);
        expect(judge(run).unaccounted).toHaveLength(1);
      }),
    );
  });

  it('fails a run with an apply nobody submitted, and one with a stream that never settles', () => {
    fc.assert(
      fc.property(workloadArb, (workload) => {
        expect(judge(simulate(workload, 'phantom-apply').run).unexpected).toHaveLength(1);
        // A producer with no items leaves no trace of its stream, so only one with items can be seen hanging.
        const hanging = (workload.producers[0]?.length ?? 0) > 0 ? ['unsettled'] : [];
        expect(judge(simulate(workload, 'unsettled').run).unsettled.map((u) => u.kind)).toEqual(hanging);
      }),
    );
  });
});
