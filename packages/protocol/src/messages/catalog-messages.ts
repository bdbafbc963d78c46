/**
 * Codecs of the ops that read and change the catalog and the partition assignment:
 *
 * | op | request payload | result payload |
 * |---|---|---|
 * | HEARTBEAT (1) | (none) | (none) |
 * | TABLES_GET (3) | (none) | `count: int, tableInfo*` |
 * | TABLE_GET (4) | `name: str` | `nil` or `tableInfo` |
 * | SCHEMAS_GET (5) | `tableId: int, versions: nil \| (count: int, version: int*)` (nil: the latest) | `count: int, schema*` |
 * | PARTITION_ASSIGNMENT_GET (53) | `tableId: int` | `assignmentVersion: long, count: int, (nodeName: str \| nil)*`, then with TOPOLOGY_DISCOVERY `count: int, (name: str, endpoint: str)*` |
 * | TABLE_CREATE (200) | `tableDefinition` | `schema` |
 * | COLUMN_ADD (201) | `tableName: str, column` | `schema` (the new version) |
 *
 * Structures (`tableInfo`, `schema`, `column`, `tableDefinition`) are in `schema-codec.ts`.
 *
 * The member list of PARTITION_ASSIGNMENT_GET is the one field whose presence depends on the connection: a
 * node writes it only when both sides negotiated TOPOLOGY_DISCOVERY, so a peer without the feature gets the
 * old shape byte for byte. The codec itself is stateless: it writes the list when the result has one, and
 * reads it when bytes are left after the owners (the strict end-of-body check still refuses anything else).
 */
import type { ColumnDef, TableSchema } from '../schema/table-schema.js';
import { NO_RESULT, type OpCodec, type RequestBase } from './op-codec.js';
import {
  readColumnDef,
  readTableDefinition,
  readTableInfo,
  readTableSchema,
  type TableDefinition,
  type TableInfo,
  writeColumnDef,
  writeTableDefinition,
  writeTableInfo,
  writeTableSchema,
} from './schema-codec.js';

export type HeartbeatRequest = RequestBase<'HEARTBEAT'>;
export type TablesGetRequest = RequestBase<'TABLES_GET'>;

export interface TableGetRequest extends RequestBase<'TABLE_GET'> {
  readonly name: string;
}

export interface SchemasGetRequest extends RequestBase<'SCHEMAS_GET'> {
  readonly tableId: number;
  /** The versions wanted; `null` for the latest only. */
  readonly versions: readonly number[] | null;
}

export interface PartitionAssignmentGetRequest extends RequestBase<'PARTITION_ASSIGNMENT_GET'> {
  readonly tableId: number;
}

/** A running member of the cluster: its name (as in the assignment) and where a client connects to it. */
export interface ClusterMember {
  readonly name: string;
  /** What a client passes to its transport to reach the node (the node's name in the simulation). */
  readonly endpoint: string;
}

/** Which node owns each partition, as of one assignment version. */
export interface PartitionAssignment {
  /** A long on the wire; a safe integer here. */
  readonly assignmentVersion: number;
  /** The owner of partition i, or `null` while it has none (during a move). */
  readonly owners: readonly (string | null)[];
  /**
   * The cluster's running members as of `assignmentVersion`, in join order; present when both sides have
   * the TOPOLOGY_DISCOVERY feature, absent from a peer without it.
   */
  readonly nodes?: readonly ClusterMember[];
}

export interface TableCreateRequest extends RequestBase<'TABLE_CREATE'> {
  readonly definition: TableDefinition;
}

export interface ColumnAddRequest extends RequestBase<'COLUMN_ADD'> {
  readonly tableName: string;
  readonly column: ColumnDef;
}

export const heartbeatCodec: OpCodec<HeartbeatRequest, null> = {
  writeRequest() {},
  readRequest: (_reader, requestId) => ({ op: 'HEARTBEAT', requestId }),
  ...NO_RESULT,
};

export const tablesGetCodec: OpCodec<TablesGetRequest, readonly TableInfo[]> = {
  writeRequest() {},
  readRequest: (_reader, requestId) => ({ op: 'TABLES_GET', requestId }),
  writeResult(writer, tables) {
    writer.writeInt32(tables.length);
    for (const table of tables) writeTableInfo(writer, table);
  },
  readResult(reader) {
    const count = reader.readCount('tables', 3);
    const tables: TableInfo[] = [];
    for (let i = 0; i < count; i++) tables.push(readTableInfo(reader));
    return tables;
  },
};

