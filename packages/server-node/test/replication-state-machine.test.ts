import type { BatchProducer } from '@datastreamer/protocol/internal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HybridClock, hybridTimestamp, physicalMillis } from '../src/clock/hlc.js';
import {
  encodeFinish,
  encodePrepare,
  encodeSeal,
  encodeWrite,
  type FenceOp,
} from '../src/replication/partition-command.js';
import {
  type CommandOutcome,
  type LocalIntents,
  PartitionStateMachine,
} from '../src/replication/partition-state-machine.js';
import { MvccPartitionStore } from '../src/storage/mvcc-partition-store.js';
import type { PartitionTx } from '../src/storage/partition-tx.js';
import { ManualClock } from './support/manual-clock.js';

const bytes = (text: string) => new TextEncoder().encode(text);

// The encoders hand out views of one shared buffer (valid until the next encode): the tests keep copies.
const write = (...args: Parameters<typeof encodeWrite>) => encodeWrite(...args).slice();
const seal = (...args: Parameters<typeof encodeSeal>) => encodeSeal(...args).slice();
const prepare = (...args: Parameters<typeof encodePrepare>) => encodePrepare(...args).slice();
const finish = (...args: Parameters<typeof encodeFinish>) => encodeFinish(...args).slice();

/** A replica's state machine, with what its proposals bind and what the applies answered. */
class Replica implements LocalIntents {
  readonly machine: PartitionStateMachine;
  readonly hlc = new HybridClock(new ManualClock());
  readonly outcomes: CommandOutcome[] = [];
  readonly bindings = new Map<number, PartitionTx>();
  readonly held = new Map<string, PartitionTx>();
  #log: Uint8Array[] = [];

  constructor() {
    this.machine = new PartitionStateMachine({
      newStore: (snapshot) =>
        snapshot === null ? new MvccPartitionStore() : MvccPartitionStore.fromSnapshot(snapshot),
      hlc: this.hlc,
      applying: (_origin, _index, commit) => commit(),
      local: this,
    });
  }

  bound(index: number): PartitionTx | undefined {
    return this.bindings.get(index);
  }
  settle(_index: number, _term: number, outcome: CommandOutcome): void {
    this.outcomes.push(outcome);
  }
  hold(txId: string, ptx: PartitionTx): void {
    this.held.set(txId, ptx);
  }
  release(txId: string): PartitionTx | undefined {
    const ptx = this.held.get(txId);
    this.held.delete(txId);
    return ptx;
  }

