/**
 * Handlers of the catalog and placement ops: HEARTBEAT, TABLES_GET, TABLE_GET, SCHEMAS_GET,
 * PARTITION_ASSIGNMENT_GET, TABLE_CREATE, COLUMN_ADD. The catalog and placement are the control plane's,
 * shared by every node, so any node answers these itself (nothing is forwarded). Catalog refusals come back
 * as the catalog threw them (`INVALID_SCHEMA`, `TABLE_ALREADY_EXISTS`, ... naming what is wrong).
 */
import { hasFeature, type RequestOf, type TableInfo, type TableSchema } from '@datastreamer/protocol';
import type { PartitionAssignment } from '@datastreamer/protocol/internal';
import { ServerError } from '../errors/server-error.js';
import type { NodeContext, RequestContext } from './node-context.js';
import { latestSchema } from './request-checks.js';

function infoOf(schema: TableSchema): TableInfo {
  return { tableId: schema.tableId, name: schema.tableName, latestSchemaVersion: schema.version };
}

export function heartbeat(): null {
  return null;
}

/** Every table, in creation order. */
export function tablesGet(node: NodeContext): TableInfo[] {
  return node.controlPlane.catalog.tables().map(infoOf);
}

/** The table named in the request, or `null`. */
export function tableGet(node: NodeContext, request: RequestOf<'TABLE_GET'>): TableInfo | null {
  const schema = node.controlPlane.catalog.latest(request.name);
  return schema === undefined ? null : infoOf(schema);
}

/**
 * The schema versions asked for (the latest when the request names none), in the order asked.
 * @throws ServerError `TABLE_NOT_FOUND`; `INVALID_ARGUMENT` naming a version the table does not have.
 */
export function schemasGet(node: NodeContext, request: RequestOf<'SCHEMAS_GET'>): TableSchema[] {
  const latest = latestSchema(node, request.tableId);
  if (request.versions === null) return [latest];
  const catalog = node.controlPlane.catalog;
  return request.versions.map((version) => {
    const schema = catalog.schema(request.tableId, version);
    if (schema === undefined) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `table "${latest.tableName}" has schema versions 1..${latest.version}, not ${version}`,
      );
    }
    return schema;
  });
}

/**
 * The owner of each partition of the table under the current assignment version, and, for a peer with the
 * TOPOLOGY_DISCOVERY feature, the cluster's running members (a peer without it gets the old shape); the
 * connection is noted as knowing that version.
 * @throws ServerError `TABLE_NOT_FOUND`.
 */
export function partitionAssignmentGet(
  node: NodeContext,
  request: RequestOf<'PARTITION_ASSIGNMENT_GET'>,
  context: RequestContext,
): PartitionAssignment {
  const schema = latestSchema(node, request.tableId);
  const assignment = node.controlPlane.placement.assignment(request.tableId);
  if (assignment === undefined) {
    throw new ServerError('TABLE_NOT_FOUND', `table "${schema.tableName}" has no partition assignment`);
  }
  context.noteAssignmentVersion(assignment.version);
  const result = { assignmentVersion: assignment.version, owners: assignment.owners };
  return hasFeature(context.features, 'TOPOLOGY_DISCOVERY')
    ? { ...result, nodes: node.clusterMembers() }
    : result;
}

/**
 * Creates the table and places its partitions (the control plane does both or neither).
 * @throws ServerError as `ControlPlane.createTable`.
 */
export function tableCreate(node: NodeContext, request: RequestOf<'TABLE_CREATE'>): TableSchema {
  const schema = node.controlPlane.createTable(request.definition);
  node.log.info(
    { tableId: schema.tableId, table: schema.tableName, partitions: schema.partitions },
    'table created',
  );
  return schema;
}

/**
 * Adds the column and returns the new schema version.
 * @throws ServerError as `Catalog.addColumn`.
 */
export function columnAdd(node: NodeContext, request: RequestOf<'COLUMN_ADD'>): TableSchema {
  const schema = node.controlPlane.catalog.addColumn(request.tableName, request.column);
  node.log.info(
    { tableId: schema.tableId, column: request.column.name, version: schema.version },
    'column added',
  );
  return schema;
}
