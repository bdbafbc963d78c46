/**
 * The row operations both table views are built on: upsert, get and delete of one row or many, as plain
 * objects keyed by column name. For each call it:
 *
 * 1. encodes every row or key against the latest cached schema before anything is sent, so bad input fails
 *    with an error naming the column and nothing reaches the wire; a property the cached schema does not
 *    know makes it reload the latest schema once and encode again before giving up;
 * 2. computes the partition of each key and sends the request to the primary of the first one (a
 *    multi-row request goes whole to one node, which applies it as one operation; any open connection when
 *    that primary is down: the node forwards) with `requestPrimary` (partition-route.ts), which on
 *    `SCHEMA_VERSION_MISMATCH` has it encode the same input for the version the node expects and resends;
 * 3. decodes rows that come back with the version they were written with.
 *
 * It does not retry connection failures, timeouts or a failed assignment lookup (they reach the caller, with
 * `retryable` set) and does not know about key-value pairs (the key-value view maps them to rows first).
 */
import type { OpName, ResultMap } from '@datastreamer/protocol';
import type { PartitionKey, PartitionRow, RowResult, VersionedSchema } from '@datastreamer/protocol/internal';
import type { RequestPayload } from '../connection/node-connection.js';
import { ClientError } from '../errors/client-error.js';
import { requestPrimary } from './partition-route.js';
import { isUnknownColumnError } from './schema-errors.js';
import type { TableContext } from './table-context.js';

/** A row as the views hand it over and get it back. */
export type RowObject = Record<string, unknown>;

/** A request built from input encoded with one schema version. */
interface Encoded<K extends OpName> {
  readonly payload: RequestPayload<K>;
  /** The partition whose primary gets the request. */
  readonly partition: number;
}

type Encoder<K extends OpName> = (schema: VersionedSchema) => Encoded<K>;

/** Row operations on one table. */
export class TableRows {
  readonly #context: TableContext;
  readonly tableId: number;
  readonly tableName: string;

  constructor(context: TableContext, tableId: number, tableName: string) {
    this.#context = context;
    this.tableId = tableId;
    this.tableName = tableName;
  }

  /** The latest schema (cached, else loaded). */
  latestSchema(): Promise<VersionedSchema> {
    return this.#context.schemas.latest(this.tableId);
  }