  /** Applies `command` as the next entry (term 1). */
  apply(command: Uint8Array): CommandOutcome {
    this.#log.push(command);
    this.machine.apply({ index: this.#log.length, term: 1, command });
    return this.outcomes.at(-1) as CommandOutcome;
  }

  /** The state as comparable plain data. */
  state() {
    const store = this.machine.store.exportCommitted();
    const keys = store.keys
      .map((k) => ({ key: [...k.key].join(','), newest: k.versions[0] }))
      .sort((a, b) => a.key.localeCompare(b.key));
    return {
      keys: keys.map(({ key, newest }) => ({
        key,
        ts: newest?.ts,
        row: newest?.row === null ? null : [...(newest?.row ?? [])],
      })),
      fence: this.machine.fence.entries(),
      prepared: [...this.machine.prepared.keys()],
    };
  }
}

/** Writes on `replica`'s own store as a leader would before proposing: the intents of one transaction. */
function intents(replica: Replica, txId: string, writes: readonly [string, string | null][]) {
  const store = replica.machine.store;
  const ptx = store.begin(txId, replica.hlc.now());
  for (const [key, row] of writes) store.write(ptx, bytes(key), row === null ? null : bytes(row));
  store.prepare(ptx);
  return { store, ptx };
}

const producer = (batchSeq: number, epoch = 1): BatchProducer => ({ producerId: 'p', epoch, batchSeq });
const fence = (p: BatchProducer, admit = true): FenceOp => ({ producer: p, admit, results: undefined });

describe('PartitionStateMachine', () => {
  it('ends with the same state on the proposing replica (its intents) and on a follower (fresh writes)', () => {
    const leader = new Replica();
    const follower = new Replica();
    const writes: [string, string | null][][] = [
      [
        ['a', 'A1'],
        ['b', 'B1'],
      ],
      [
        ['a', null],
        ['c', 'C1'],
      ],
      [['b', 'B2']],
    ];
    writes.forEach((batch, i) => {
      const source = intents(leader, `tx-${i}`, batch);
      const command = write(leader.hlc.now(), fence(producer(i + 1)), source);
      leader.bindings.set(i + 1, source.ptx);
      expect(leader.apply(command)).toMatchObject({ kind: 'applied' });
      expect(follower.apply(command)).toMatchObject({ kind: 'applied' });
    });
    expect(follower.state()).toEqual(leader.state());
    // 'a' was deleted, and its tombstone collected (no reader needs it): 'b' and 'c' are left.
    expect(follower.state().keys.map((k) => k.key)).toEqual(['98', '99']);
    expect(follower.machine.fence.entries()).toMatchObject([{ producerId: 'p', appliedSeq: 3 }]);
  });

  it('asks the fence again as a write applies: a duplicate or a fenced attempt applies nothing, everywhere', () => {
    const replicas = [new Replica(), new Replica()];
    const ts = replicas[0]?.hlc.now() ?? 0n;
    const first = write(ts, fence(producer(1)), intents(new Replica(), 'x', [['k', 'v1']]));
    const again = write(ts + 1n, fence(producer(1)), intents(new Replica(), 'y', [['k', 'v2']]));
    const older = write(ts + 2n, fence(producer(9, 0)), intents(new Replica(), 'z', [['k', 'v3']]));
    const recordOnly = write(ts + 3n, fence(producer(1, 0), false));
    for (const replica of replicas) {
      expect(replica.apply(first)).toMatchObject({ kind: 'applied' });
      expect(replica.apply(again)).toEqual({ kind: 'duplicate' });
      expect(replica.apply(older)).toMatchObject({ kind: 'refused', error: { code: 'PRODUCER_FENCED' } });
      expect(replica.apply(recordOnly)).toMatchObject({ kind: 'applied' });
      expect(replica.state().keys).toEqual([{ key: '107', ts, row: [118, 49] }]);
    }
    expect(replicas[0]?.state()).toEqual(replicas[1]?.state());
  });

  it('refuses a batch before its turn with OUT_OF_ORDER_BATCH on every replica, writing nothing, until its predecessor applied', () => {
    const leader = new Replica();
    const follower = new Replica();
    const ts = leader.hlc.now();
    // The leader proposed batch 2 with its intents, and batch 1 (retried) only after it: the log decides.
    const second = intents(leader, 'tx-2', [['k', 'v2']]);
    const early = write(ts, fence(producer(2)), second);
    leader.bindings.set(1, second.ptx);
    for (const replica of [leader, follower]) {
      expect(replica.apply(early)).toMatchObject({
        kind: 'refused',
        error: { code: 'OUT_OF_ORDER_BATCH', retryable: true },
      });
      expect(replica.state().keys).toEqual([]);
      expect(replica.machine.fence.entries()).toEqual([]);
    }
    // The refused attempt's intents were aborted: the key holds no intent that would block a writer.
    expect(leader.machine.store.dropIntents()).toBe(0);
    const first = write(ts + 1n, fence(producer(1)), intents(new Replica(), 'tx-1', [['k', 'v1']]));
    const again = write(ts + 2n, fence(producer(2)), intents(new Replica(), 'tx-2b', [['k', 'v2']]));
    for (const replica of [leader, follower]) {
      expect(replica.apply(first)).toMatchObject({ kind: 'applied' });
      expect(replica.apply(again)).toMatchObject({ kind: 'applied' });
      expect(replica.state().keys).toEqual([{ key: '107', ts: ts + 2n, row: [118, 50] }]);
    }
    expect(follower.state()).toEqual(leader.state());
    expect(leader.machine.fence.entries()).toMatchObject([{ producerId: 'p', appliedSeq: 2 }]);
  });

  it('applies a write whose timestamp is further ahead of its clock than maxClockOffsetMs, and moves past it', () => {
    const replica = new Replica();
    const now = replica.hlc.now();
    const far = hybridTimestamp(physicalMillis(now) + 3_600_000);
    // A peer's message with that timestamp would be refused; a committed entry applies on every replica.
    expect(() => new HybridClock(new ManualClock()).update(far)).toThrow(/maxClockOffsetMs/);
    expect(replica.apply(write(far, fence(producer(1)), intents(new Replica(), 'x', [['k', 'v']])))).toEqual({
      kind: 'applied',
      commitTs: far,
    });
    expect(replica.hlc.now()).toBeGreaterThan(far);
  });

  it('seals an epoch, after which its batches are refused, and refuses a seal older than a newer epoch', () => {
    const replica = new Replica();
    const ts = replica.hlc.now();
    for (let seq = 1; seq <= 4; seq++) replica.apply(write(ts, fence(producer(seq, 2))));
    expect(replica.apply(seal('p', 2))).toEqual({ kind: 'sealed', appliedSeq: 4 });
    expect(replica.apply(write(ts + 1n, fence(producer(5, 2))))).toMatchObject({ kind: 'refused' });
    expect(replica.apply(seal('p', 1))).toMatchObject({
      kind: 'refused',
      error: { code: 'PRODUCER_FENCED' },
    });
  });

  it('keeps a prepared transaction until its finish, then commits its writes at the finish timestamp or drops them', () => {
    const leader = new Replica();
    const follower = new Replica();
    const startTs = leader.hlc.now();
    const held = intents(leader, 't1', [['k', 'v']]);
    leader.bindings.set(1, held.ptx);
    const commit = prepare('t1', 'node-1', startTs, null, held);
    const abort = prepare('t2', 'node-1', startTs, null, intents(new Replica(), 't2', [['j', 'w']]));
    for (const replica of [leader, follower]) {
      expect(replica.apply(commit)).toEqual({ kind: 'prepared' });
      expect(replica.apply(abort)).toEqual({ kind: 'prepared' });
      expect(replica.state().prepared).toEqual(['t1', 't2']);
    }
    const commitTs = leader.hlc.now();
    for (const replica of [leader, follower]) {
      expect(replica.apply(finish('t1', commitTs))).toEqual({ kind: 'finished', committed: true });
      expect(replica.apply(finish('t2', null))).toEqual({ kind: 'finished', committed: false });
      expect(replica.apply(finish('t2', null))).toEqual({ kind: 'finished', committed: undefined });
      expect(replica.state()).toMatchObject({ keys: [{ key: '107', ts: commitTs }], prepared: [] });
    }
    expect(leader.held.size).toBe(0);
  });

  it('refuses to prepare a second attempt of a batch while the first one awaits its outcome', () => {
    const replica = new Replica();
    const ts = replica.hlc.now();
    expect(replica.apply(prepare('t1', 'n', ts, fence(producer(1))))).toEqual({ kind: 'prepared' });
    expect(replica.apply(prepare('t2', 'n', ts, fence(producer(1))))).toMatchObject({
      kind: 'refused',
      error: { code: 'TX_CONFLICT', message: expect.stringContaining('awaits its outcome') },
    });
    replica.apply(finish('t1', ts + 1n));
    expect(replica.apply(prepare('t3', 'n', ts, fence(producer(1))))).toEqual({ kind: 'duplicate' });
  });

  it('restores from its snapshot to the same state, for random logs', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('write' as const),
        key: fc.integer({ min: 0, max: 5 }),
        del: fc.boolean(),
        seq: fc.nat(4),
      }),
      fc.record({ kind: fc.constant('seal' as const), epoch: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ kind: fc.constant('prepare' as const), key: fc.integer({ min: 6, max: 8 }) }),
      fc.record({ kind: fc.constant('finish' as const), commit: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const replica = new Replica();
        let prepared = 0;
        for (const o of ops) {
          const ts = replica.hlc.now();
          if (o.kind === 'write') {
            const source = intents(new Replica(), 'w', [[`k${o.key}`, o.del ? null : `v${ts}`]]);
            replica.apply(write(ts, fence(producer(o.seq + 1, 2)), source));
          } else if (o.kind === 'seal') replica.apply(seal('p', o.epoch));
          else if (o.kind === 'prepare') {
            const source = intents(new Replica(), `t${prepared}`, [[`k${o.key}`, 'p']]);
            replica.apply(prepare(`t${prepared++}`, 'n', ts - 1n, null, source));
          } else replica.apply(finish(`t${Math.max(0, prepared - 1)}`, o.commit ? ts : null));
        }
        const copy = new Replica();
        copy.machine.restore(replica.machine.snapshot());
        expect(copy.state()).toEqual(replica.state());
        expect(copy.machine.restores).toBe(1);
      }),
      { numRuns: 100 },
    );
  });
});
