import type { ColumnDef } from '@datastreamer/protocol';

/**
 * What a user asks for when creating a table (API.md `client.catalog.createTable`). The catalog validates it
 * and turns it into version 1 of a {@link TableSchema}.
 */
export interface TableDefinition {
  readonly name: string;
  readonly columns: readonly ColumnDef[];
  /** Names of the primary-key columns, in key order. */
  readonly primaryKey: readonly string[];
  /** Names of the colocation columns, in hash order; a subset of the key. Default: the primary key. */
  readonly colocateBy?: readonly string[];
  /** Partition count; default: the catalog's default (the cluster's `partitions` option). */
  readonly partitions?: number;
}
