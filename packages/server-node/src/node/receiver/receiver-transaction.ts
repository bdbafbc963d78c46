/**
 * A receiver's transaction: the `ReceiverTransaction` handle that view methods take as their optional `tx`
 * (made by `runInTransaction`, see embedded-transactions.ts, or for a whole batch of a transactional receiver).
 *
 * - Scope: a transaction is coordinated by the node that runs the receiver and may touch any partitions of
 *   any tables. Partitions of this node are read and written in place; partitions another node owns are read
 *   and written there (TX_ROWS_GET / TX_ROWS_WRITE), at the transaction's snapshot, the owner taking part as
 *   a participant. A transaction that stayed on this node (colocated tables keep the common case here)
 *   commits in one synchronous step of the node's `TransactionManager`; one that reached other nodes
 *   commits by two-phase commit (tx/two-phase-commit.ts): all or nothing on every node, crashes included.
 * - Outcome: commit when the function resolves, abort when it throws (the error is rethrown). A write-write
 *   conflict (`TX_CONFLICT`, here or on a participant) makes `runInTransaction` run the whole function again
 *   in a new transaction, up to `maxAttempts` runs in all (default 3), then the conflict is surfaced. So the
 *   function must be safe to run more than once (do its side effects through `tx`).
 * - Crash: the handle is tied to the node's life. After the node crashed (its intents dropped), every use of
 *   the handle, commit included, is refused with `NODE_UNAVAILABLE`: a transaction is all or nothing even
 *   when the crash falls between two of its writes. A crash during a two-phase commit is finished by the
 *   restart from the node's transaction log. A partition that moved away while the transaction ran makes the
 *   commit fail with `PARTITION_MOVED` (retryable) and nothing is applied.
 */
import type { TableSchema } from '@datastreamer/protocol';
import type { RowResult, TxPartition } from '@datastreamer/protocol/internal';
import { ServerError } from '../../errors/server-error.js';
import type { PartitionReplica } from '../../partitions/partition-table.js';
import { storedRowOf, storedRowTuple, storedRowVersion } from '../../rows/stored-row.js';
import type { MvccPartitionStore } from '../../storage/mvcc-partition-store.js';
import { type TxState, TxStates } from '../../storage/tx-lifecycle.js';
import { commitOnGroup } from '../../tx/replicated-commit.js';
import type { Transaction } from '../../tx/transaction.js';
import type { TransactionManager } from '../../tx/transaction-manager.js';
import {
  abortTwoPhase,
  type CommitGuard,
  commitTwoPhase,
  type LocalShare,
} from '../../tx/two-phase-commit.js';
import { asServerError } from '../../tx/tx-participant.js';
import type { NodeContext } from '../node-context.js';
import { noQuorum } from '../request-checks.js';

/** Where a touched partition belongs, to check at commit that it is still where it was. */
interface TouchedPartition {
  readonly tableId: number;
  readonly tableName: string;
  readonly partition: number;
}

/** A partition of another node this transaction touched. */
interface RemotePartition extends TouchedPartition {
  readonly owner: string;
}

