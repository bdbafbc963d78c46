/**
 * Wire forms of the catalog's structures, shared by the catalog ops: column definitions, table schemas,
 * table summaries and table definitions (the `createTable` argument).
 *
 * - column: `name: str, type: int, nullable: bool, default: nil | value, precision: int | nil,
 *   scale: int | nil`. The type is Ignite 3's `ColumnType` id; the default is written with the value codec
 *   (nil means no default: a null default and no default mean the same).
 * - schema: `tableId: int, tableName: str, version: int, partitions: int, columnCount: int, column*,
 *   keyCount: int, keyIndex: int*, colocationCount: int, colocationIndex: int*`.
 * - table info: `tableId: int, name: str, latestSchemaVersion: int`.
 * - table definition: `name: str, columnCount: int, column*, keyCount: int, keyName: str*,
 *   colocateBy: nil | (count: int, name: str*), partitions: int | nil, replicas: int | nil`.
 *
 * Lists are an int count followed by the items, as Ignite writes them. Decoding checks that type ids are
 * known and that key and colocation indexes point at columns; it does not check catalog rules (that is the
 * catalog's job).
 */

import type { MsgPackReader } from '../msgpack/msgpack-reader.js';
import type { MsgPackWriter } from '../msgpack/msgpack-writer.js';
import { type ColumnType, ColumnTypes } from '../schema/column-types.js';
import type { ColumnDef, TableSchema } from '../schema/table-schema.js';
import { readValue } from '../values/read-value.js';
import { writeValue } from '../values/write-value.js';

/** Wire ids of the column types: Ignite 3's `ColumnType` ids (14 is unused there, BYTES is its BYTE_ARRAY). */
export const ColumnTypeCodes = {
  BOOLEAN: 1,
  INT8: 2,
  INT16: 3,
  INT32: 4,
  INT64: 5,
  FLOAT: 6,
  DOUBLE: 7,
  DECIMAL: 8,
  DATE: 9,
  TIME: 10,
  DATETIME: 11,
  TIMESTAMP: 12,
  UUID: 13,
  STRING: 15,
  BYTES: 16,
} as const satisfies Record<ColumnType, number>;

const typeByCode = new Map<number, ColumnType>(
  (Object.keys(ColumnTypes) as ColumnType[]).map((type) => [ColumnTypeCodes[type], type]),
);

/** A table as listed by TABLES_GET and found by TABLE_GET. */
export interface TableInfo {
  readonly tableId: number;
  readonly name: string;
  readonly latestSchemaVersion: number;
}

/** What `catalog.createTable` takes (API.md). */
export interface TableDefinition {
  readonly name: string;
  readonly columns: readonly ColumnDef[];
  readonly primaryKey: readonly string[];
  /** Default: the primary key. */
  readonly colocateBy?: readonly string[];
  /** Default: the cluster's default partition count. */
  readonly partitions?: number;
  /** Copies of each partition (a Raft group over that many nodes). Default: the cluster's default replica count. */
  readonly replicas?: number;
}

export function writeColumnDef(writer: MsgPackWriter, column: ColumnDef): void {
  writer.writeString(column.name);
  writer.writeInt32(ColumnTypeCodes[column.type], 'column.type');
  writer.writeBool(column.nullable ?? false);
  if (column.default === undefined || column.default === null) writer.writeNil();
  else writeValue(writer, column.default, `column ${column.name} default`);
  writeOptionalInt32(writer, column.precision, 'column.precision');
  writeOptionalInt32(writer, column.scale, 'column.scale');
}

export function readColumnDef(reader: MsgPackReader): ColumnDef {
  const name = reader.readString('column.name');
  const at = reader.offset;
  const code = reader.readInt32('column.type');
  const type = typeByCode.get(code);
  if (type === undefined) throw reader.error(`column.type: unknown column type id ${code} at offset ${at}`);
  const nullable = reader.readBool('column.nullable');
  const defaultValue = reader.tryReadNil() ? undefined : readValue(reader, 'column.default');
  const precision = readOptionalInt32(reader, 'column.precision');
  const scale = readOptionalInt32(reader, 'column.scale');
  return {
    name,
    type,
    nullable,
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
    ...(precision === undefined ? {} : { precision }),
    ...(scale === undefined ? {} : { scale }),
  };
}

