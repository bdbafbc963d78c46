/**
 * Tables by name: the table's id and the latest schema version the cluster reported, looked up once and
 * kept. An unknown name is not remembered (the table may be created a moment later), so asking again asks
 * the cluster again. It does not hold schemas (the schema cache does).
 */
import type { TableInfo } from '@datastreamer/protocol';
import type { Requester } from '../connection/requester.js';

/** The client's table cache. */
export class TableCache {
  readonly #requester: Requester;
  readonly #byName = new Map<string, TableInfo>();
  readonly #loading = new Map<string, Promise<TableInfo | null>>();

  constructor(requester: Requester) {
    this.#requester = requester;
  }

  /** The cached table, without asking the cluster. */
  cached(name: string): TableInfo | undefined {
    return this.#byName.get(name);
  }

  /**
   * The table named `name`, or `null` when the cluster has none (table names are case-sensitive).
   * @throws connection errors as requests do.
   */
  get(name: string): Promise<TableInfo | null> {
    const cached = this.#byName.get(name);
    if (cached !== undefined) return Promise.resolve(cached);
    const inFlight = this.#loading.get(name);
    if (inFlight !== undefined) return inFlight;
    const loading = this.#load(name).finally(() => {
      this.#loading.delete(name);
    });
    this.#loading.set(name, loading);
    return loading;
  }

  /** The id of some table looked up or created through this cache (the first), if any. */
  anyTableId(): number | undefined {
    for (const table of this.#byName.values()) return table.tableId;
    return undefined;
  }

  /** Records a table the cluster described (e.g. just created). */
  put(table: TableInfo): void {
    this.#byName.set(table.name, table);
  }

  /** Forgets a table (it was not found where the cache said it was). */
  forget(name: string): void {
    this.#byName.delete(name);
  }

  async #load(name: string): Promise<TableInfo | null> {
    const reply = await this.#requester.request('TABLE_GET', { name });
    const table = reply.result;
    if (table !== null) this.#byName.set(table.name, table);
    return table;
  }
}
