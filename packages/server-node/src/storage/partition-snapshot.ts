/**
 * The committed state of a partition as plain data: what `MvccPartitionStore.exportCommitted` hands to a new
 * owner of the partition (or keeps across a simulated crash) and `MvccPartitionStore.fromSnapshot` rebuilds,
 * and the check of one key's versions before loading, plus the loading and exporting over the store's
 * {@link KeyTable}. Intents are never part of it. Exported rows and keys are views of the store's immutable
 * bytes (never mutate them); loading copies the newest version of each key in.
 */
import { ServerError } from '../errors/server-error.js';
import { NO_VERSION, type OlderVersion } from './key-entry.js';
import { keyHex } from './key-string.js';
import type { KeyTable } from './key-table.js';

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

/**
 * Checks that `item` can be loaded: at least one version, newest first with strictly decreasing timestamps.
 *
 * @throws ServerError `INVALID_ARGUMENT` when the versions are empty or out of order.
 */
export function checkSnapshotKey(item: SnapshotKey): void {
  const versions = item.versions;
  if (versions.length === 0) {
    throw new ServerError('INVALID_ARGUMENT', `snapshot key ${keyHex(item.key)} has no versions`);
  }
  for (let i = 1; i < versions.length; i++) {
    if ((versions[i] as SnapshotVersion).ts >= (versions[i - 1] as SnapshotVersion).ts) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `snapshot key ${keyHex(item.key)}: versions must be newest first with distinct timestamps`,
      );
    }
  }
}

/**
 * Loads the committed state of `snapshot` into `table` (empty, or holding other keys): the newest version of
 * each key is copied in, older ones are kept as the snapshot's rows.
 *
 * @throws ServerError `INVALID_ARGUMENT` when a key appears twice or a key's versions are empty or out of
 *   order (see {@link checkSnapshotKey}).
 */
export function loadSnapshot(table: KeyTable, snapshot: PartitionSnapshot): void {
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
}

/** The committed state of `table` (every kept version, no intents; views of its bytes) with `readFloor`. */
export function snapshotOf(table: KeyTable, readFloor: bigint): PartitionSnapshot {
  const keys: SnapshotKey[] = [];
  for (let slot = 0; slot < table.top; slot++) {
    if (!table.inUse(slot)) continue;
    const ts = table.ts(slot);
    if (ts === NO_VERSION) continue;
    const versions: SnapshotVersion[] = [{ ts, row: table.row(slot) }];
    for (let v = table.older(slot); v !== null; v = v.next) versions.push({ ts: v.ts, row: v.row });
    keys.push({ key: table.key(slot), versions });
  }
  return { keys, readFloor };
}
