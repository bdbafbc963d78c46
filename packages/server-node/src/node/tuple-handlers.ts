/**
 * Handlers of the single- and multi-row table ops: TUPLE_GET, TUPLE_GET_ALL, TUPLE_UPSERT, TUPLE_UPSERT_ALL,
 * TUPLE_DELETE, TUPLE_DELETE_ALL.
 *
 * - Versions: writes need the latest schema version (else `SCHEMA_VERSION_MISMATCH` with the expected one);
 *   key-only requests accept any version the table has, since key columns never change.
 * - Ownership: each key's partition is routed like a batch. Items this node owns are served here; items of
 *   partitions other nodes own are sent on to their owners as the same op (a request from a client only: a
 *   node never sends a request on again, it answers `NOT_PRIMARY`), and results are merged in key order.
 * - Transactions: a single-row op is one implicit transaction on its partition; a multi-row op is one
 *   transaction over the partitions this node owns (atomic here, rows checked before anything is written),
 *   plus one request per other owner. Across nodes a multi-row write is not atomic: two-phase commit between
 *   nodes comes with receivers. On replicated partitions writes commit through the partitions' logs (and
 *   the answer waits for that), reads are served by the primary under its lease.
 * - Reads are committed reads at a fresh timestamp of the node's clock, upgraded to the latest schema (see
 *   rows/row-upgrade.ts).
 */
import type { RequestOf, TableSchema } from '@datastreamer/protocol';
import type { RowResult } from '@datastreamer/protocol/internal';
import { ServerError } from '../errors/server-error.js';
import type { PartitionReplica } from '../partitions/partition-table.js';
import type { RoutePurpose } from '../partitions/route.js';
import type { IngestBatch } from '../rows/ingest-batch.js';
import { checkKeyIn, checkKeysIn } from '../rows/key-ownership.js';
import type { RowShape } from '../rows/row-shape.js';
import { commitLocal } from './local-commit.js';
import type { NodeContext, RequestContext } from './node-context.js';
import {
  checkKeyVersion,
  checkPartition,
  checkWriteVersion,
  latestSchema,
  noOwner,
  noQuorum,
  notPrimary,
  partitionMoving,
} from './request-checks.js';
import { commitRows, commitRowsReplicated } from './streamer-handler.js';

/** Where the items of a multi-row request go. */
interface Plan {
  /** Indexes of the items this node serves, in request order. */
  readonly local: number[];
  /** The replica of each local item, same order. */
  readonly replicas: PartitionReplica[];
  /** Indexes of the items each other owner serves, in request order. */
  readonly remote: Map<string, number[]>;
}

/** The replica serving `partition` here, or the owner to send the request to. */
function routeOne(
  node: NodeContext,
  schema: TableSchema,
  partition: number,
  context: RequestContext,
  purpose: RoutePurpose = 'write',
): PartitionReplica | string {
  checkPartition(schema, partition);
  const route = node.route(schema.tableId, partition, purpose);
  switch (route.kind) {
    case 'local':
      return route.replica;
    case 'remote':
      if (context.peer !== 'client') throw notPrimary(node, schema, partition, route);
      return route.owner;
    case 'moving':
      throw partitionMoving(node, schema, partition);
    case 'unowned':
      throw noOwner(schema, partition);
    case 'noQuorum':
      throw noQuorum(node, schema, partition);
    default:
      throw new ServerError('INTERNAL', `unknown route ${JSON.stringify(route satisfies never)}`);
  }
}

function plan(
  node: NodeContext,
  schema: TableSchema,
  items: readonly { readonly partition: number }[],
  context: RequestContext,
  purpose: RoutePurpose = 'write',
): Plan {
  const result: Plan = { local: [], replicas: [], remote: new Map() };
  for (let i = 0; i < items.length; i++) {
    const partition = (items[i] as { readonly partition: number }).partition;
    const target = routeOne(node, schema, partition, context, purpose);
    if (typeof target === 'string') {
      const indexes = result.remote.get(target);
      if (indexes === undefined) result.remote.set(target, [i]);
      else indexes.push(i);
    } else {
      result.local.push(i);
      result.replicas.push(target);
    }
  }
  return result;
}

