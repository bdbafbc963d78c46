/**
 * Model-based test of the MVCC store driven through the TransactionManager: random interleavings of begin,
 * read, write, delete, commit and abort over several concurrent transactions and a handful of keys, checked
 * against a model that keeps one plain map per committed snapshot. Writes come both as arrays (`write`) and
 * as byte ranges at random offsets of buffers of the transaction (`writeRange`, `removeRange`, as a streamer
 * batch writes: keys in one buffer, rows side by side in another); those buffers are overwritten once their
 * transaction ends, so a store that kept pointing into them instead of copying fails the next comparison.
 */
import type { Clock } from '@datastreamer/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HybridClock } from '../src/clock/hlc.js';
import { ServerError } from '../src/errors/server-error.js';
import { MvccPartitionStore } from '../src/storage/mvcc-partition-store.js';
import type { Transaction } from '../src/tx/transaction.js';
import { TransactionManager } from '../src/tx/transaction-manager.js';

/** Keys chosen to include prefixes of each other and bytes above 0x7f (latin1 keying). */
const KEYS = [[0], [0, 0], [255], [128, 1], [97]].map((b) => Uint8Array.from(b));
const MAX_OPEN = 4;

type Value = number;

interface ModelTx {
  readonly id: number;
  /** Index of the last commit the transaction's snapshot includes. */
  readonly snapshot: number;
  /** Its own writes by key index; `null` is a delete. */
  readonly writes: Map<number, Value | null>;
}

interface Model {
  /** `snapshots[i]` is the committed state after the i-th commit (0: empty). */
  readonly snapshots: Map<number, Value>[];
  /** Per key, the index of the last commit that wrote it (a delete too), -1 if never. */
  readonly lastWrite: number[];
  readonly open: ModelTx[];
  nextId: number;
}

interface Real {
  readonly physical: { ms: number };
  readonly hlc: HybridClock;
  readonly tm: TransactionManager;
  readonly store: MvccPartitionStore;
  readonly txs: Map<number, Transaction>;
  /** Per transaction, the buffers its range writes go into (append only while it runs). */
  readonly buffers: Map<number, RangeBuffers>;
  /** Every apply event seen, as "key:value@commitTs". */
  readonly applied: string[];
}

interface RangeBuffer {
  readonly bytes: Uint8Array;
  used: number;
}

/** Keys and rows in buffers of their own, as a streamer batch holds them (rows side by side). */
interface RangeBuffers {
  readonly keys: RangeBuffer;
  readonly rows: RangeBuffer;
}

/** Room for every range write of a run (at most 100 commands of a few bytes each). */
const BUFFER_BYTES = 4096;

/** Copies `bytes` into the transaction's buffer after `gap` unused bytes and returns where they start. */
function place(buffer: RangeBuffer, bytes: Uint8Array, gap: number): number {
  const start = buffer.used + gap;
  buffer.bytes.set(bytes, start);
  buffer.used = start + bytes.length;
  return start;
}

/** A transaction ended: its buffers are the writer's again, and get overwritten. */
function scribble(r: Real, t: ModelTx): void {
  const buffers = r.buffers.get(t.id);
  buffers?.keys.bytes.fill(0xee);
  buffers?.rows.bytes.fill(0xee);
  r.buffers.delete(t.id);
}

const rangeBuffers = (): RangeBuffers => ({
  keys: { bytes: new Uint8Array(BUFFER_BYTES), used: 0 },
  rows: { bytes: new Uint8Array(BUFFER_BYTES), used: 0 },
});

const encode = (v: Value) => Uint8Array.of(v & 0xff, v >> 8);
const decode = (row: Uint8Array | null): Value | null =>
  row === null ? null : (row[0] ?? 0) | ((row[1] ?? 0) << 8);
const latest = (m: Model) => m.snapshots[m.snapshots.length - 1] as Map<number, Value>;
const pick = (m: Model, n: number) => m.open[n % m.open.length] as ModelTx;
const realTx = (r: Real, t: ModelTx) => r.txs.get(t.id) as Transaction;

