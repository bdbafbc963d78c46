/**
 * The committed state of a partition as plain data: what `MvccPartitionStore.exportCommitted` hands to a new
 * owner of the partition (or keeps across a simulated crash) and `MvccPartitionStore.fromSnapshot` rebuilds,
 * and the conversion of one key between this form and the store's `KeyEntry`.
 * Intents are never part of it. Row arrays are shared, not copied: stored rows are immutable.
 */
import { ServerError } from '../errors/server-error.js';
import { KeyEntry, type OlderVersion } from './key-entry.js';
import { keyFromString, keyHex, keyToString } from './key-string.js';

/** One committed version. `row === null` is a tombstone (the key was deleted at `ts`). */
export interface SnapshotVersion {
  readonly ts: bigint;
  readonly row: Uint8Array | null;
}

/** One key and its committed versions, newest first (strictly decreasing `ts`, at least one). */
export interface SnapshotKey {
  readonly key: Uint8Array;
  readonly versions: readonly SnapshotVersion[];
}

export interface PartitionSnapshot {
  readonly keys: readonly SnapshotKey[];
  /** Reads below this timestamp were refused by the exporting store (versions may have been collected). */
  readonly readFloor: bigint;
}

/** The committed versions of `entry` (which must have one) as a snapshot key. */
export function snapshotOfKeyEntry(entry: KeyEntry): SnapshotKey {
  const versions: SnapshotVersion[] = [{ ts: entry.ts, row: entry.row }];
  for (let v = entry.older; v !== null; v = v.next) versions.push({ ts: v.ts, row: v.row });
  return { key: keyFromString(entry.key), versions };
}

/**
 * A store entry holding the versions of `item` and no intent.
 *
 * @throws ServerError `INVALID_ARGUMENT` when the versions are empty or not in strictly decreasing timestamp
 *   order.
 */
export function keyEntryFromSnapshot(item: SnapshotKey): KeyEntry {
  const [newest, ...rest] = item.versions;
  if (newest === undefined) {
    throw new ServerError('INVALID_ARGUMENT', `snapshot key ${keyHex(item.key)} has no versions`);
  }
  const entry = new KeyEntry(keyToString(item.key));
  entry.ts = newest.ts;
  entry.row = newest.row;
  let last: OlderVersion | null = null;
  for (const version of rest) {
    if (version.ts >= (last ?? newest).ts) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `snapshot key ${keyHex(item.key)}: versions must be newest first with distinct timestamps`,
      );
    }
    const older: OlderVersion = { ts: version.ts, row: version.row, next: null };
    if (last === null) entry.older = older;
    else last.next = older;
    last = older;
  }
  return entry;
}
