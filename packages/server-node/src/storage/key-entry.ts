/**
 * What a partition store keeps per key: the chain of committed versions, newest first, and at most one write
 * intent. The newest version lives in the entry's own fields and only older ones are linked objects, so a key
 * written once (the streaming case) costs one object besides its row bytes. Also the two pure chain
 * operations, snapshot lookup and pruning below a low watermark.
 *
 * It does not check conflicts or lifecycles (the store does), and never copies row bytes.
 */

/** Marks an entry without a committed version (only an intent, or nothing left after pruning). */
export const NO_VERSION = -1n;

/** A committed version older than the entry's newest one. `row === null` is a tombstone (a delete). */
export interface OlderVersion {
  readonly ts: bigint;
  readonly row: Uint8Array | null;
  next: OlderVersion | null;
}

/** Whatever owns an intent; compared by identity only. */
export interface IntentOwner {
  readonly txId: string;
}

/** One key of a partition. Mutated only by the store that holds it. */
export class KeyEntry {
  /** The map key (see key-string.ts). */
  readonly key: string;
  /** Commit timestamp of the newest committed version, or {@link NO_VERSION}. */
  ts: bigint = NO_VERSION;
  /** Row of the newest committed version; `null` for a tombstone (or when `ts === NO_VERSION`). */
  row: Uint8Array | null = null;
  /** Older committed versions, newest first. Always `null` when `ts === NO_VERSION`. */
  older: OlderVersion | null = null;
  /** The transaction whose intent the key carries, if any. */
  intentOwner: IntentOwner | null = null;
  /** The intent's row; `null` for a delete. Meaningful only while `intentOwner !== null`. */
  intentRow: Uint8Array | null = null;

  constructor(key: string) {
    this.key = key;
  }
}

/** The committed row of `entry` as of `ts`: the newest version at or before `ts`; `null` when absent. */
export function rowAt(entry: KeyEntry, ts: bigint): Uint8Array | null {
  if (entry.ts === NO_VERSION) return null;
  if (entry.ts <= ts) return entry.row;
  for (let v = entry.older; v !== null; v = v.next) if (v.ts <= ts) return v.row;
  return null;
}

/** How many committed versions `entry` holds. */
export function chainLength(entry: KeyEntry): number {
  if (entry.ts === NO_VERSION) return 0;
  let n = 1;
  for (let v = entry.older; v !== null; v = v.next) n++;
  return n;
}

/**
 * Drops what no reader at or after `watermark` can see: every version older than the newest one at or
 * before `watermark`, and that version too when it is a tombstone with nothing older (reading it or reading
 * nothing both say "absent"). Returns whether the entry is now empty (no version, no intent), so the caller
 * can remove the key.
 */
export function pruneEntry(entry: KeyEntry, watermark: bigint): boolean {
  if (entry.ts === NO_VERSION) return entry.intentOwner === null;
  if (entry.ts <= watermark) {
    entry.older = null;
    if (entry.row === null) entry.ts = NO_VERSION;
    return entry.ts === NO_VERSION && entry.intentOwner === null;
  }
  let prev: OlderVersion | null = null;
  for (let v = entry.older; v !== null; prev = v, v = v.next) {
    if (v.ts > watermark) continue;
    v.next = null;
    if (v.row === null) {
      if (prev === null) entry.older = null;
      else prev.next = null;
    }
    break;
  }
  return false;
}