function expectCommittedEquals(m: Model, r: Real): void {
  const scanned = new Map<string, Value | null>();
  for (const { key, row } of r.store.scan(r.hlc.current())) scanned.set(key.join(','), decode(row));
  const expected = new Map([...latest(m)].map(([k, v]) => [KEYS[k]?.join(',') ?? '?', v]));
  expect(scanned).toEqual(expected);
}

class Begin implements fc.Command<Model, Real> {
  constructor(readonly implicit: boolean) {}
  check = (m: Readonly<Model>) => m.open.length < MAX_OPEN;
  run(m: Model, r: Real): void {
    const t: ModelTx = { id: m.nextId++, snapshot: m.snapshots.length - 1, writes: new Map() };
    m.open.push(t);
    r.txs.set(t.id, this.implicit ? r.tm.beginImplicit(r.store) : r.tm.begin());
    r.buffers.set(t.id, rangeBuffers());
  }
  toString = () => `begin(${this.implicit ? 'implicit' : 'explicit'})`;
}

class Read implements fc.Command<Model, Real> {
  constructor(
    readonly tx: number,
    readonly key: number,
  ) {}
  check = (m: Readonly<Model>) => m.open.length > 0;
  run(m: Model, r: Real): void {
    const t = pick(m, this.tx);
    // Snapshot isolation: own writes first, else the snapshot as of the transaction's start.
    const expected = t.writes.has(this.key)
      ? t.writes.get(this.key)
      : (m.snapshots[t.snapshot]?.get(this.key) ?? null);
    expect(decode(r.tm.read(realTx(r, t), r.store, KEYS[this.key] as Uint8Array))).toBe(expected);
  }
  toString = () => `read(tx ${this.tx}, key ${this.key})`;
}

/** First committer wins: a key another running transaction wrote, or that a commit after `t`'s snapshot wrote. */
function conflicts(m: Model, t: ModelTx, key: number): boolean {
  return (
    !t.writes.has(key) &&
    (m.open.some((o) => o !== t && o.writes.has(key)) || (m.lastWrite[key] ?? -1) > t.snapshot)
  );
}

function expectConflict(error: unknown): void {
  expect(error).toBeInstanceOf(ServerError);
  expect((error as ServerError).code).toBe('TX_CONFLICT');
  expect((error as ServerError).retryable).toBe(true);
}

class Write implements fc.Command<Model, Real> {
  constructor(
    readonly tx: number,
    readonly key: number,
    readonly value: Value | null,
  ) {}
  check = (m: Readonly<Model>) => m.open.length > 0;
  run(m: Model, r: Real): void {
    const t = pick(m, this.tx);
    // Rewriting one's own key never conflicts.
    const conflict = conflicts(m, t, this.key);
    let error: unknown;
    try {
      const row = this.value === null ? null : encode(this.value);
      r.tm.write(realTx(r, t), r.store, KEYS[this.key] as Uint8Array, row);
    } catch (err) {
      error = err;
    }
    if (conflict) {
      expectConflict(error);
    } else {
      expect(error).toBeUndefined();
      t.writes.set(this.key, this.value);
    }
  }
  toString = () =>
    `${this.value === null ? 'delete' : `write ${this.value}`}(tx ${this.tx}, key ${this.key})`;
}

