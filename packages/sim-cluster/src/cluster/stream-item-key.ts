/**
 * The canonical key string of a streamed item, read from the table's key columns: the default `key` of a
 * recorded stream. It is the string `canonicalKey` gives for the object of the item's key columns, which is
 * what the cluster records for every commit (`apply.key` is `canonicalKey` of the decoded key columns), so a
 * submit and the applies of the same key carry the same string.
 *
 * It builds the string directly, without the intermediate object, because it runs once per item. It does not
 * validate the item: a row without a key column gets a string without that column, the streamer refuses the
 * row itself, and the checkers then see an item that was never applied.
 */
import { DataStreamerItem } from '@datastreamer/client';
import type { TableSchema } from '@datastreamer/protocol';
import { canonicalKey } from '../history/canonical-key.js';

/** Which view the items come from: a record view streams rows, a key-value view `[key, value]` entries. */
export type StreamItemShape = 'record' | 'keyValue';

/** Names of a schema's key columns, in key order. */
export function keyColumnNames(schema: TableSchema): string[] {
  return schema.keyColumns.map((i) => schema.columns[i]?.name ?? String(i));
}

/**
 * A function from a streamed item (a row, a `[key, value]` entry, or a `DataStreamerItem` of either) to the
 * canonical string of its key columns.
 *
 * @param keyColumns the table's key column names.
 */
export function streamItemKey(
  keyColumns: readonly string[],
  shape: StreamItemShape,
): (item: unknown) => string {
  // canonicalKey sorts an object's fields by name and writes `"name":value`; precompute the prefixes in that order.
  const names = [...keyColumns].sort();
  const prefixes = names.map((name) => `${JSON.stringify(name)}:`);
  return (item) => {
    const payload: unknown = item instanceof DataStreamerItem ? item.payload : item;
    const holder: unknown = shape === 'keyValue' && Array.isArray(payload) ? payload[0] : payload;
    if (typeof holder !== 'object' || holder === null) return canonicalKey(holder);
    const record = holder as Readonly<Record<string, unknown>>;
    let s = '{';
    let first = true;
    for (let i = 0; i < names.length; i++) {
      const value = record[names[i] as string];
      if (value === undefined) continue;
      s += `${first ? '' : ','}${prefixes[i] as string}${canonicalKey(value)}`;
      first = false;
    }
    return `${s}}`;
  };
}
