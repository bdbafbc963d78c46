/**
 * The multi-version store of one partition. Keys are encoded key tuples and rows encoded full-row tuples,
 * both `Uint8Array`s, never split into columns. Written bytes are copied in at commit (callers may reuse
 * theirs afterwards, but not while the writing transaction is open); rows read out must not be mutated.
 *
 * - Snapshot reads: a transaction sees what was committed at or before its start timestamp, plus its own
 *   writes; `readAt` and `scan` read the committed state at any timestamp not below the read floor.
 * - Write intents: at most one per key. Writing a key that carries another transaction's intent, or whose
 *   newest committed version is newer than the writer's start timestamp, throws a retryable `TX_CONFLICT`
 *   at once (first committer wins; the losing write has no effect, the caller normally aborts).
 * - Commit turns all of a transaction's intents into versions at one commit timestamp, in one synchronous
 *   step; abort removes them and leaves nothing behind.
 * - Garbage collection runs incrementally on each committed key: with the low watermark W (the oldest start
 *   timestamp any reader may still read at), versions older than the newest one at or below W are dropped,
 *   and a tombstone at or below W with nothing older is dropped too (with the key when no intent is left).
 *   So a key rewritten 100,000 times with no older reader open keeps a single version, with no separate GC
 *   call; while an old reader is open, the versions after its snapshot stay until it ends, and the next
 *   commit of the key (or `collectGarbage`, which sweeps keys nobody writes any more) drops them.
 * - Read floor: the highest W used so far. Reads below it could miss collected versions, so they are refused.
 * - Crash: committed versions are the durable part. `dropIntents` is the restart: every open transaction
 *   is aborted and its intents vanish. `exportCommitted` / `fromSnapshot` move committed state to a new owner.
 *
 * Layout (see key-table.ts): keys and the newest committed row of each are copied into a few large byte
 * slabs, found through a hash index, with no object per key; older versions and intents are the exceptions
 * that get objects. Rows handed out by reads, scans and exports are views of those immutable bytes. It does
 * not enforce schemas, ownership or locking, and it keeps no log: durability is the simulation's business.
 */
import { ServerError } from '../errors/server-error.js';
import { nextTxState, type TxAction, TxStates, unknownTxState } from '../tx/tx-lifecycle.js';
import { chainLength, NO_VERSION, type OlderVersion, pruneSlot, rowAt } from './key-entry.js';
import { keyHex } from './key-string.js';
import { KeyTable } from './key-table.js';
import {
  checkSnapshotKey,
  type PartitionSnapshot,
  type SnapshotKey,
  type SnapshotVersion,
} from './partition-snapshot.js';
import { PartitionTx } from './partition-tx.js';

/** Tells a store the oldest timestamp any reader on the node may still read at. */
export interface LowWatermarkSource {
  /** The oldest start timestamp of a live reader, or `undefined` when there is none. */
  lowWatermark(): bigint | undefined;
}

/**
 * Called once per key a commit applies, after the whole commit is in place: the key bytes as written, the
 * committed row (`null` for a delete) and the commit timestamp. Positional arguments: no object per row.
 */
export type ApplyListener = (key: Uint8Array, row: Uint8Array | null, commitTs: bigint) => void;

/** A key and its row as of a scan's timestamp. */
export interface CommittedRow {
  readonly key: Uint8Array;
  readonly row: Uint8Array;
}

export interface MvccPartitionStoreOptions {
  /** Names the partition in errors, e.g. `'Plays/3'`. Default `'partition'`. */
  readonly name?: string;
  /**
   * The node-wide readers (normally the node's `TransactionManager`), so versions that a transaction not yet
   * enlisted here may read are kept. Default: only transactions begun on this store count as readers.
   */
  readonly lowWatermark?: LowWatermarkSource;
}

export class MvccPartitionStore {
  readonly name: string;
  readonly #table = new KeyTable();
  /** Participants begun here and not finished, in begin order. */
  readonly #open = new Set<PartitionTx>();
  readonly #listeners: ApplyListener[] = [];
  readonly #source: LowWatermarkSource | undefined;
  #readFloor = 0n;

  constructor(options: MvccPartitionStoreOptions = {}) {
    this.name = options.name ?? 'partition';
    this.#source = options.lowWatermark;
  }