function forwardTo<T>(node: NodeContext, send: () => Promise<T>): Promise<T> {
  node.metrics.forwards++;
  return send();
}

function columnCountOf(node: NodeContext, tableId: number): (version: number) => number | undefined {
  return (version) => node.controlPlane.catalog.schema(tableId, version)?.columns.length;
}

function readRow(
  node: NodeContext,
  shape: RowShape,
  replica: PartitionReplica,
  key: Uint8Array,
  ts: bigint,
): RowResult | null {
  const stored = replica.store.readAt(key, ts);
  return stored === null
    ? null
    : node.upgrade.toLatest(stored, shape, columnCountOf(node, shape.schema.tableId));
}

/** Checks a remote owner's list answer has one entry per item sent. */
function expectLength<T>(owner: string, op: string, results: readonly T[], expected: number): readonly T[] {
  if (results.length !== expected) {
    throw new ServerError(
      'INTERNAL',
      `${owner} answered ${op} for ${expected} keys with ${results.length} results`,
    );
  }
  return results;
}

export function tupleGet(
  node: NodeContext,
  request: RequestOf<'TUPLE_GET'>,
  context: RequestContext,
): RowResult | null | Promise<RowResult | null> {
  const schema = latestSchema(node, request.tableId, request.schemaVersion);
  checkKeyVersion(schema, request.schemaVersion);
  const target = routeOne(node, schema, request.partition, context, 'read');
  if (typeof target === 'string') return forwardTo(node, () => node.forwarder.send(target, request));
  const shape = node.shapes.of(schema);
  const keys: Uint8Array[] = [];
  node.ingest.key(shape, request.key, 0, 'request', false, keys);
  checkKeyIn(keys[0] as Uint8Array, shape, request.partition, 0, 'request');
  return readRow(node, shape, target, keys[0] as Uint8Array, node.hlc.now());
}

export function tupleGetAll(
  node: NodeContext,
  request: RequestOf<'TUPLE_GET_ALL'>,
  context: RequestContext,
): (RowResult | null)[] | Promise<(RowResult | null)[]> {
  const schema = latestSchema(node, request.tableId, request.schemaVersion);
  checkKeyVersion(schema, request.schemaVersion);
  const items = request.keys;
  const shape = node.shapes.of(schema);
  const keys = checkedKeys(node, shape, items);
  const routes = plan(node, schema, items, context, 'read');
  const results: (RowResult | null)[] = new Array<RowResult | null>(items.length).fill(null);
  if (routes.local.length > 0) {
    // One timestamp for every local key: they are read as one snapshot.
    const ts = node.hlc.now();
    routes.local.forEach((i, j) => {
      results[i] = readRow(node, shape, routes.replicas[j] as PartitionReplica, keys[i] as Uint8Array, ts);
    });
  }
  if (routes.remote.size === 0) return results;
  const sends = [...routes.remote].map(([owner, indexes]) =>
    forwardTo(node, () =>
      node.forwarder.send(owner, {
        op: 'TUPLE_GET_ALL',
        requestId: 0,
        tableId: request.tableId,
        schemaVersion: request.schemaVersion,
        keys: indexes.map((i) => items[i] as (typeof items)[number]),
      }),
    ).then((answer) => {
      expectLength(owner, 'TUPLE_GET_ALL', answer, indexes.length).forEach((row, j) => {
        results[indexes[j] as number] = row;
      });
    }),
  );
  return Promise.all(sends).then(() => results);
}

