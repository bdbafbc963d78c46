import type { ColumnType } from './column-types.js';

/**
 * One column of a table, as the catalog stores it and both sides see it.
 *
 * `default` is the value a row gets when it does not set the column (its JavaScript type is the column's
 * input type, see {@link ColumnTypes}); a column with neither `nullable` nor a default must be set.
 */
export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
  /** Default `false`. Key columns are never nullable. */
  readonly nullable?: boolean;
  /** The value used when a row leaves the column out. */
  readonly default?: unknown;
  /** DECIMAL: total digits; TIME, DATETIME, TIMESTAMP: fractional digits of seconds. */
  readonly precision?: number;
  /** DECIMAL: digits after the decimal point. */
  readonly scale?: number;
}

/**
 * One version of a table's schema. Columns are in schema order; `keyColumns` and `colocationColumns` hold
 * indexes into `columns` (in key order and colocation order). Row tuples follow this order: a full row holds
 * every column in schema order, a key-only row the key columns in key order.
 */
export interface TableSchema {
  readonly tableId: number;
  readonly tableName: string;
  readonly version: number;
  readonly columns: readonly ColumnDef[];
  readonly keyColumns: readonly number[];
  readonly colocationColumns: readonly number[];
  readonly partitions: number;
}
