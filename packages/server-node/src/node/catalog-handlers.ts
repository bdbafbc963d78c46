/**
 * Handlers of the catalog and placement ops: HEARTBEAT, TABLES_GET, TABLE_GET, SCHEMAS_GET,
 * PARTITION_ASSIGNMENT_GET, TABLE_CREATE, COLUMN_ADD. Any node answers these itself (nothing is forwarded),
 * from the control plane: shared by every node, or, with a metastorage, the node's own copy of the catalog
 * (synced first when it lacks what is asked for) and changes committed there. Catalog refusals come back as
 * the catalog threw them (`INVALID_SCHEMA`, `TABLE_ALREADY_EXISTS`, ... naming what is wrong).
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

/**
 * With a metastorage, the node's catalog is a copy that may be behind: a read that would miss something
 * (`missing`) first brings the copy up to what the metastorage committed (a bounded wait; a node cut off from
 * it answers from the copy it has).
 */
async function synced(node: NodeContext, missing: () => boolean): Promise<void> {
  if (node.metastorage !== undefined && missing()) await node.metastorage.sync();
}

/** Every table, in creation order. */
export async function tablesGet(node: NodeContext): Promise<TableInfo[]> {
  await synced(node, () => true);
  return node.controlPlane.catalog.tables().map(infoOf);
}

/** The table named in the request, or `null`. */
export async function tableGet(
  node: NodeContext,
  request: RequestOf<'TABLE_GET'>,
): Promise<TableInfo | null> {
  await synced(node, () => node.controlPlane.catalog.latest(request.name) === undefined);
  const schema = node.controlPlane.catalog.latest(request.name);
  return schema === undefined ? null : infoOf(schema);
}

/**
 * The schema versions asked for (the latest when the request names none), in the order asked.
 * @throws ServerError `TABLE_NOT_FOUND`; `INVALID_ARGUMENT` naming a version the table does not have.
 */
export async function schemasGet(
  node: NodeContext,
  request: RequestOf<'SCHEMAS_GET'>,
): Promise<TableSchema[]> {
  await synced(node, () => {
    const known = node.controlPlane.catalog.latest(request.tableId);
    return known === undefined || (request.versions ?? []).some((v) => v > known.version);
  });
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
export async function partitionAssignmentGet(
  node: NodeContext,
  request: RequestOf<'PARTITION_ASSIGNMENT_GET'>,
  context: RequestContext,
): Promise<PartitionAssignment> {
  await synced(node, () => node.controlPlane.catalog.latest(request.tableId) === undefined);
  const schema = latestSchema(node, request.tableId);
  // The node's own assignments (with a metastorage, its copy: the version it knows, perhaps behind).
  const assignment = node.controlPlane.assignments.assignment(request.tableId);
  if (assignment === undefined) {
    // A table its catalog copy knows and its assignment copy does not yet: catch up, then answer.
    if (node.metastorage !== undefined) {
      throw node.metastorage.staleError(`the assignment of table "${schema.tableName}"`);
    }
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
export async function tableCreate(
  node: NodeContext,
  request: RequestOf<'TABLE_CREATE'>,
): Promise<TableSchema> {
  const schema = await node.controlPlane.createTable(request.definition);
  node.log.info(
    { tableId: schema.tableId, table: schema.tableName, partitions: schema.partitions },
    'table created',
  );
  return schema;
}

/**
 * Adds the column and returns the new schema version.
 * @throws ServerError as `ControlPlane.addColumn`.
 */
export async function columnAdd(node: NodeContext, request: RequestOf<'COLUMN_ADD'>): Promise<TableSchema> {
  const schema = await node.controlPlane.addColumn(request.tableName, request.column);
  node.log.info(
    { tableId: schema.tableId, column: request.column.name, version: schema.version },
    'column added',
  );
  return schema;
}