export function tupleUpsert(
  node: NodeContext,
  request: RequestOf<'TUPLE_UPSERT'>,
  context: RequestContext,
): null | Promise<null> {
  const schema = latestSchema(node, request.tableId, request.schemaVersion);
  checkWriteVersion(schema, request.schemaVersion);
  const target = routeOne(node, schema, request.partition, context);
  if (typeof target === 'string') return forwardTo(node, () => node.forwarder.send(target, request));
  const checked = node.ingest.batch(1);
  const group = target.group;
  if (group !== undefined) {
    return (async () => {
      try {
        putInto(node, checked, schema, request);
        await commitRowsReplicated(node, target, group, checked);
      } finally {
        checked.release();
      }
      return null;
    })();
  }
  try {
    putInto(node, checked, schema, request);
    commitRows(node, target, checked);
  } finally {
    checked.release();
  }
  return null;
}

export function tupleUpsertAll(
  node: NodeContext,
  request: RequestOf<'TUPLE_UPSERT_ALL'>,
  context: RequestContext,
): null | Promise<null> {
  const schema = latestSchema(node, request.tableId, request.schemaVersion);
  checkWriteVersion(schema, request.schemaVersion);
  const items = request.rows;
  // Every row is checked, and its key's partition, before anything is written or sent on.
  const shape = node.shapes.of(schema);
  const keys: Uint8Array[] = new Array(items.length);
  const rows: (Uint8Array | null)[] = new Array(items.length);
  items.forEach((item, i) => {
    node.ingest.put(shape, item.noValueSet, item.row, i, 'request', keys, rows);
    checkKeyIn(keys[i] as Uint8Array, shape, item.partition, i, 'request');
  });
  const routes = plan(node, schema, items, context);
  let local: Promise<void> | undefined;
  if (routes.local.length > 0) {
    const committed = inLocalTransaction(
      node,
      (tx) => {
        routes.local.forEach((i, j) => {
          const replica = routes.replicas[j] as PartitionReplica;
          node.transactions.write(tx, replica.store, keys[i] as Uint8Array, rows[i] as Uint8Array);
        });
      },
      routes.replicas,
    );
    const counted = () => {
      node.metrics.rowsApplied += routes.local.length;
    };
    if (committed instanceof Promise) local = committed.then(counted);
    else counted();
  }
  if (routes.remote.size === 0) return local === undefined ? null : local.then(() => null);
  const sends = [...routes.remote].map(([owner, indexes]) =>
    forwardTo(node, () =>
      node.forwarder.send(owner, {
        op: 'TUPLE_UPSERT_ALL',
        requestId: 0,
        tableId: request.tableId,
        schemaVersion: request.schemaVersion,
        rows: indexes.map((i) => items[i] as (typeof items)[number]),
      }),
    ),
  );
  return Promise.all([...sends, local]).then(() => null);
}

export function tupleDelete(
  node: NodeContext,
  request: RequestOf<'TUPLE_DELETE'>,
  context: RequestContext,
): boolean | Promise<boolean> {
  const schema = latestSchema(node, request.tableId, request.schemaVersion);
  checkKeyVersion(schema, request.schemaVersion);
  const target = routeOne(node, schema, request.partition, context);
  if (typeof target === 'string') return forwardTo(node, () => node.forwarder.send(target, request));
  const shape = node.shapes.of(schema);
  const keys: Uint8Array[] = [];
  node.ingest.key(shape, request.key, 0, 'request', false, keys);
  const key = keys[0] as Uint8Array;
  checkKeyIn(key, shape, request.partition, 0, 'request');
  let deleted = false;
  const committed = inLocalTransaction(
    node,
    (tx) => {
      if (node.transactions.read(tx, target.store, key) === null) return;
      node.transactions.write(tx, target.store, key, null);
      deleted = true;
    },
    [target],
    target,
  );
  const answer = () => {
    if (deleted) node.metrics.rowsApplied++;
    return deleted;
  };
  return committed instanceof Promise ? committed.then(answer) : answer();
}

