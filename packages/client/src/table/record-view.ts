/**
 * The record view of a table: rows are plain objects keyed by column name (see the protocol's column-type
 * table for the JavaScript type of each column, on input and on output). Every row and key is checked against
 * the table's schema before anything is sent: a missing key column, a value of the wrong type, a null in a
 * non-nullable column or a property that is no column fails with an error naming the column, and nothing
 * reaches the wire. `streamData` runs the data streamer into the table.
 *
 * It holds no state of its own: rows go through `TableRows`, streams through `TableStreamerSink`.
 */
import type { Observable } from 'rxjs';
import type { DataStreamerItem } from '../streamer/data-streamer-item.js';
import type { StreamerSource } from '../streamer/sources/open-source-reader.js';
import type { DataStreamerOptions } from '../streamer/streamer-options.js';
import type { DataStreamerSummary } from '../streamer/streamer-summary.js';
import { checkArray } from './check-array.js';
import type { ReceiverDescriptor } from './receiver-streamer-sink.js';
import type { TableContext } from './table-context.js';
import type { RowObject, TableRows } from './table-rows.js';
import { viewStreamData } from './view-streams.js';

/** What a record view streams: a `DataStreamerItem` (PUT or REMOVE), or a bare row (PUT). */
export type RecordStreamItem<Row> = Row | DataStreamerItem<Row> | DataStreamerItem<Partial<Row>>;

/**
 * Rows of one table as plain objects.
 *
 * @typeParam Row the row shape; keys are `Partial<Row>` holding at least the key columns (a full row serves
 *   as its own key).
 */
export class RecordView<Row extends object = RowObject> {
  readonly #context: TableContext;
  readonly #rows: TableRows;

  /** @internal Made by `Table.recordView()`. */
  constructor(context: TableContext, rows: TableRows) {
    this.#context = context;
    this.#rows = rows;
  }

  /** The table's name. */
  get tableName(): string {
    return this.#rows.tableName;
  }

  /**
   * Inserts `row`, or replaces the row with the same key. Columns the row leaves out get their default.
   * @throws InvalidValueError naming the column when the row does not fit the schema (nothing is sent);
   *   the node's and the connection's errors otherwise (`retryable` says whether trying again may help).
   */
  async upsert(row: Row): Promise<void> {
    await this.#rows.upsert([row]);
  }

  /**
   * Inserts or replaces every row, in one request (nothing is sent for an empty list).
   * @throws as {@link upsert}, for the first bad row; ClientError `INVALID_ARGUMENT` when `rows` is not an
   *   array.
   */
  async upsertAll(rows: readonly Row[]): Promise<void> {
    await this.#rows.upsert(checkArray('upsertAll', 'rows', rows));
  }

  /**
   * The row whose key columns equal `key`'s, or `null`.
   * @throws InvalidValueError naming the key column that is missing or invalid (nothing is sent); as
   *   {@link upsert} otherwise.
   */
  async get(key: Partial<Row>): Promise<Row | null> {
    const [row] = await this.#rows.get([key]);
    return (row ?? null) as Row | null;
  }

  /**
   * The rows with these keys, in key order, `null` where there is none.
   * @throws as {@link get}; ClientError `INVALID_ARGUMENT` when `keys` is not an array.
   */
  async getAll(keys: readonly Partial<Row>[]): Promise<(Row | null)[]> {
    return (await this.#rows.get(checkArray('getAll', 'keys', keys))) as (Row | null)[];
  }

  /**
   * Deletes the row with this key; resolves whether there was one.
   * @throws as {@link get}.
   */
  async delete(key: Partial<Row>): Promise<boolean> {
    const [deleted] = await this.#rows.delete([key]);
    return deleted === true;
  }

  /**
   * Deletes the rows with these keys; for each, whether there was one.
   * @throws as {@link getAll}.
   */
  async deleteAll(keys: readonly Partial<Row>[]): Promise<boolean[]> {
    return this.#rows.delete(checkArray('deleteAll', 'keys', keys));
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
   * Streams `source` into the table with the data streamer: rows (PUT) or `DataStreamerItem`s (PUT, or
   * REMOVE with the key columns), in partition-aware batches, with backpressure and retries. `clock`, `rng`
   * and `logger` default to the client's.
   *
   * @returns the summary, once every item is applied.
   * @throws InvalidOptionError naming a bad option, before anything is pulled or sent.
   * @throws DataStreamerError when the stream fails or is cancelled: `code`, `cause` (e.g. the
   *   `InvalidValueError` naming the column of a bad row) and `failedItems`, the source items not applied,
   *   in source order.
   */
  streamData(
    source: StreamerSource<RecordStreamItem<Row>>,
    options?: DataStreamerOptions,
  ): Promise<DataStreamerSummary>;
  streamData<T, Result>(
    source: StreamerSource<T>,
    second?: DataStreamerOptions | ReceiverDescriptor<T, unknown, unknown>,
    third?: DataStreamerOptions,
  ): Promise<DataStreamerSummary> | Observable<Result> {
    return viewStreamData<T, Result>(this.#context, this.#rows, 'record', source, second, third);
  }
}
