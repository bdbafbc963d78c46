import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MvccPartitionStore } from '../src/storage/mvcc-partition-store.js';
import { PartitionTx } from '../src/storage/partition-tx.js';

const k = (...bytes: number[]) => Uint8Array.from(bytes);

describe('PartitionTx', () => {
  it('keeps its intents in the arrays it was given and hands the same arrays back, emptied', () => {
    const first = new PartitionTx({}, 'a', 1n);
    const buffer = k(1, 2, 3, 4);
    for (let i = 0; i < 8; i++) first.add(i, buffer, i, 1);
    const arrays = first.takeArrays();
    expect(arrays).not.toBeNull();
    expect(first.writeCount).toBe(0);
    expect(arrays?.buffers).toHaveLength(0);

    const second = new PartitionTx({}, 'b', 2n, arrays ?? undefined);
    second.add(7, buffer, 2, 2);
    expect(second.slot(0)).toBe(7);
    expect(second.row(0)).toEqual(k(3, 4));
    expect(second.takeArrays()?.fields).toBe(arrays?.fields);
  });

  it('grows a handed-on array like its own, and an emptied handle from nothing', () => {
    const first = new PartitionTx({}, 'a', 1n);
    const second = new PartitionTx({}, 'b', 2n, first.takeArrays() ?? undefined);
    const buffer = new Uint8Array(100);
    for (let i = 0; i < 50; i++) second.add(i, buffer, i, 1);
    expect(second.writeCount).toBe(50);
    expect(second.slot(49)).toBe(49);
    expect(second.rowStart(49)).toBe(49);
    // A finished handle holds no array of size: a later add (the store never makes one) still works.
    first.add(3, buffer, 0, -1);
    expect(first.slot(0)).toBe(3);
    expect(first.row(0)).toBeNull();
  });

  it('does not hand on the arrays of a transaction past the size worth keeping', () => {
    const big = new PartitionTx({}, 'big', 1n);
    const buffer = new Uint8Array(1);
    for (let i = 0; i < 5000; i++) big.add(i, buffer, 0, 1);
    expect(big.takeArrays()).toBeNull();
    expect(big.writeCount).toBe(0);
  });
});

describe('MvccPartitionStore handles that reuse intent arrays', () => {
  it('never lets a new handle see or disturb the intents of one still open', () => {
    // Transactions begun and finished (committed or aborted, oldest first) in any interleaving on one store,
    // so the arrays of a finished one go to the next begun, with others open; each key is written once.
    const step = fc.oneof(
      fc.record({ begin: fc.integer({ min: 1, max: 12 }) }),
      fc.record({ commit: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 2, maxLength: 30 }), (steps) => {
        const store = new MvccPartitionStore();
        const committed = new Set<number>();
        const running: { ptx: PartitionTx; keys: number[] }[] = [];
        let nextKey = 0;
        let ts = 1n;
        const finishOldest = (commit: boolean) => {
          const done = running.shift();
          if (done === undefined) return;
          // Its intents are all its own, whatever began and finished since.
          expect(done.ptx.writeCount).toBe(done.keys.length);
          for (const [i, key] of done.keys.entries()) expect(done.ptx.row(i)).toEqual(k(key % 256, 1));
          if (commit) {
            store.prepare(done.ptx);
            store.commit(done.ptx, ts++);
            for (const key of done.keys) committed.add(key);
          } else {
            store.abort(done.ptx);
          }
        };
        for (const s of steps) {
          if ('commit' in s) {
            finishOldest(s.commit);
            continue;
          }
          const ptx = store.begin(`tx@${ts}`, ts++);
          const keys = Array.from({ length: s.begin }, () => nextKey++);
          for (const key of keys) store.write(ptx, k(key >> 8, key & 255), k(key % 256, 1));
          running.push({ ptx, keys });
        }
        while (running.length > 0) finishOldest(true);
        for (let key = 0; key < nextKey; key++) {
          expect(store.readAt(k(key >> 8, key & 255), ts)).toEqual(
            committed.has(key) ? k(key % 256, 1) : null,
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});
