/**
 * One transaction's share of one partition store: its snapshot timestamp, its lifecycle state (moved only
 * through the table in tx/tx-lifecycle.ts) and its intents, in first-write order (the key's slot in the
 * store, the key bytes as written and the intent row), so commit and abort touch exactly those keys without
 * scanning the partition. Intent rows live here, not in the store, until commit copies them in.
 *
 * Handles are created by `MvccPartitionStore.begin` and mutated only by that store; callers read them.
 */
import { type TxState, TxStates } from '../tx/tx-lifecycle.js';
import type { IntentOwner } from './key-entry.js';

export class PartitionTx implements IntentOwner {
  /** The transaction's id. */
  readonly txId: string;
  /** Snapshot timestamp: the transaction sees versions committed at or before it. */
  readonly startTs: bigint;
  /** The store this handle belongs to; using it on another store is refused. */
  readonly store: object;
  /** Lifecycle state of this participant. Written by the store only. */
  state: TxState = TxStates.PENDING;
  /** Store slots carrying this transaction's intents. Written by the store only. */
  readonly slots: number[] = [];
  /** The key bytes of `slots`, same order (kept for apply events, never copied). Written by the store only. */
  readonly keys: Uint8Array[] = [];
  /** The intent rows of `slots`, same order; `null` for a delete. Written by the store only. */
  readonly rows: (Uint8Array | null)[] = [];

  constructor(store: object, txId: string, startTs: bigint) {
    this.store = store;
    this.txId = txId;
    this.startTs = startTs;
  }

  /** How many keys this transaction has written on the partition. */
  get writeCount(): number {
    return this.slots.length;
  }
}
