/**
 * The transactions of one node: begins them with a start timestamp from the hybrid clock, routes their reads
 * and writes to partition stores, and finishes them: commit = prepare on every touched partition, one commit
 * timestamp, commit on every partition; abort = abort on every partition. It is also the node's low
 * watermark source (the oldest start timestamp of a running transaction), so pass it to every partition
 * store of the node as `lowWatermark`.
 *
 * It does not coordinate partitions on other nodes (two-phase-commit.ts does, with `prepare` and
 * `commitPrepared` for this node's share), and
 * it keeps nothing across a crash: a restarted node starts a new manager.
 */
import { type Buggify, type Logger, neverBuggify, silentLogger } from '@datastreamer/protocol';
import type { HybridClock } from '../clock/hlc.js';
import { ServerError } from '../errors/server-error.js';
import type { LowWatermarkSource, MvccPartitionStore } from '../storage/mvcc-partition-store.js';
import { type TxAction, TxStates, unknownTxState } from '../storage/tx-lifecycle.js';
import { abortPartition, commitPartition, preparePartition } from './partition-steps.js';
import { Transaction } from './transaction.js';
import { formatTxId } from './tx-id.js';

export interface TransactionManagerOptions {
  /** Start and commit timestamps come from it. */
  readonly clock: HybridClock;
  /** Goes into transaction ids, so ids of different nodes never collide. Default 0. */
  readonly nodeId?: number;
  /** Narrowed to `{ component: 'tx-manager' }`. Default: silent. */
  readonly logger?: Logger;
  /** Fault points (simulation only): `tx.conflict` fails a prepare with `TX_CONFLICT`. */
  readonly buggify?: Buggify;
}

export class TransactionManager implements LowWatermarkSource {
  readonly #clock: HybridClock;
  readonly #nodeId: number;
  readonly #log: Logger;
  readonly #buggify: Buggify;
  /** Running transactions in begin order, which is start-timestamp order (the clock is monotonic). */
  readonly #active = new Set<Transaction>();
  #sequence = 0;

  constructor(options: TransactionManagerOptions) {
    this.#clock = options.clock;
    this.#nodeId = options.nodeId ?? 0;
    this.#log = (options.logger ?? silentLogger).child({ component: 'tx-manager' });
    this.#buggify = options.buggify ?? neverBuggify;
  }

  /** Transactions begun and not yet committed or aborted. */
  get activeCount(): number {
    return this.#active.size;
  }

