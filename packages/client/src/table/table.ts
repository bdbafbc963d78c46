/**
 * A table of the cluster, as `client.tables.table(name)` and `client.catalog.createTable` return it: its
 * name and id, and its two views. Cheap to make; the views share the client's caches and connections.
 */
import type { TableSchema } from '@datastreamer/protocol';
import { KeyValueView } from './key-value-view.js';
import { RecordView } from './record-view.js';
import type { TableContext } from './table-context.js';
import { type RowObject, TableRows } from './table-rows.js';

export class Table {
  readonly #context: TableContext;
  readonly #rows: TableRows;

  /** @internal Made by `Tables` and `Catalog`. */
  constructor(context: TableContext, tableId: number, name: string) {
    this.#context = context;
    this.#rows = new TableRows(context, tableId, name);
  }

  /** The table's name. */
  get name(): string {
    return this.#rows.tableName;
  }

  /** The table's id in the cluster. */
  get id(): number {
    return this.#rows.tableId;
  }

  /**
   * The latest schema the client knows (loaded on first use).
   * @throws ProtocolError `TABLE_NOT_FOUND` when the table was dropped; connection errors.
   */
  async schema(): Promise<TableSchema> {
    return (await this.#rows.latestSchema()).schema;
  }

  /** Rows as plain objects keyed by column name. */
  recordView<Row extends object = RowObject>(): RecordView<Row> {
    return new RecordView<Row>(this.#context, this.#rows);
  }

  /** Rows as `[key, value]` pairs: the key columns, and the other columns. */
  keyValueView<K extends object = RowObject, V extends object = RowObject>(): KeyValueView<K, V> {
    return new KeyValueView<K, V>(this.#context, this.#rows);
  }
}
