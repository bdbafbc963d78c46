/**
 * The keys of one partition and the newest committed version of each, laid out in flat arrays: every key
 * has a slot (a small integer); a slot's fields live in one `Int32Array` (stride {@link STRIDE}), its
 * commit timestamp in a `BigInt64Array`, its intent owner in one array, and the key and row bytes in two
 * {@link ByteSlab}s. Keys are found through an open-addressing hash index (linear probing, backward-shift
 * deletion) over {@link hashKeyRange}; each index cell holds the slot and the key's hash side by side, so a
 * probe compares hashes without touching the slot's fields, and key bytes only on a hash match. Keys are
 * looked up as byte ranges of any buffer (no view needed), and a write hashes its key once
 * ({@link KeyTable.findOrInsert}). So a stored row costs its bytes plus a few words, and no object.
 *
 * Versions older than the newest are rare (kept only while a reader may need them) and live as linked
 * objects in a side map. Intent rows are kept by their transaction (see partition-tx.ts), not here.
 *
 * It does not check conflicts, lifecycles or watermarks (the store does). Slots are reused after removal,
 * so iteration order is slot order, not insertion order.
 */
import { ByteSlab } from './byte-slab.js';
import { type IntentOwner, NO_VERSION, type OlderVersion } from './key-entry.js';
import { hashKey, hashKeyRange } from './key-hash.js';

/** Fields of a slot in `meta`. */
const KEY_POS = 0;
const KEY_LEN = 1;
const ROW_POS = 2;
/** Row length, or -1 for no row (a tombstone, or no committed version). */
const ROW_LEN = 3;
/** Index of the slot's intent in its owner's lists (meaningful while the slot has an owner). */
const INTENT = 4;
const STRIDE = 5;
/** `KEY_LEN` of a free slot. */
const FREE = -1;
/** Grow the index past this load (entries / capacity). */
const MAX_LOAD = 0.7;
const EMPTY = new Uint8Array(0);

export class KeyTable {
  #meta = new Int32Array(STRIDE * 8);
  #ts = new BigInt64Array(8);
  #owners: (IntentOwner | null)[] = [];
  /** Two words per cell: slot + 1 (0 when the cell is empty), then the key's hash. */
  #index = new Int32Array(32);
  #mask = 15;
  /** Grow the index when `size` would pass this. */
  #growAt = Math.floor(16 * MAX_LOAD);
  #older = new Map<number, OlderVersion>();
  #free: number[] = [];
  #keys = new ByteSlab();
  #rows = new ByteSlab();
  /** Slots ever handed out (free ones included): iteration runs over `0..top`. */
  #top = 0;
  /** Keys held. */
  size = 0;

  /** The slot of `key`, or -1. */
  find(key: Uint8Array): number {
    return this.findRange(key, 0, key.length);
  }

  /** The slot of the key held in the `length` bytes of `bytes` at `start`, or -1. */
  findRange(bytes: Uint8Array, start: number, length: number): number {
    const found = this.#lookup(bytes, start, length, hashKeyRange(bytes, start, length));
    return found >= 0 ? found : -1;
  }

  /**
   * The slot of the key held in the `length` bytes of `bytes` at `start`, inserted (with no version and no
   * intent, the key bytes copied) when absent: one hash and one probe run either way.
   */
  findOrInsert(bytes: Uint8Array, start: number, length: number): number {
    const hash = hashKeyRange(bytes, start, length);
    const found = this.#lookup(bytes, start, length, hash);
    if (found >= 0) return found;
    if (this.size + 1 > this.#growAt) {
      this.#growIndex();
      return this.#place(this.#emptyCell(hash), hash, bytes, start, length);
    }
    return this.#place(~found, hash, bytes, start, length);
  }

