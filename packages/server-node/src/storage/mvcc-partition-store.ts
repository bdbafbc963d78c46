/**
 * The multi-version store of one partition. Keys are encoded key tuples and rows encoded full-row tuples,
 * both `Uint8Array`s kept as given (never copied, never split into columns: callers must not mutate them).
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
 * Key lookup uses a `Map` keyed by the latin1 string of the key bytes (see key-string.ts). It does not
 * enforce schemas, ownership or locking, and it keeps no log: durability is the simulation's business.
 */
import { ServerError } from '../errors/server-error.js';
import { nextTxState, type TxAction, TxStates, unknownTxState } from '../tx/tx-lifecycle.js';
import { chainLength, KeyEntry, NO_VERSION, type OlderVersion, pruneEntry, rowAt } from './key-entry.js';
import { keyFromString, keyHex, keyToString } from './key-string.js';
import {
  keyEntryFromSnapshot,
  type PartitionSnapshot,
  type SnapshotKey,
  snapshotOfKeyEntry,
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
  readonly #entries = new Map<string, KeyEntry>();
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
    for (const item of snapshot.keys) {
      const entry = keyEntryFromSnapshot(item);
      if (store.#entries.has(entry.key)) {
        throw new ServerError('INVALID_ARGUMENT', `snapshot key ${keyHex(item.key)} appears twice`);
      }
      store.#entries.set(entry.key, entry);
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
    return this.#entries.size;
  }

  /** Transactions begun on this store and neither committed nor aborted. */
  get openTransactionCount(): number {
    return this.#open.size;
  }

  /** Committed versions kept for `key` (0 when the key is absent or has only an intent). */
  chainLength(key: Uint8Array): number {
    const entry = this.#entries.get(keyToString(key));
    return entry === undefined ? 0 : chainLength(entry);
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
    const entry = this.#entries.get(keyToString(key));
    if (entry === undefined) return null;
    if (entry.intentOwner === ptx) return entry.intentRow;
    return rowAt(entry, ptx.startTs);
  }

  /**
   * The committed row of `key` as of `ts`, ignoring intents.
   *
   * @throws ServerError `INVALID_ARGUMENT` when `ts` is below the read floor.
   */
  readAt(key: Uint8Array, ts: bigint): Uint8Array | null {
    this.#checkReadable(ts, 'read');
    const entry = this.#entries.get(keyToString(key));
    return entry === undefined ? null : rowAt(entry, ts);
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
    const mapKey = keyToString(key);
    let entry = this.#entries.get(mapKey);
    if (entry === undefined) {
      entry = new KeyEntry(mapKey);
      this.#entries.set(mapKey, entry);
    } else if (entry.intentOwner !== ptx) {
      if (entry.intentOwner !== null) {
        throw this.#conflict(ptx, key, `transaction ${entry.intentOwner.txId} holds a write intent on it`);
      }
      if (entry.ts > ptx.startTs) {
        throw this.#conflict(
          ptx,
          key,
          `it was committed at ${entry.ts}, after the snapshot at ${ptx.startTs}`,
        );
      }
    }
    if (entry.intentOwner !== ptx) {
      entry.intentOwner = ptx;
      ptx.entries.push(entry);
      ptx.keys.push(key);
    }
    entry.intentRow = row;
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
    for (const entry of this.#entries.values()) {
      if (pruneEntry(entry, w)) this.#entries.delete(entry.key);
    }
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
    for (const entry of this.#entries.values()) {
      if (entry.ts !== NO_VERSION) keys.push(snapshotOfKeyEntry(entry));
    }
    return { keys, readFloor: this.#readFloor };
  }

  *#scan(ts: bigint): Generator<CommittedRow, void, undefined> {
    for (const entry of this.#entries.values()) {
      const row = rowAt(entry, ts);
      if (row !== null) yield { key: keyFromString(entry.key), row };
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
    for (const entry of ptx.entries) {
      if (entry.intentOwner !== ptx || entry.ts > ptx.startTs) {
        throw new ServerError(
          'INTERNAL',
          `transaction ${ptx.txId} cannot prepare on partition ${this.name}: its intent on a key is gone`,
        );
      }
    }
  }

  #applyIntents(ptx: PartitionTx, commitTs: bigint): void {
    const w = this.#watermark(commitTs);
    const entries = ptx.entries;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as KeyEntry;
      // The previous newest version is kept only if a reader may still need it (commitTs > w).
      if (entry.ts !== NO_VERSION && commitTs > w) {
        const older: OlderVersion = { ts: entry.ts, row: entry.row, next: entry.older };
        entry.older = older;
      }
      entry.ts = commitTs;
      entry.row = entry.intentRow;
      entry.intentOwner = null;
      entry.intentRow = null;
      if (pruneEntry(entry, w)) this.#entries.delete(entry.key);
    }
    if (this.#listeners.length > 0) this.#notify(ptx, commitTs);
    entries.length = 0;
    ptx.keys.length = 0;
  }

  #notify(ptx: PartitionTx, commitTs: bigint): void {
    let failure: unknown;
    let failed = false;
    const listeners = this.#listeners.slice();
    for (let i = 0; i < ptx.entries.length; i++) {
      // A tombstone pruned at once leaves `row === null`, which is what a delete reports anyway.
      const row = (ptx.entries[i] as KeyEntry).row;
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
    for (const entry of ptx.entries) {
      if (entry.intentOwner !== ptx) continue;
      entry.intentOwner = null;
      entry.intentRow = null;
      if (entry.ts === NO_VERSION) this.#entries.delete(entry.key);
    }
    ptx.entries.length = 0;
    ptx.keys.length = 0;
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
