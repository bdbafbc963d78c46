/**
 * Model-based test of the MVCC store driven through the TransactionManager: random interleavings of begin,
 * read, write, delete, commit and abort over several concurrent transactions and a handful of keys, checked
 * against a model that keeps one plain map per committed snapshot.
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
  /** Every apply event seen, as "key:value@commitTs". */
  readonly applied: string[];
}

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

class Write implements fc.Command<Model, Real> {
  constructor(
    readonly tx: number,
    readonly key: number,
    readonly value: Value | null,
  ) {}
  check = (m: Readonly<Model>) => m.open.length > 0;
  run(m: Model, r: Real): void {
    const t = pick(m, this.tx);
    // First committer wins: a key another running transaction wrote, or that a commit after this
    // transaction's snapshot wrote, is a conflict; rewriting one's own key never is.
    const conflict =
      !t.writes.has(this.key) &&
      (m.open.some((o) => o !== t && o.writes.has(this.key)) || (m.lastWrite[this.key] ?? -1) > t.snapshot);
    let error: unknown;
    try {
      const row = this.value === null ? null : encode(this.value);
      r.tm.write(realTx(r, t), r.store, KEYS[this.key] as Uint8Array, row);
    } catch (err) {
      error = err;
    }
    if (conflict) {
      expect(error).toBeInstanceOf(ServerError);
      expect((error as ServerError).code).toBe('TX_CONFLICT');
      expect((error as ServerError).retryable).toBe(true);
    } else {
      expect(error).toBeUndefined();
      t.writes.set(this.key, this.value);
    }
  }
  toString = () =>
    `${this.value === null ? 'delete' : `write ${this.value}`}(tx ${this.tx}, key ${this.key})`;
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
    real: { physical, hlc, tm, store, txs: new Map(), applied },
  };
}

const tx = fc.nat(MAX_OPEN * 3);
const key = fc.integer({ min: 0, max: KEYS.length - 1 });
const begin = fc.boolean().map((implicit) => new Begin(implicit));
const read = fc.tuple(tx, key).map(([t, k]) => new Read(t, k));
const write = fc.tuple(tx, key, fc.integer({ min: 0, max: 65535 })).map(([t, k, v]) => new Write(t, k, v));
// Repeated entries weigh the draw towards overlapping transactions that write, where conflicts happen.
const commands = [
  begin,
  begin,
  read,
  read,
  write,
  write,
  write,
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