export function writeTableSchema(writer: MsgPackWriter, schema: TableSchema): void {
  writer.writeInt32(schema.tableId, 'schema.tableId');
  writer.writeString(schema.tableName);
  writer.writeInt32(schema.version, 'schema.version');
  writer.writeInt32(schema.partitions, 'schema.partitions');
  writer.writeInt32(schema.columns.length);
  for (const column of schema.columns) writeColumnDef(writer, column);
  writeInt32List(writer, schema.keyColumns, 'schema.keyColumns');
  writeInt32List(writer, schema.colocationColumns, 'schema.colocationColumns');
}

export function readTableSchema(reader: MsgPackReader): TableSchema {
  const tableId = reader.readInt32('schema.tableId');
  const tableName = reader.readString('schema.tableName');
  const version = reader.readInt32('schema.version');
  const partitions = reader.readInt32('schema.partitions');
  const columnCount = reader.readCount('schema.columns', 6);
  const columns: ColumnDef[] = [];
  for (let i = 0; i < columnCount; i++) columns.push(readColumnDef(reader));
  const keyColumns = readColumnIndexes(reader, 'schema.keyColumns', columnCount);
  const colocationColumns = readColumnIndexes(reader, 'schema.colocationColumns', columnCount);
  return { tableId, tableName, version, columns, keyColumns, colocationColumns, partitions };
}

export function writeTableInfo(writer: MsgPackWriter, table: TableInfo): void {
  writer.writeInt32(table.tableId, 'table.tableId');
  writer.writeString(table.name);
  writer.writeInt32(table.latestSchemaVersion, 'table.latestSchemaVersion');
}

export function readTableInfo(reader: MsgPackReader): TableInfo {
  const tableId = reader.readInt32('table.tableId');
  const name = reader.readString('table.name');
  const latestSchemaVersion = reader.readInt32('table.latestSchemaVersion');
  return { tableId, name, latestSchemaVersion };
}

export function writeTableDefinition(writer: MsgPackWriter, definition: TableDefinition): void {
  writer.writeString(definition.name);
  writer.writeInt32(definition.columns.length);
  for (const column of definition.columns) writeColumnDef(writer, column);
  writeStringList(writer, definition.primaryKey);
  if (definition.colocateBy === undefined) writer.writeNil();
  else writeStringList(writer, definition.colocateBy);
  writeOptionalInt32(writer, definition.partitions, 'definition.partitions');
  writeOptionalInt32(writer, definition.replicas, 'definition.replicas');
}

export function readTableDefinition(reader: MsgPackReader): TableDefinition {
  const name = reader.readString('definition.name');
  const columnCount = reader.readCount('definition.columns', 6);
  const columns: ColumnDef[] = [];
  for (let i = 0; i < columnCount; i++) columns.push(readColumnDef(reader));
  const primaryKey = readStringList(reader, 'definition.primaryKey');
  const colocateBy = reader.tryReadNil() ? undefined : readStringList(reader, 'definition.colocateBy');
  const partitions = readOptionalInt32(reader, 'definition.partitions');
  const replicas = readOptionalInt32(reader, 'definition.replicas');
  return {
    name,
    columns,
    primaryKey,
    ...(colocateBy === undefined ? {} : { colocateBy }),
    ...(partitions === undefined ? {} : { partitions }),
    ...(replicas === undefined ? {} : { replicas }),
  };
}

function writeOptionalInt32(writer: MsgPackWriter, value: number | undefined, field: string): void {
  if (value === undefined) writer.writeNil();
  else writer.writeInt32(value, field);
}

function readOptionalInt32(reader: MsgPackReader, field: string): number | undefined {
  return reader.tryReadNil() ? undefined : reader.readInt32(field);
}

function writeInt32List(writer: MsgPackWriter, values: readonly number[], field: string): void {
  writer.writeInt32(values.length);
  for (const value of values) writer.writeInt32(value, field);
}

function readColumnIndexes(reader: MsgPackReader, field: string, columnCount: number): number[] {
  const count = reader.readCount(field);
  const indexes: number[] = [];
  for (let i = 0; i < count; i++) {
    const at = reader.offset;
    const index = reader.readInt32(field);
    if (index < 0 || index >= columnCount) {
      throw reader.error(
        `${field}: column index ${index} at offset ${at} is not one of the ${columnCount} columns`,
      );
    }
    indexes.push(index);
  }
  return indexes;
}

/** Writes `count: int, str*`. */
export function writeStringList(writer: MsgPackWriter, values: readonly string[]): void {
  writer.writeInt32(values.length);
  for (const value of values) writer.writeString(value);
}

/** Reads `count: int, str*`. */
export function readStringList(reader: MsgPackReader, field: string): string[] {
  const count = reader.readCount(field);
  const values: string[] = [];
  for (let i = 0; i < count; i++) values.push(reader.readString(field));
  return values;
}
