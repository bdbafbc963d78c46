/**
 * A transaction as the node's `TransactionManager` sees it: id, start timestamp from the hybrid clock, its
 * lifecycle state (moved only through the table in storage/tx-lifecycle.ts) and the partitions it touched,
 * each with that partition's participant handle. An implicit transaction (a streamer batch, a single-row
 * operation) is bound to one partition; an explicit one may touch any partitions of the node.
 *
 * It does not read, write or commit by itself: the manager and the per-partition steps do.
 */

import { ServerError } from '../errors/server-error.js';
import type { MvccPartitionStore } from '../storage/mvcc-partition-store.js';
import type { PartitionTx } from '../storage/partition-tx.js';
import { nextTxState, type TxAction, type TxState, TxStates } from '../storage/tx-lifecycle.js';

export class Transaction {
  readonly id: string;
  /** Snapshot timestamp: reads see what was committed at or before it. */
  readonly startTs: bigint;
  /** The one partition an implicit transaction may touch; `undefined` for an explicit transaction. */
  readonly implicitPartition: MvccPartitionStore | undefined;
  #state: TxState = TxStates.PENDING;
  readonly #participants = new Map<MvccPartitionStore, PartitionTx>();
  /** The keys of `#participants` in first-touch order, kept as an array so finishing makes none. */
  readonly #partitions: MvccPartitionStore[] = [];

  constructor(id: string, startTs: bigint, implicitPartition?: MvccPartitionStore) {
    this.id = id;
    this.startTs = startTs;
    this.implicitPartition = implicitPartition;
  }

  get state(): TxState {
    return this.#state;
  }

  get implicit(): boolean {
    return this.implicitPartition !== undefined;
  }

  /** The partitions this transaction touched (read or wrote), in first-touch order (a live view). */
  get partitions(): readonly MvccPartitionStore[] {
    return this.#partitions;
  }

  /** This transaction's handle on `partition`, if it touched it. */
  participant(partition: MvccPartitionStore): PartitionTx | undefined {
    return this.#participants.get(partition);
  }

  /**
   * This transaction's handle on `partition`, enlisting it there on first touch (for `action`).
   *
   * @throws ServerError `INVALID_ARGUMENT` when an implicit transaction reaches past its partition;
   *   `TX_NOT_ACTIVE` when the transaction is not PENDING.
   */
  enlist(partition: MvccPartitionStore, action: 'read' | 'write'): PartitionTx {
    const known = this.#participants.get(partition);
    if (known !== undefined) return known;
    // A handle begun for a finished transaction would never end and would hold the low watermark back.
    nextTxState(this.#state, action, this.id);
    if (this.implicitPartition !== undefined && partition !== this.implicitPartition) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `implicit transaction ${this.id} is bound to partition ${this.implicitPartition.name} ` +
          `and cannot touch partition ${partition.name}`,
      );
    }
    const ptx = partition.begin(this.id, this.startTs);
    this.#participants.set(partition, ptx);
    this.#partitions.push(partition);
    return ptx;
  }

  /**
   * Moves the transaction through the lifecycle table.
   *
   * @returns the new state.
   * @throws ServerError `TX_NOT_ACTIVE` when the table does not allow `action` in the current state.
   */
  transition(action: TxAction): TxState {
    const next = nextTxState(this.#state, action, this.id);
    this.#state = next;
    return next;
  }
}