  /**
   * Inserts or replaces each row (one request whatever the count; nothing is sent for none).
   * @throws InvalidValueError naming the column of the first bad row (nothing sent); `UnknownColumnError`
   *   when a property is not a column even after reloading the schema; errors of the node and connection.
   */
  async upsert(rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return;
    if (rows.length === 1) {
      const row = rows[0] as object;
      await this.#exchange<'TUPLE_UPSERT'>('TUPLE_UPSERT', (schema) => {
        const { tuple, noValueSet } = schema.encodeRow(row);
        const partition = schema.partition();
        return { payload: this.#target(schema, { partition, noValueSet, row: tuple }), partition };
      });
      return;
    }
    await this.#exchange<'TUPLE_UPSERT_ALL'>('TUPLE_UPSERT_ALL', (schema) => {
      const encoded: PartitionRow[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const { tuple, noValueSet } = schema.encodeRow(rows[i] as object);
        encoded[i] = { partition: schema.partition(), noValueSet, row: tuple };
      }
      return {
        payload: this.#target(schema, { rows: encoded }),
        partition: (encoded[0] as PartitionRow).partition,
      };
    });
  }

  /**
   * The rows with these keys (`null` where there is none), in key order, every column set.
   * @throws as {@link upsert}, for the keys.
   */
  async get(keys: readonly object[]): Promise<(RowObject | null)[]> {
    if (keys.length === 0) return [];
    if (keys.length === 1) {
      const key = keys[0] as object;
      const result = await this.#exchange<'TUPLE_GET'>('TUPLE_GET', (schema) => {
        const encoded = this.#encodeKey(schema, key);
        return { payload: this.#target(schema, encoded), partition: encoded.partition };
      });
      return [await this.#decode(result)];
    }
    const results = await this.#exchange<'TUPLE_GET_ALL'>('TUPLE_GET_ALL', (schema) => {
      const encoded = this.#encodeKeys(schema, keys);
      return {
        payload: this.#target(schema, { keys: encoded }),
        partition: (encoded[0] as PartitionKey).partition,
      };
    });
    this.#checkCount('TUPLE_GET_ALL', results.length, keys.length);
    const rows: (RowObject | null)[] = new Array(results.length);
    for (let i = 0; i < results.length; i++) rows[i] = await this.#decode(results[i] ?? null);
    return rows;
  }

  /**
   * Deletes the rows with these keys; for each, whether a row was there.
   * @throws as {@link upsert}, for the keys.
   */
  async delete(keys: readonly object[]): Promise<boolean[]> {
    if (keys.length === 0) return [];
    if (keys.length === 1) {
      const key = keys[0] as object;
      const deleted = await this.#exchange<'TUPLE_DELETE'>('TUPLE_DELETE', (schema) => {
        const encoded = this.#encodeKey(schema, key);
        return { payload: this.#target(schema, encoded), partition: encoded.partition };
      });
      return [deleted];
    }
    const deleted = await this.#exchange<'TUPLE_DELETE_ALL'>('TUPLE_DELETE_ALL', (schema) => {
      const encoded = this.#encodeKeys(schema, keys);
      return {
        payload: this.#target(schema, { keys: encoded }),
        partition: (encoded[0] as PartitionKey).partition,
      };
    });
    this.#checkCount('TUPLE_DELETE_ALL', deleted.length, keys.length);
    return [...deleted];
  }

  /** `tableId` and `schemaVersion`, then the op's own fields. */
  #target<P extends object>(
    schema: VersionedSchema,
    rest: P,
  ): P & { tableId: number; schemaVersion: number } {
    return { tableId: this.tableId, schemaVersion: schema.version, ...rest };
  }

  #encodeKey(schema: VersionedSchema, key: object): PartitionKey {
    const tuple = schema.encodeKey(key);
    return { partition: schema.partition(), key: tuple };
  }

  #encodeKeys(schema: VersionedSchema, keys: readonly object[]): PartitionKey[] {
    const encoded: PartitionKey[] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) encoded[i] = this.#encodeKey(schema, keys[i] as object);
    return encoded;
  }

  /** Encodes with the latest schema; on an unknown column, reloads the latest schema once and tries again. */
  async #encodeLatest<K extends OpName>(encode: Encoder<K>): Promise<Encoded<K>> {
    const schemas = this.#context.schemas;
    const schema = await schemas.latest(this.tableId);
    try {
      return encode(schema);
    } catch (error) {
      if (!isUnknownColumnError(error)) throw error;
      return encode(await schemas.reloadLatest(this.tableId));
    }
  }

  /** Sends what `encode` builds to the primary (partition-route.ts); re-encodes for the version a node asks for. */
  async #exchange<K extends OpName>(op: K, encode: Encoder<K>): Promise<ResultMap[K]> {
    let encoded = await this.#encodeLatest(encode);
    const { reply } = await requestPrimary(this.#context, {
      op,
      tableId: this.tableId,
      partition: encoded.partition,
      payload: () => encoded.payload,
      reencode: (schema) => {
        encoded = encode(schema);
      },
    });
    return reply.result;
  }

  async #decode(result: RowResult | null): Promise<RowObject | null> {
    if (result === null) return null;
    const schema = await this.#context.schemas.version(this.tableId, result.schemaVersion);
    return schema.codec.decodeRow(result.row);
  }

  #checkCount(op: string, got: number, expected: number): void {
    if (got !== expected) {
      throw new ClientError(
        'INTERNAL',
        `${op} on table "${this.tableName}": ${got} results for ${expected} keys`,
      );
    }
  }
}
