/**
 * The simulation's hook on a node's commits: every key a commit applies becomes an `apply` event of the
 * history, its key and row decoded into the latest schema. A row that does not decode is logged and left
 * out: it is the stored-rows checker's finding, not a failure of the node's commit. It records nothing else
 * (streams record their own submits and acks).
 */
import type { Logger } from '@datastreamer/protocol';
import type { Catalog, ClusterNode } from '@datastreamer/server-node';
import { canonicalKey } from '../history/canonical-key.js';
import type { History } from '../history/history.js';
import type { HistoryRow } from '../history/history-event.js';
import type { RowDecoders } from './table-reader.js';

export interface ApplyRecording {
  readonly history: History;
  readonly catalog: Catalog;
  readonly decoders: RowDecoders;
  readonly log: Logger;
}

/** Records every commit of `node` (called `name`) into `to.history`. */
export function recordApplies(node: ClusterNode, name: string, to: ApplyRecording): void {
  node.onApply((tableId, partition, key, row, commitTs, version, origin) => {
    const schema = to.catalog.latest(tableId);
    if (schema === undefined) return;
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
