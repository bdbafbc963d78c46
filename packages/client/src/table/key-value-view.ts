/**
 * The key-value view of a table: a key is an object holding the key columns, a value an object holding the
 * other columns. Pairs are checked against the schema before anything is sent (a column on the wrong side,
 * a missing key column, a wrong type: an error naming the column). `streamData` streams `[key, value]`
 * pairs (a REMOVE needs only `[key]`).
 *
 * It maps pairs to rows (`key-value-mapping.ts`) and runs them through `TableRows`; no state of its own.
 */

import type { Observable } from 'rxjs';
import { ClientError } from '../errors/client-error.js';
import type { DataStreamerItem } from '../streamer/data-streamer-item.js';
import type { StreamerSource } from '../streamer/sources/open-source-reader.js';
import type { DataStreamerOptions } from '../streamer/streamer-options.js';
import type { DataStreamerSummary } from '../streamer/streamer-summary.js';
import { checkArray } from './check-array.js';
import { checkKey, pairSource, valueOfRow } from './key-value-mapping.js';
import type { ReceiverDescriptor } from './receiver-streamer-sink.js';
import type { TableContext } from './table-context.js';
import type { RowObject, TableRows } from './table-rows.js';
import { viewStreamData } from './view-streams.js';

/** One pair of a key-value stream or `upsertAll`. */
export type KeyValueEntry<K, V> = readonly [key: K, value: V];

/**
 * What a key-value view streams: a pair (PUT), or a `DataStreamerItem` of a pair (PUT) or of `[key]`
 * (REMOVE).
 */
export type KeyValueStreamItem<K, V> =
  | KeyValueEntry<K, V>
  | DataStreamerItem<KeyValueEntry<K, V>>
  | DataStreamerItem<readonly [key: K]>;

/**
 * Rows of one table as key-value pairs.
 *
 * @typeParam K the key shape (the key columns); `V` the value shape (the other columns).
 */
export class KeyValueView<K extends object = RowObject, V extends object = RowObject> {
  readonly #context: TableContext;
  readonly #rows: TableRows;

  /** @internal Made by `Table.keyValueView()`. */
  constructor(context: TableContext, rows: TableRows) {
    this.#context = context;
    this.#rows = rows;
  }

  /** The table's name. */
  get tableName(): string {
    return this.#rows.tableName;
  }

  /**
   * The value stored under `key` (every non-key column), or `null`.
   * @throws InvalidValueError naming a key column that is missing or invalid, or a value column given in the
   *   key (nothing is sent); the node's and the connection's errors otherwise.
   */
  async get(key: K): Promise<V | null> {
    const [value] = await this.getAll([key]);
    return value ?? null;
  }

  /**
   * The values under these keys, in key order, `null` where there is none.
   * @throws as {@link get}; ClientError `INVALID_ARGUMENT` when `keys` is not an array.
   */
  async getAll(keys: readonly K[]): Promise<(V | null)[]> {
    const schema = await this.#rows.latestSchema();
    for (const key of checkArray('getAll', 'keys', keys)) checkKey(schema, key);
    const rows = await this.#rows.get(keys);
    return rows.map((row) => (row === null ? null : (valueOfRow(schema, row) as V)));
  }

  /**
   * Stores `value` under `key`, replacing what was there. Value columns left out get their default.
   * @throws InvalidValueError naming the column when the pair does not fit the schema (nothing is sent).
   */
  async upsert(key: K, value: V): Promise<void> {
    await this.upsertAll([[key, value]]);
  }

  /**
   * Stores every pair, in one request. A `Map` works as well as an array of pairs.
   * @throws as {@link upsert}, for the first bad pair.
   */
  async upsertAll(entries: Iterable<KeyValueEntry<K, V>>): Promise<void> {
    if (typeof (entries as Partial<Iterable<unknown>> | null)?.[Symbol.iterator] !== 'function') {
      throw new ClientError(
        'INVALID_ARGUMENT',
        'upsertAll: entries must be an iterable of [key, value] pairs',
      );
    }
    const schema = await this.#rows.latestSchema();
    const rows: object[] = [];
    for (const entry of entries) rows.push(pairSource(schema, entry, false));
    await this.#rows.upsert(rows);
  }

  /**
   * Deletes the row under `key`; resolves whether there was one.
   * @throws as {@link get}.
   */
  async delete(key: K): Promise<boolean> {
    const [deleted] = await this.deleteAll([key]);
    return deleted === true;
  }

  /**
   * Deletes the rows under these keys; for each, whether there was one.
   * @throws as {@link getAll}.
   */
  async deleteAll(keys: readonly K[]): Promise<boolean[]> {
    const schema = await this.#rows.latestSchema();
    for (const key of checkArray('deleteAll', 'keys', keys)) checkKey(schema, key);
    return this.#rows.delete(keys);
  }

  /**
   * Streams `source` to a receiver deployed on the cluster: `keyFn` gives each item's key (its partition
   * decides the node the receiver runs on), `payloadFn` what travels (default: the item), `arg` what every
   * receiver call gets. Batching, ordering, backpressure, retries and `failedItems` are as for plain
   * streaming.
   *
   * @returns an Observable of the receiver's results: subscribing starts the stream, unsubscribing cancels
   *   it, completion means every item was processed. It errors with a `DataStreamerError` (the receiver's
   *   "Streamer receiver failed: ..." message, the failed batch's items in `failedItems`), with the error of
   *   a throwing `keyFn` / `payloadFn` or of a payload or argument the value codec cannot carry (nothing of
   *   it sent), or with a ClientError `INVALID_ARGUMENT` naming a bad descriptor field.
   */
  streamData<T, Result = unknown, Payload = T, Arg = unknown>(
    source: StreamerSource<T>,
    receiver: ReceiverDescriptor<T, Payload, Arg>,
    options?: DataStreamerOptions,
  ): Observable<Result>;
  /**
   * Streams `[key, value]` pairs (PUT) or `DataStreamerItem`s of them (`DataStreamerItem.removed([key])` for
   * a REMOVE) into the table; see `RecordView.streamData` for the options, the summary and the errors
   * (`failedItems` holds the source's pairs and items).
   */
  streamData(
    source: StreamerSource<KeyValueStreamItem<K, V>>,
    options?: DataStreamerOptions,
  ): Promise<DataStreamerSummary>;
  streamData<T, Result>(
    source: StreamerSource<T>,
    second?: DataStreamerOptions | ReceiverDescriptor<T, unknown, unknown>,
    third?: DataStreamerOptions,
  ): Promise<DataStreamerSummary> | Observable<Result> {
    return viewStreamData<T, Result>(this.#context, this.#rows, 'keyValue', source, second, third);
  }
}