/** `writeRange`: key and row copied into the transaction's buffer after random gaps, then written as ranges. */
class WriteRange implements fc.Command<Model, Real> {
  constructor(
    readonly tx: number,
    readonly key: number,
    readonly value: Value | null,
    readonly gaps: readonly [number, number],
  ) {}
  check = (m: Readonly<Model>) => m.open.length > 0;
  run(m: Model, r: Real): void {
    const t = pick(m, this.tx);
    const conflict = conflicts(m, t, this.key);
    const { keys, rows } = r.buffers.get(t.id) as RangeBuffers;
    const key = KEYS[this.key] as Uint8Array;
    const keyStart = place(keys, key, this.gaps[0]);
    const rowStart = this.value === null ? 0 : place(rows, encode(this.value), this.gaps[1]);
    const rowLength = this.value === null ? -1 : 2;
    let error: unknown;
    try {
      const ptx = realTx(r, t).enlist(r.store, 'write');
      r.store.writeRange(ptx, keys.bytes, keyStart, key.length, rows.bytes, rowStart, rowLength);
    } catch (err) {
      error = err;
    }
    if (conflict) {
      expectConflict(error);
    } else {
      expect(error).toBeUndefined();
      t.writes.set(this.key, this.value);
    }
  }
  toString = () => `writeRange ${this.value}(tx ${this.tx}, key ${this.key}, gaps ${this.gaps.join('/')})`;
}

/** `removeRange`: deletes a key the transaction sees, and is a no-op (no conflict either) for one it does not. */
class RemoveRange implements fc.Command<Model, Real> {
  constructor(
    readonly tx: number,
    readonly key: number,
    readonly gap: number,
  ) {}
  check = (m: Readonly<Model>) => m.open.length > 0;
  run(m: Model, r: Real): void {
    const t = pick(m, this.tx);
    const sees = t.writes.has(this.key)
      ? t.writes.get(this.key) !== null
      : m.snapshots[t.snapshot]?.has(this.key) === true;
    const conflict = sees && conflicts(m, t, this.key);
    const { keys } = r.buffers.get(t.id) as RangeBuffers;
    const key = KEYS[this.key] as Uint8Array;
    const keyStart = place(keys, key, this.gap);
    let error: unknown;
    let removed: boolean | undefined;
    try {
      const ptx = realTx(r, t).enlist(r.store, 'write');
      removed = r.store.removeRange(ptx, keys.bytes, keyStart, key.length);
    } catch (err) {
      error = err;
    }
    if (conflict) {
      expectConflict(error);
      return;
    }
    expect(error).toBeUndefined();
    expect(removed).toBe(sees);
    if (sees) t.writes.set(this.key, null);
  }
  toString = () => `removeRange(tx ${this.tx}, key ${this.key}, gap ${this.gap})`;
}

class Commit implements fc.Command<Model, Real> {
  constructor(readonly tx: number) {}
  check = (m: Readonly<Model>) => m.open.length > 0;
  run(m: Model, r: Real): void {
    const t = pick(m, this.tx);
    const next = new Map(latest(m));
    for (const [key, value] of t.writes) {
      if (value === null) next.delete(key);
      else next.set(key, value);
    }
    m.snapshots.push(next);
    for (const key of t.writes.keys()) m.lastWrite[key] = m.snapshots.length - 1;
    m.open.splice(m.open.indexOf(t), 1);

    const appliedBefore = r.applied.length;
    const commitTs = r.tm.commit(realTx(r, t));
    scribble(r, t);
    const events = r.applied.slice(appliedBefore);
    const expectedEvents = [...t.writes].map(([key, v]) => `${KEYS[key]?.join(',')}:${v}@${commitTs}`);
    expect(events.sort()).toEqual(expectedEvents.sort());
    expectCommittedEquals(m, r);
  }
  toString = () => `commit(tx ${this.tx})`;
}

class Abort implements fc.Command<Model, Real> {
  constructor(readonly tx: number) {}
  check = (m: Readonly<Model>) => m.open.length > 0;
  run(m: Model, r: Real): void {
    const t = pick(m, this.tx);
    m.open.splice(m.open.indexOf(t), 1);
    const appliedBefore = r.applied.length;
    r.tm.abort(realTx(r, t));
    scribble(r, t);
    expect(r.applied.length).toBe(appliedBefore);
    expectCommittedEquals(m, r);
  }
  toString = () => `abort(tx ${this.tx})`;
}

class MoveClock implements fc.Command<Model, Real> {
  constructor(readonly deltaMs: number) {}
  check = () => true;
  run(_m: Model, r: Real): void {
    r.physical.ms += this.deltaMs;
  }
  toString = () => `clock(${this.deltaMs >= 0 ? '+' : ''}${this.deltaMs}ms)`;
}

