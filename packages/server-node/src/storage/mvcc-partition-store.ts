/**
 * The multi-version store of one partition. Keys are encoded key tuples and rows encoded full-row tuples,
 * both bytes, never split into columns. A write takes its key and row either as arrays (`write`) or as byte
 * ranges of larger buffers (`writeRange`, so a whole batch can live in one buffer). A new key's bytes are
 * copied in at the write; a row is kept as the writer's range until commit copies it in, so callers may reuse
 * their buffers once the writing transaction has committed or aborted, not before. Rows read out must not be
 * mutated.
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
 * slabs, found through a hash index, with no object per key; older versions are the exception that gets
 * objects, intents are integers in their transaction (see partition-tx.ts). Rows handed out by reads, scans,
 * exports and apply listeners are views of those immutable bytes (a read of one's own intent: a view of the
 * writer's buffer), made on demand. It does not enforce schemas, ownership or locking, and it keeps no log:
 * durability is the simulation's business.
 */
import { type Buggify, neverBuggify } from '@datastreamer/protocol';
import { ServerError } from '../errors/server-error.js';
import { type AppliedViews, type ApplyListener, ApplyListeners, notifyApplied } from './apply-listeners.js';
import { applyDecidedWrites, type DecidedWrites } from './decided-writes.js';
import { checkIntents, commitIntents, removeIntents } from './intent-steps.js';
import { chainLength, hasRowAt, pruneSlot, rowAt } from './key-entry.js';
import { keyHex } from './key-string.js';
import { KeyTable } from './key-table.js';
import { loadSnapshot, type PartitionSnapshot, snapshotOf } from './partition-snapshot.js';
import { type IntentArrays, PartitionTx } from './partition-tx.js';
import { nextTxState, type TxAction, TxStates, unknownTxState } from './tx-lifecycle.js';

/** Tells a store the oldest timestamp any reader on the node may still read at. */
export interface LowWatermarkSource {
  /** The oldest start timestamp of a live reader, or `undefined` when there is none. */
  lowWatermark(): bigint | undefined;
}

export type { ApplyListener } from './apply-listeners.js';

/** The writer's buffer of a delete intent (its range is empty). */
const NO_ROW = new Uint8Array(0);

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
  /** Fault points (simulation only): `storage.gc-every-commit` sweeps the store after a commit. */
  readonly buggify?: Buggify;
}

export class MvccPartitionStore {
  readonly name: string;
  readonly #table = new KeyTable();
  /** Participants begun here and not finished, in begin order. */
  readonly #open = new Set<PartitionTx>();
  /** The intent arrays of the last handle that finished here, for the next one begun (partition-tx.ts). */
  #spareArrays: IntentArrays | null = null;
  readonly #listeners = new ApplyListeners();
  readonly #source: LowWatermarkSource | undefined;
  readonly #buggify: Buggify;
  #readFloor = 0n;

