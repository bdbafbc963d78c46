import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServerError } from '../src/errors/server-error.js';
import { MvccPartitionStore } from '../src/storage/mvcc-partition-store.js';

const k = (...bytes: number[]) => Uint8Array.from(bytes);
const row = (...bytes: number[]) => Uint8Array.from(bytes);

function committed(store: MvccPartitionStore, ts: bigint): Map<number, number[]> {
  return new Map([...store.scan(ts)].map((r) => [r.key[0] ?? -1, [...r.row]]));
}

/** A store with committed rows 1 and 2, a deleted 3, a prepared and a pending transaction holding intents. */
function crashingStore() {
  const store = new MvccPartitionStore({ name: 'T/0' });
  const setup = store.begin('setup', 1n);
  store.write(setup, k(1), row(1));
  store.write(setup, k(2), row(2));
  store.write(setup, k(3), row(3));
  store.prepare(setup);
  store.commit(setup, 2n);
  const del = store.begin('del', 3n);
  store.write(del, k(3), null);
  store.prepare(del);
  store.commit(del, 4n);
  const prepared = store.begin('prepared', 5n);
  store.write(prepared, k(1), row(10));
  store.write(prepared, k(4), row(40));
  store.prepare(prepared);
  const pending = store.begin('pending', 6n);
  store.write(pending, k(2), null);
  store.write(pending, k(5), row(50));
  return { store, prepared, pending };
}

describe('MvccPartitionStore crash and restart', () => {
  it('drops every intent on restart and keeps every commit', () => {
    const { store, prepared, pending } = crashingStore();
    // Keys 1, 2, 4, 5: the tombstone of 3 went at its commit, as no older reader was open.
    expect(store.keyCount).toBe(4);
    expect(store.dropIntents()).toBe(2);
    expect(store.openTransactionCount).toBe(0);
    expect(committed(store, 10n)).toEqual(
      new Map([
        [1, [1]],
        [2, [2]],
      ]),
    );
    // Keys that only had intents are gone altogether.
    expect(store.keyCount).toBe(2);
    expect(prepared.state).toBe('ABORTED');
    expect(pending.state).toBe('ABORTED');
  });

  it('refuses to finish a transaction whose intents a restart dropped', () => {
    const { store, prepared, pending } = crashingStore();
    store.dropIntents();
    const error = (() => {
      try {
        store.commit(prepared, 7n);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).code).toBe('TX_NOT_ACTIVE');
    expect(() => store.write(pending, k(9), row(9))).toThrow(/cannot write in state ABORTED/);
    expect(store.readAt(k(1), 10n)).toEqual(row(1));
  });

  it('lets new transactions write the keys the dropped intents held', () => {
    const { store } = crashingStore();
    store.dropIntents();
    const after = store.begin('after', 8n);
    store.write(after, k(1), row(11));
    store.write(after, k(5), row(55));
    store.prepare(after);
    store.commit(after, 9n);
    expect(committed(store, 9n)).toEqual(
      new Map([
        [1, [11]],
        [2, [2]],
        [5, [55]],
      ]),
    );
  });

  it('rebuilds the committed state, and none of the intents, from an export', () => {
    const { store } = crashingStore();
    const snapshot = store.exportCommitted();
    const restored = MvccPartitionStore.fromSnapshot(snapshot, { name: 'T/0 on node 2' });
    expect(restored.openTransactionCount).toBe(0);
    expect(restored.readFloor).toBe(store.readFloor);
    for (const ts of [4n, 5n, 6n, 10n]) expect(committed(restored, ts)).toEqual(committed(store, ts));
    expect(restored.exportCommitted()).toEqual(snapshot);
    // The intent-only keys never made it over: the restored store writes them without conflict.
    const writer = restored.begin('w', 7n);
    restored.write(writer, k(4), row(4));
    restored.write(writer, k(1), row(1, 1));
    expect(restored.keyCount).toBe(3);
  });

  it('keeps exactly the committed versions across export and import for random histories', () => {
    const op = fc.record({ key: fc.integer({ min: 0, max: 3 }), value: fc.option(fc.nat(255)) });
    const txs = fc.array(fc.record({ ops: fc.array(op, { maxLength: 4 }), commit: fc.boolean() }), {
      maxLength: 12,
    });
    fc.assert(
      fc.property(txs, (plan) => {
        const store = new MvccPartitionStore();
        const reader = store.begin('old-reader', 0n);
        let ts = 1n;
        for (const [i, t] of plan.entries()) {
          const ptx = store.begin(`t${i}`, ts++);
          for (const o of t.ops) store.write(ptx, k(o.key), o.value === null ? null : row(o.value));
          if (t.commit) {
            store.prepare(ptx);
            store.commit(ptx, ts++);
          } else {
            store.abort(ptx);
          }
        }
        const pending = store.begin('pending', ts++);
        for (let key = 0; key < 4; key++) store.write(pending, k(key), row(200));
        const restored = MvccPartitionStore.fromSnapshot(store.exportCommitted());
        store.dropIntents();
        for (let at = 0n; at <= ts; at++) expect(committed(restored, at)).toEqual(committed(store, at));
        expect(reader.state).toBe('ABORTED');
        expect(pending.state).toBe('ABORTED');
      }),
      { numRuns: 100 },
    );
  });
});