/** With nobody reading, a full sweep leaves exactly the model's live keys, one version each. */
class Quiesce implements fc.Command<Model, Real> {
  check = (m: Readonly<Model>) => m.open.length === 0;
  run(m: Model, r: Real): void {
    // Before any sweep: with no transaction left, every key held has a committed version (no intent debris).
    expect(r.store.exportCommitted().keys.length).toBe(r.store.keyCount);
    r.store.collectGarbage(r.hlc.now());
    expect(r.store.keyCount).toBe(latest(m).size);
    for (const key of latest(m).keys()) expect(r.store.chainLength(KEYS[key] as Uint8Array)).toBe(1);
    expect(r.store.openTransactionCount).toBe(0);
    expect(r.tm.lowWatermark()).toBeUndefined();
    expectCommittedEquals(m, r);
  }
  toString = () => 'quiesce';
}

function setup(): { model: Model; real: Real } {
  const physical = { ms: 1_000 };
  const clock: Clock = {
    now: () => physical.ms,
    setTimer: () => {
      throw new Error('timers are not used here');
    },
    sleep: () => Promise.reject(new Error('timers are not used here')),
  };
  const hlc = new HybridClock(clock);
  const tm = new TransactionManager({ clock: hlc, nodeId: 1 });
  const store = new MvccPartitionStore({ name: 'model/0', lowWatermark: tm });
  const applied: string[] = [];
  store.addApplyListener((key, row, ts) => applied.push(`${key.join(',')}:${decode(row)}@${ts}`));
  return {
    model: { snapshots: [new Map()], lastWrite: KEYS.map(() => -1), open: [], nextId: 0 },
    real: { physical, hlc, tm, store, txs: new Map(), buffers: new Map(), applied },
  };
}

const tx = fc.nat(MAX_OPEN * 3);
const key = fc.integer({ min: 0, max: KEYS.length - 1 });
const begin = fc.boolean().map((implicit) => new Begin(implicit));
const read = fc.tuple(tx, key).map(([t, k]) => new Read(t, k));
const value = fc.integer({ min: 0, max: 65535 });
const write = fc.tuple(tx, key, value).map(([t, k, v]) => new Write(t, k, v));
// Mostly no gap, so a transaction's rows usually sit side by side (committed as one block), sometimes not.
const gap = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) },
);
const writeRange = fc
  .tuple(tx, key, fc.option(value, { freq: 5 }), gap, gap)
  .map(([t, k, v, g1, g2]) => new WriteRange(t, k, v, [g1, g2]));
const removeRange = fc.tuple(tx, key, gap).map(([t, k, g]) => new RemoveRange(t, k, g));
// Repeated entries weigh the draw towards overlapping transactions that write, where conflicts happen.
const commands = [
  begin,
  begin,
  read,
  read,
  write,
  write,
  writeRange,
  writeRange,
  writeRange,
  removeRange,
  fc.tuple(tx, key).map(([t, k]) => new Write(t, k, null)),
  tx.map((t) => new Commit(t)),
  tx.map((t) => new Abort(t)),
  fc.integer({ min: -3, max: 3 }).map((d) => new MoveClock(d)),
  fc.constant(new Quiesce()),
];

describe('MvccPartitionStore (model-based)', () => {
  it('keeps snapshot isolation, first-committer-wins and the committed state of the model', () => {
    fc.assert(
      fc.property(fc.commands(commands, { maxCommands: 100, size: 'max' }), (cmds) => {
        const { model, real } = setup();
        fc.modelRun(() => ({ model, real }), cmds);
        // Finish whatever is still running, then the store must hold exactly the model's last snapshot.
        for (const t of [...model.open]) new Abort(model.open.indexOf(t)).run(model, real);
        new Quiesce().run(model, real);
      }),
      { numRuns: 300 },
    );
  });
});