  /** The start timestamp of the oldest running transaction, or `undefined` when none runs. */
  lowWatermark(): bigint | undefined {
    for (const tx of this.#active) return tx.startTs;
    return undefined;
  }

  /** Begins an explicit transaction, which may touch any partitions of this node. */
  begin(): Transaction {
    return this.#start(undefined);
  }

  /**
   * Begins an implicit transaction bound to `partition` (a streamer batch, a single-row operation), enlisted
   * there at once.
   *
   * @throws ServerError `INVALID_ARGUMENT` when the partition's read floor is above the new start timestamp.
   */
  beginImplicit(partition: MvccPartitionStore): Transaction {
    const tx = this.#start(partition);
    try {
      tx.enlist(partition, 'write');
    } catch (err) {
      this.#active.delete(tx);
      tx.transition('abort');
      throw err;
    }
    return tx;
  }

  /**
   * What `tx` sees for `key` on `partition`: its own write, else the row committed as of its start.
   *
   * @returns the row bytes, or `null` when absent.
   * @throws ServerError `TX_NOT_ACTIVE` when `tx` is not PENDING; `INVALID_ARGUMENT` when an implicit
   *   transaction reaches past its partition.
   */
  read(tx: Transaction, partition: MvccPartitionStore, key: Uint8Array): Uint8Array | null {
    this.#advance(tx, 'read', 0n);
    return partition.read(tx.enlist(partition, 'read'), key);
  }

  /**
   * Writes `row` for `key` on `partition` within `tx` (`null` deletes).
   *
   * @throws ServerError `TX_CONFLICT` (retryable) on a write-write conflict (the write has no effect; abort
   *   and retry the transaction); `TX_NOT_ACTIVE` when `tx` is not PENDING; `INVALID_ARGUMENT` when an
   *   implicit transaction reaches past its partition.
   */
  write(tx: Transaction, partition: MvccPartitionStore, key: Uint8Array, row: Uint8Array | null): void {
    this.#advance(tx, 'write', 0n);
    partition.write(tx.enlist(partition, 'write'), key, row);
  }

  /**
   * Prepares `tx` on every partition it touched, takes one commit timestamp, and commits everywhere. When a
   * prepare fails, the transaction is aborted everywhere and the error rethrown.
   *
   * @returns the commit timestamp.
   * @throws ServerError `TX_NOT_ACTIVE` when `tx` is not PENDING or a participant was lost (a restart);
   *   `INTERNAL` when an apply listener threw (the transaction is committed regardless).
   */
  commit(tx: Transaction): bigint {
    this.prepare(tx);
    const commitTs = this.#clock.now();
    this.#advance(tx, 'commit', commitTs);
    return commitTs;
  }

  /**
   * The first phase alone, for a two-phase commit whose coordinator picks the commit timestamp later:
   * prepares `tx` on every partition it touched. When a prepare fails, the transaction is aborted everywhere
   * and the error rethrown.
   *
   * @throws ServerError `TX_NOT_ACTIVE` when `tx` is not PENDING or a participant was lost (a restart).
   */
  prepare(tx: Transaction): void {
    try {
      if (tx.state === TxStates.PENDING && this.#buggify('tx.conflict')) {
        // As a prepare that met a conflict: aborted everywhere, then the error.
        this.#advance(tx, 'abort', 0n);
        throw new ServerError('TX_CONFLICT', `transaction ${tx.id} conflicted (fault point tx.conflict)`);
      }
      this.#advance(tx, 'prepare', 0n);
    } catch (err) {
      if (tx.state === TxStates.PREPARED) {
        this.#log.debug({ txId: tx.id, err }, 'prepare failed, aborting');
        this.#advance(tx, 'abort', 0n);
      }
      throw err;
    }
  }

  /**
   * The second phase of a transaction {@link prepare}d before: commits it everywhere at `commitTs`.
   *
   * @throws ServerError `TX_NOT_ACTIVE` when `tx` is not PREPARED; `INTERNAL` when an apply listener threw.
   */
  commitPrepared(tx: Transaction, commitTs: bigint): void {
    this.#advance(tx, 'commit', commitTs);
  }

  /**
   * Decides `tx` (`commit` after {@link prepare}, or `abort`) without touching its partitions, and takes it
   * out of the running set: the partitions are replicated, and their logs commit or drop its intents when
   * the decision applies there.
   *
   * @throws ServerError `TX_NOT_ACTIVE` when the lifecycle does not allow `action` (e.g. commit before prepare).
   */
  release(tx: Transaction, action: 'commit' | 'abort'): void {
    tx.transition(action);
    this.#active.delete(tx);
  }

  /**
   * Aborts `tx` on every partition it touched.
   *
   * @throws ServerError `TX_NOT_ACTIVE` when `tx` already committed or aborted.
   */
  abort(tx: Transaction): void {
    this.#advance(tx, 'abort', 0n);
  }

  #start(partition: MvccPartitionStore | undefined): Transaction {
    const startTs = this.#clock.now();
    const id = formatTxId(startTs, this.#nodeId, this.#sequence++);
    const tx = new Transaction(id, startTs, partition);
    this.#active.add(tx);
    return tx;
  }

  /** Moves `tx` through the lifecycle table, then carries out the new state on its partitions. */
  #advance(tx: Transaction, action: TxAction, commitTs: bigint): void {
    const next = tx.transition(action);
    switch (next) {
      case TxStates.PENDING:
        // Reads and writes: the table has checked that the transaction runs; the partition does the rest.
        return;
      case TxStates.PREPARED:
        for (const partition of tx.partitions) preparePartition(partition, tx);
        return;
      case TxStates.COMMITTED:
        // Out of the running set first: the committer's start no longer holds old versions back.
        this.#active.delete(tx);
        this.#onEveryPartition(tx, 'commit', commitTs);
        return;
      case TxStates.ABORTED:
        this.#active.delete(tx);
        this.#onEveryPartition(tx, 'abort', 0n);
        return;
      default:
        unknownTxState(next);
    }
  }

  /**
   * Commits (at `commitTs`) or aborts `tx` on every partition even when one throws (finishing must reach all),
   * then rethrows the first error. A step name rather than a callback: no closure per transaction.
   */
  #onEveryPartition(tx: Transaction, step: 'commit' | 'abort', commitTs: bigint): void {
    let failure: unknown;
    let failed = false;
    for (const partition of tx.partitions) {
      try {
        if (step === 'commit') commitPartition(partition, tx, commitTs);
        else abortPartition(partition, tx);
      } catch (err) {
        if (!failed) failure = err;
        failed = true;
      }
    }
    if (failed) throw failure;
  }
}
