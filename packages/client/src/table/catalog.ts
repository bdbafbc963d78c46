/**
 * `client.catalog`: creates tables and adds columns. Definitions are checked before anything is sent (an
 * error names the field); what the cluster answers (the new schema version) goes straight into the client's
 * caches, so the table can be used at once without another lookup.
 */
import type { ColumnDef, TableDefinition, TableSchema } from '@datastreamer/protocol';
import { Table } from './table.js';
import type { TableContext } from './table-context.js';
import { checkAddedColumn, checkTableDefinition } from './table-definition-check.js';

/** Table and column management. */
export class Catalog {
  readonly #context: TableContext;

  /** @internal Made by the client. */
  constructor(context: TableContext) {
    this.#context = context;
  }

  /**
   * Creates a table.
   *
   * @param definition `name`; `columns` (each `{ name, type, nullable? (default false), default?,
   *   precision?, scale? }`); `primaryKey` (column names, in key order); `colocateBy` (default: the primary
   *   key; a subset of it); `partitions` (default: the cluster's); `replicas`, copies of each partition
   *   (default: the cluster's; more than 1 makes each partition a Raft group over that many nodes, at most the
   *   node count, checked by the cluster).
   * @returns the new table.
   * @throws InvalidOptionError naming the bad field (nothing is sent).
   * @throws ProtocolError `TABLE_ALREADY_EXISTS`, or `INVALID_SCHEMA` for what only the cluster checks (a
   *   replica count above the node count, ...).
   */
  async createTable(definition: TableDefinition): Promise<Table> {
    checkTableDefinition(definition);
    const reply = await this.#context.pool.request('TABLE_CREATE', { definition });
    const schema = reply.result;
    this.#context.schemas.add(schema);
    this.#context.tables.put({
      tableId: schema.tableId,
      name: schema.tableName,
      latestSchemaVersion: schema.version,
    });
    return new Table(this.#context, schema.tableId, schema.tableName);
  }

  /**
   * Adds a column to a table: a new schema version. Rows written before get the column's default (or null).
   *
   * @param column `{ name, type, nullable?, default?, precision?, scale? }`: nullable, or with a default.
   * @returns the new schema version.
   * @throws InvalidOptionError naming `tableName` or the bad `column` field (nothing is sent).
   * @throws ProtocolError `TABLE_NOT_FOUND`, `COLUMN_ALREADY_EXISTS`, or `INVALID_SCHEMA`.
   */
  async addColumn(tableName: string, column: ColumnDef): Promise<TableSchema> {
    checkAddedColumn(tableName, column);
    const reply = await this.#context.pool.request('COLUMN_ADD', { tableName, column });
    const schema = reply.result;
    this.#context.schemas.add(schema);
    this.#context.tables.put({
      tableId: schema.tableId,
      name: schema.tableName,
      latestSchemaVersion: schema.version,
    });
    return schema;
  }
}
