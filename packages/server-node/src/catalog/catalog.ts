/**
 * The catalog: every table's schema versions, shared by all nodes of a cluster (it is part of the control
 * plane). Creating a table validates the definition and yields schema version 1; adding a column yields the
 * next version. Every version stays readable, because rows written under an old version are upgraded when
 * read and batches written with one are answered with the expected version.
 *
 * It does not store rows, apply defaults to rows, or decide placement.
 */

import type { TableDefinition } from '@datastreamer/protocol';
import {
  COLUMN_TYPE_NAMES,
  type ColumnDef,
  isColumnType,
  normalizeValue,
  type TableSchema,
} from '@datastreamer/protocol';
import { TypeDefaults } from '@datastreamer/protocol/internal';
import { ServerError } from '../errors/server-error.js';

/** Partition counts above this are refused: a table is not meant to have more partitions than this. */
export const MAX_PARTITIONS = 65_535;

/** A table as the catalog holds it: every schema version, oldest first. */
interface TableEntry {
  readonly id: number;
  readonly name: string;
  readonly versions: TableSchema[];
}

export interface CatalogOptions {
  /** Partition count of a table whose definition does not say. Default 16. */
  readonly defaultPartitions?: number;
}

/** Something that wants to hear about catalog changes (nodes invalidating caches, the simulation's history). */
export type CatalogListener = (schema: TableSchema) => void;

export class Catalog {
  readonly #byId = new Map<number, TableEntry>();
  readonly #byName = new Map<string, TableEntry>();
  readonly #listeners = new Set<CatalogListener>();
  readonly #defaultPartitions: number;
  #nextId = 1;

  constructor(options: CatalogOptions = {}) {
    const partitions = options.defaultPartitions ?? 16;
    checkPartitions(partitions, 'defaultPartitions');
    this.#defaultPartitions = partitions;
  }

  /** The partition count of a table whose definition does not say. */
  get defaultPartitions(): number {
    return this.#defaultPartitions;
  }

  /** The id the next table created here gets. */
  get nextTableId(): number {
    return this.#nextId;
  }