  /**
   * A store holding the committed state of `snapshot` and no intents.
   *
   * @throws ServerError `INVALID_ARGUMENT` when a key appears twice or a key's versions are empty or not in
   *   strictly decreasing timestamp order.
   */
  static fromSnapshot(
    snapshot: PartitionSnapshot,
    options: MvccPartitionStoreOptions = {},
  ): MvccPartitionStore {
    const store = new MvccPartitionStore(options);
    const table = store.#table;
    for (const item of snapshot.keys) {
      checkSnapshotKey(item);
      if (table.find(item.key) >= 0) {
        throw new ServerError('INVALID_ARGUMENT', `snapshot key ${keyHex(item.key)} appears twice`);
      }
      const slot = table.insert(item.key);
      const newest = item.versions[0] as SnapshotVersion;
      table.setVersion(slot, newest.ts, newest.row, false);
      let chain: OlderVersion | null = null;
      for (let i = item.versions.length - 1; i >= 1; i--) {
        const version = item.versions[i] as SnapshotVersion;
        chain = { ts: version.ts, row: version.row, next: chain };
      }
      table.setOlder(slot, chain);
    }
    store.#readFloor = snapshot.readFloor;
    return store;
  }

  /** The oldest timestamp reads are still served at. */
  get readFloor(): bigint {
    return this.#readFloor;
  }

  /** Keys held (with a committed version, an intent or both). */
  get keyCount(): number {
    return this.#table.size;
  }

  /** Transactions begun on this store and neither committed nor aborted. */
  get openTransactionCount(): number {
    return this.#open.size;
  }

