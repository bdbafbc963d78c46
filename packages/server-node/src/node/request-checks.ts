/**
 * The checks every data request starts with, each failing with a clear, typed error: the table exists, the
 * partition is one of its partitions, the schema version fits the operation (writes need the latest version;
 * `SCHEMA_VERSION_MISMATCH` carries the expected one under `expected-schema-ver`), and the errors for a
 * partition this node cannot serve. It does not route or apply anything.
 */
import { ErrorExtensionKeys, type TableSchema } from '@datastreamer/protocol';
import { ServerError } from '../errors/server-error.js';
import type { NodeContext } from './node-context.js';

/**
 * The latest schema of table `tableId` this node knows.
 *
 * A node that learns the catalog from a metastorage may be behind it: a table id it has not handed out yet,
 * or a schema version above its latest (`requestVersion`, what the request was written with), come from a
 * newer catalog. It answers those with the retryable `STALE_METADATA` (its watch is catching up) rather than
 * with a refusal or an older version the sender would downgrade to.
 * @throws ServerError `TABLE_NOT_FOUND`; `STALE_METADATA` (retryable) as said.
 */
export function latestSchema(node: NodeContext, tableId: number, requestVersion?: number): TableSchema {
  const catalog = node.controlPlane.catalog;
  const schema = catalog.latest(tableId);
  const metastorage = node.metastorage;
  if (schema === undefined) {
    if (metastorage !== undefined && Number.isInteger(tableId) && tableId >= catalog.nextTableId) {
      throw metastorage.staleError(`table ${tableId}`);
    }
    throw new ServerError('TABLE_NOT_FOUND', `no table has id ${tableId}`);
  }
  if (metastorage !== undefined && requestVersion !== undefined && requestVersion > schema.version) {
    throw metastorage.staleError(`schema version ${requestVersion} of table "${schema.tableName}"`);
  }
  return schema;
}

/**
 * Checks that `partition` is a partition of the table.
 * @throws ServerError `INVALID_ARGUMENT` naming the table's partition range.
 */
export function checkPartition(schema: TableSchema, partition: number): void {
  if (!Number.isInteger(partition) || partition < 0 || partition >= schema.partitions) {
    throw new ServerError(
      'INVALID_ARGUMENT',
      `table "${schema.tableName}" has partitions 0..${schema.partitions - 1}, not ${partition}`,
    );
  }
}

/**
 * Checks the schema version of a write: rows must be written with the latest version.
 * @throws ServerError `SCHEMA_VERSION_MISMATCH` (retryable) with the expected version in its extensions.
 */
export function checkWriteVersion(schema: TableSchema, version: number): void {
  if (version !== schema.version) throw schemaMismatch(schema, version);
}

/**
 * Checks the schema version of a key-only request: any version the table has (key columns never change).
 * @throws ServerError `SCHEMA_VERSION_MISMATCH` for a version the table does not have.
 */
export function checkKeyVersion(schema: TableSchema, version: number): void {
  if (!Number.isInteger(version) || version < 1 || version > schema.version)
    throw schemaMismatch(schema, version);
}

function schemaMismatch(schema: TableSchema, version: number): ServerError {
  const stale = version < schema.version ? 'is stale' : 'is unknown';
  return new ServerError(
    'SCHEMA_VERSION_MISMATCH',
    `schema version ${version} of table "${schema.tableName}" ${stale}, expected ${schema.version}`,
    { extensions: { [ErrorExtensionKeys.expectedSchemaVersion]: schema.version } },
  );
}

/**
 * The error for a partition another node owns when this request may not be forwarded (again): it names the
 * owner, and the assignment version this node knows that at (see stale-assignment.ts).
 */
export function notPrimary(
  node: NodeContext,
  schema: TableSchema,
  partition: number,
  route: { readonly owner: string; readonly version: number },
): ServerError {
  return new ServerError(
    'NOT_PRIMARY',
    `${node.name} is not the primary of partition ${partition} of table "${schema.tableName}" ` +
      `(${route.owner} is, as of assignment version ${route.version}) and does not forward this request further`,
    { extensions: { owner: route.owner, [ErrorExtensionKeys.assignmentVersion]: route.version } },
  );
}

/** The error for a partition this node is handing over. */
export function partitionMoving(node: NodeContext, schema: TableSchema, partition: number): ServerError {
  return new ServerError(
    'PARTITION_MOVED',
    `partition ${partition} of table "${schema.tableName}" is moving away from ${node.name}; retry`,
  );
}

/** The error for a partition no node owns. */
export function noOwner(schema: TableSchema, partition: number): ServerError {
  return new ServerError(
    'NODE_UNAVAILABLE',
    `partition ${partition} of table "${schema.tableName}" has no owner right now; retry`,
  );
}

/** The error for a replicated partition this node is the primary of but cannot serve now. */
export function noQuorum(node: NodeContext, schema: TableSchema, partition: number): ServerError {
  return new ServerError(
    'NO_QUORUM',
    `partition ${partition} of table "${schema.tableName}" has no primary with a majority of its replicas ` +
      `right now (${node.name} is not serving it: an election or a lease hand-over is under way, or a ` +
      'majority is down or cut off); retry',
  );
}
