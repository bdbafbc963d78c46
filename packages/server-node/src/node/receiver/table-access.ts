/**
 * The row plumbing under a receiver's table views: plain row and key objects to tuples with their partition
 * (through the protocol's partition-aware codec, `VersionedSchema`, against the table's latest schema), and
 * back from stored rows (upgraded to the latest schema).
 *
 * - Without a transaction, each call is one request of the node's own tuple ops (TUPLE_GET_ALL,
 *   TUPLE_UPSERT_ALL, TUPLE_DELETE_ALL) handled as if a client had sent it here: partitions this node owns
 *   are served in one local transaction, the others are sent on to their owners (so, as for a client, a
 *   multi-row write spanning nodes is atomic per node, not across nodes).
 * - With a transaction, every key goes through the `ReceiverTransaction`: keys of this node's partitions are
 *   read and written in place, the others are grouped per partition and sent to their owners, one request
 *   per partition and call, in partition order of first appearance. A transactional receiver's calls without
 *   a transaction of their own join the batch's transaction (the ambient one).
 *
 * Bad rows fail with the protocol's `InvalidValueError` naming the column, before anything is written.
 */
import type { TableSchema } from '@datastreamer/protocol';
import type { PartitionKey, PartitionRow, RowResult } from '@datastreamer/protocol/internal';
import { VersionedSchema } from '@datastreamer/protocol/internal';
import { ServerError } from '../../errors/server-error.js';
import { keyToString } from '../../storage/key-string.js';
import type { NodeContext, RequestContext } from '../node-context.js';
import { latestSchema } from '../request-checks.js';
import { tupleDeleteAll, tupleGetAll, tupleUpsertAll } from '../tuple-handlers.js';
import { checkAlive, ReceiverTransaction } from './receiver-transaction.js';

/** A decoded row: every column by name. */
export type PlainRow = Record<string, unknown>;

// Schemas are immutable per version, so a codec can be shared by every receiver call of the process. The
// codec is not reentrant, but every use below is synchronous from encode to the read of its scratch.
const codecs = new WeakMap<TableSchema, VersionedSchema>();

function codecOf(schema: TableSchema): VersionedSchema {
  let entry = codecs.get(schema);
  if (entry === undefined) {
    entry = new VersionedSchema(schema);
    codecs.set(schema, entry);
  }
  return entry;
}

/** The embedded API negotiated nothing: it reads no feature-dependent result. */
const NO_FEATURES = new Uint8Array(0);

/** The tuple ops' view of the embedded API: a client of this very node (so other owners get the request). */
function localClientContext(node: NodeContext): RequestContext {
  return { peer: 'client', remote: node.name, features: NO_FEATURES, noteAssignmentVersion: () => undefined };
}

/** The keys of one call that go to one partition of another node, with their places in the call. */
interface RemoteGroup {
  readonly owner: string;
  readonly partition: number;
  readonly indexes: number[];
  readonly keys: Uint8Array[];
}

/** Groups a call's remote keys per partition (in order of first appearance). */
class RemoteGroups {
  readonly #byPartition = new Map<number, RemoteGroup>();

  add(owner: string, partition: number, index: number, key: Uint8Array): void {
    let group = this.#byPartition.get(partition);
    if (group === undefined) {
      group = { owner, partition, indexes: [], keys: [] };
      this.#byPartition.set(partition, group);
    }
    group.indexes.push(index);
    group.keys.push(key);
  }

  groups(): IterableIterator<RemoteGroup> {
    return this.#byPartition.values();
  }
}

/** Reads and writes rows of one table for a receiver running on `node`. */
export class TableAccess {
  readonly #node: NodeContext;
  readonly #epoch: number;
  readonly tableId: number;
  readonly tableName: string;
  /** The batch's transaction of a transactional receiver: calls without their own `tx` join it. */
  readonly #ambient: ReceiverTransaction | undefined;

  constructor(
    node: NodeContext,
    epoch: number,
    table: { readonly tableId: number; readonly tableName: string },
    ambient?: ReceiverTransaction,
  ) {
    this.#node = node;
    this.#epoch = epoch;
    this.#ambient = ambient;
    this.tableId = table.tableId;
    this.tableName = table.tableName;
  }