  /** Committed versions kept for `key` (0 when the key is absent or has only an intent). */
  chainLength(key: Uint8Array): number {
    const slot = this.#table.find(key);
    return slot < 0 ? 0 : chainLength(this.#table, slot);
  }

  /**
   * Calls `listener` for every key applied by later commits.
   *
   * @returns a function that removes the listener.
   */
  addApplyListener(listener: ApplyListener): () => void {
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  /**
   * Enlists transaction `txId` on this partition with snapshot timestamp `startTs`.
   *
   * @throws ServerError `INVALID_ARGUMENT` when `startTs` is below the read floor.
   */
  begin(txId: string, startTs: bigint): PartitionTx {
    this.#checkReadable(startTs, `transaction ${txId}`);
    const ptx = new PartitionTx(this, txId, startTs);
    this.#open.add(ptx);
    return ptx;
  }

  /**
   * What `ptx` sees for `key`: its own intent if it wrote the key, else the committed row as of its start.
   *
   * @returns the row bytes, or `null` when the key is absent (or deleted) in that view.
   * @throws ServerError `TX_NOT_ACTIVE` when `ptx` is not PENDING; `INVALID_ARGUMENT` for another store's handle.
   */
  read(ptx: PartitionTx, key: Uint8Array): Uint8Array | null {
    this.#enter(ptx, 'read', 0n);
    const table = this.#table;
    const slot = table.find(key);
    if (slot < 0) return null;
    if (table.owner(slot) === ptx) return ptx.rows[table.intentPosition(slot)] ?? null;
    return rowAt(table, slot, ptx.startTs);
  }

  /**
   * The committed row of `key` as of `ts`, ignoring intents.
   *
   * @throws ServerError `INVALID_ARGUMENT` when `ts` is below the read floor.
   */
  readAt(key: Uint8Array, ts: bigint): Uint8Array | null {
    this.#checkReadable(ts, 'read');
    const slot = this.#table.find(key);
    return slot < 0 ? null : rowAt(this.#table, slot, ts);
  }

  /**
   * Puts an intent for `key`: `row` to upsert, `null` to delete. A second write of the same key by the same
   * transaction replaces its intent (the last one wins).
   *
   * @throws ServerError `TX_CONFLICT` (retryable) when another transaction holds an intent on the key or
   *   committed it after `ptx` started; the store is unchanged. `TX_NOT_ACTIVE` when `ptx` is not PENDING.
   */
  write(ptx: PartitionTx, key: Uint8Array, row: Uint8Array | null): void {
    this.#enter(ptx, 'write', 0n);
    const table = this.#table;
    let slot = table.find(key);
    if (slot < 0) {
      slot = table.insert(key);
    } else {
      const owner = table.owner(slot);
      if (owner === ptx) {
        ptx.rows[table.intentPosition(slot)] = row;
        return;
      }
      if (owner !== null) {
        throw this.#conflict(ptx, key, `transaction ${owner.txId} holds a write intent on it`);
      }
      const ts = table.ts(slot);
      if (ts > ptx.startTs) {
        throw this.#conflict(ptx, key, `it was committed at ${ts}, after the snapshot at ${ptx.startTs}`);
      }
    }
    table.setOwner(slot, ptx, ptx.slots.length);
    ptx.slots.push(slot);
    ptx.keys.push(key);
    ptx.rows.push(row);
  }

  /**
   * Checks that `ptx` can commit (every intent still in place, nothing committed over it) and moves it to
   * PREPARED: from then on the partition promises to commit it.
   *
   * @throws ServerError `TX_NOT_ACTIVE` when `ptx` is not PENDING (a restart aborts open transactions).
   */
  prepare(ptx: PartitionTx): void {
    this.#enter(ptx, 'prepare', 0n);
  }

  /**
   * Makes every intent of `ptx` a committed version at `commitTs`, atomically, collects garbage on those
   * keys, then calls the apply listeners.
   *
   * @throws ServerError `TX_NOT_ACTIVE` when `ptx` is not PREPARED; `INVALID_ARGUMENT` when `commitTs` is not
   *   after the start timestamp; `INTERNAL` (after the commit is complete) when an apply listener threw.
   */
  commit(ptx: PartitionTx, commitTs: bigint): void {
    if (commitTs <= ptx.startTs) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `commit timestamp ${commitTs} of transaction ${ptx.txId} is not after its start ${ptx.startTs}`,
      );
    }
    this.#enter(ptx, 'commit', commitTs);
  }

  /**
   * Removes every intent of `ptx`; keys that only had its intent disappear.
   *
   * @throws ServerError `TX_NOT_ACTIVE` when `ptx` already committed or aborted.
   */
  abort(ptx: PartitionTx): void {
    this.#enter(ptx, 'abort', 0n);
  }

  /**
   * The restart after a crash: every open transaction is aborted and its intents vanish; committed versions
   * stay. Handles of those transactions refuse everything afterwards.
   *
   * @returns how many transactions were aborted.
   */
  dropIntents(): number {
    const dropped = this.#open.size;
    for (const ptx of this.#open) {
      ptx.state = nextTxState(ptx.state, 'abort', ptx.txId, this.name);
      this.#removeIntents(ptx);
    }
    this.#open.clear();
    return dropped;
  }

  /**
   * Prunes every key below `watermark` (lowered to the start of any transaction open on this store, and to
   * the node's low watermark) and raises the read floor to it. Commits already prune the keys they write;
   * this sweeps keys nobody writes any more, e.g. after a long reader ended.
   */
  collectGarbage(watermark: bigint): void {
    const w = this.#watermark(watermark);
    const table = this.#table;
    for (let slot = 0; slot < table.top; slot++) {
      if (table.inUse(slot) && pruneSlot(table, slot, w)) table.remove(slot);
    }
    table.compactIfWorthwhile();
  }

  /**
   * The committed rows as of `ts`, in no particular order, deletes left out. Lazy: consume it before
   * anything else commits on this store, or hold an open transaction at or before `ts` while you do.
   *
   * @throws ServerError `INVALID_ARGUMENT` when `ts` is below the read floor.
   */
  scan(ts: bigint): IterableIterator<CommittedRow> {
    this.#checkReadable(ts, 'scan');
    return this.#scan(ts);
  }

  /** The committed state (every kept version, no intents) as plain data for {@link fromSnapshot}. */
  exportCommitted(): PartitionSnapshot {
    const keys: SnapshotKey[] = [];
    const table = this.#table;
    for (let slot = 0; slot < table.top; slot++) {
      if (!table.inUse(slot)) continue;
      const ts = table.ts(slot);
      if (ts === NO_VERSION) continue;
      const versions: SnapshotVersion[] = [{ ts, row: table.row(slot) }];
      for (let v = table.older(slot); v !== null; v = v.next) versions.push({ ts: v.ts, row: v.row });
      keys.push({ key: table.key(slot), versions });
    }
    return { keys, readFloor: this.#readFloor };
  }

  *#scan(ts: bigint): Generator<CommittedRow, void, undefined> {
    const table = this.#table;
    for (let slot = 0; slot < table.top; slot++) {
      if (!table.inUse(slot)) continue;
      const row = rowAt(table, slot, ts);
      if (row !== null) yield { key: table.key(slot), row };
    }
  }

  /** Applies `action` to `ptx` through the lifecycle table, then carries out what the new state means. */
  #enter(ptx: PartitionTx, action: TxAction, commitTs: bigint): void {
    if (ptx.store !== this) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `transaction ${ptx.txId} was not begun on partition ${this.name}: its handle belongs to another store`,
      );
    }
    const next = nextTxState(ptx.state, action, ptx.txId, this.name);
    switch (next) {
      case TxStates.PENDING:
        // Reads and writes keep the participant running; the table has checked they are allowed.
        return;
      case TxStates.PREPARED:
        this.#checkIntents(ptx);
        ptx.state = next;
        return;
      case TxStates.COMMITTED:
        ptx.state = next;
        // Leaving the open set first keeps the committer's own start out of the low watermark.
        this.#open.delete(ptx);
        this.#applyIntents(ptx, commitTs);
        return;
      case TxStates.ABORTED:
        ptx.state = next;
        this.#open.delete(ptx);
        this.#removeIntents(ptx);
        return;
      default:
        unknownTxState(next);
    }
  }

  #checkIntents(ptx: PartitionTx): void {
    // Writes check conflicts eagerly and an intent blocks other writers, so this only fails if the store's
    // own bookkeeping broke; it is one pointer comparison per written key.
    const table = this.#table;
    for (const slot of ptx.slots) {
      if (table.owner(slot) !== ptx || table.ts(slot) > ptx.startTs) {
        throw new ServerError(
          'INTERNAL',
          `transaction ${ptx.txId} cannot prepare on partition ${this.name}: its intent on a key is gone`,
        );
      }
    }
  }

  #applyIntents(ptx: PartitionTx, commitTs: bigint): void {
    const w = this.#watermark(commitTs);
    const table = this.#table;
    const slots = ptx.slots;
    const rows = ptx.rows;
    // The previous newest version is kept only if a reader may still need it (commitTs > w).
    const keepPrevious = commitTs > w;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i] as number;
      const row = rows[i] as Uint8Array | null;
      table.setOwner(slot, null, 0);
      table.setVersion(slot, commitTs, row, keepPrevious);
      // Without older versions, a committed row at or below w needs no pruning; anything else goes through it.
      if ((keepPrevious || row === null || table.hasOlder) && pruneSlot(table, slot, w)) table.remove(slot);
    }
    if (this.#listeners.length > 0) this.#notify(ptx, commitTs);
    table.compactIfWorthwhile();
    slots.length = 0;
    ptx.keys.length = 0;
    rows.length = 0;
  }

  #notify(ptx: PartitionTx, commitTs: bigint): void {
    let failure: unknown;
    let failed = false;
    const listeners = this.#listeners.slice();
    for (let i = 0; i < ptx.slots.length; i++) {
      // The committed row is the intent row (the store holds a copy of it); `null` reports a delete.
      const row = ptx.rows[i] as Uint8Array | null;
      const key = ptx.keys[i] as Uint8Array;
      for (const listener of listeners) {
        try {
          listener(key, row, commitTs);
        } catch (err) {
          if (!failed) failure = err;
          failed = true;
        }
      }
    }
    if (failed) {
      throw new ServerError(
        'INTERNAL',
        `an apply listener of partition ${this.name} threw; transaction ${ptx.txId} is committed regardless`,
        { cause: failure },
      );
    }
  }

  #removeIntents(ptx: PartitionTx): void {
    const table = this.#table;
    for (const slot of ptx.slots) {
      if (table.owner(slot) !== ptx) continue;
      table.setOwner(slot, null, 0);
      if (table.ts(slot) === NO_VERSION) table.remove(slot);
    }
    ptx.slots.length = 0;
    ptx.keys.length = 0;
    ptx.rows.length = 0;
  }

  /** `limit` lowered to every reader's start, recorded as the new read floor. */
  #watermark(limit: bigint): bigint {
    let w = limit;
    const external = this.#source?.lowWatermark();
    if (external !== undefined && external < w) w = external;
    for (const ptx of this.#open) if (ptx.startTs < w) w = ptx.startTs;
    if (w > this.#readFloor) this.#readFloor = w;
    return w;
  }

  #checkReadable(ts: bigint, what: string): void {
    if (ts < this.#readFloor) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `${what} at ${ts} on partition ${this.name} is below the read floor ${this.#readFloor}: ` +
          'versions it needs may have been garbage-collected',
      );
    }
  }

  #conflict(ptx: PartitionTx, key: Uint8Array, why: string): ServerError {
    return new ServerError(
      'TX_CONFLICT',
      `write-write conflict: transaction ${ptx.txId} cannot write key ${keyHex(key)} on partition ${this.name}: ${why}`,
      { extensions: { txId: ptx.txId } },
    );
  }
}