/** A receiver's transaction: pass it to view methods as their last argument. */
export class ReceiverTransaction {
  readonly #node: NodeContext;
  readonly #manager: TransactionManager;
  readonly #tx: Transaction;
  readonly #epoch: number;
  readonly #touched = new Map<MvccPartitionStore, TouchedPartition>();
  /** Remote partitions by `tableId/partition`. */
  readonly #remote = new Map<string, RemotePartition>();
  /** Set once commit or abort took charge of the remote participants. */
  #finishing = false;

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
   * @internal Where `partition` of the table is served: this node's store (enlisted on first use), or the
   * name of the node that owns it (a participant from now on).
   * @throws ServerError `NODE_UNAVAILABLE` after a crash or when no node owns the partition;
   *   `PARTITION_MOVED` while it moves, or when it moved since the transaction touched it.
   */
  locate(schema: TableSchema, partition: number): MvccPartitionStore | string {
    checkAlive(this.#node, this.#epoch);
    const route = this.#node.route(schema.tableId, partition);
    const where = `${schema.tableId}/${partition}`;
    const known = this.#remote.get(where);
    switch (route.kind) {
      case 'local': {
        if (known !== undefined) throw movedAway(this.id, schema.tableName, partition, known.owner);
        const store = route.replica.store;
        if (!this.#touched.has(store)) {
          this.#touched.set(store, { tableId: schema.tableId, tableName: schema.tableName, partition });
        }
        return store;
      }
      case 'remote':
        if (known === undefined) {
          this.#checkPending();
          if (this.#remote.size === 0) this.#node.coordinator.begin(this.id);
          this.#remote.set(where, {
            tableId: schema.tableId,
            tableName: schema.tableName,
            partition,
            owner: route.owner,
          });
        } else if (known.owner !== route.owner) {
          throw movedAway(this.id, schema.tableName, partition, known.owner);
        }
        return route.owner;
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
      case 'noQuorum':
        throw noQuorum(this.#node, schema, partition);
      default:
        throw new ServerError('INTERNAL', `unknown route ${JSON.stringify(route satisfies never)}`);
    }
  }

  /**
   * @internal What the transaction sees for `key` on a store of this node (from {@link locate}).
   * @throws ServerError `TX_NOT_ACTIVE` once finished.
   */
  readLocal(store: MvccPartitionStore, key: Uint8Array): Uint8Array | null {
    checkAlive(this.#node, this.#epoch);
    return this.#manager.read(this.#tx, store, key);
  }

  /**
   * @internal Writes the stored row `row` (`null`: delete) under `key` on a store of this node.
   * @throws ServerError `TX_CONFLICT` on a write-write conflict; `TX_NOT_ACTIVE`.
   */
  writeLocal(store: MvccPartitionStore, key: Uint8Array, row: Uint8Array | null): void {
    checkAlive(this.#node, this.#epoch);
    this.#manager.write(this.#tx, store, key, row);
  }

  /**
   * @internal Reads `keys` of a partition `owner` serves (TX_ROWS_GET), as stored rows.
   * @throws ServerError `NODE_UNAVAILABLE`, `TX_NOT_ACTIVE`, or the owner's error.
   */
  async readRemote(
    schema: TableSchema,
    partition: number,
    owner: string,
    keys: readonly Uint8Array[],
  ): Promise<(Uint8Array | null)[]> {
    this.#checkPending();
    let results: readonly (RowResult | null)[];
    try {
      results = await this.#node.forwarder.send(owner, {
        op: 'TX_ROWS_GET',
        requestId: 0,
        txId: this.id,
        coordinator: this.#node.name,
        startTimestamp: this.#tx.startTs,
        tableId: schema.tableId,
        partitionId: partition,
        schemaVersion: schema.version,
        keys,
      });
    } catch (error) {
      throw asServerError(error);
    }
    checkAlive(this.#node, this.#epoch);
    return results.map((result) => (result === null ? null : storedRowOf(result.row, result.schemaVersion)));
  }

  /**
   * @internal Writes stored rows (`null`: delete) under `keys` on a partition `owner` serves (TX_ROWS_WRITE).
   * @throws ServerError `TX_CONFLICT` (retryable) from the owner; as {@link readRemote}.
   */
  async writeRemote(
    schema: TableSchema,
    partition: number,
    owner: string,
    keys: readonly Uint8Array[],
    rows: readonly (Uint8Array | null)[],
  ): Promise<void> {
    this.#checkPending();
    const keyed = keys.map((key, i) => {
      const row = rows[i] ?? null;
      if (row !== null && storedRowVersion(row) !== schema.version) {
        throw new ServerError(
          'INTERNAL',
          `a row of table "${schema.tableName}" has schema version ${storedRowVersion(row)}, ` +
            `not ${schema.version}`,
        );
      }
      return { key, row: row === null ? null : storedRowTuple(row) };
    });
    try {
      await this.#node.forwarder.send(owner, {
        op: 'TX_ROWS_WRITE',
        requestId: 0,
        txId: this.id,
        coordinator: this.#node.name,
        startTimestamp: this.#tx.startTs,
        tableId: schema.tableId,
        partitionId: partition,
        schemaVersion: schema.version,
        rows: keyed,
      });
    } catch (error) {
      throw asServerError(error);
    }
    checkAlive(this.#node, this.#epoch);
  }

  /**
   * @internal Commits: checks the node is alive and every touched partition is still where it was, then
   * commits, in one step when the transaction stayed on this node, else by two-phase commit. On any failure
   * the transaction is aborted everywhere and nothing applied. `guard` (a transactional receiver's batch
   * fence) is asked in the step that commits, and may refuse.
   * @throws ServerError `NODE_UNAVAILABLE`, `PARTITION_MOVED`, `TX_NOT_ACTIVE`, `TX_CONFLICT`, or a
   *   participant's "no" vote.
   */
  async commit(guard?: CommitGuard): Promise<void> {
    const local: LocalShare[] = [];
    try {
      checkAlive(this.#node, this.#epoch);
      for (const [store, where] of this.#touched) {
        const route = this.#node.route(where.tableId, where.partition);
        if (route.kind !== 'local' || route.replica.store !== store) {
          throw movedAway(this.id, where.tableName, where.partition, this.#node.name);
        }
        local.push(shareOf(route.replica));
      }
      for (const where of this.#remote.values()) {
        const route = this.#node.route(where.tableId, where.partition);
        if (route.kind !== 'remote' || route.owner !== where.owner) {
          throw movedAway(this.id, where.tableName, where.partition, where.owner);
        }
      }
    } catch (error) {
      await this.abort();
      throw error;
    }
    if (local.some((share) => share.group !== undefined) || guard?.fence !== undefined) {
      await this.#commitReplicated(local, guard);
    } else if (this.#remote.size === 0) {
      // Synchronous from the checks to the commit: ownership (and the guard's answer) cannot change between.
      const refused = guard?.check();
      if (refused !== undefined) {
        await this.abort();
        throw refused;
      }
      this.#manager.commit(this.#tx);
      guard?.committed();
    } else {
      this.#finishing = true;
      await commitTwoPhase(
        this.#node,
        this.#manager,
        this.#tx,
        local,
        this.#participants(),
        this.#epoch,
        guard,
      );
    }
    this.#node.metrics.rowsApplied += this.#writeCount();
  }

  /**
   * Commits through the logs of replicated partitions: one `write` command when the transaction (and the
   * fence's record) stayed on one partition of this node, two-phase commit over the partitions otherwise.
   */
  async #commitReplicated(local: readonly LocalShare[], guard: CommitGuard | undefined): Promise<void> {
    const fence = guard?.fence;
    const groups = new Set(local.map((share) => share.group));
    if (fence !== undefined) groups.add(fence.group);
    const only =
      local[0] ?? (fence === undefined ? undefined : { store: fence.group.store, group: fence.group });
    if (this.#remote.size === 0 && groups.size === 1 && only?.group !== undefined) {
      const refused = guard?.check();
      if (refused !== undefined) {
        await this.abort();
        throw refused;
      }
      this.#finishing = true;
      const outcome = await commitOnGroup(
        this.#node.hlc,
        this.#manager,
        this.#tx,
        only.store,
        only.group,
        fence?.op ?? null,
      );
      if (outcome.kind === 'duplicate') throw guard?.duplicate?.() ?? alreadyApplied(this.id);
      if (outcome.kind === 'refused') throw outcome.error;
      return;
    }
    this.#finishing = true;
    await commitTwoPhase(
      this.#node,
      this.#manager,
      this.#tx,
      local,
      this.#participants(),
      this.#epoch,
      guard,
    );
  }

  /** @internal Aborts unless already finished, here and on every participant. Never rejects. */
  async abort(): Promise<void> {
    const state = this.#tx.state;
    if (state === TxStates.PENDING || state === TxStates.PREPARED) {
      try {
        this.#manager.abort(this.#tx);
      } catch (error) {
        // A crashed node dropped the intents already; nothing else is left to undo.
        this.#node.log.debug({ txId: this.id, err: error }, 'abort after failure');
      }
    }
    if (this.#remote.size === 0 || this.#finishing) return;
    this.#finishing = true;
    await abortTwoPhase(this.#node, this.id, this.#participants(), this.#epoch);
  }

  /** Remote participants by node. */
  #participants(): Map<string, TxPartition[]> {
    const byNode = new Map<string, TxPartition[]>();
    for (const where of this.#remote.values()) {
      let list = byNode.get(where.owner);
      if (list === undefined) {
        list = [];
        byNode.set(where.owner, list);
      }
      list.push({ tableId: where.tableId, partitionId: where.partition });
    }
    return byNode;
  }

  #checkPending(): void {
    checkAlive(this.#node, this.#epoch);
    if (this.#tx.state !== TxStates.PENDING || this.#finishing) {
      throw new ServerError(
        'TX_NOT_ACTIVE',
        `transaction ${this.id} is ${this.#tx.state}: it cannot read or write any more`,
      );
    }
  }

  #writeCount(): number {
    let count = 0;
    for (const store of this.#touched.keys()) count += this.#tx.participant(store)?.writeCount ?? 0;
    return count;
  }
}

/** A local partition as the commit sees it: its store, and its Raft group when replicated. */
function shareOf(replica: PartitionReplica): LocalShare {
  return {
    tableId: replica.tableId,
    partitionId: replica.partition,
    store: replica.store,
    ...(replica.group === undefined ? {} : { group: replica.group }),
  };
}

function alreadyApplied(txId: string): ServerError {
  return new ServerError('TX_NOT_ACTIVE', `transaction ${txId}: its batch was applied already`);
}

function movedAway(txId: string, tableName: string, partition: number, from: string): ServerError {
  return new ServerError(
    'PARTITION_MOVED',
    `transaction ${txId}: partition ${partition} of table "${tableName}" moved away from ${from} while the ` +
      'transaction ran; nothing was committed',
  );
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
