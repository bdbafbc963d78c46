/**
 * Streamer batches for node tests: items as `{ op, row }`, sent as STREAMER_BATCH_SEND through a raw client,
 * and the table read back through TUPLE_GET_ALL.
 */
import type { Response } from '@datastreamer/protocol';
import type { RawClient } from './raw-client.js';
import { TableRows } from './test-cluster.js';

export type Item =
  | { readonly op: 'PUT'; readonly row: object }
  | { readonly op: 'REMOVE'; readonly row: object };

export interface BatchTarget {
  readonly partition: number;
  readonly targetNode: string;
  readonly assignmentVersion: number;
  readonly schemaVersion?: number;
}

/** Sends `items` as one batch and resolves with the raw response. */
export function sendBatch(
  client: RawClient,
  rows: TableRows,
  items: readonly Item[],
  target: BatchTarget,
): Promise<Response> {
  const removes: number[] = [];
  const batchRows = items.map((item, i) => {
    if (item.op === 'REMOVE') {
      removes.push(i);
      return rows.remove(item.row);
    }
    return rows.put(item.row);
  });
  return client.send('STREAMER_BATCH_SEND', {
    tableId: rows.tableId,
    partitionId: target.partition,
    deleted: TableRows.deleted(removes),
    schemaVersion: target.schemaVersion ?? rows.version,
    rows: batchRows,
    targetNode: target.targetNode,
    assignmentVersion: target.assignmentVersion,
  });
}

/** The rows of `keys` as the node returns them, decoded (`null` where absent). */
export async function readRows(
  client: RawClient,
  rows: TableRows,
  keys: readonly object[],
): Promise<(Record<string, unknown> | null)[]> {
  const results = await client.call('TUPLE_GET_ALL', {
    tableId: rows.tableId,
    schemaVersion: rows.version,
    keys: keys.map((key) => ({ partition: rows.partitionOf(key), key: rows.key(key) })),
  });
  return results.map((result) => (result === null ? null : rows.decode(result.row)));
}