  /** The latest schema. @throws ServerError `TABLE_NOT_FOUND` when the table is gone. */
  schema(): TableSchema {
    return latestSchema(this.#node, this.tableId);
  }

  /**
   * The rows under `keys`, in order, `null` where there is none.
   * @throws InvalidValueError naming a key column that is missing or invalid; ServerError as the tuple ops or
   *   the transaction.
   */
  async get(keys: readonly object[], given: ReceiverTransaction | undefined): Promise<(PlainRow | null)[]> {
    const tx = given ?? this.#ambient;
    const schema = this.#begin(tx);
    const items = this.#encodeKeys(schema, keys);
    if (tx !== undefined) {
      const node = this.#node;
      const shape = node.shapes.of(schema);
      const checked: Uint8Array[] = new Array(items.length);
      const stored: (Uint8Array | null)[] = new Array<Uint8Array | null>(items.length).fill(null);
      for (let i = 0; i < items.length; i++) {
        node.ingest.key(shape, (items[i] as PartitionKey).key, i, 'request', false, checked);
      }
      const remote = new RemoteGroups();
      for (let i = 0; i < items.length; i++) {
        const partition = (items[i] as PartitionKey).partition;
        const where = tx.locate(schema, partition);
        if (typeof where === 'string') remote.add(where, partition, i, checked[i] as Uint8Array);
        else stored[i] = tx.readLocal(where, checked[i] as Uint8Array);
      }
      for (const group of remote.groups()) {
        const found = await tx.readRemote(schema, group.partition, group.owner, group.keys);
        for (let j = 0; j < found.length; j++) stored[group.indexes[j] as number] = found[j] ?? null;
      }
      return stored.map((row) =>
        row === null ? null : this.#decode(node.upgrade.toLatest(row, shape, (v) => this.#columnCount(v))),
      );
    }
    const request = {
      op: 'TUPLE_GET_ALL' as const,
      requestId: 0,
      tableId: this.tableId,
      schemaVersion: schema.version,
      keys: items,
    };
    const results = await tupleGetAll(this.#node, request, localClientContext(this.#node));
    return results.map((result) => (result === null ? null : this.#decode(result)));
  }

  /**
   * Inserts or replaces every row (one transaction per owning node, or within `tx`).
   * @throws InvalidValueError naming the column of the first bad row (nothing written); ServerError as
   *   {@link get}.
   */
  async upsert(rows: readonly object[], given: ReceiverTransaction | undefined): Promise<void> {
    const tx = given ?? this.#ambient;
    const schema = this.#begin(tx);
    const items = this.#encodeRows(schema, rows);
    if (tx !== undefined) {
      const node = this.#node;
      const shape = node.shapes.of(schema);
      const keys: Uint8Array[] = new Array(items.length);
      const stored: (Uint8Array | null)[] = new Array(items.length);
      // Every row is checked before the first write, so a bad row leaves the transaction untouched.
      for (let i = 0; i < items.length; i++) {
        const item = items[i] as PartitionRow;
        node.ingest.put(shape, item.noValueSet, item.row, i, 'request', keys, stored);
      }
      const remote = new RemoteGroups();
      for (let i = 0; i < items.length; i++) {
        const partition = (items[i] as PartitionRow).partition;
        const where = tx.locate(schema, partition);
        if (typeof where === 'string') remote.add(where, partition, i, keys[i] as Uint8Array);
        else tx.writeLocal(where, keys[i] as Uint8Array, stored[i] as Uint8Array);
      }
      for (const group of remote.groups()) {
        const rows = group.indexes.map((i) => stored[i] as Uint8Array);
        await tx.writeRemote(schema, group.partition, group.owner, group.keys, rows);
      }
      return;
    }
    if (items.length === 0) return;
    const request = {
      op: 'TUPLE_UPSERT_ALL' as const,
      requestId: 0,
      tableId: this.tableId,
      schemaVersion: schema.version,
      rows: items,
    };
    await tupleUpsertAll(this.#node, request, localClientContext(this.#node));
  }

  /**
   * Deletes the rows under `keys`; for each, whether there was one.
   * @throws as {@link get}.
   */
  async delete(keys: readonly object[], given: ReceiverTransaction | undefined): Promise<boolean[]> {
    const tx = given ?? this.#ambient;
    const schema = this.#begin(tx);
    const items = this.#encodeKeys(schema, keys);
    if (tx !== undefined) {
      const node = this.#node;
      const shape = node.shapes.of(schema);
      const checked: Uint8Array[] = new Array(items.length);
      for (let i = 0; i < items.length; i++) {
        node.ingest.key(shape, (items[i] as PartitionKey).key, i, 'request', false, checked);
      }
      const deleted: boolean[] = new Array<boolean>(items.length).fill(false);
      const remote = new RemoteGroups();
      for (let i = 0; i < items.length; i++) {
        const partition = (items[i] as PartitionKey).partition;
        const key = checked[i] as Uint8Array;
        const where = tx.locate(schema, partition);
        if (typeof where === 'string') {
          remote.add(where, partition, i, key);
          continue;
        }
        // A key named twice is deleted once: the second read sees this transaction's own delete.
        if (tx.readLocal(where, key) === null) continue;
        tx.writeLocal(where, key, null);
        deleted[i] = true;
      }
      for (const group of remote.groups()) {
        const found = await tx.readRemote(schema, group.partition, group.owner, group.keys);
        const seen = new Set<string>();
        const keys: Uint8Array[] = [];
        for (let j = 0; j < found.length; j++) {
          const key = group.keys[j] as Uint8Array;
          const mapKey = keyToString(key);
          // As locally: a key named twice is deleted once.
          if (found[j] === null || seen.has(mapKey)) continue;
          seen.add(mapKey);
          keys.push(key);
          deleted[group.indexes[j] as number] = true;
        }
        if (keys.length > 0) {
          await tx.writeRemote(
            schema,
            group.partition,
            group.owner,
            keys,
            keys.map(() => null),
          );
        }
      }
      return deleted;
    }
    if (items.length === 0) return [];
    const request = {
      op: 'TUPLE_DELETE_ALL' as const,
      requestId: 0,
      tableId: this.tableId,
      schemaVersion: schema.version,
      keys: items,
    };
    return tupleDeleteAll(this.#node, request, localClientContext(this.#node));
  }

  /** Checks the node is alive and `tx` is one of its transactions; returns the latest schema. */
  #begin(tx: ReceiverTransaction | undefined): TableSchema {
    checkAlive(this.#node, this.#epoch);
    if (tx !== undefined && !(tx instanceof ReceiverTransaction && tx.belongsTo(this.#node))) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `table "${this.tableName}": tx must be a transaction of runInTransaction on ${this.#node.name}`,
      );
    }
    return this.schema();
  }

  #encodeKeys(schema: TableSchema, keys: readonly object[]): PartitionKey[] {
    const entry = codecOf(schema);
    const items: PartitionKey[] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const key = entry.encodeKey(keys[i] as object);
      items[i] = { partition: entry.partition(), key };
    }
    return items;
  }

  #encodeRows(schema: TableSchema, rows: readonly object[]): PartitionRow[] {
    const entry = codecOf(schema);
    const items: PartitionRow[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const encoded = entry.encodeRow(rows[i] as object);
      items[i] = {
        partition: entry.partition(),
        noValueSet: encoded.noValueSet,
        row: encoded.tuple,
      };
    }
    return items;
  }

  #decode(result: RowResult): PlainRow {
    const schema = this.#node.controlPlane.catalog.schema(this.tableId, result.schemaVersion);
    if (schema === undefined) {
      throw new ServerError(
        'INTERNAL',
        `table "${this.tableName}" has no schema version ${result.schemaVersion} to read a row with`,
      );
    }
    return codecOf(schema).codec.decodeRow(result.row);
  }

  #columnCount(version: number): number | undefined {
    return this.#node.controlPlane.catalog.schema(this.tableId, version)?.columns.length;
  }
}
