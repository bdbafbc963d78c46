import type { Clock } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { HybridClock } from '../src/clock/hlc.js';
import { MvccPartitionStore } from '../src/storage/mvcc-partition-store.js';
import { applyBatch } from '../src/tx/apply-batch.js';
import { TransactionManager } from '../src/tx/transaction-manager.js';
import { caught } from './support/caught.js';

const KEY = Uint8Array.of(0x2a, 0x00, 0x01);
const OTHER = Uint8Array.of(0x2b);
const row = (n: number) => Uint8Array.of(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff);

function node() {
  const physical = { ms: 0 };
  const clock: Clock = {
    now: () => physical.ms,
    setTimer: () => {
      throw new Error('timers are not used here');
    },
    sleep: () => Promise.reject(new Error('timers are not used here')),
  };
  const tm = new TransactionManager({ clock: new HybridClock(clock) });
  const store = new MvccPartitionStore({ name: 'gc/0', lowWatermark: tm });
  return { physical, tm, store };
}

function put(
  tm: TransactionManager,
  store: MvccPartitionStore,
  key: Uint8Array,
  value: Uint8Array | null,
): bigint {
  const tx = tm.beginImplicit(store);
  tm.write(tx, store, key, value);
  return tm.commit(tx);
}

describe('MvccPartitionStore garbage collection', () => {
  it('keeps the chain of a key updated 100,000 times within two versions when no old reader is open', () => {
    const { physical, tm, store } = node();
    let longest = 0;
    for (let i = 0; i < 100_000; i++) {
      if (i % 1000 === 0) physical.ms += 1;
      applyBatch(tm, store, [{ op: 'PUT', key: KEY, row: row(i) }]);
      const length = store.chainLength(KEY);
      if (length > longest) longest = length;
    }
    expect(longest).toBeLessThanOrEqual(2);
    expect(store.chainLength(KEY)).toBe(1);
    expect(store.keyCount).toBe(1);
    expect(store.readAt(KEY, tm.lowWatermark() ?? store.readFloor)).toEqual(row(99_999));
  });

  it('keeps an old reader snapshot readable until it ends, then collects what only it needed', () => {
    const { tm, store } = node();
    put(tm, store, KEY, row(0));
    const reader = tm.begin();
    expect(tm.read(reader, store, KEY)).toEqual(row(0));
    for (let i = 1; i <= 1000; i++) put(tm, store, KEY, row(i));
    expect(tm.read(reader, store, KEY)).toEqual(row(0));
    expect(store.readAt(KEY, reader.startTs)).toEqual(row(0));
    expect(store.chainLength(KEY)).toBeGreaterThan(2);
    tm.commit(reader);
    put(tm, store, KEY, row(1001));
    expect(store.chainLength(KEY)).toBe(1);
  });

  it('keeps the snapshot of a reader that has not touched the partition yet (node-wide watermark)', () => {
    const { tm, store } = node();
    put(tm, store, KEY, row(1));
    const reader = tm.begin();
    for (let i = 2; i <= 50; i++) put(tm, store, KEY, row(i));
    put(tm, store, OTHER, null);
    expect(tm.read(reader, store, KEY)).toEqual(row(1));
    tm.abort(reader);
  });

  it('refuses a late reader the node-wide watermark did not protect, instead of answering wrongly', () => {
    // Without a watermark source, only transactions begun on the store hold versions back.
    const store = new MvccPartitionStore({ name: 'alone' });
    const a = store.begin('a', 1n);
    store.write(a, KEY, row(1));
    store.prepare(a);
    store.commit(a, 2n);
    const b = store.begin('b', 3n);
    store.write(b, KEY, row(2));
    store.prepare(b);
    store.commit(b, 4n);
    expect(() => store.begin('late', 2n)).toThrow(/below the read floor 4/);
    // A snapshot too old is a conflict: the transaction runs again with a newer one.
    expect(caught(() => store.begin('late', 2n)).code).toBe('TX_CONFLICT');
  });

  it('drops a deleted key entirely when no reader can see its older versions', () => {
    const { tm, store } = node();
    put(tm, store, KEY, row(1));
    put(tm, store, KEY, row(2));
    put(tm, store, KEY, null);
    expect(store.keyCount).toBe(0);
    expect(store.chainLength(KEY)).toBe(0);
  });

  it('sweeps versions and tombstones kept for a reader once it ends, for keys nobody writes again', () => {
    const { tm, store } = node();
    put(tm, store, KEY, row(1));
    put(tm, store, OTHER, row(1));
    const reader = tm.begin();
    tm.read(reader, store, KEY);
    put(tm, store, KEY, row(2));
    put(tm, store, KEY, null);
    put(tm, store, OTHER, null);
    const between = tm.begin();
    put(tm, store, KEY, row(3));
    expect(store.chainLength(KEY)).toBe(4);
    expect(tm.read(reader, store, OTHER)).toEqual(row(1));
    tm.abort(reader);
    // `between` sees the tombstone of KEY: the newest version at or below its start.
    store.collectGarbage(tm.lowWatermark() ?? 0n);
    expect(store.chainLength(KEY)).toBe(1);
    expect(tm.read(between, store, KEY)).toBeNull();
    expect(store.keyCount).toBe(1);
    tm.abort(between);
  });
});