export const tableGetCodec: OpCodec<TableGetRequest, TableInfo | null> = {
  writeRequest(writer, request) {
    writer.writeString(request.name);
  },
  readRequest: (reader, requestId) => ({ op: 'TABLE_GET', requestId, name: reader.readString('name') }),
  writeResult(writer, table) {
    if (table === null) writer.writeNil();
    else writeTableInfo(writer, table);
  },
  readResult: (reader) => (reader.tryReadNil() ? null : readTableInfo(reader)),
};

export const schemasGetCodec: OpCodec<SchemasGetRequest, readonly TableSchema[]> = {
  writeRequest(writer, request) {
    writer.writeInt32(request.tableId, 'tableId');
    if (request.versions === null) {
      writer.writeNil();
      return;
    }
    writer.writeInt32(request.versions.length);
    for (const version of request.versions) writer.writeInt32(version, 'versions');
  },
  readRequest(reader, requestId) {
    const tableId = reader.readInt32('tableId');
    let versions: number[] | null = null;
    if (!reader.tryReadNil()) {
      const count = reader.readCount('versions');
      versions = [];
      for (let i = 0; i < count; i++) versions.push(reader.readInt32('versions'));
    }
    return { op: 'SCHEMAS_GET', requestId, tableId, versions };
  },
  writeResult(writer, schemas) {
    writer.writeInt32(schemas.length);
    for (const schema of schemas) writeTableSchema(writer, schema);
  },
  readResult(reader) {
    const count = reader.readCount('schemas', 10);
    const schemas: TableSchema[] = [];
    for (let i = 0; i < count; i++) schemas.push(readTableSchema(reader));
    return schemas;
  },
};

export const partitionAssignmentGetCodec: OpCodec<PartitionAssignmentGetRequest, PartitionAssignment> = {
  writeRequest(writer, request) {
    writer.writeInt32(request.tableId, 'tableId');
  },
  readRequest: (reader, requestId) => ({
    op: 'PARTITION_ASSIGNMENT_GET',
    requestId,
    tableId: reader.readInt32('tableId'),
  }),
  writeResult(writer, assignment) {
    writer.writeInt(assignment.assignmentVersion, 'assignmentVersion');
    writer.writeInt32(assignment.owners.length);
    for (const owner of assignment.owners) {
      if (owner === null) writer.writeNil();
      else writer.writeString(owner);
    }
    const nodes = assignment.nodes;
    if (nodes === undefined) return;
    writer.writeInt32(nodes.length);
    for (const node of nodes) {
      writer.writeString(node.name);
      writer.writeString(node.endpoint);
    }
  },
  readResult(reader) {
    const assignmentVersion = reader.readSafeInteger('assignmentVersion');
    const count = reader.readCount('owners');
    const owners: (string | null)[] = [];
    for (let i = 0; i < count; i++) owners.push(reader.readStringOrNil('owners'));
    // Nothing left: a peer without TOPOLOGY_DISCOVERY (the old shape).
    if (reader.remaining === 0) return { assignmentVersion, owners };
    // Each member is two strings of at least one byte each.
    const members = reader.readCount('nodes', 2);
    const nodes: ClusterMember[] = [];
    for (let i = 0; i < members; i++) {
      nodes.push({ name: reader.readString('nodes.name'), endpoint: reader.readString('nodes.endpoint') });
    }
    return { assignmentVersion, owners, nodes };
  },
};

export const tableCreateCodec: OpCodec<TableCreateRequest, TableSchema> = {
  writeRequest(writer, request) {
    writeTableDefinition(writer, request.definition);
  },
  readRequest: (reader, requestId) => ({
    op: 'TABLE_CREATE',
    requestId,
    definition: readTableDefinition(reader),
  }),
  writeResult: writeTableSchema,
  readResult: readTableSchema,
};

export const columnAddCodec: OpCodec<ColumnAddRequest, TableSchema> = {
  writeRequest(writer, request) {
    writer.writeString(request.tableName);
    writeColumnDef(writer, request.column);
  },
  readRequest(reader, requestId) {
    const tableName = reader.readString('tableName');
    const column = readColumnDef(reader);
    return { op: 'COLUMN_ADD', requestId, tableName, column };
  },
  writeResult: writeTableSchema,
  readResult: readTableSchema,
};
