/**
 * Schemas by table and version, loaded from the cluster on first use and kept: a schema version never
 * changes once created, so a cached version is never stale. Only "which version is the latest" goes stale;
 * it is reloaded when the cluster says so (a `SCHEMA_VERSION_MISMATCH` names the version it expects, a row
 * with a column the cached schema does not know makes the caller reload the latest once).
 *
 * Concurrent loads of the same thing share one request. It does not decide when to reload (the views and
 * the streamer sink do) and does not encode rows (`VersionedSchema` does).
 */
import { type Buggify, neverBuggify, type TableSchema } from '@datastreamer/protocol';
import { VersionedSchema } from '@datastreamer/protocol/internal';
import type { Requester } from '../connection/requester.js';
import { ClientError } from '../errors/client-error.js';

class TableSchemas {
  readonly versions = new Map<number, VersionedSchema>();
  latest: VersionedSchema | undefined;
  loadingLatest: Promise<VersionedSchema> | undefined;
  readonly loading = new Map<number, Promise<VersionedSchema>>();
}

/** The client's schema cache. */
export class SchemaCache {
  readonly #requester: Requester;
  readonly #tables = new Map<number, TableSchemas>();

  readonly #buggify: Buggify;

  /** @param buggify fault points (simulation only): `client.schema-reload` turns a hit of `latest` into a load. */
  constructor(requester: Requester, buggify: Buggify = neverBuggify) {
    this.#requester = requester;
    this.#buggify = buggify;
  }

  /** The latest version known, without asking the cluster. */
  cachedLatest(tableId: number): VersionedSchema | undefined {
    return this.#tables.get(tableId)?.latest;
  }

  /**
   * The latest version: the cached one, or loaded from the cluster the first time.
   * @throws ProtocolError `TABLE_NOT_FOUND` when the table was dropped; connection errors as requests do.
   */
  latest(tableId: number): Promise<VersionedSchema> {
    const cached = this.#tables.get(tableId)?.latest;
    return cached === undefined || this.#buggify('client.schema-reload')
      ? this.reloadLatest(tableId)
      : Promise.resolve(cached);
  }

  /**
   * Asks the cluster for the latest version now (a load already under way is shared, not repeated).
   * @throws as {@link latest}.
   */
  reloadLatest(tableId: number): Promise<VersionedSchema> {
    const table = this.#table(tableId);
    if (table.loadingLatest !== undefined) return table.loadingLatest;
    const loading = this.#load(tableId, null).finally(() => {
      table.loadingLatest = undefined;
    });
    table.loadingLatest = loading;
    return loading;
  }

  /**
   * Version `version` of the table: cached, or loaded (versions never change, so it is kept for good).
   * @throws ClientError `INTERNAL` when the node answers without that version; as {@link latest} otherwise.
   */
  version(tableId: number, version: number): Promise<VersionedSchema> {
    const table = this.#table(tableId);
    const cached = table.versions.get(version);
    if (cached !== undefined) return Promise.resolve(cached);
    const inFlight = table.loading.get(version);
    if (inFlight !== undefined) return inFlight;
    const loading = this.#load(tableId, version).finally(() => {
      table.loading.delete(version);
    });
    table.loading.set(version, loading);
    return loading;
  }

  /**
   * Adds a schema the cluster sent (a new table's first version, a version made by adding a column).
   * @throws ProtocolError `INVALID_SCHEMA` when the schema is inconsistent.
   */
  add(schema: TableSchema): VersionedSchema {
    const table = this.#table(schema.tableId);
    const existing = table.versions.get(schema.version);
    const entry = existing ?? new VersionedSchema(schema);
    table.versions.set(schema.version, entry);
    if (table.latest === undefined || table.latest.version < entry.version) table.latest = entry;
    return entry;
  }

  /** Drops what is known of a table (it was dropped or recreated). */
  forget(tableId: number): void {
    this.#tables.delete(tableId);
  }

  #table(tableId: number): TableSchemas {
    let table = this.#tables.get(tableId);
    if (table === undefined) {
      table = new TableSchemas();
      this.#tables.set(tableId, table);
    }
    return table;
  }

  async #load(tableId: number, version: number | null): Promise<VersionedSchema> {
    const reply = await this.#requester.request('SCHEMAS_GET', {
      tableId,
      versions: version === null ? null : [version],
    });
    let wanted: VersionedSchema | undefined;
    for (const schema of reply.result) {
      if (schema.tableId !== tableId) continue;
      const entry = this.add(schema);
      if (
        version === null ? wanted === undefined || entry.version > wanted.version : entry.version === version
      ) {
        wanted = entry;
      }
    }
    if (wanted === undefined) {
      const what = version === null ? 'its latest schema' : `schema version ${version}`;
      throw new ClientError(
        'INTERNAL',
        `${reply.node} answered SCHEMAS_GET of table ${tableId} without ${what}`,
      );
    }
    return wanted;
  }
}
