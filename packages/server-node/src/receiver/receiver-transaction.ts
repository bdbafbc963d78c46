/**
 * Explicit transactions for receivers: `ctx.ignite.transactions.runInTransaction(async (tx) => ...)` and the
 * `ReceiverTransaction` handle that view methods take as their optional `tx`.
 *
 * - Scope: a transaction runs on the node that runs the receiver and may touch any partitions THIS node is
 *   primary of, in any tables; it commits through the node's `TransactionManager` (prepare everywhere, one
 *   commit timestamp, commit everywhere), so colocated tables (same colocation key, same partition count)
 *   keep a receiver's transaction on one node and atomic. A partition another node owns is refused with
 *   `INVALID_ARGUMENT` naming the partition, its owner and the limitation: two-phase commit across nodes is
 *   not implemented here.
 * - Outcome: commit when the function resolves, abort when it throws (the error is rethrown). A write-write
 *   conflict (`TX_CONFLICT`) makes `runInTransaction` run the whole function again in a new transaction, up
 *   to `maxAttempts` runs in all (default 3), then the conflict is surfaced. So the function must be safe to
 *   run more than once (do its side effects through `tx`).
 * - Crash: the handle is tied to the node's life. After the node crashed (its intents dropped), every use of
 *   the handle, commit included, is refused with `NODE_UNAVAILABLE`: a transaction is all or nothing even
 *   when the crash falls between two of its writes. A partition that moved away while the transaction ran
 *   makes the commit fail with `PARTITION_MOVED` (retryable) and nothing is applied.
 */
import type { TableSchema } from '@datastreamer/protocol';
import { ServerError } from '../errors/server-error.js';
import type { NodeContext } from '../node/node-context.js';
import type { MvccPartitionStore } from '../storage/mvcc-partition-store.js';
import type { Transaction } from '../tx/transaction.js';
import type { TransactionManager } from '../tx/transaction-manager.js';
import { type TxState, TxStates } from '../tx/tx-lifecycle.js';

/** Default number of runs of a transaction function that keeps hitting write-write conflicts. */
export const DEFAULT_TX_ATTEMPTS = 3;
const MAX_TX_ATTEMPTS = 100;

/** Where a touched store belongs, to check at commit that this node still serves it. */
interface TouchedPartition {
  readonly tableId: number;
  readonly tableName: string;
  readonly partition: number;
}

/** A receiver's transaction: pass it to view methods as their last argument. */
export class ReceiverTransaction {
  readonly #node: NodeContext;
  readonly #manager: TransactionManager;
  readonly #tx: Transaction;
  readonly #epoch: number;
  readonly #touched = new Map<MvccPartitionStore, TouchedPartition>();

  /** @internal Made by `EmbeddedTransactions`. */
  constructor(node: NodeContext, epoch: number) {
    this.#node = node;
    this.#epoch = epoch;
    checkAlive(node, epoch);
    this.#manager = node.transactions;
    this.#tx = this.#manager.begin();
  }

  /** The transaction's id (UUID form; sorts by start time). */
  get id(): string {
    return this.#tx.id;
  }

  /** `PENDING` while it runs, then `COMMITTED` or `ABORTED`. */
  get state(): TxState {
    return this.#tx.state;
  }

  /** @internal Whether this transaction was begun on `node` (a handle never crosses nodes). */
  belongsTo(node: NodeContext): boolean {
    return node === this.#node;
  }

  /**
   * @internal What the transaction sees for `key`: its own write, else the row committed at its start.
   * @throws ServerError as {@link storeOf}; `TX_NOT_ACTIVE` once finished.
   */
  read(schema: TableSchema, partition: number, key: Uint8Array): Uint8Array | null {
    const store = this.#storeOf(schema, partition);
    return this.#manager.read(this.#tx, store, key);
  }

  /**
   * @internal Writes `row` (`null`: delete) under `key`.
   * @throws ServerError as {@link storeOf}; `TX_CONFLICT` on a write-write conflict; `TX_NOT_ACTIVE`.
   */
  write(schema: TableSchema, partition: number, key: Uint8Array, row: Uint8Array | null): void {
    const store = this.#storeOf(schema, partition);
    this.#manager.write(this.#tx, store, key, row);
  }

