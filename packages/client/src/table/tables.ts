/**
 * `client.tables`: finds tables by name. A table found once is remembered (its id never changes); a name
 * the cluster does not know gives `null`, and is asked again next time (it may be created meanwhile).
 */
import { ClientError } from '../errors/client-error.js';
import { Table } from './table.js';
import type { TableContext } from './table-context.js';

export class Tables {
  readonly #context: TableContext;

  /** @internal Made by the client. */
  constructor(context: TableContext) {
    this.#context = context;
  }

  /**
   * The table named `name` (case-sensitive), or `null` when there is none.
   * @throws ClientError `INVALID_ARGUMENT` when `name` is not a non-empty string; connection errors.
   */
  async table(name: string): Promise<Table | null> {
    if (typeof name !== 'string' || name.length === 0) {
      throw new ClientError(
        'INVALID_ARGUMENT',
        `tables.table: name must be a non-empty string, got ${String(name)}`,
      );
    }
    const info = await this.#context.tables.get(name);
    return info === null ? null : new Table(this.#context, info.tableId, info.name);
  }

  /**
   * Every table of the cluster.
   * @throws connection errors.
   */
  async tables(): Promise<Table[]> {
    const reply = await this.#context.pool.request('TABLES_GET', {});
    return reply.result.map((info) => {
      this.#context.tables.put(info);
      return new Table(this.#context, info.tableId, info.name);
    });
  }
}