  constructor(options: MvccPartitionStoreOptions = {}) {
    this.name = options.name ?? 'partition';
    this.#source = options.lowWatermark;
    this.#buggify = options.buggify ?? neverBuggify;
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
    loadSnapshot(store.#table, snapshot);
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
   * @param wanted asked once per commit; when it says no, `listener` misses that commit's keys, and when no
   *   listener wants a commit the store makes no key or row views for it. Default: every commit is wanted.
   * @returns a function that removes the listener.
   */
  addApplyListener(listener: ApplyListener, wanted?: () => boolean): () => void {
    return this.#listeners.add(listener, wanted);
  }

  /**
   * Enlists transaction `txId` on this partition with snapshot timestamp `startTs`.
   *
   * @throws ServerError `TX_CONFLICT` (retryable) when `startTs` is below the read floor: a transaction begun
   *   on another node, before this partition collected versions its snapshot needs, reaches it only now. Its
   *   snapshot is too old here; it must run again with a newer one, as after a write-write conflict.
   */
  begin(txId: string, startTs: bigint): PartitionTx {
    if (startTs < this.#readFloor) {
      throw new ServerError(
        'TX_CONFLICT',
        `transaction ${txId} at ${startTs} on partition ${this.name} is below the read floor ${this.#readFloor}: ` +
          'versions its snapshot needs may have been garbage-collected; run it again with a newer snapshot',
        { extensions: { txId } },
      );
    }
    const ptx = new PartitionTx(this, txId, startTs, this.#spareArrays ?? undefined);
    this.#spareArrays = null;
    this.#open.add(ptx);
    return ptx;
  }

  /**
   * What `ptx` sees for `key`: its own intent if it wrote the key, else the committed row as of its start.
   *
   * A key another transaction holds PREPARED (committing: its commit timestamp may already be chosen, and
   * below `ptx`'s start, while its versions are not in place yet) cannot be read: the reader would miss a
   * commit its snapshot includes, and could then overwrite it. That is a retryable conflict.
   *
   * @returns the row bytes, or `null` when the key is absent (or deleted) in that view.
   * @throws ServerError `TX_NOT_ACTIVE` when `ptx` is not PENDING; `INVALID_ARGUMENT` for another store's
   *   handle; `TX_CONFLICT` (retryable) when another transaction holds the key PREPARED.
   */
  read(ptx: PartitionTx, key: Uint8Array): Uint8Array | null {
    this.#enter(ptx, 'read', 0n);
    const table = this.#table;
    const slot = table.find(key);
    if (slot < 0) return null;
    const owner = table.owner(slot);
    if (owner === ptx) return ptx.row(table.intentPosition(slot));
    if (owner !== null && owner.state === TxStates.PREPARED) {
      throw this.#conflict(ptx, slot, `transaction ${owner.txId} is committing it`);
    }
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
   * transaction replaces its intent (the last one wins). Same as {@link writeRange} over whole arrays.
   *
   * @throws ServerError `TX_CONFLICT` (retryable) when another transaction holds an intent on the key or
   *   committed it after `ptx` started; the store is unchanged. `TX_NOT_ACTIVE` when `ptx` is not PENDING.
   */
  write(ptx: PartitionTx, key: Uint8Array, row: Uint8Array | null): void {
    if (row === null) this.writeRange(ptx, key, 0, key.length, NO_ROW, 0, -1);
    else this.writeRange(ptx, key, 0, key.length, row, 0, row.length);
  }

  /**
   * Puts an intent for the key in `keyBytes[keyStart, keyStart + keyLength)`: the row in
   * `rowBytes[rowStart, rowStart + rowLength)` to upsert, or a delete when `rowLength` is -1. The key bytes
   * are copied at once when the key is new here; the row range is kept as it is until commit copies it, so
   * `rowBytes` must not change while `ptx` is open. A second write of the same key by the same transaction
   * replaces its intent (the last one wins).
   *
   * @throws ServerError `TX_CONFLICT` (retryable) when another transaction holds an intent on the key or
   *   committed it after `ptx` started; the store is unchanged. `TX_NOT_ACTIVE` when `ptx` is not PENDING;
   *   `INVALID_ARGUMENT` for another store's handle.
   */
  writeRange(
    ptx: PartitionTx,
    keyBytes: Uint8Array,
    keyStart: number,
    keyLength: number,
    rowBytes: Uint8Array,
    rowStart: number,
    rowLength: number,
  ): void {
    // A write only needs its participant running here; anything else goes through the lifecycle table,
    // which refuses it with the error naming the state.
    if (ptx.store !== this || ptx.state !== TxStates.PENDING) this.#enter(ptx, 'write', 0n);
    const table = this.#table;
    const slot = table.findOrInsert(keyBytes, keyStart, keyLength);
    this.#putIntent(ptx, slot, rowBytes, rowStart, rowLength);
  }

  /**
   * A streamer REMOVE: deletes the key in `keyBytes[keyStart, keyStart + keyLength)` when `ptx` sees a row
   * under it (its own intent, else its snapshot), and does nothing when it sees none (no intent, no
   * conflict, nothing to apply).
   *
   * @returns whether a delete intent was put.
   * @throws as {@link writeRange}, when there is a row to delete.
   */
  removeRange(ptx: PartitionTx, keyBytes: Uint8Array, keyStart: number, keyLength: number): boolean {
    if (ptx.store !== this || ptx.state !== TxStates.PENDING) this.#enter(ptx, 'write', 0n);
    const table = this.#table;
    const slot = table.findRange(keyBytes, keyStart, keyLength);
    if (slot < 0) return false;
    if (table.owner(slot) === ptx) {
      const position = table.intentPosition(slot);
      if (ptx.rowLength(position) < 0) return false;
      ptx.replace(position, NO_ROW, 0, -1);
      return true;
    }
    if (!hasRowAt(table, slot, ptx.startTs)) return false;
    this.#putIntent(ptx, slot, NO_ROW, 0, -1);
    return true;
  }

  /**
   * The keys `ptx` wrote here and its intent row for each (`null`: delete), in first-write order: what a
   * two-phase commit records before it prepares. Keys are views of the store's bytes; rows are copies.
   *
   * @throws ServerError `INVALID_ARGUMENT` for another store's handle.
   */
  intentsOf(ptx: PartitionTx): { keys: Uint8Array[]; rows: (Uint8Array | null)[] } {
    this.#checkOwnHandle(ptx);
    const keys: Uint8Array[] = [];
    const rows: (Uint8Array | null)[] = [];
    for (let i = 0; i < ptx.writeCount; i++) {
      keys.push(this.#table.key(ptx.slot(i)));
      rows.push(ptx.row(i)?.slice() ?? null);
    }
    return { keys, rows };
  }

  /** The length of the key of `ptx`'s intent `i` (0 <= i < `ptx.writeCount`). */
  intentKeyLength(ptx: PartitionTx, i: number): number {
    return this.#table.keyLength(ptx.slot(i));
  }

  /** Copies the key of `ptx`'s intent `i` into `target` from `at` (a command being encoded; no view made). */
  copyIntentKey(ptx: PartitionTx, i: number, target: Uint8Array, at: number): void {
    this.#table.copyKey(ptx.slot(i), target, at);
  }

  /** Puts `ptx`'s intent on `slot` (found or just inserted) after the conflict checks. */
  #putIntent(
    ptx: PartitionTx,
    slot: number,
    rowBytes: Uint8Array,
    rowStart: number,
    rowLength: number,
  ): void {
    const table = this.#table;
    const owner = table.owner(slot);
    if (owner === ptx) {
      ptx.replace(table.intentPosition(slot), rowBytes, rowStart, rowLength);
      return;
    }
    if (owner !== null) {
      throw this.#conflict(ptx, slot, `transaction ${owner.txId} holds a write intent on it`);
    }
    // A key just inserted has no version (NO_VERSION is below every start timestamp).
    const ts = table.ts(slot);
    if (ts > ptx.startTs) {
      throw this.#conflict(ptx, slot, `it was committed at ${ts}, after the snapshot at ${ptx.startTs}`);
    }
    table.setOwner(slot, ptx, ptx.add(slot, rowBytes, rowStart, rowLength));
  }

  /**
   * Applies `writes`, decided elsewhere, as committed versions at `commitTs` in one step, with no intents
   * (see decided-writes.ts): a replica applying its partition's log. The apply listeners are told as for a
   * commit, with `label` as the transaction's name.
   *
   * @throws ServerError `INTERNAL` when a key carries an intent or a version at or after `commitTs`;
   *   `INTERNAL` (after the writes are in place) when an apply listener threw.
   */
  applyDecided(writes: DecidedWrites, commitTs: bigint, label: string): void {
    const w = this.#watermark(commitTs);
    const listeners = this.#listeners.wanted();
    const applied: AppliedViews | null = listeners === null ? null : { keys: [], rows: [] };
    applyDecidedWrites(this.#table, writes, commitTs, w, applied, this.name);
    this.#table.compactIfWorthwhile();
    if (listeners !== null && applied !== null) notifyApplied(listeners, applied, commitTs, this.name, label);
  }

  /** Whether a transaction is PREPARED here: the partition promised to commit it if told to. */
  hasPrepared(): boolean {
    for (const ptx of this.#open) if (ptx.state === TxStates.PREPARED) return true;
    return false;
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
    // The sweep normally runs only when asked (`collectGarbage`); here as soon as anything commits.
    if (this.#buggify('storage.gc-every-commit')) this.collectGarbage(commitTs);
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
      removeIntents(this.#table, ptx);
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
    return snapshotOf(this.#table, this.#readFloor);
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
    this.#checkOwnHandle(ptx);
    const next = nextTxState(ptx.state, action, ptx.txId, this.name);
    switch (next) {
      case TxStates.PENDING:
        // Reads and writes keep the participant running; the table has checked they are allowed.
        return;
      case TxStates.PREPARED:
        checkIntents(this.#table, ptx, this.name);
        ptx.state = next;
        return;
      case TxStates.COMMITTED:
        ptx.state = next;
        // Leaving the open set first keeps the committer's own start out of the low watermark.
        this.#open.delete(ptx);
        this.#applyIntents(ptx, commitTs);
        this.#spareArrays = ptx.takeArrays() ?? this.#spareArrays;
        return;
      case TxStates.ABORTED:
        ptx.state = next;
        this.#open.delete(ptx);
        removeIntents(this.#table, ptx);
        this.#spareArrays = ptx.takeArrays() ?? this.#spareArrays;
        return;
      default:
        unknownTxState(next);
    }
  }

  #checkOwnHandle(ptx: PartitionTx): void {
    if (ptx.store !== this) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `transaction ${ptx.txId} was not begun on partition ${this.name}: its handle belongs to another store`,
      );
    }
  }

  #applyIntents(ptx: PartitionTx, commitTs: bigint): void {
    const w = this.#watermark(commitTs);
    const listeners = this.#listeners.wanted();
    const applied: AppliedViews | null = listeners === null ? null : { keys: [], rows: [] };
    commitIntents(this.#table, ptx, commitTs, w, applied);
    this.#table.compactIfWorthwhile();
    if (listeners !== null && applied !== null)
      notifyApplied(listeners, applied, commitTs, this.name, ptx.txId);
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

  #conflict(ptx: PartitionTx, slot: number, why: string): ServerError {
    const key = keyHex(this.#table.key(slot));
    return new ServerError(
      'TX_CONFLICT',
      `write-write conflict: transaction ${ptx.txId} cannot write key ${key} on partition ${this.name}: ${why}`,
      { extensions: { txId: ptx.txId } },
    );
  }
}