  /**
   * @internal Commits: checks the node is alive and still serves every touched partition, then commits
   * through the node's transaction manager. On any failure the transaction is aborted and nothing applied.
   * @throws ServerError `NODE_UNAVAILABLE`, `PARTITION_MOVED`, `TX_NOT_ACTIVE`.
   */
  commit(): void {
    try {
      checkAlive(this.#node, this.#epoch);
      for (const [store, where] of this.#touched) {
        const route = this.#node.route(where.tableId, where.partition);
        if (route.kind !== 'local' || route.replica.store !== store) {
          throw new ServerError(
            'PARTITION_MOVED',
            `transaction ${this.id}: partition ${where.partition} of table "${where.tableName}" moved away ` +
              `from ${this.#node.name} while the transaction ran; nothing was committed`,
          );
        }
      }
    } catch (error) {
      this.abort();
      throw error;
    }
    // Synchronous from the checks to the commit: ownership cannot change in between.
    this.#manager.commit(this.#tx);
    this.#node.metrics.rowsApplied += this.#writeCount();
  }

  /** @internal Aborts unless already finished. Never throws. */
  abort(): void {
    const state = this.#tx.state;
    if (state !== TxStates.PENDING && state !== TxStates.PREPARED) return;
    try {
      this.#manager.abort(this.#tx);
    } catch (error) {
      // A crashed node dropped the intents already; nothing else is left to undo.
      this.#node.log.debug({ txId: this.id, err: error }, 'abort after failure');
    }
  }

  #writeCount(): number {
    let count = 0;
    for (const store of this.#touched.keys()) count += this.#tx.participant(store)?.writeCount ?? 0;
    return count;
  }

  /**
   * The store of a partition this node serves, enlisted on first use.
   * @throws ServerError `NODE_UNAVAILABLE` after a crash or when no node owns the partition;
   *   `INVALID_ARGUMENT` when another node owns it (no two-phase commit); `PARTITION_MOVED` while it moves.
   */
  #storeOf(schema: TableSchema, partition: number): MvccPartitionStore {
    checkAlive(this.#node, this.#epoch);
    const route = this.#node.route(schema.tableId, partition);
    switch (route.kind) {
      case 'local': {
        const store = route.replica.store;
        if (!this.#touched.has(store)) {
          this.#touched.set(store, { tableId: schema.tableId, tableName: schema.tableName, partition });
        }
        return store;
      }
      case 'remote':
        throw new ServerError(
          'INVALID_ARGUMENT',
          `transaction ${this.id} cannot touch partition ${partition} of table "${schema.tableName}": its ` +
            `primary is ${route.owner}, not ${this.#node.name}, and a receiver's transaction spans only the ` +
            `partitions of its own node (two-phase commit across nodes is not supported); colocate the ` +
            `tables with the streamed one, or write without a transaction`,
          { extensions: { owner: route.owner, partition, table: schema.tableName } },
        );
      case 'moving':
        throw new ServerError(
          'PARTITION_MOVED',
          `partition ${partition} of table "${schema.tableName}" is moving away from ${this.#node.name}; retry`,
        );
      case 'unowned':
        throw new ServerError(
          'NODE_UNAVAILABLE',
          `partition ${partition} of table "${schema.tableName}" has no owner right now; retry`,
        );
      default:
        throw new ServerError('INTERNAL', `unknown route ${JSON.stringify(route satisfies never)}`);
    }
  }
}

/** Options of {@link EmbeddedTransactions.runInTransaction}. */
export interface RunInTransactionOptions {
  /** Runs of the function in all when it keeps hitting `TX_CONFLICT` (1..100). Default 3. */
  readonly maxAttempts?: number;
}

/** `ctx.ignite.transactions`. */
export class EmbeddedTransactions {
  readonly #node: NodeContext;
  readonly #epoch: number;

  /** @internal Made per receiver call. */
  constructor(node: NodeContext, epoch: number) {
    this.#node = node;
    this.#epoch = epoch;
  }

  /**
   * Runs `work` in a new transaction: commits when it resolves (and resolves with its value), aborts when it
   * throws or rejects (and rejects with that error). A write-write conflict, raised by a write or by the
   * commit, runs `work` again in a new transaction, up to `maxAttempts` runs (default 3), then rejects with
   * the `TX_CONFLICT` error.
   *
   * @throws ServerError `INVALID_ARGUMENT` for a bad option, or when `work` touches a partition of another
   *   node; `NODE_UNAVAILABLE` when the node crashed meanwhile (nothing committed); `TX_CONFLICT`;
   *   `PARTITION_MOVED`; whatever `work` throws.
   */
  async runInTransaction<T>(
    work: (tx: ReceiverTransaction) => T | Promise<T>,
    options: RunInTransactionOptions = {},
  ): Promise<T> {
    if (typeof work !== 'function') {
      throw new ServerError('INVALID_ARGUMENT', 'runInTransaction: expected a function (tx) => ...');
    }
    const attempts = options.maxAttempts ?? DEFAULT_TX_ATTEMPTS;
    if (!Number.isInteger(attempts) || attempts < 1 || attempts > MAX_TX_ATTEMPTS) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `runInTransaction: maxAttempts must be an integer in 1..${MAX_TX_ATTEMPTS}, got ${String(attempts)}`,
      );
    }
    for (let attempt = 1; ; attempt++) {
      const tx = new ReceiverTransaction(this.#node, this.#epoch);
      try {
        const value = await work(tx);
        tx.commit();
        return value;
      } catch (error) {
        tx.abort();
        const conflict = error instanceof ServerError && error.code === 'TX_CONFLICT';
        if (conflict) this.#node.metrics.conflicts++;
        if (!conflict || attempt >= attempts) throw error;
        this.#node.log.debug({ txId: tx.id, attempt }, 'receiver transaction conflicted, running it again');
      }
    }
  }
}

/**
 * @throws ServerError `NODE_UNAVAILABLE` when the node crashed since `epoch` (its transactions and intents
 *   are gone; a restart does not bring them back).
 */
export function checkAlive(node: NodeContext, epoch: number): void {
  if (node.epoch !== epoch) {
    throw new ServerError(
      'NODE_UNAVAILABLE',
      `${node.name} crashed while the receiver ran: its transactions were lost and nothing more is applied`,
    );
  }
}
