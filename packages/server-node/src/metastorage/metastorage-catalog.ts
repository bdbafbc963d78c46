/**
 * The catalog kept in the metastorage, and a node's copy of it. Keys:
 *
 * | key | value |
 * |---|---|
 * | `catalog/next-table-id` | the id the next table gets (a MessagePack int) |
 * | `catalog/name/<name>` | the table's id |
 * | `catalog/table/<id>/<version>` | one schema version and the table's replica count |
 *
 * (ids and versions zero-padded to 10 digits, so key order is numeric order). A change is drafted against
 * the node's copy (the catalog's own checks: a bad definition is refused before anything is proposed) and
 * proposed as a transaction that holds only if nobody changed the same table meanwhile: a new table compares
 * `next-table-id` and its name (absent), a new version compares the key of that version (absent). When the
 * compare fails, the node waits until its copy holds the revision that beat it and drafts again (now perhaps
 * refused, `TABLE_ALREADY_EXISTS`). Every node installs the versions it learns into its copy in revision order,
 * so catalog changes apply on each node by version.
 *
 * It decides no placement: `placeTable` adds the keys of a new table's first assignment to the transaction that
 * creates it (so a node that learns of the table learns where it is in the same revision), and `onSchema`
 * tells whoever places tables of each new one.
 */
import {
  type ColumnDef,
  type Logger,
  MsgPackReader,
  MsgPackWriter,
  type TableDefinition,
  type TableSchema,
} from '@datastreamer/protocol';
import { readTableSchema, writeTableSchema } from '@datastreamer/protocol/internal';
import { Catalog } from '../catalog/catalog.js';
import { ServerError } from '../errors/server-error.js';
import type { MetaCompare, MetaEvent, MetaPut } from './meta-command.js';
import type { NodeMetastorage } from './node-metastorage.js';

const NEXT_ID_KEY = 'catalog/next-table-id';
const NAME_PREFIX = 'catalog/name/';
const TABLE_PREFIX = 'catalog/table/';
/** Drafts after a lost compare, before giving up (each after the copy caught up with the winner). */
const MAX_DRAFTS = 16;

const pad = (n: number) => String(n).padStart(10, '0');
const tableKey = (tableId: number, version: number) => `${TABLE_PREFIX}${pad(tableId)}/${pad(version)}`;

/** A schema version as the metastorage holds it, with its table's replica count. */
export interface StoredSchema {
  readonly schema: TableSchema;
  readonly replicas: number;
}

export function encodeStoredSchema(stored: StoredSchema): Uint8Array {
  const writer = new MsgPackWriter();
  writer.writeInt32(stored.replicas, 'replicas');
  writeTableSchema(writer, stored.schema);
  return writer.toBytes();
}

/** @throws ServerError `INTERNAL` for bytes that are not a stored schema (a metastorage bug). */
export function decodeStoredSchema(bytes: Uint8Array): StoredSchema {
  try {
    const reader = new MsgPackReader(bytes);
    const replicas = reader.readInt32('replicas');
    const schema = readTableSchema(reader);
    reader.expectEnd('stored schema');
    return { schema, replicas };
  } catch (cause) {
    throw new ServerError(
      'INTERNAL',
      `a catalog entry of the metastorage does not decode: ${String(cause)}`,
      {
        cause,
      },
    );
  }
}

function intBytes(value: number): Uint8Array {
  const writer = new MsgPackWriter();
  writer.writeInt(value);
  return writer.toBytes();
}

export interface MetastorageCatalogOptions {
  readonly metastorage: NodeMetastorage;
  /** Partition count of a table whose definition does not say (the same on every node). */
  readonly defaultPartitions: number;
  /** Told of every schema version the copy installs, with its table's replica count, in order. */
  readonly onSchema?: (stored: StoredSchema) => void;
  /** The keys a new table's placement adds to the transaction that creates it. Default: none. */
  readonly placeTable?: (schema: TableSchema, replicas: number) => MetaPut[];
  readonly log: Logger;
}

