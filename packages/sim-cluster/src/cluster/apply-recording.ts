/**
 * The simulation's hook on a node's commits: every key a commit applies becomes an `apply` event of the
 * history, its key and row decoded into the latest schema. A row that does not decode is logged and left
 * out: it is the stored-rows checker's finding, not a failure of the node's commit. A replicated partition's
 * entry is applied by every replica and recorded once, from the first. It records nothing else
 * (streams record their own submits and acks).
 */
import type { Logger } from '@datastreamer/protocol';
import type { ClusterNode } from '@datastreamer/server-node';
import type { Catalog } from '@datastreamer/server-node/internal';
import { canonicalKey } from '../history/canonical-key.js';
import type { History } from '../history/history.js';
import type { HistoryRow } from '../history/history-event.js';
import type { RowDecoders } from './table-reader.js';

export interface ApplyRecording {
  readonly history: History;
  readonly catalog: Catalog;
  readonly decoders: RowDecoders;
  readonly log: Logger;
  /**
   * Per replicated partition (`tableId/partition`), the newest log index whose applies were recorded and the
   * node that recorded them, shared by every node's recording: every replica applies every entry, and the
   * history keeps each commit once (from the first replica to apply it).
   */
  readonly recordedUpTo: Map<string, { index: number; node: string }>;
}

/** Records every commit of `node` (called `name`) into `to.history`. */
export function recordApplies(node: ClusterNode, name: string, to: ApplyRecording): void {
  node.onApply((tableId, partition, key, row, commitTs, version, origin, logIndex) => {
    const schema = to.catalog.latest(tableId);
    if (schema === undefined) return;
    if (logIndex !== null && !firstToApply(to.recordedUpTo, `${tableId}/${partition}`, logIndex, name))
      return;
    let decodedKey: string;
    let decodedRow: HistoryRow | null;
    try {
      decodedKey = canonicalKey(to.decoders.key(tableId, key));
      decodedRow = row === null ? null : to.decoders.row(tableId, version, row);
    } catch (error) {
      to.log.warn({ node: name, table: schema.tableName, partition, err: error }, 'undecodable apply');
      return;
    }
    to.history.recordApply({
      node: name,
      table: schema.tableName,
      partition,
      key: decodedKey,
      row: decodedRow,
      commitTs,
      ...(origin === null
        ? {}
        : { batch: { producerId: origin.producerId, epoch: origin.epoch, batchSeq: origin.batchSeq } }),
    });
  });
}

/** Whether `node`'s apply of log entry `index` is the one to record (the first replica's), and notes it. */
function firstToApply(
  recordedUpTo: Map<string, { index: number; node: string }>,
  at: string,
  index: number,
  node: string,
): boolean {
  const recorded = recordedUpTo.get(at);
  if (
    recorded !== undefined &&
    (index < recorded.index || (index === recorded.index && recorded.node !== node))
  ) {
    return false;
  }
  if (recorded === undefined || index > recorded.index) recordedUpTo.set(at, { index, node });
  return true;
}
