/**
 * The table views a receiver gets through `ctx.ignite.tables`: the same shape as the client's (a record view
 * of plain row objects, a key-value view of key and value objects), with an optional transaction as the last
 * argument of every method. Rows are checked against the table's latest schema (errors name the column);
 * the plumbing is in table-access.ts.
 */
import { InvalidValueError, ProtocolError, type TableSchema } from '@datastreamer/protocol';
import { ServerError } from '../../errors/server-error.js';
import type { NodeContext } from '../node-context.js';
import { checkAlive, type ReceiverTransaction } from './receiver-transaction.js';
import { type PlainRow, TableAccess } from './table-access.js';

/** `ctx.ignite.tables`. */
export class EmbeddedTables {
  readonly #node: NodeContext;
  readonly #epoch: number;
  readonly #ambient: ReceiverTransaction | undefined;

  /**
   * @internal Made per receiver call.
   * @param ambient a transactional receiver's batch transaction: view calls without a `tx` join it.
   */
  constructor(node: NodeContext, epoch: number, ambient?: ReceiverTransaction) {
    this.#node = node;
    this.#epoch = epoch;
    this.#ambient = ambient;
  }

  /**
   * The table named `name` (case-sensitive), or `null` when there is none.
   * @throws ServerError `INVALID_ARGUMENT` when `name` is not a non-empty string; `NODE_UNAVAILABLE` after a
   *   crash of the node.
   */
  async table(name: string): Promise<EmbeddedTable | null> {
    if (typeof name !== 'string' || name.length === 0) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `tables.table: name must be a non-empty string, got ${String(name)}`,
      );
    }
    checkAlive(this.#node, this.#epoch);
    const schema = this.#node.controlPlane.catalog.latest(name);
    return schema === undefined
      ? null
      : new EmbeddedTable(new TableAccess(this.#node, this.#epoch, schema, this.#ambient));
  }
}

/** One table, as a receiver sees it. */
export class EmbeddedTable {
  readonly #access: TableAccess;

  /** @internal */
  constructor(access: TableAccess) {
    this.#access = access;
  }

  get name(): string {
    return this.#access.tableName;
  }

  recordView<Row extends object = PlainRow>(): EmbeddedRecordView<Row> {
    return new EmbeddedRecordView<Row>(this.#access);
  }

  keyValueView<K extends object = PlainRow, V extends object = PlainRow>(): EmbeddedKeyValueView<K, V> {
    return new EmbeddedKeyValueView<K, V>(this.#access);
  }
}

/**
 * Rows as plain objects keyed by column name. Every method takes an optional `tx` from
 * `runInTransaction`; without one, each call is its own transaction (per owning node), or, in a
 * transactional receiver (`receiverTransaction: 'batch'`), part of the batch's transaction.
 */
export class EmbeddedRecordView<Row extends object = PlainRow> {
  readonly #access: TableAccess;

  /** @internal */
  constructor(access: TableAccess) {
    this.#access = access;
  }

  /**
   * The row whose key columns equal `key`'s, or `null`.
   * @throws InvalidValueError naming a missing or invalid key column; ServerError from the node or `tx`.
   */
  async get(key: Partial<Row>, tx?: ReceiverTransaction): Promise<Row | null> {
    const [row] = await this.#access.get([key], tx);
    return (row ?? null) as Row | null;
  }

  /** The rows under `keys`, in order, `null` where there is none. @throws as {@link get}. */
  async getAll(keys: readonly Partial<Row>[], tx?: ReceiverTransaction): Promise<(Row | null)[]> {
    return (await this.#access.get(checkList('getAll', 'keys', keys), tx)) as (Row | null)[];
  }

  /**
   * Inserts `row` or replaces the row with its key; columns left out get their default.
   * @throws InvalidValueError naming the column when the row does not fit; as {@link get}.
   */
  async upsert(row: Row, tx?: ReceiverTransaction): Promise<void> {
    await this.#access.upsert([row], tx);
  }

  /** Inserts or replaces every row. @throws as {@link upsert}, for the first bad row (nothing written). */
  async upsertAll(rows: readonly Row[], tx?: ReceiverTransaction): Promise<void> {
    await this.#access.upsert(checkList('upsertAll', 'rows', rows), tx);
  }

  /** Deletes the row under `key`; resolves whether there was one. @throws as {@link get}. */
  async delete(key: Partial<Row>, tx?: ReceiverTransaction): Promise<boolean> {
    const [deleted] = await this.#access.delete([key], tx);
    return deleted === true;
  }

  /** Deletes the rows under `keys`; for each, whether there was one. @throws as {@link get}. */
  async deleteAll(keys: readonly Partial<Row>[], tx?: ReceiverTransaction): Promise<boolean[]> {
    return this.#access.delete(checkList('deleteAll', 'keys', keys), tx);
  }
}

/**
 * Rows as key objects (the key columns) and value objects (the other columns). A column on the wrong side is
 * an error naming it, so a value can never overwrite a key column.
 */
export class EmbeddedKeyValueView<K extends object = PlainRow, V extends object = PlainRow> {
  readonly #access: TableAccess;

  /** @internal */
  constructor(access: TableAccess) {
    this.#access = access;
  }

  /** The value under `key`, or `null`. @throws InvalidValueError naming a bad column; as the record view. */
  async get(key: K, tx?: ReceiverTransaction): Promise<V | null> {
    const [value] = await this.getAll([key], tx);
    return value ?? null;
  }

  /** The values under `keys`, in order, `null` where there is none. @throws as {@link get}. */
  async getAll(keys: readonly K[], tx?: ReceiverTransaction): Promise<(V | null)[]> {
    const schema = this.#access.schema();
    for (const key of checkList('getAll', 'keys', keys)) checkKey(schema, key);
    const rows = await this.#access.get(keys, tx);
    return rows.map((row) => (row === null ? null : (valueColumnsOf(schema, row) as V)));
  }

  /** Stores `value` under `key`. @throws InvalidValueError naming the column; as {@link get}. */
  async upsert(key: K, value: V, tx?: ReceiverTransaction): Promise<void> {
    await this.upsertAll([[key, value]], tx);
  }

  /** Stores every `[key, value]` pair. @throws as {@link upsert}, for the first bad pair (nothing written). */
  async upsertAll(entries: readonly (readonly [K, V])[], tx?: ReceiverTransaction): Promise<void> {
    const schema = this.#access.schema();
    const rows = checkList('upsertAll', 'entries', entries).map((entry) => {
      if (!Array.isArray(entry) || entry.length !== 2) {
        throw new ProtocolError(
          'INVALID_ROW',
          `upsertAll: each entry of table "${schema.tableName}" must be a [key, value] pair`,
        );
      }
      return rowOf(schema, entry[0], entry[1]);
    });
    await this.#access.upsert(rows, tx);
  }

  /** Deletes the row under `key`; resolves whether there was one. @throws as {@link get}. */
  async delete(key: K, tx?: ReceiverTransaction): Promise<boolean> {
    const [deleted] = await this.deleteAll([key], tx);
    return deleted === true;
  }

  /** Deletes the rows under `keys`; for each, whether there was one. @throws as {@link get}. */
  async deleteAll(keys: readonly K[], tx?: ReceiverTransaction): Promise<boolean[]> {
    const schema = this.#access.schema();
    for (const key of checkList('deleteAll', 'keys', keys)) checkKey(schema, key);
    return this.#access.delete(keys, tx);
  }
}

function checkList<T>(method: string, what: string, list: readonly T[]): readonly T[] {
  if (!Array.isArray(list)) {
    throw new ServerError('INVALID_ARGUMENT', `${method}: ${what} must be an array, got ${typeof list}`);
  }
  return list;
}

function isKeyColumn(schema: TableSchema, name: string): boolean {
  return schema.keyColumns.some((i) => schema.columns[i]?.name === name);
}

function checkObject(schema: TableSchema, what: 'key' | 'value', value: unknown): asserts value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError(
      'INVALID_ROW',
      `the ${what} of a pair of table "${schema.tableName}" must be an object keyed by column name`,
    );
  }
}

function checkKey(schema: TableSchema, key: unknown): asserts key is object {
  checkObject(schema, 'key', key);
  for (const name of Object.keys(key)) {
    if (!isKeyColumn(schema, name) && schema.columns.some((c) => c.name === name)) {
      throw new InvalidValueError(
        name,
        `column "${name}" of table "${schema.tableName}" is not a key column: it belongs in the value`,
      );
    }
  }
}

function rowOf(schema: TableSchema, key: unknown, value: unknown): object {
  checkKey(schema, key);
  checkObject(schema, 'value', value);
  for (const name of Object.keys(value)) {
    if (isKeyColumn(schema, name)) {
      throw new InvalidValueError(
        name,
        `column "${name}" of table "${schema.tableName}" is a key column: it belongs in the key`,
      );
    }
  }
  // Spread defines own data properties, so even a `__proto__` column stays data.
  return { ...key, ...value };
}

function valueColumnsOf(schema: TableSchema, row: PlainRow): PlainRow {
  const value: PlainRow = {};
  for (const name of Object.keys(row)) {
    if (isKeyColumn(schema, name)) continue;
    Object.defineProperty(value, name, {
      value: row[name],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return value;
}