export class MetastorageCatalog {
  /** The node's copy: what it learned from the metastorage. */
  readonly catalog: Catalog;
  readonly #metastorage: NodeMetastorage;
  readonly #onSchema: (stored: StoredSchema) => void;
  readonly #placeTable: (schema: TableSchema, replicas: number) => MetaPut[];
  readonly #log: Logger;

  constructor(options: MetastorageCatalogOptions) {
    this.catalog = new Catalog({ defaultPartitions: options.defaultPartitions });
    this.#metastorage = options.metastorage;
    this.#onSchema = options.onSchema ?? (() => {});
    this.#placeTable = options.placeTable ?? (() => []);
    this.#log = options.log;
    const view = options.metastorage.view;
    for (const entry of view.range(TABLE_PREFIX)) {
      this.#learn({ revision: entry.modRevision, key: entry.key, value: entry.value });
    }
    view.subscribe((event) => this.#learn(event));
  }

  /**
   * Creates a table through the metastorage; resolves with its first schema version once committed.
   * @param replicas the table's replica count, checked by the caller.
   * @throws ServerError as `Catalog.createTable`; `NO_QUORUM` (retryable) when the metastorage took no change.
   */
  createTable(definition: TableDefinition, replicas: number): Promise<TableSchema> {
    return this.#change(() => {
      const view = this.#metastorage.view;
      const schema = this.catalog.draftTable(definition, this.catalog.nextTableId);
      const compares: MetaCompare[] = [
        { key: NEXT_ID_KEY, modRevision: view.modRevision(NEXT_ID_KEY) },
        { key: NAME_PREFIX + schema.tableName, modRevision: 0 },
      ];
      const puts: MetaPut[] = [
        { key: NEXT_ID_KEY, value: intBytes(schema.tableId + 1) },
        { key: NAME_PREFIX + schema.tableName, value: intBytes(schema.tableId) },
        { key: tableKey(schema.tableId, 1), value: encodeStoredSchema({ schema, replicas }) },
        ...this.#placeTable(schema, replicas),
      ];
      return { schema, compares, puts };
    });
  }

  /**
   * Adds a column through the metastorage; resolves with the new schema version once committed.
   * @throws ServerError as `Catalog.addColumn`; `NO_QUORUM` (retryable) when the metastorage took no change.
   */
  addColumn(tableName: string, column: ColumnDef): Promise<TableSchema> {
    return this.#change(() => {
      const schema = this.catalog.draftColumn(tableName, column);
      const key = tableKey(schema.tableId, schema.version);
      const first = this.#metastorage.view.get(tableKey(schema.tableId, 1));
      const replicas = first === undefined ? 1 : decodeStoredSchema(first.value).replicas;
      return {
        schema,
        compares: [{ key, modRevision: 0 }],
        puts: [{ key, value: encodeStoredSchema({ schema, replicas }) }],
      };
    });
  }

  async #change(
    draft: () => { schema: TableSchema; compares: MetaCompare[]; puts: MetaPut[] },
  ): Promise<TableSchema> {
    for (let attempt = 1; ; attempt++) {
      const { schema, compares, puts } = draft();
      const result = await this.#metastorage.propose({ compares, puts, deletes: [] });
      if (result.succeeded) return schema;
      if (attempt >= MAX_DRAFTS) {
        throw new ServerError(
          'NO_QUORUM',
          `the catalog change to table "${schema.tableName}" lost to concurrent changes ${attempt} times; retry`,
        );
      }
      // Someone else changed the table first: catch up with them, then draft again.
      await this.#metastorage.view.reached(result.revision);
    }
  }

  #learn(event: MetaEvent): void {
    if (!event.key.startsWith(TABLE_PREFIX) || event.value === null) return;
    try {
      const stored = decodeStoredSchema(event.value);
      if (this.catalog.install(stored.schema)) this.#onSchema(stored);
    } catch (error) {
      // Never expected (versions commit in order); the copy must not stop learning the rest over it.
      this.#log.error(
        { key: event.key, revision: event.revision, err: error },
        'a catalog change did not install',
      );
    }
  }
}
