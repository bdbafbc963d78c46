import type { Clock } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { HybridClock } from '../src/clock/hlc.js';
import { MvccPartitionStore } from '../src/storage/mvcc-partition-store.js';
import { TransactionManager } from '../src/tx/transaction-manager.js';
import { formatTxId } from '../src/tx/tx-id.js';
import { caught } from './support/caught.js';

const k = (n: number) => Uint8Array.of(n);
const row = (n: number) => Uint8Array.of(n, 0xee);

function node(nodeId = 3) {
  const physical = { ms: 1_000 };
  const clock: Clock = {
    now: () => physical.ms,
    setTimer: () => {
      throw new Error('timers are not used here');
    },
    sleep: () => Promise.reject(new Error('timers are not used here')),
  };
  const hlc = new HybridClock(clock);
  const tm = new TransactionManager({ clock: hlc, nodeId });
  const p0 = new MvccPartitionStore({ name: 'T/0', lowWatermark: tm });
  const p1 = new MvccPartitionStore({ name: 'T/1', lowWatermark: tm });
  const applied: string[] = [];
  for (const p of [p0, p1])
    p.addApplyListener((key, value, ts) => applied.push(`${p.name}:${key[0]}=${value?.[0]}@${ts}`));
  return { physical, hlc, tm, p0, p1, applied };
}

describe('TransactionManager', () => {
  it('commits an explicit transaction over two partitions at one commit timestamp', () => {
    const { hlc, tm, p0, p1, applied } = node();
    const tx = tm.begin();
    tm.write(tx, p0, k(1), row(1));
    tm.write(tx, p1, k(2), row(2));
    expect(tm.read(tx, p1, k(2))).toEqual(row(2));
    expect(tx.partitions).toEqual([p0, p1]);
    const commitTs = tm.commit(tx);
    expect(commitTs).toBeGreaterThan(tx.startTs);
    expect(commitTs).toBe(hlc.current());
    expect(applied).toEqual([`T/0:1=1@${commitTs}`, `T/1:2=2@${commitTs}`]);
    expect(tx.state).toBe('COMMITTED');
    expect(tx.participant(p0)?.state).toBe('COMMITTED');
    expect(tm.activeCount).toBe(0);
  });

  it('aborts everywhere and leaves nothing behind', () => {
    const { tm, p0, p1, applied } = node();
    const tx = tm.begin();
    tm.write(tx, p0, k(1), row(1));
    tm.write(tx, p1, k(2), null);
    tm.abort(tx);
    expect(applied).toEqual([]);
    expect(p0.keyCount + p1.keyCount).toBe(0);
    expect(tx.participant(p1)?.state).toBe('ABORTED');
  });

  it('binds an implicit transaction to its partition', () => {
    const { tm, p0, p1 } = node();
    const tx = tm.beginImplicit(p0);
    expect(tx.implicit).toBe(true);
    const error = caught(() => tm.write(tx, p1, k(1), row(1)));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('bound to partition T/0 and cannot touch partition T/1');
    tm.write(tx, p0, k(1), row(1));
    tm.commit(tx);
    expect(p1.keyCount).toBe(0);
  });

  it('aborts on every partition when one participant cannot prepare (lost in a restart)', () => {
    const { tm, p0, p1, applied } = node();
    const tx = tm.begin();
    tm.write(tx, p0, k(1), row(1));
    tm.write(tx, p1, k(2), row(2));
    p1.dropIntents();
    const error = caught(() => tm.commit(tx));
    expect(error.code).toBe('TX_NOT_ACTIVE');
    expect(error.message).toContain('on partition T/1 cannot prepare in state ABORTED');
    expect(tx.state).toBe('ABORTED');
    expect(tx.participant(p0)?.state).toBe('ABORTED');
    expect(p0.keyCount).toBe(0);
    expect(applied).toEqual([]);
    expect(tm.activeCount).toBe(0);
  });

  it('reports the oldest running start timestamp as the low watermark', () => {
    const { physical, tm } = node();
    expect(tm.lowWatermark()).toBeUndefined();
    const first = tm.begin();
    physical.ms += 10;
    const second = tm.begin();
    expect(tm.lowWatermark()).toBe(first.startTs);
    tm.abort(first);
    expect(tm.lowWatermark()).toBe(second.startTs);
    tm.commit(second);
    expect(tm.lowWatermark()).toBeUndefined();
  });

  it('mints distinct UUID-shaped ids carrying the start timestamp and the node', () => {
    const { tm } = node(0xabcdef01);
    const ids = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const tx = tm.begin();
      expect(tx.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-abcd-ef01[0-9a-f]{8}$/);
      expect(tx.id.replaceAll('-', '').slice(0, 16)).toBe(tx.startTs.toString(16).padStart(16, '0'));
      ids.add(tx.id);
      tm.abort(tx);
    }
    expect(ids.size).toBe(100);
    expect(formatTxId(1n, 2, 3)).toBe('00000000-0000-0001-0000-000200000003');
  });

  it('keeps write-write conflicts retryable and lets the loser abort and retry', () => {
    const { tm, p0 } = node();
    const a = tm.begin();
    const b = tm.begin();
    tm.write(a, p0, k(1), row(1));
    expect(caught(() => tm.write(b, p0, k(1), row(2))).retryable).toBe(true);
    tm.commit(a);
    tm.abort(b);
    const retry = tm.begin();
    tm.write(retry, p0, k(1), row(2));
    tm.commit(retry);
    expect(p0.readAt(k(1), retry.startTs + 1000n)).toEqual(row(2));
  });
});
