/**
 * The keys of one partition and the newest committed version of each, laid out in flat arrays: every key
 * has a slot (a small integer); a slot's fields live in one `Int32Array` (stride {@link STRIDE}), its
 * commit timestamp in a `BigInt64Array`, its intent owner in one array, and the key and row bytes in two
 * {@link ByteSlab}s. Keys are found through an open-addressing hash index (linear probing, backward-shift
 * deletion) over {@link hashKey}. So a stored row costs its bytes plus a few words, and no object.
 *
 * Versions older than the newest are rare (kept only while a reader may need them) and live as linked
 * objects in a side map. Intent rows are kept by their transaction (see partition-tx.ts), not here.
 *
 * It does not check conflicts, lifecycles or watermarks (the store does). Slots are reused after removal,
 * so iteration order is slot order, not insertion order.
 */
import { ByteSlab } from './byte-slab.js';
import { type IntentOwner, NO_VERSION, type OlderVersion } from './key-entry.js';
import { hashKey } from './key-hash.js';

/** Fields of a slot in `meta`. */
const KEY_POS = 0;
const KEY_LEN = 1;
const ROW_POS = 2;
/** Row length, or -1 for no row (a tombstone, or no committed version). */
const ROW_LEN = 3;
const HASH = 4;
/** Index of the slot's intent in its owner's lists (meaningful while the slot has an owner). */
const INTENT = 5;
const STRIDE = 6;
/** `KEY_LEN` of a free slot. */
const FREE = -1;
/** Grow the index past this load (entries / capacity). */
const MAX_LOAD = 0.7;

export class KeyTable {
  #meta = new Int32Array(STRIDE * 8);
  #ts = new BigInt64Array(8);
  #owners: (IntentOwner | null)[] = [];
  /** Slot + 1 per index cell, 0 when the cell is empty. */
  #index = new Int32Array(16);
  #mask = 15;
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
    const meta = this.#meta;
    const index = this.#index;
    const mask = this.#mask;
    const hash = hashKey(key);
    const keys = this.#keys;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const cell = index[i] as number;
      if (cell === 0) return -1;
      const base = (cell - 1) * STRIDE;
      if (
        meta[base + HASH] === hash &&
        keys.equals(meta[base + KEY_POS] as number, meta[base + KEY_LEN] as number, key)
      ) {
        return cell - 1;
      }
    }
  }

  /** A new slot for `key` (which must be absent), with no version and no intent. Copies the key bytes. */
  insert(key: Uint8Array): number {
    if ((this.size + 1) / (this.#mask + 1) > MAX_LOAD) this.#growIndex();
    const slot = this.#newSlot();
    const hash = hashKey(key);
    const base = slot * STRIDE;
    const meta = this.#meta;
    meta[base + KEY_POS] = this.#keys.append(key, 0, key.length);
    meta[base + KEY_LEN] = key.length;
    meta[base + ROW_POS] = 0;
    meta[base + ROW_LEN] = -1;
    meta[base + HASH] = hash;
    meta[base + INTENT] = 0;
    this.#ts[slot] = NO_VERSION;
    this.#owners[slot] = null;
    const index = this.#index;
    const mask = this.#mask;
    let i = hash & mask;
    while (index[i] !== 0) i = (i + 1) & mask;
    index[i] = slot + 1;
    this.size++;
    return slot;
  }

  /** Removes `slot` (its key, version, older versions and intent mark); the slot may be reused. */
  remove(slot: number): void {
    const meta = this.#meta;
    const base = slot * STRIDE;
    const index = this.#index;
    const mask = this.#mask;
    let i = (meta[base + HASH] as number) & mask;
    while (index[i] !== slot + 1) i = (i + 1) & mask;
    // Backward-shift deletion: pull later cells of the probe run into the hole when their home allows it.
    for (let j = (i + 1) & mask; index[j] !== 0; j = (j + 1) & mask) {
      const home = (meta[((index[j] as number) - 1) * STRIDE + HASH] as number) & mask;
      const between = i <= j ? i < home && home <= j : i < home || home <= j;
      if (between) continue;
      index[i] = index[j] as number;
      i = j;
    }
    index[i] = 0;
    this.#keys.release(meta[base + KEY_LEN] as number);
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
    if (row === null) {
      meta[base + ROW_LEN] = -1;
    } else {
      meta[base + ROW_POS] = this.#rows.append(row, 0, row.length);
      meta[base + ROW_LEN] = row.length;
    }
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
    const capacity = (this.#mask + 1) * 2;
    const index = new Int32Array(capacity);
    const mask = capacity - 1;
    const meta = this.#meta;
    for (let slot = 0; slot < this.#top; slot++) {
      const base = slot * STRIDE;
      if (meta[base + KEY_LEN] === FREE) continue;
      let i = (meta[base + HASH] as number) & mask;
      while (index[i] !== 0) i = (i + 1) & mask;
      index[i] = slot + 1;
    }
    this.#index = index;
    this.#mask = mask;
  }
}
