/**
 * The committed state of a partition as plain data: what `MvccPartitionStore.exportCommitted` hands to a new
 * owner of the partition (or keeps across a simulated crash) and `MvccPartitionStore.fromSnapshot` rebuilds,
 * and the check of one key's versions before loading. Intents are never part of it. Exported rows and keys
 * are views of the store's immutable bytes (never mutate them); loading copies them in.
 */
import { ServerError } from '../errors/server-error.js';
import { keyHex } from './key-string.js';

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
  /**
   * The partition's streamer batch fence as `[streamId, batchSeq]` pairs, least recently used first (see
   * node/batch-fence.ts); set by a partition move, absent from a bare store export.
   */
  readonly batchFence?: readonly (readonly [string, number])[];
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
