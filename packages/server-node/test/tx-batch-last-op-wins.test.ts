import type { Clock } from '@datastreamer/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HybridClock } from '../src/clock/hlc.js';
import { ServerError } from '../src/errors/server-error.js';
import { MvccPartitionStore } from '../src/storage/mvcc-partition-store.js';
import { applyBatch, type BatchItem } from '../src/tx/apply-batch.js';
import { TransactionManager } from '../src/tx/transaction-manager.js';

const k = (n: number) => Uint8Array.of(7, n);
const row = (n: number) => Uint8Array.of(n, n >> 8);
const PUT = (key: number, value: number): BatchItem => ({ op: 'PUT', key: k(key), row: row(value) });
const REMOVE = (key: number): BatchItem => ({ op: 'REMOVE', key: k(key) });

function node() {
  const clock: Clock = {
    now: () => 5,
    setTimer: () => {
      throw new Error('timers are not used here');
    },
    sleep: () => Promise.reject(new Error('timers are not used here')),
  };
  const hlc = new HybridClock(clock);
  const tm = new TransactionManager({ clock: hlc });
  const store = new MvccPartitionStore({ name: 'batch/0', lowWatermark: tm });
  const applied: string[] = [];
  store.addApplyListener((key, value, ts) =>
    applied.push(`${key[1]}=${value === null ? 'deleted' : value[0]}@${ts}`),
  );
  const table = () => new Map([...store.scan(hlc.current())].map((r) => [r.key[1], r.row[0]]));
  return { hlc, tm, store, applied, table };
}

describe('applyBatch', () => {
  it('leaves a key absent after PUT then REMOVE', () => {
    const { tm, store, table } = node();
    applyBatch(tm, store, [PUT(1, 10), REMOVE(1)]);
    applyBatch(tm, store, [PUT(2, 20)]);
    applyBatch(tm, store, [PUT(2, 21), REMOVE(2)]);
    expect(table()).toEqual(new Map());
  });

  it('keeps the last PUT after PUT, REMOVE, PUT, PUT', () => {
    const { tm, store, table, applied } = node();
    const ts = applyBatch(tm, store, [PUT(1, 1), REMOVE(1), PUT(1, 2), PUT(1, 3)]);
    expect(table()).toEqual(new Map([[1, 3]]));
    expect(applied).toEqual([`1=3@${ts}`]);
  });

  it('treats a REMOVE of a missing key as a no-op', () => {
    const { tm, store, table, applied } = node();
    applyBatch(tm, store, [REMOVE(9)]);
    expect(applied).toEqual([]);
    expect(store.keyCount).toBe(0);
    applyBatch(tm, store, [PUT(1, 1), REMOVE(9), REMOVE(9)]);
    expect(table()).toEqual(new Map([[1, 1]]));
    expect(applied).toHaveLength(1);
  });

  it('deletes an existing key and reports the delete', () => {
    const { tm, store, table, applied } = node();
    applyBatch(tm, store, [PUT(1, 1), PUT(2, 2)]);
    const ts = applyBatch(tm, store, [REMOVE(1)]);
    expect(table()).toEqual(new Map([[2, 2]]));
    expect(applied.at(-1)).toBe(`1=deleted@${ts}`);
  });

  it('applies nothing of a batch that hits a conflict, and the retry succeeds', () => {
    const { tm, store, table, applied } = node();
    applyBatch(tm, store, [PUT(1, 1)]);
    const blocker = tm.begin();
    tm.write(blocker, store, k(3), row(99));
    const before = applied.length;
    let error: unknown;
    try {
      applyBatch(tm, store, [PUT(1, 11), PUT(2, 22), REMOVE(1), PUT(3, 33), PUT(4, 44)]);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).code).toBe('TX_CONFLICT');
    expect((error as ServerError).retryable).toBe(true);
    expect(applied.length).toBe(before);
    expect(table()).toEqual(new Map([[1, 1]]));
    // Only the blocker's intent on key 3 and the committed key 1 remain: no debris from the failed batch.
    expect(store.keyCount).toBe(2);
    expect(tm.activeCount).toBe(1);
    tm.abort(blocker);
    applyBatch(tm, store, [PUT(1, 11), PUT(2, 22), REMOVE(1), PUT(3, 33), PUT(4, 44)]);
    expect(table()).toEqual(
      new Map([
        [2, 22],
        [3, 33],
        [4, 44],
      ]),
    );
  });

  it('refuses an item with an unknown op and applies nothing', () => {
    const { tm, store, applied } = node();
    const bad = { op: 'UPSERT', key: k(2), row: row(2) } as unknown as BatchItem;
    expect(() => applyBatch(tm, store, [PUT(1, 1), bad])).toThrow(/batch item 1 has op UPSERT/);
    expect(applied).toEqual([]);
    expect(store.keyCount).toBe(0);
    expect(tm.activeCount).toBe(0);
  });

  it('ends every key with its last operation, over any prior table', () => {
    const item = fc.oneof(
      fc.record({ put: fc.constant(true), key: fc.nat(5), value: fc.nat(255) }),
      fc.record({ put: fc.constant(false), key: fc.nat(5), value: fc.constant(0) }),
    );
    fc.assert(
      fc.property(fc.array(item, { maxLength: 20 }), fc.array(item, { maxLength: 30 }), (prior, batch) => {
        const { tm, store, table, applied } = node();
        const toItems = (xs: typeof batch) => xs.map((x) => (x.put ? PUT(x.key, x.value) : REMOVE(x.key)));
        applyBatch(tm, store, toItems(prior));
        const expected = table();
        const lastOp = new Map<number, (typeof batch)[number]>();
        for (const x of batch) lastOp.set(x.key, x);
        const existed = new Set(expected.keys());
        for (const [key, x] of lastOp) {
          if (x.put) expected.set(key, x.value);
          else expected.delete(key);
        }
        const before = applied.length;
        applyBatch(tm, store, toItems(batch));
        expect(table()).toEqual(expected);
        // One apply per key that a PUT touched or that existed before; a REMOVE-only key that was absent
        // before the batch has nothing to apply.
        const touched = [...lastOp.keys()].filter(
          (key) => existed.has(key) || batch.some((x) => x.key === key && x.put),
        );
        expect(applied.length - before).toBe(touched.length);
      }),
      { numRuns: 200 },
    );
  });
});
