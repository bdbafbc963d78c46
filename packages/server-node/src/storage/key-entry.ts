/**
 * What a partition store keeps per key, seen as versions: the newest committed version lives in the
 * partition's {@link KeyTable} slot, older ones (kept only while a reader may still read them) as a linked
 * chain, and at most one write intent, owned by a transaction. Also the pure chain operations on a slot:
 * snapshot lookup, chain length, and pruning below a low watermark.
 *
 * It does not check conflicts or lifecycles (the store does), and never copies row bytes.
 */
import type { KeyTable } from './key-table.js';

/** Marks a key without a committed version (only an intent, or nothing left after pruning). */
export const NO_VERSION = -1n;

/** A committed version older than the key's newest one. `row === null` is a tombstone (a delete). */
export interface OlderVersion {
  readonly ts: bigint;
  readonly row: Uint8Array | null;
  next: OlderVersion | null;
}

/** Whatever owns an intent; compared by identity only. */
export interface IntentOwner {
  readonly txId: string;
  /** Its lifecycle state (a PREPARED owner is being committed: its commit timestamp may be chosen already). */
  readonly state: string;
}

/** The committed row of `slot` as of `ts`: the newest version at or before `ts`; `null` when absent. */
export function rowAt(table: KeyTable, slot: number, ts: bigint): Uint8Array | null {
  const newest = table.ts(slot);
  if (newest === NO_VERSION) return null;
  if (newest <= ts) return table.row(slot);
  for (let v = table.older(slot); v !== null; v = v.next) if (v.ts <= ts) return v.row;
  return null;
}

/** Whether `slot` has a committed row as of `ts` ({@link rowAt} is not `null`), without making a view. */
export function hasRowAt(table: KeyTable, slot: number, ts: bigint): boolean {
  const newest = table.ts(slot);
  if (newest === NO_VERSION) return false;
  if (newest <= ts) return table.hasRow(slot);
  for (let v = table.older(slot); v !== null; v = v.next) if (v.ts <= ts) return v.row !== null;
  return false;
}

/** How many committed versions `slot` holds. */
export function chainLength(table: KeyTable, slot: number): number {
  if (table.ts(slot) === NO_VERSION) return 0;
  let n = 1;
  for (let v = table.older(slot); v !== null; v = v.next) n++;
  return n;
}

/**
 * Drops what no reader at or after `watermark` can see: every version older than the newest one at or
 * before `watermark`, and that version too when it is a tombstone with nothing older (reading it or reading
 * nothing both say "absent"). Returns whether the slot is now empty (no version, no intent), so the caller
 * can remove the key.
 */
export function pruneSlot(table: KeyTable, slot: number, watermark: bigint): boolean {
  const newest = table.ts(slot);
  if (newest === NO_VERSION) return table.owner(slot) === null;
  if (newest <= watermark) {
    table.setOlder(slot, null);
    if (!table.hasRow(slot)) {
      table.clearVersion(slot);
      return table.owner(slot) === null;
    }
    return false;
  }
  let prev: OlderVersion | null = null;
  for (let v = table.older(slot); v !== null; prev = v, v = v.next) {
    if (v.ts > watermark) continue;
    v.next = null;
    if (v.row === null) {
      if (prev === null) table.setOlder(slot, null);
      else prev.next = null;
    }
    break;
  }
  return false;
}