  /**
   * Creates a table from a validated definition and returns its first schema version.
   * @throws ServerError `INVALID_SCHEMA` naming what is wrong, or `TABLE_ALREADY_EXISTS`.
   */
  createTable(definition: TableDefinition): TableSchema {
    const schema = this.draftTable(definition, this.#nextId);
    this.install(schema);
    return schema;
  }

  /**
   * The first schema version `definition` would make as table `tableId`, checked against this catalog but
   * not stored (a metastorage proposes it, and every node installs it once committed).
   * @throws ServerError `INVALID_SCHEMA` naming what is wrong, or `TABLE_ALREADY_EXISTS`.
   */
  draftTable(definition: TableDefinition, tableId: number): TableSchema {
    const name = checkName(definition.name, 'table name');
    if (this.#byName.has(name)) {
      throw new ServerError('TABLE_ALREADY_EXISTS', `table "${name}" already exists`);
    }
    if (!Array.isArray(definition.columns) || definition.columns.length === 0) {
      throw invalid(`table "${name}" needs at least one column`);
    }
    const columns = definition.columns.map((column) => checkColumn(name, column));
    const indexOf = new Map<string, number>();
    columns.forEach((column, index) => {
      if (indexOf.has(column.name))
        throw invalid(`table "${name}": column "${column.name}" is defined twice`);
      indexOf.set(column.name, index);
    });

    if (!Array.isArray(definition.primaryKey) || definition.primaryKey.length === 0) {
      throw invalid(`table "${name}" needs a primary key of at least one column`);
    }
    const keyColumns = resolveNames(name, 'primary key', definition.primaryKey, indexOf);
    for (const index of keyColumns) {
      const column = columns[index] as ColumnDef;
      if (column.nullable === true) {
        throw invalid(`table "${name}": key column "${column.name}" cannot be nullable`);
      }
    }
    const colocationColumns =
      definition.colocateBy === undefined
        ? keyColumns
        : resolveNames(name, 'colocateBy', definition.colocateBy, indexOf);
    if (colocationColumns.length === 0) throw invalid(`table "${name}": colocateBy names no column`);
    for (const index of colocationColumns) {
      if (!keyColumns.includes(index)) {
        throw invalid(
          `table "${name}": colocation column "${(columns[index] as ColumnDef).name}" is not a primary key column (colocateBy must be a subset of primaryKey)`,
        );
      }
    }
    const partitions = definition.partitions ?? this.#defaultPartitions;
    checkPartitions(partitions, `table "${name}": partitions`);

    return { tableId, tableName: name, version: 1, columns, keyColumns, colocationColumns, partitions };
  }

  /**
   * Adds a column (nullable, or with a default) and returns the new schema version.
   * @throws ServerError `TABLE_NOT_FOUND`, `COLUMN_ALREADY_EXISTS`, or `INVALID_SCHEMA` naming what is wrong.
   */
  addColumn(tableName: string, column: ColumnDef): TableSchema {
    const schema = this.draftColumn(tableName, column);
    this.install(schema);
    return schema;
  }

  /**
   * The schema version adding `column` would make, checked against this catalog but not stored.
   * @throws ServerError as `addColumn`.
   */
  draftColumn(tableName: string, column: ColumnDef): TableSchema {
    const entry = this.#byName.get(tableName);
    if (entry === undefined) throw new ServerError('TABLE_NOT_FOUND', `table "${tableName}" does not exist`);
    const latest = entry.versions[entry.versions.length - 1] as TableSchema;
    const checked = checkColumn(tableName, column);
    if (latest.columns.some((c) => c.name === checked.name)) {
      throw new ServerError(
        'COLUMN_ALREADY_EXISTS',
        `table "${tableName}" already has a column "${checked.name}"`,
      );
    }
    if (checked.nullable !== true && checked.default === undefined) {
      throw invalid(
        `table "${tableName}": added column "${checked.name}" must be nullable or have a default (rows already stored have no value for it)`,
      );
    }
    return { ...latest, version: latest.version + 1, columns: [...latest.columns, checked] };
  }

  /**
   * Stores a schema version made by `draftTable` or `draftColumn` (here or on another node), in version
   * order: a new table's version 1, or the version after a table's latest. A version it holds already is
   * ignored (a node learns each change once, but may be told twice).
   * @returns whether the catalog changed.
   * @throws ServerError `INVALID_SCHEMA` for a version out of order, or a new table whose id or name is taken.
   */
  install(schema: TableSchema): boolean {
    const entry = this.#byId.get(schema.tableId);
    if (entry === undefined) {
      if (schema.version !== 1 || this.#byName.has(schema.tableName)) {
        throw invalid(
          `cannot install version ${schema.version} of new table ${schema.tableId} "${schema.tableName}": ` +
            'a table starts at version 1 under a free name',
        );
      }
      const created: TableEntry = { id: schema.tableId, name: schema.tableName, versions: [schema] };
      this.#byId.set(created.id, created);
      this.#byName.set(created.name, created);
      this.#nextId = Math.max(this.#nextId, schema.tableId + 1);
      this.#emit(schema);
      return true;
    }
    const latest = entry.versions.length;
    if (schema.version <= latest) return false;
    if (schema.version !== latest + 1 || schema.tableName !== entry.name) {
      throw invalid(
        `cannot install version ${schema.version} of table "${schema.tableName}": its latest is ${latest}`,
      );
    }
    entry.versions.push(schema);
    this.#emit(schema);
    return true;
  }

  /** The latest schema of a table, by name or id; `undefined` when there is no such table. */
  latest(table: string | number): TableSchema | undefined {
    const entry = typeof table === 'number' ? this.#byId.get(table) : this.#byName.get(table);
    return entry?.versions[entry.versions.length - 1];
  }

  /** One schema version of a table; `undefined` when the table or the version does not exist. */
  schema(tableId: number, version: number): TableSchema | undefined {
    return this.#byId.get(tableId)?.versions[version - 1];
  }

  /** Every schema version of a table, oldest first (empty for an unknown table). */
  versions(tableId: number): readonly TableSchema[] {
    return this.#byId.get(tableId)?.versions ?? [];
  }

  /** The latest schema of every table, in creation order. */
  tables(): TableSchema[] {
    return [...this.#byId.values()].map((entry) => entry.versions[entry.versions.length - 1] as TableSchema);
  }

  /** Calls `listener` with every new schema version; returns the function that stops it. */
  subscribe(listener: CatalogListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(schema: TableSchema): void {
    for (const listener of this.#listeners) listener(schema);
  }
}

function invalid(message: string): ServerError {
  return new ServerError('INVALID_SCHEMA', message);
}

function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw invalid(`${what} must be a non-empty string, got ${describe(name)}`);
  }
  return name;
}

function checkPartitions(partitions: unknown, what: string): void {
  if (
    typeof partitions !== 'number' ||
    !Number.isInteger(partitions) ||
    partitions <= 0 ||
    partitions > MAX_PARTITIONS
  ) {
    throw invalid(`${what} must be an integer in 1..${MAX_PARTITIONS}, got ${describe(partitions)}`);
  }
}

function checkColumn(table: string, column: ColumnDef): ColumnDef {
  if (typeof column !== 'object' || column === null) {
    throw invalid(`table "${table}": a column definition must be an object, got ${describe(column)}`);
  }
  const name = checkName(column.name, `table "${table}": column name`);
  const where = `table "${table}", column "${name}"`;
  if (!isColumnType(column.type)) {
    throw invalid(`${where}: unknown type ${describe(column.type)} (known: ${COLUMN_TYPE_NAMES.join(', ')})`);
  }
  if (column.nullable !== undefined && typeof column.nullable !== 'boolean') {
    throw invalid(`${where}: nullable must be a boolean, got ${describe(column.nullable)}`);
  }
  const out: { -readonly [K in keyof ColumnDef]: ColumnDef[K] } = { name, type: column.type };
  if (column.nullable === true) out.nullable = true;
  switch (column.type) {
    case 'DECIMAL': {
      const precision = checkRange(where, 'precision', column.precision, 1, TypeDefaults.maxDecimalPrecision);
      const scale = checkRange(where, 'scale', column.scale, 0, TypeDefaults.maxDecimalPrecision);
      if (precision !== undefined) out.precision = precision;
      if (scale !== undefined) out.scale = scale;
      if ((scale ?? TypeDefaults.decimalScale) > (precision ?? TypeDefaults.decimalPrecision)) {
        throw invalid(`${where}: scale ${scale} is larger than precision ${precision}`);
      }
      break;
    }
    case 'TIME':
    case 'DATETIME':
    case 'TIMESTAMP': {
      if (column.scale !== undefined) throw invalid(`${where}: ${column.type} has no scale`);
      const precision = checkRange(
        where,
        'precision',
        column.precision,
        0,
        TypeDefaults.maxTemporalPrecision,
      );
      if (precision !== undefined) out.precision = precision;
      break;
    }
    default:
      if (column.precision !== undefined) throw invalid(`${where}: ${column.type} has no precision`);
      if (column.scale !== undefined) throw invalid(`${where}: ${column.type} has no scale`);
  }
  if (column.default !== undefined) {
    if (column.default === null) {
      if (out.nullable !== true) throw invalid(`${where}: default null needs a nullable column`);
    } else {
      try {
        normalizeValue(out, column.default);
      } catch (cause) {
        throw new ServerError(
          'INVALID_SCHEMA',
          `${where}: default ${describe(column.default)} does not fit the column: ${(cause as Error).message}`,
          { cause },
        );
      }
    }
    out.default = column.default;
  }
  return out;
}

function checkRange(
  where: string,
  what: string,
  value: unknown,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${where}: ${what} must be an integer in ${min}..${max}, got ${describe(value)}`);
  }
  return value;
}

function resolveNames(
  table: string,
  what: string,
  names: readonly string[],
  indexOf: ReadonlyMap<string, number>,
): number[] {
  if (!Array.isArray(names)) throw invalid(`table "${table}": ${what} must be an array of column names`);
  const seen = new Set<string>();
  return names.map((name) => {
    const index = indexOf.get(name);
    if (index === undefined)
      throw invalid(`table "${table}": ${what} names unknown column ${describe(name)}`);
    if (seen.has(name)) throw invalid(`table "${table}": ${what} names column "${name}" twice`);
    seen.add(name);
    return index;
  });
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || value === undefined || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}