  /** A new slot for `key` (which must be absent), with no version and no intent. Copies the key bytes. */
  insert(key: Uint8Array): number {
    if (this.size + 1 > this.#growAt) this.#growIndex();
    const hash = hashKey(key);
    return this.#place(this.#emptyCell(hash), hash, key, 0, key.length);
  }

  /** Removes `slot` (its key, version, older versions and intent mark); the slot may be reused. */
  remove(slot: number): void {
    const meta = this.#meta;
    const base = slot * STRIDE;
    const index = this.#index;
    const mask = this.#mask;
    // The hash lives in the index only: recomputing it here (a removal) is cheaper than a word per key.
    const keyPos = meta[base + KEY_POS] as number;
    const keyLength = meta[base + KEY_LEN] as number;
    // An empty key has no bytes in the slab (and maybe no chunk to read them from).
    const hash =
      keyLength === 0
        ? hashKeyRange(EMPTY, 0, 0)
        : hashKeyRange(this.#keys.chunkAt(keyPos), ByteSlab.offsetOf(keyPos), keyLength);
    let i = hash & mask;
    while (index[i << 1] !== slot + 1) i = (i + 1) & mask;
    // Backward-shift deletion: pull later cells of the probe run into the hole when their home allows it.
    for (let j = (i + 1) & mask; index[j << 1] !== 0; j = (j + 1) & mask) {
      const cellHash = index[(j << 1) + 1] as number;
      const home = cellHash & mask;
      const between = i <= j ? i < home && home <= j : i < home || home <= j;
      if (between) continue;
      index[i << 1] = index[j << 1] as number;
      index[(i << 1) + 1] = cellHash;
      i = j;
    }
    index[i << 1] = 0;
    index[(i << 1) + 1] = 0;
    this.#keys.release(keyLength);
    const rowLength = meta[base + ROW_LEN] as number;
    if (rowLength > 0) this.#rows.release(rowLength);
    meta[base + KEY_LEN] = FREE;
    meta[base + ROW_LEN] = -1;
    this.#ts[slot] = NO_VERSION;
    this.#owners[slot] = null;
    if (this.#older.size > 0) this.#older.delete(slot);
    this.#free.push(slot);
    this.size--;
  }

  /** Slots ever handed out; a slot below it is in use when {@link inUse}. */
  get top(): number {
    return this.#top;
  }

  inUse(slot: number): boolean {
    return this.#meta[slot * STRIDE + KEY_LEN] !== FREE;
  }

  /** The key bytes of `slot`, as a view (callers must not mutate it). */
  key(slot: number): Uint8Array {
    const base = slot * STRIDE;
    return this.#keys.view(this.#meta[base + KEY_POS] as number, this.#meta[base + KEY_LEN] as number);
  }

  /** The length of `slot`'s key. */
  keyLength(slot: number): number {
    return this.#meta[slot * STRIDE + KEY_LEN] as number;
  }

  /** Copies `slot`'s key into `target` from `at` (no view made). */
  copyKey(slot: number, target: Uint8Array, at: number): void {
    const base = slot * STRIDE;
    this.#keys.copyTo(this.#meta[base + KEY_POS] as number, this.#meta[base + KEY_LEN] as number, target, at);
  }

  /** Commit timestamp of the newest version, or {@link NO_VERSION}. */
  ts(slot: number): bigint {
    return this.#ts[slot] as bigint;
  }

  /** Whether the newest version has a row (false for a tombstone or no version). */
  hasRow(slot: number): boolean {
    return (this.#meta[slot * STRIDE + ROW_LEN] as number) >= 0;
  }

  /** The newest version's row as a view, `null` for a tombstone or no version. */
  row(slot: number): Uint8Array | null {
    const base = slot * STRIDE;
    const length = this.#meta[base + ROW_LEN] as number;
    return length < 0 ? null : this.#rows.view(this.#meta[base + ROW_POS] as number, length);
  }

  /**
   * Makes `row` (copied; `null` for a tombstone) the newest version at `ts`. With `keepPrevious`, the
   * previous newest version (if any) is pushed onto the older chain, else its row bytes are released.
   */
  setVersion(slot: number, ts: bigint, row: Uint8Array | null, keepPrevious: boolean): void {
    if (row === null) this.setVersionRange(slot, ts, EMPTY, 0, -1, keepPrevious);
    else this.setVersionRange(slot, ts, row, 0, row.length, keepPrevious);
  }

  /**
   * {@link setVersion} with the row given as the `length` bytes of `bytes` at `start` (copied), `length` -1
   * for a tombstone.
   */
  setVersionRange(
    slot: number,
    ts: bigint,
    bytes: Uint8Array,
    start: number,
    length: number,
    keepPrevious: boolean,
  ): void {
    const position = length > 0 ? this.#rows.append(bytes, start, start + length) : 0;
    this.setVersionAt(slot, ts, position, length, keepPrevious);
  }

  /**
   * Copies `bytes[start, end)` (at most {@link ByteSlab.MAX_BLOCK} bytes) into the row bytes as one block and
   * returns its position: the row `delta` bytes into the block is then at `position + delta`, for
   * {@link setVersionAt}. `unused` of its bytes belong to no row and are counted as dead at once.
   */
  appendRowBlock(bytes: Uint8Array, start: number, end: number, unused: number): number {
    const position = this.#rows.append(bytes, start, end);
    if (unused > 0) this.#rows.release(unused);
    return position;
  }

  /**
   * {@link setVersion} with the row already in the row bytes at `position` (from {@link appendRowBlock}),
   * `length` -1 for a tombstone.
   */
  setVersionAt(slot: number, ts: bigint, position: number, length: number, keepPrevious: boolean): void {
    const meta = this.#meta;
    const base = slot * STRIDE;
    const oldLength = meta[base + ROW_LEN] as number;
    if (keepPrevious && this.#ts[slot] !== NO_VERSION) {
      const previous = oldLength < 0 ? null : this.#rows.view(meta[base + ROW_POS] as number, oldLength);
      this.#older.set(slot, {
        ts: this.#ts[slot] as bigint,
        row: previous,
        next: this.#older.get(slot) ?? null,
      });
    }
    // The old bytes are dead in the slab either way: a kept previous version holds a view that pins its chunk.
    if (oldLength > 0) this.#rows.release(oldLength);
    this.#ts[slot] = ts;
    if (length >= 0) meta[base + ROW_POS] = position;
    meta[base + ROW_LEN] = length;
  }

  /** Makes `slot` have no committed version (its older chain is dropped too). */
  clearVersion(slot: number): void {
    const base = slot * STRIDE;
    const length = this.#meta[base + ROW_LEN] as number;
    if (length > 0) this.#rows.release(length);
    this.#meta[base + ROW_LEN] = -1;
    this.#ts[slot] = NO_VERSION;
    if (this.#older.size > 0) this.#older.delete(slot);
  }

  /** The versions older than the newest, newest first, or `null`. */
  older(slot: number): OlderVersion | null {
    return this.#older.size === 0 ? null : (this.#older.get(slot) ?? null);
  }

  /** Replaces the older chain of `slot` (`null` drops it). */
  setOlder(slot: number, older: OlderVersion | null): void {
    if (older === null) {
      if (this.#older.size > 0) this.#older.delete(slot);
    } else {
      this.#older.set(slot, older);
    }
  }

  /** Whether any slot has older versions (most of the time none does). */
  get hasOlder(): boolean {
    return this.#older.size > 0;
  }

  owner(slot: number): IntentOwner | null {
    return this.#owners[slot] ?? null;
  }

  /** Marks `slot` as carrying `owner`'s intent number `position` (`null` owner: no intent). */
  setOwner(slot: number, owner: IntentOwner | null, position: number): void {
    this.#owners[slot] = owner;
    this.#meta[slot * STRIDE + INTENT] = position;
  }

  /** The position of the slot's intent in its owner's lists. */
  intentPosition(slot: number): number {
    return this.#meta[slot * STRIDE + INTENT] as number;
  }

  /** Copies the live key and row bytes into fresh slabs when dead bytes outweigh them. */
  compactIfWorthwhile(): void {
    const rows = this.#rows.wantsCompaction();
    const keys = this.#keys.wantsCompaction();
    if (!rows && !keys) return;
    const meta = this.#meta;
    const freshRows = rows ? new ByteSlab() : this.#rows;
    const freshKeys = keys ? new ByteSlab() : this.#keys;
    for (let slot = 0; slot < this.#top; slot++) {
      const base = slot * STRIDE;
      if (meta[base + KEY_LEN] === FREE) continue;
      if (keys) {
        meta[base + KEY_POS] = this.#keys.moveTo(
          freshKeys,
          meta[base + KEY_POS] as number,
          meta[base + KEY_LEN] as number,
        );
      }
      const rowLength = meta[base + ROW_LEN] as number;
      if (rows && rowLength >= 0) {
        meta[base + ROW_POS] = this.#rows.moveTo(freshRows, meta[base + ROW_POS] as number, rowLength);
      }
    }
    this.#rows = freshRows;
    this.#keys = freshKeys;
  }

  /**
   * The slot of the key in `bytes[start, start + length)` (hashing to `hash`), or `~cell` of the empty cell
   * that ends its probe run (always negative).
   */
  #lookup(bytes: Uint8Array, start: number, length: number, hash: number): number {
    const index = this.#index;
    const mask = this.#mask;
    const meta = this.#meta;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const cell = index[i << 1] as number;
      if (cell === 0) return ~i;
      if (index[(i << 1) + 1] !== hash) continue;
      const base = (cell - 1) * STRIDE;
      if (
        meta[base + KEY_LEN] === length &&
        this.#keys.equalsRange(meta[base + KEY_POS] as number, length, bytes, start)
      ) {
        return cell - 1;
      }
    }
  }

  /** The empty cell that ends the probe run of `hash`. */
  #emptyCell(hash: number): number {
    const index = this.#index;
    const mask = this.#mask;
    let i = hash & mask;
    while (index[i << 1] !== 0) i = (i + 1) & mask;
    return i;
  }

