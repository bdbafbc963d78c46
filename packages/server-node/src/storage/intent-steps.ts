/**
 * What prepare, commit and abort do to a transaction's intents on one partition's {@link KeyTable}: check
 * they are all still in place, turn them into versions at the commit timestamp (pruning what no reader can
 * see any more), or drop them. A commit copies each intent row out of its writer's buffer; when the rows
 * lie side by side in one buffer (a streamer batch), it copies them as one block instead.
 *
 * It does not move lifecycle states, pick watermarks or call listeners (the store does).
 */
import { ServerError } from '../errors/server-error.js';
import type { AppliedViews } from './apply-listeners.js';
import { ByteSlab } from './byte-slab.js';
import { NO_VERSION, pruneSlot } from './key-entry.js';
import type { KeyTable } from './key-table.js';
import type { PartitionTx } from './partition-tx.js';

/**
 * Checks that every intent of `ptx` is still its own and nothing was committed over it.
 *
 * @throws ServerError `INTERNAL` naming `partition` when one is not (the store's bookkeeping broke: writes
 *   check conflicts eagerly and an intent blocks other writers).
 */
export function checkIntents(table: KeyTable, ptx: PartitionTx, partition: string): void {
  for (let i = 0; i < ptx.writeCount; i++) {
    const slot = ptx.slot(i);
    if (table.owner(slot) !== ptx || table.ts(slot) > ptx.startTs) {
      throw new ServerError(
        'INTERNAL',
        `transaction ${ptx.txId} cannot prepare on partition ${partition}: its intent on a key is gone`,
      );
    }
  }
}

/**
 * Makes every intent of `ptx` the newest version of its key at `commitTs` and forgets the intents. With the
 * low watermark `watermark`, the previous version is kept only when a reader may still need it, and keys
 * are pruned as `pruneSlot` says. When `applied` is given, it receives each key and committed row as views
 * (taken before pruning can free a slot).
 */
export function commitIntents(
  table: KeyTable,
  ptx: PartitionTx,
  commitTs: bigint,
  watermark: bigint,
  applied: AppliedViews | null,
): void {
  const count = ptx.writeCount;
  const keepPrevious = commitTs > watermark;
  const shift = copyRowBlock(table, ptx);
  for (let i = 0; i < count; i++) {
    const slot = ptx.slot(i);
    const length = ptx.rowLength(i);
    table.setOwner(slot, null, 0);
    if (shift !== null && length >= 0) {
      table.setVersionAt(slot, commitTs, ptx.rowStart(i) + shift, length, keepPrevious);
    } else {
      table.setVersionRange(slot, commitTs, ptx.buffer(i), ptx.rowStart(i), length, keepPrevious);
    }
    if (applied !== null) {
      applied.keys.push(table.key(slot));
      applied.rows.push(table.row(slot));
    }
    // Without older versions, a committed row at or below the watermark needs no pruning.
    if ((keepPrevious || length < 0 || table.hasOlder) && pruneSlot(table, slot, watermark)) {
      table.remove(slot);
    }
  }
  ptx.clear();
}

/** Drops every intent of `ptx`; keys that had nothing but its intent disappear. */
export function removeIntents(table: KeyTable, ptx: PartitionTx): void {
  for (let i = 0; i < ptx.writeCount; i++) {
    const slot = ptx.slot(i);
    if (table.owner(slot) !== ptx) continue;
    table.setOwner(slot, null, 0);
    if (table.ts(slot) === NO_VERSION) table.remove(slot);
  }
  ptx.clear();
}

/**
 * When every row of `ptx`'s intents lies in one buffer and they fill most of the span they cover (a
 * streamer batch's rows sit side by side), copies that span into the table at once and returns what to add
 * to a row's start in the buffer to get its position there; else `null`, and rows are copied one by one.
 * One copy of a few dozen kilobytes costs less than a thousand copies of a few dozen bytes.
 */
function copyRowBlock(table: KeyTable, ptx: PartitionTx): number | null {
  const count = ptx.writeCount;
  if (count < 2) return null;
  let buffer: Uint8Array | null = null;
  let low = Number.MAX_SAFE_INTEGER;
  let high = 0;
  let used = 0;
  for (let i = 0; i < count; i++) {
    const length = ptx.rowLength(i);
    if (length < 0) continue;
    const own = ptx.buffer(i);
    if (buffer === null) buffer = own;
    else if (own !== buffer) return null;
    const start = ptx.rowStart(i);
    if (start < low) low = start;
    if (start + length > high) high = start + length;
    used += length;
  }
  const span = high - low;
  // Bytes between the rows (rows a later write of the batch replaced) stay as dead weight until a
  // compaction: only worth it when they are few. More row bytes than the span means rows share bytes (one
  // array written under two keys): copied one by one, so each row's bytes are counted once.
  if (buffer === null || span <= 0 || span > ByteSlab.MAX_BLOCK || used > span || used * 4 < span * 3) {
    return null;
  }
  return table.appendRowBlock(buffer, low, high, span - used) - low;
}
