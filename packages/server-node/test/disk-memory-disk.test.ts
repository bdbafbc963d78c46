import { createRng } from '@datastreamer/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryDisk } from '../src/disk/memory-disk.js';
import { caught } from './support/caught.js';
import { ManualClock } from './support/manual-clock.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.of(...values);
const text = (data: Uint8Array | undefined): number[] | undefined =>
  data === undefined ? undefined : [...data];

function disk(latency = 5): { clock: ManualClock; disk: MemoryDisk } {
  const clock = new ManualClock(0);
  return { clock, disk: new MemoryDisk({ clock, syncLatencyMs: latency, name: 'node-1 disk' }) };
}

describe('MemoryDisk', () => {
  it('shows a change to reads at once, and makes it durable only when its sync completes', () => {
    const { clock, disk: d } = disk(5);
    d.write('a', bytes(1, 2));
    d.append('a', bytes(3));
    expect(text(d.read('a'))).toEqual([1, 2, 3]);
    expect(d.durableContent('a')).toBeUndefined();
    let durable = false;
    d.sync(() => {
      durable = true;
    });
    clock.advance(4);
    expect(durable).toBe(false);
    expect(d.durableContent('a')).toBeUndefined();
    clock.advance(1);
    expect(durable).toBe(true);
    expect(text(d.durableContent('a'))).toEqual([1, 2, 3]);
  });

  it('loses on a crash every change not yet durable, and never calls back a sync in flight', () => {
    const { clock, disk: d } = disk(5);
    d.write('a', bytes(1));
    d.sync(() => {});
    clock.advance(5);
    d.append('a', bytes(2));
    d.write('b', bytes(9));
    let called = false;
    d.sync(() => {
      called = true;
    });
    d.crash();
    clock.advance(100);
    expect(called).toBe(false);
    expect(text(d.read('a'))).toEqual([1]);
    expect(d.read('b')).toBeUndefined();
    expect(d.list('')).toEqual(['a']);
  });

  it('completes syncs in issue order, each covering only what was issued before it', () => {
    const clock = new ManualClock(0);
    const d = new MemoryDisk({ clock, syncLatencyMs: { min: 1, max: 50 }, rng: createRng(7n) });
    const order: number[] = [];
    for (let i = 0; i < 20; i++) {
      d.append('log', bytes(i));
      d.sync(() => {
        order.push(i);
        // Everything up to this sync's append is durable, and nothing after it that was issued later.
        expect(d.durableContent('log')?.length).toBeGreaterThanOrEqual(i + 1);
      });
    }
    clock.advance(2_000);
    expect(order).toEqual([...Array(20).keys()]);
  });

  it('calls back at once when nothing waits to be durable, and joins a sync in flight when nothing is new', () => {
    const { clock, disk: d } = disk(5);
    const calls: string[] = [];
    d.sync(() => calls.push('idle'));
    expect(calls).toEqual(['idle']);
    d.write('a', bytes(1));
    d.sync(() => calls.push('first'));
    d.sync(() => calls.push('joined'));
    expect(calls).toEqual(['idle']);
    clock.advance(5);
    expect(calls).toEqual(['idle', 'first', 'joined']);
    expect(d.stats).toMatchObject({ writes: 1, bytesWritten: 1, syncs: 3, syncsCompleted: 3 });
  });

  it('keeps its own copy of what it was given', () => {
    const { disk: d } = disk();
    const data = bytes(1, 2, 3);
    d.write('a', data);
    data[0] = 99;
    const read = d.read('a');
    if (read !== undefined) read[1] = 99;
    expect(text(d.read('a'))).toEqual([1, 2, 3]);
  });

  it('appends owned parts as one change, durable and lost together', () => {
    const { clock, disk: d } = disk(5);
    d.appendOwned('log', [bytes(1), bytes(2, 3), bytes(4)]);
    expect(text(d.read('log'))).toEqual([1, 2, 3, 4]);
    expect(d.stats).toMatchObject({ writes: 1, bytesWritten: 4 });
    d.sync(() => {});
    clock.advance(5);
    d.appendOwned('log', [bytes(5), bytes(6)]);
    d.crash();
    expect(text(d.read('log'))).toEqual([1, 2, 3, 4]);
  });

  it('truncates and removes files, and lists them by prefix in order', () => {
    const { disk: d } = disk();
    d.write('raft/g2/log', bytes(1, 2, 3, 4));
    d.write('raft/g1/log', bytes(5));
    d.write('other', bytes(6));
    d.truncate('raft/g2/log', 2);
    expect(text(d.read('raft/g2/log'))).toEqual([1, 2]);
    expect(d.size('raft/g2/log')).toBe(2);
    expect(d.list('raft/')).toEqual(['raft/g1/log', 'raft/g2/log']);
    d.remove('raft/g1/log');
    d.remove('no-such-file');
    expect(d.list('raft/')).toEqual(['raft/g2/log']);
  });

  it('refuses a truncation beyond the end or below zero, naming the file', () => {
    const { disk: d } = disk();
    d.write('a', bytes(1, 2));
    for (const length of [3, -1, 0.5]) {
      const error = caught(() => d.truncate('a', length));
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.message).toContain('cannot truncate a (2 bytes)');
    }
  });

  it('loses everything when destroyed, and refuses any further use with CLOSED', () => {
    const { clock, disk: d } = disk();
    d.write('a', bytes(1));
    d.sync(() => {});
    clock.advance(10);
    d.destroy();
    expect(d.destroyed).toBe(true);
    for (const use of [
      () => d.read('a'),
      () => d.write('a', bytes(1)),
      () => d.sync(() => {}),
      () => d.crash(),
    ]) {
      const error = caught(use);
      expect(error.code).toBe('CLOSED');
      expect(error.message).toBe('node-1 disk was destroyed');
    }
  });

  it('refuses a bad latency, and a latency range without an rng', () => {
    const clock = new ManualClock(0);
    for (const syncLatencyMs of [-1, Number.NaN, { min: 5, max: 1 }, { min: 0.5, max: 1 }]) {
      expect(caught(() => new MemoryDisk({ clock, syncLatencyMs, rng: createRng(1n) })).code).toBe(
        'INVALID_ARGUMENT',
      );
    }
    expect(caught(() => new MemoryDisk({ clock, syncLatencyMs: { min: 1, max: 2 } })).message).toContain(
      'needs an rng',
    );
  });

  it('leaves after a crash exactly the changes issued before the last completed sync', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('write' as const),
        file: fc.nat(2),
        data: fc.uint8Array({ maxLength: 4 }),
      }),
      fc.record({
        kind: fc.constant('append' as const),
        file: fc.nat(2),
        data: fc.uint8Array({ maxLength: 4 }),
      }),
      fc.record({ kind: fc.constant('truncate' as const), file: fc.nat(2), keep: fc.nat(6) }),
      fc.record({ kind: fc.constant('remove' as const), file: fc.nat(2) }),
      fc.record({ kind: fc.constant('sync' as const) }),
      fc.record({ kind: fc.constant('advance' as const), ms: fc.nat(8) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const { clock, disk: d } = disk(3);
        const model = new Map<string, number[]>();
        let durableModel = new Map<string, number[]>();
        for (const o of ops) {
          if (o.kind === 'sync') {
            const snapshot = new Map([...model].map(([k, v]) => [k, [...v]]));
            d.sync(() => {
              durableModel = snapshot;
            });
            continue;
          }
          if (o.kind === 'advance') {
            clock.advance(o.ms);
            continue;
          }
          const path = `f${o.file}`;
          const current = model.get(path);
          if (o.kind === 'write') {
            d.write(path, o.data);
            model.set(path, [...o.data]);
          } else if (o.kind === 'append') {
            d.append(path, o.data);
            model.set(path, [...(current ?? []), ...o.data]);
          } else if (o.kind === 'truncate') {
            const length = Math.min(o.keep, current?.length ?? 0);
            d.truncate(path, length);
            if (current !== undefined) model.set(path, current.slice(0, length));
          } else {
            d.remove(path);
            model.delete(path);
          }
        }
        for (const path of ['f0', 'f1', 'f2']) expect(text(d.read(path))).toEqual(model.get(path));
        d.crash();
        for (const path of ['f0', 'f1', 'f2']) expect(text(d.read(path))).toEqual(durableModel.get(path));
      }),
      { numRuns: 300 },
    );
  });
});