  /** Takes a slot for the key in `bytes[start, start + length)`, entered in the empty index cell `cell`. */
  #place(cell: number, hash: number, bytes: Uint8Array, start: number, length: number): number {
    const slot = this.#newSlot();
    const base = slot * STRIDE;
    const meta = this.#meta;
    meta[base + KEY_POS] = this.#keys.append(bytes, start, start + length);
    meta[base + KEY_LEN] = length;
    meta[base + ROW_POS] = 0;
    meta[base + ROW_LEN] = -1;
    meta[base + INTENT] = 0;
    this.#ts[slot] = NO_VERSION;
    this.#owners[slot] = null;
    this.#index[cell << 1] = slot + 1;
    this.#index[(cell << 1) + 1] = hash;
    this.size++;
    return slot;
  }

  #newSlot(): number {
    const reused = this.#free.pop();
    if (reused !== undefined) return reused;
    const slot = this.#top++;
    if (slot >= this.#ts.length) {
      const capacity = this.#ts.length * 2;
      const meta = new Int32Array(capacity * STRIDE);
      meta.set(this.#meta);
      this.#meta = meta;
      const ts = new BigInt64Array(capacity);
      ts.set(this.#ts);
      this.#ts = ts;
    }
    this.#owners.push(null);
    return slot;
  }

  #growIndex(): void {
    const old = this.#index;
    const capacity = (this.#mask + 1) * 2;
    const index = new Int32Array(capacity * 2);
    const mask = capacity - 1;
    for (let at = 0; at < old.length; at += 2) {
      const cell = old[at] as number;
      if (cell === 0) continue;
      const hash = old[at + 1] as number;
      let i = hash & mask;
      while (index[i << 1] !== 0) i = (i + 1) & mask;
      index[i << 1] = cell;
      index[(i << 1) + 1] = hash;
    }
    this.#index = index;
    this.#mask = mask;
    this.#growAt = Math.floor(capacity * MAX_LOAD);
  }
}
