/**
 * Writes decided elsewhere, applied as committed versions in one step: what a replica of a replicated
 * partition does with a command of the partition's log that it did not propose (its primary checked the
 * conflicts and held the keys while the command was on its way). No intent is made: each write becomes the
 * key's newest version at the commit timestamp at once, the rows copied in as one block, older versions
 * pruned as a commit prunes them.
 *
 * It does not check conflicts beyond refusing what would corrupt the store (a key another transaction holds,
 * a version not newer than the key's newest): those mean the log and the store disagree, a bug.
 */
import { ServerError } from '../errors/server-error.js';
import type { AppliedViews } from './apply-listeners.js';
import { ByteSlab } from './byte-slab.js';
import { pruneSlot } from './key-entry.js';
import { keyHex } from './key-string.js';
import type { KeyTable } from './key-table.js';

/** Writes as a log command holds them: keys and rows concatenated, their lengths side by side. */
export interface DecidedWrites {
  readonly count: number;
  readonly keyBytes: Uint8Array;
  readonly rowBytes: Uint8Array;
  /** Per write: its key's length, then its row's length (-1: a delete), as little-endian int32s. */
  readonly lengths: DataView;
}

/**
 * Makes every write of `writes` the newest version of its key at `commitTs`. With the low watermark
 * `watermark`, the previous version is kept only when a reader may still need it. When `applied` is given,
 * it receives each key and committed row as views.
 *
 * @throws ServerError `INTERNAL` naming `partition` when a key carries an intent or a version at or after
 *   `commitTs` (the writes are applied up to that key).
 */
export function applyDecidedWrites(
  table: KeyTable,
  writes: DecidedWrites,
  commitTs: bigint,
  watermark: bigint,
  applied: AppliedViews | null,
  partition: string,
): void {
  const { keyBytes, rowBytes, lengths } = writes;
  const keepPrevious = commitTs > watermark;
  const block = rowBytes.length > 0 && rowBytes.length <= ByteSlab.MAX_BLOCK;
  const base = block ? table.appendRowBlock(rowBytes, 0, rowBytes.length, 0) : 0;
  let keyAt = 0;
  let rowAt = 0;
  for (let i = 0; i < writes.count; i++) {
    const keyLength = lengths.getInt32(i * 8, true);
    const rowLength = lengths.getInt32(i * 8 + 4, true);
    const slot = table.findOrInsert(keyBytes, keyAt, keyLength);
    if (table.owner(slot) !== null || table.ts(slot) >= commitTs) {
      throw new ServerError(
        'INTERNAL',
        `partition ${partition}: a decided write of key ${keyHex(table.key(slot))} at ${commitTs} meets ` +
          `${table.owner(slot) !== null ? 'an intent' : `a version at ${table.ts(slot)}`}`,
      );
    }
    if (block && rowLength >= 0) table.setVersionAt(slot, commitTs, base + rowAt, rowLength, keepPrevious);
    else table.setVersionRange(slot, commitTs, rowBytes, rowAt, rowLength, keepPrevious);
    if (applied !== null) {
      applied.keys.push(table.key(slot));
      applied.rows.push(table.row(slot));
    }
    if ((keepPrevious || rowLength < 0 || table.hasOlder) && pruneSlot(table, slot, watermark)) {
      table.remove(slot);
    }
    keyAt += keyLength;
    if (rowLength > 0) rowAt += rowLength;
  }
}