export function tupleDeleteAll(
  node: NodeContext,
  request: RequestOf<'TUPLE_DELETE_ALL'>,
  context: RequestContext,
): boolean[] | Promise<boolean[]> {
  const schema = latestSchema(node, request.tableId, request.schemaVersion);
  checkKeyVersion(schema, request.schemaVersion);
  const items = request.keys;
  const shape = node.shapes.of(schema);
  const keys = checkedKeys(node, shape, items);
  const routes = plan(node, schema, items, context);
  const results: boolean[] = new Array<boolean>(items.length).fill(false);
  let local: Promise<void> | undefined;
  if (routes.local.length > 0) {
    let removed = 0;
    const committed = inLocalTransaction(
      node,
      (tx) => {
        routes.local.forEach((i, j) => {
          const store = (routes.replicas[j] as PartitionReplica).store;
          const key = keys[i] as Uint8Array;
          // A key named twice is deleted once: the second read sees this transaction's own delete.
          if (node.transactions.read(tx, store, key) === null) return;
          node.transactions.write(tx, store, key, null);
          results[i] = true;
          removed++;
        });
      },
      routes.replicas,
    );
    const counted = () => {
      node.metrics.rowsApplied += removed;
    };
    if (committed instanceof Promise) local = committed.then(counted);
    else counted();
  }
  if (routes.remote.size === 0) return local === undefined ? results : local.then(() => results);
  const sends = [...routes.remote].map(([owner, indexes]) =>
    forwardTo(node, () =>
      node.forwarder.send(owner, {
        op: 'TUPLE_DELETE_ALL',
        requestId: 0,
        tableId: request.tableId,
        schemaVersion: request.schemaVersion,
        keys: indexes.map((i) => items[i] as (typeof items)[number]),
      }),
    ).then((answer) => {
      expectLength(owner, 'TUPLE_DELETE_ALL', answer, indexes.length).forEach((flag, j) => {
        results[indexes[j] as number] = flag;
      });
    }),
  );
  return Promise.all([...sends, local]).then(() => results);
}

type LocalTx = ReturnType<NodeContext['transactions']['begin']>;

/**
 * Runs `work` in one transaction of this node and commits it (local-commit.ts); aborts on any error (a
 * conflict is counted). Unreplicated partitions commit synchronously: routing and commit happen in one
 * step, so ownership cannot change in between. Replicated ones commit through their logs (a promise).
 *
 * @param replicas the partitions `work` writes on.
 * @param only the one partition of an implicit transaction; default: an explicit one over any local ones.
 */
function inLocalTransaction(
  node: NodeContext,
  work: (tx: LocalTx) => void,
  replicas: readonly PartitionReplica[],
  only?: PartitionReplica,
): void | Promise<void> {
  const manager = node.transactions;
  const tx = only === undefined ? manager.begin() : manager.beginImplicit(only.store);
  try {
    work(tx);
  } catch (error) {
    manager.abort(tx);
    if (error instanceof ServerError && error.code === 'TX_CONFLICT') node.metrics.conflicts++;
    throw error;
  }
  return commitLocal(node, tx, replicas);
}

/**
 * Checks every key of a multi-key request, and that each belongs to the partition the request names for it,
 * before anything is read, written or sent on.
 * @throws ServerError `INVALID_ROW` naming the first bad key.
 */
function checkedKeys(
  node: NodeContext,
  shape: RowShape,
  items: readonly { readonly partition: number; readonly key: Uint8Array }[],
): Uint8Array[] {
  const keys: Uint8Array[] = new Array(items.length);
  items.forEach((item, i) => {
    node.ingest.key(shape, item.key, i, 'request', false, keys);
    checkKeyIn(keys[i] as Uint8Array, shape, item.partition, i, 'request');
  });
  return keys;
}

/**
 * Checks a single-row write into `checked`, and that its key belongs to the partition it names.
 * @throws ServerError `INVALID_ROW`.
 */
function putInto(
  node: NodeContext,
  checked: IngestBatch,
  schema: TableSchema,
  request: RequestOf<'TUPLE_UPSERT'>,
): void {
  const shape = node.shapes.of(schema);
  node.ingest.putInto(checked, shape, request.noValueSet, request.row, 0, 'request');
  checkKeysIn(checked, shape, request.partition, 'request');
}
