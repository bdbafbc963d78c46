import type { Clock } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { HybridClock } from '../src/clock/hlc.js';
import { MvccPartitionStore } from '../src/storage/mvcc-partition-store.js';
import type { PartitionTx } from '../src/storage/partition-tx.js';
import {
  isFinalTxState,
  nextTxState,
  TX_TRANSITIONS,
  type TxAction,
  TxActions,
  type TxState,
  TxStates,
} from '../src/storage/tx-lifecycle.js';
import type { Transaction } from '../src/tx/transaction.js';
import { TransactionManager } from '../src/tx/transaction-manager.js';
import { caught } from './support/caught.js';

const standingClock: Clock = {
  now: () => 0,
  setTimer: () => {
    throw new Error('timers are not used here');
  },
  sleep: () => Promise.reject(new Error('timers are not used here')),
};

const STATES = Object.values(TxStates);
const ACTIONS = Object.values(TxActions);
const KEY = Uint8Array.of(1);
const ROW = Uint8Array.of(9, 9);

/** Every legal move, written out independently of the table so a changed table fails here. */
const LEGAL = new Set([
  'PENDING read PENDING',
  'PENDING write PENDING',
  'PENDING prepare PREPARED',
  'PENDING abort ABORTED',
  'PREPARED commit COMMITTED',
  'PREPARED abort ABORTED',
]);

/** A participant with an intent, driven into `state` through the store's own API. */
function participantIn(state: TxState): { store: MvccPartitionStore; ptx: PartitionTx } {
  const store = new MvccPartitionStore({ name: 'T/0' });
  const ptx = store.begin('tx-under-test', 10n);
  store.write(ptx, KEY, ROW);
  switch (state) {
    case 'PENDING':
      break;
    case 'PREPARED':
      store.prepare(ptx);
      break;
    case 'COMMITTED':
      store.prepare(ptx);
      store.commit(ptx, 20n);
      break;
    case 'ABORTED':
      store.abort(ptx);
      break;
  }
  expect(ptx.state).toBe(state);
  return { store, ptx };
}

function act(store: MvccPartitionStore, ptx: PartitionTx, action: TxAction): void {
  switch (action) {
    case 'read':
      store.read(ptx, KEY);
      return;
    case 'write':
      store.write(ptx, KEY, Uint8Array.of(7));
      return;
    case 'prepare':
      store.prepare(ptx);
      return;
    case 'commit':
      store.commit(ptx, 30n);
      return;
    case 'abort':
      store.abort(ptx);
      return;
  }
}

describe('TX_TRANSITIONS', () => {
  it('allows exactly the lifecycle PENDING -> PREPARED -> COMMITTED | ABORTED', () => {
    const legal = new Set<string>();
    for (const s of STATES) {
      for (const a of ACTIONS) {
        const next = TX_TRANSITIONS[s][a];
        if (next !== null) legal.add(`${s} ${a} ${next}`);
      }
    }
    expect(legal).toEqual(LEGAL);
  });

  it('marks exactly COMMITTED and ABORTED as final', () => {
    expect(STATES.filter(isFinalTxState)).toEqual(['COMMITTED', 'ABORTED']);
  });
});

describe('nextTxState', () => {
  it('refuses every illegal transition with TX_NOT_ACTIVE naming the state and the action', () => {
    let refused = 0;
    for (const s of STATES) {
      for (const a of ACTIONS) {
        if (TX_TRANSITIONS[s][a] !== null) continue;
        const error = caught(() => nextTxState(s, a, 'tx-1', 'T/3'));
        expect(error.code).toBe('TX_NOT_ACTIVE');
        expect(error.retryable).toBe(false);
        expect(error.message).toContain(`cannot ${a} in state ${s}`);
        expect(error.message).toContain('tx-1');
        expect(error.message).toContain('T/3');
        expect(error.extensions).toMatchObject({ state: s, action: a });
        refused++;
      }
    }
    expect(refused).toBe(STATES.length * ACTIONS.length - LEGAL.size);
  });

  it('names the states an action is allowed in and says when a state is final', () => {
    expect(() => nextTxState('PENDING', 'commit', 'tx-2')).toThrow(/commit is allowed only in PREPARED$/);
    expect(() => nextTxState('COMMITTED', 'abort', 'tx-2')).toThrow(
      /abort is allowed only in PENDING or PREPARED \(COMMITTED is final\)/,
    );
  });
});

describe('MvccPartitionStore lifecycle', () => {
  it('refuses every illegal action on a participant and leaves it as it was', () => {
    for (const s of STATES) {
      for (const a of ACTIONS) {
        if (TX_TRANSITIONS[s][a] !== null) continue;
        const { store, ptx } = participantIn(s);
        const before = store.exportCommitted();
        const error = caught(() => act(store, ptx, a));
        expect(error.code).toBe('TX_NOT_ACTIVE');
        expect(error.message).toContain(`cannot ${a} in state ${s}`);
        expect(ptx.state).toBe(s);
        expect(store.exportCommitted()).toEqual(before);
      }
    }
  });

  it('performs every legal action and lands in the table state', () => {
    for (const s of STATES) {
      for (const a of ACTIONS) {
        const next = TX_TRANSITIONS[s][a];
        if (next === null) continue;
        const { store, ptx } = participantIn(s);
        act(store, ptx, a);
        expect(ptx.state).toBe(next);
      }
    }
  });
});

describe('TransactionManager lifecycle', () => {
  function setup(): { tm: TransactionManager; store: MvccPartitionStore } {
    const tm = new TransactionManager({ clock: new HybridClock(standingClock) });
    return { tm, store: new MvccPartitionStore({ lowWatermark: tm }) };
  }

  function finished(tm: TransactionManager, store: MvccPartitionStore, how: 'commit' | 'abort'): Transaction {
    const tx = tm.begin();
    tm.write(tx, store, KEY, ROW);
    if (how === 'commit') tm.commit(tx);
    else tm.abort(tx);
    return tx;
  }

  it('refuses to commit, abort, read or write a committed transaction', () => {
    const { tm, store } = setup();
    const tx = finished(tm, store, 'commit');
    expect(caught(() => tm.commit(tx)).message).toContain('cannot prepare in state COMMITTED');
    expect(caught(() => tm.abort(tx)).message).toContain('cannot abort in state COMMITTED');
    expect(caught(() => tm.read(tx, store, KEY)).message).toContain('cannot read in state COMMITTED');
    expect(caught(() => tm.write(tx, store, KEY, ROW)).code).toBe('TX_NOT_ACTIVE');
    expect(tx.state).toBe('COMMITTED');
  });

  it('refuses to commit, abort or write an aborted transaction, and the abort leaves nothing', () => {
    const { tm, store } = setup();
    const tx = finished(tm, store, 'abort');
    expect(caught(() => tm.commit(tx)).message).toContain('cannot prepare in state ABORTED');
    expect(caught(() => tm.abort(tx)).message).toContain('cannot abort in state ABORTED');
    expect(caught(() => tm.write(tx, store, KEY, ROW)).code).toBe('TX_NOT_ACTIVE');
    expect(store.keyCount).toBe(0);
    expect(tm.activeCount).toBe(0);
  });

  it('refuses to enlist a finished transaction on a new partition', () => {
    const { tm, store } = setup();
    const tx = finished(tm, store, 'commit');
    const other = new MvccPartitionStore({ lowWatermark: tm });
    expect(caught(() => tx.enlist(other, 'read')).code).toBe('TX_NOT_ACTIVE');
    expect(other.openTransactionCount).toBe(0);
  });
});
