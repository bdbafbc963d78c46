/**
 * Test support: the state behind the fake nodes, and the default answer to every client op. Tables with
 * schema versions, a partition assignment under one cluster-wide version, and rows stored per table as the
 * tuples the client sent (keyed by their canonical key tuple).
 *
 * It checks what a real node checks and what a client bug would get wrong: the schema version of every
 * request (anything but the latest is a `SCHEMA_VERSION_MISMATCH` naming the latest), and the partition the
 * client computed for every row and key (a wrong one is an `INTERNAL` error, so a hashing bug fails tests).
 * Unset columns get their default, as on a real node. Batches for partitions a node does not own are
 * applied anyway (a real node would forward them). No transactions, no MVCC, no time. Producers are fenced
 * as a real node fences them (epochs per producer, per partition the highest batch applied and whether its
 * epoch is sealed), so the client's seal and resume paths meet real answers.
 */
import {
  type ColumnDef,
  ErrorExtensionKeys,
  type InternalValue,
  normalizeValue,
  ProtocolError,
  partitionFor,
  type Request,
  type ResultMap,
  RowCodec,
  streamerRowArray,
  type TableDefinition,
  type TableInfo,
  type TableSchema,
} from '@datastreamer/protocol';
import {
  bitmaskGet,
  keyColocationHash,
  type PartitionAssignment,
  rowColocationHash,
} from '@datastreamer/protocol/internal';
import { FakeNode, type Outcome, type ReceivedRequest, type RequestHandler } from './fake-node.js';
import { LoopbackTransport, type LoopbackTransportOptions } from './loopback-transport.js';

/** One streamer batch a node applied. */
export interface AppliedBatch {
  readonly node: string;
  readonly partitionId: number;
  readonly targetNode: string;
  readonly assignmentVersion: number;
  readonly schemaVersion: number;
  readonly rows: number;
  readonly removes: number;
}

interface StoredRow {
  readonly version: number;
  readonly tuple: Uint8Array;
}

class FakeTable {
  readonly versions: TableSchema[] = [];
  readonly codecs = new Map<number, RowCodec>();
  readonly rows = new Map<string, StoredRow>();
  owners: string[];

  constructor(schema: TableSchema, owners: string[]) {
    this.owners = owners;
    this.push(schema);
  }

  get latest(): TableSchema {
    return this.versions[this.versions.length - 1] as TableSchema;
  }

  push(schema: TableSchema): void {
    this.versions.push(schema);
    this.codecs.set(schema.version, new RowCodec(schema));
  }

  codec(version: number): RowCodec {
    const codec = this.codecs.get(version);
    if (codec === undefined) throw new ProtocolError('INTERNAL', `no schema version ${version}`);
    return codec;
  }
}

/**
 * A stored row as the tests read it: any column by name, with the columns of the shared test tables declared
 * so they read as plain properties.
 */
export type TestRow = Readonly<Record<string, unknown>> & {
  readonly EventId?: unknown;
  readonly Name?: unknown;
  readonly Duration?: unknown;
  readonly Extra?: unknown;
  readonly TrackId?: unknown;
  readonly UserId?: unknown;
  readonly Score?: unknown;
  readonly Note?: unknown;
};

export interface FakeClusterOptions extends LoopbackTransportOptions {
  /** Node names. Default `['node-1', 'node-2']`. */
  readonly nodes?: readonly string[];
  /** Default partition count of new tables. Default 4. */
  readonly partitions?: number;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function mismatch(latest: number, given: number): ProtocolError {
  return new ProtocolError(
    'SCHEMA_VERSION_MISMATCH',
    `schema version ${given} is stale, expected ${latest}`,
    {
      extensions: { [ErrorExtensionKeys.expectedSchemaVersion]: latest },
    },
  );
}

/** A scripted cluster of fake nodes on a loopback transport. */
export class FakeCluster implements RequestHandler {
  readonly transport: LoopbackTransport;
  readonly nodes = new Map<string, FakeNode>();
  readonly received: ReceivedRequest[] = [];
  readonly batches: AppliedBatch[] = [];
  assignmentVersion = 1;
  readonly #partitions: number;
  readonly #byName = new Map<string, FakeTable>();
  readonly #byId = new Map<number, FakeTable>();
  /** Every producer's newest registered epoch. */
  readonly #epochs = new Map<string, number>();
  /** Each run's epoch, by `producerId/runId`: a run registering again gets its epoch back. */
  readonly #runs = new Map<string, number>();
  /** Per `tableId/partition/producerId`: the newest epoch seen there, its highest batch applied, sealed. */
  readonly #fences = new Map<string, { epoch: number; seq: number; sealed: boolean }>();
  /** Seals served, in order. */
  readonly seals: { readonly partition: number; readonly producerId: string; readonly epoch: number }[] = [];
  #nextTableId = 7;

  constructor(options: FakeClusterOptions = {}) {
    this.transport = new LoopbackTransport(options);
    this.#partitions = options.partitions ?? 4;
    for (const name of options.nodes ?? ['node-1', 'node-2']) {
      const node = new FakeNode(name, this);
      this.nodes.set(name, node);
      this.transport.listen(name, (connection) => node.accept(connection));
    }
  }

  /** The fake node named `name`. */
  node(name: string): FakeNode {
    const node = this.nodes.get(name);
    if (node === undefined) throw new Error(`no fake node ${name}`);
    return node;
  }

  /** Requests received so far with op `op`, from any node. */
  requestsOf<K extends Request['op']>(op: K): Extract<Request, { op: K }>[] {
    return this.received
      .filter((r) => r.request.op === op)
      .map((r) => r.request as Extract<Request, { op: K }>);
  }

  /** Requests that read or write rows (tuple ops and streamer batches). */
  rowRequests(): ReceivedRequest[] {
    return this.received.filter(
      (r) => r.request.op.startsWith('TUPLE_') || r.request.op.startsWith('STREAMER_'),
    );
  }

  /** Creates a table directly (no network). */
  createTable(definition: TableDefinition): TableSchema {
    if (this.#byName.has(definition.name)) {
      throw new ProtocolError('TABLE_ALREADY_EXISTS', `table "${definition.name}" already exists`);
    }
    const columns = definition.columns.map((column) => ({ ...column }));
    const indexOf = (name: string): number => {
      const index = columns.findIndex((column) => column.name === name);
      if (index < 0) throw new ProtocolError('INVALID_SCHEMA', `no column "${name}"`);
      return index;
    };
    const keyColumns = definition.primaryKey.map(indexOf);
    const schema: TableSchema = {
      tableId: this.#nextTableId++,
      tableName: definition.name,
      version: 1,
      columns,
      keyColumns,
      colocationColumns: (definition.colocateBy ?? definition.primaryKey).map(indexOf),
      partitions: definition.partitions ?? this.#partitions,
    };
    const names = [...this.nodes.keys()];
    const owners = Array.from({ length: schema.partitions }, (_, p) => names[p % names.length] as string);
    const table = new FakeTable(schema, owners);
    this.#byName.set(schema.tableName, table);
    this.#byId.set(schema.tableId, table);
    return schema;
  }

  /** Adds a column directly (no network): a new schema version. */
  addColumn(tableName: string, column: ColumnDef): TableSchema {
    const table = this.#table(tableName);
    const latest = table.latest;
    if (latest.columns.some((c) => c.name === column.name)) {
      throw new ProtocolError('COLUMN_ALREADY_EXISTS', `column "${column.name}" exists`);
    }
    const schema: TableSchema = {
      ...latest,
      version: latest.version + 1,
      columns: [...latest.columns, column],
    };
    table.push(schema);
    return schema;
  }

  /** Moves a partition to `node` and bumps the assignment version. */
  setOwner(tableName: string, partition: number, node: string): void {
    const table = this.#table(tableName);
    table.owners = table.owners.map((owner, p) => (p === partition ? node : owner));
    this.assignmentVersion++;
  }

  /** The owner of a partition. */
  ownerOf(tableName: string, partition: number): string {
    return this.#table(tableName).owners[partition] as string;
  }

  /** The stored rows of a table, decoded with the version each was written with, in no particular order. */
  rows(tableName: string): TestRow[] {
    const table = this.#table(tableName);
    return [...table.rows.values()].map((stored) => table.codec(stored.version).decodeRow(stored.tuple));
  }

  /** The partition a key (the key columns, by name) belongs to. */
  partitionOf(tableName: string, key: Record<string, unknown>): number {
    const table = this.#table(tableName);
    const codec = table.codec(table.latest.version);
    const values = codec.decodeKeyValues(codec.encodeKey(key));
    return partitionFor(keyColocationHash(table.latest, values), table.latest.partitions);
  }

  #table(name: string): FakeTable {
    const table = this.#byName.get(name);
    if (table === undefined) throw new ProtocolError('TABLE_NOT_FOUND', `table "${name}" does not exist`);
    return table;
  }

  #tableById(id: number): FakeTable {
    const table = this.#byId.get(id);
    if (table === undefined) throw new ProtocolError('TABLE_NOT_FOUND', `table ${id} does not exist`);
    return table;
  }

  static #info(table: FakeTable): TableInfo {
    return {
      tableId: table.latest.tableId,
      name: table.latest.tableName,
      latestSchemaVersion: table.latest.version,
    };
  }

  /** The default answer of `node` to `request`. */
  handle(node: string, request: Request): Outcome {
    try {
      return { kind: 'result', result: this.#answer(node, request) };
    } catch (error) {
      if (error instanceof ProtocolError) return { kind: 'error', error };
      throw error;
    }
  }

  #answer(node: string, request: Request): ResultMap[keyof ResultMap] {
    switch (request.op) {
      case 'HEARTBEAT':
        return null;
      case 'TABLES_GET':
        return [...this.#byId.values()].map((table) => FakeCluster.#info(table));
      case 'TABLE_GET': {
        const table = this.#byName.get(request.name);
        return table === undefined ? null : FakeCluster.#info(table);
      }
      case 'SCHEMAS_GET': {
        const table = this.#tableById(request.tableId);
        if (request.versions === null) return [table.latest];
        return request.versions.map((version) => {
          const schema = table.versions.find((s) => s.version === version);
          if (schema === undefined)
            throw new ProtocolError('INVALID_ARGUMENT', `no schema version ${version}`);
          return schema;
        });
      }
      case 'PARTITION_ASSIGNMENT_GET': {
        const table = this.#tableById(request.tableId);
        const assignment: PartitionAssignment = {
          assignmentVersion: this.assignmentVersion,
          owners: table.owners,
        };
        return assignment;
      }
      case 'TABLE_CREATE':
        return this.createTable(request.definition);
      case 'COLUMN_ADD':
        return this.addColumn(request.tableName, request.column);
      case 'TUPLE_UPSERT': {
        const table = this.#checked(request.tableId, request.schemaVersion);
        this.#put(table, request.schemaVersion, request.partition, request.noValueSet, request.row);
        return null;
      }
      case 'TUPLE_UPSERT_ALL': {
        const table = this.#checked(request.tableId, request.schemaVersion);
        for (const row of request.rows)
          this.#put(table, request.schemaVersion, row.partition, row.noValueSet, row.row);
        return null;
      }
      case 'TUPLE_GET': {
        const table = this.#checked(request.tableId, request.schemaVersion);
        return this.#get(table, request.schemaVersion, request.partition, request.key);
      }
      case 'TUPLE_GET_ALL': {
        const table = this.#checked(request.tableId, request.schemaVersion);
        return request.keys.map((k) => this.#get(table, request.schemaVersion, k.partition, k.key));
      }
      case 'TUPLE_DELETE': {
        const table = this.#checked(request.tableId, request.schemaVersion);
        return this.#remove(table, request.schemaVersion, request.partition, request.key);
      }
      case 'TUPLE_DELETE_ALL': {
        const table = this.#checked(request.tableId, request.schemaVersion);
        return request.keys.map((k) => this.#remove(table, request.schemaVersion, k.partition, k.key));
      }
      case 'PRODUCER_REGISTER': {
        const run = `${request.producerId}/${request.runId}`;
        const known = this.#runs.get(run);
        if (known !== undefined) return { epoch: known };
        const epoch = (this.#epochs.get(request.producerId) ?? 0) + 1;
        this.#epochs.set(request.producerId, epoch);
        this.#runs.set(run, epoch);
        return { epoch };
      }
      case 'STREAMER_SEAL': {
        this.#tableById(request.tableId);
        const where = `${request.tableId}/${request.partitionId}/${request.producerId}`;
        const fence = this.#fences.get(where);
        if (fence !== undefined && fence.epoch > request.epoch) {
          throw new ProtocolError('PRODUCER_FENCED', `epoch ${request.epoch} was superseded`);
        }
        const appliedSeq = fence !== undefined && fence.epoch === request.epoch ? fence.seq : 0;
        this.#fences.set(where, { epoch: request.epoch, seq: appliedSeq, sealed: true });
        this.seals.push({
          partition: request.partitionId,
          producerId: request.producerId,
          epoch: request.epoch,
        });
        return { appliedSeq };
      }
      case 'STREAMER_BATCH_SEND': {
        const table = this.#checked(request.tableId, request.schemaVersion);
        const producer = request.producer ?? null;
        const where =
          producer === null ? '' : `${request.tableId}/${request.partitionId}/${producer.producerId}`;
        const fence = this.#fences.get(where);
        if (producer !== null) {
          const registered = this.#epochs.get(producer.producerId) ?? 0;
          const stale = fence !== undefined && producer.epoch < fence.epoch;
          const sealed = fence?.epoch === producer.epoch && fence.sealed && producer.batchSeq > fence.seq;
          if (producer.epoch < registered || stale || sealed) {
            throw new ProtocolError('PRODUCER_FENCED', `epoch ${producer.epoch} is fenced`);
          }
          // A duplicate of an applied batch: answered as applied, not applied again.
          if (fence?.epoch === producer.epoch && producer.batchSeq <= fence.seq) {
            return { schemaVersion: table.latest.version };
          }
        }
        let removes = 0;
        // A decoded batch's rows are ranges of the frame; the fake takes them as row objects.
        const rows = streamerRowArray(request.rows);
        // Check every row first: a batch is applied whole or not at all.
        const keys = rows.map((row, i) => {
          const removed = request.deleted !== null && bitmaskGet(request.deleted, i);
          if (removed) removes++;
          return removed
            ? this.#keyOf(table, request.schemaVersion, request.partitionId, row.tuple)
            : this.#rowOf(table, request.schemaVersion, request.partitionId, row.noValueSet, row.tuple);
        });
        keys.forEach((entry) => {
          if (entry.row === undefined) table.rows.delete(entry.key);
          else table.rows.set(entry.key, { version: request.schemaVersion, tuple: entry.row });
        });
        if (producer !== null) {
          const same = fence?.epoch === producer.epoch;
          this.#fences.set(where, {
            epoch: producer.epoch,
            seq: producer.batchSeq,
            sealed: same && fence.sealed,
          });
        }
        this.batches.push({
          node,
          partitionId: request.partitionId,
          targetNode: request.targetNode,
          assignmentVersion: request.assignmentVersion,
          schemaVersion: request.schemaVersion,
          rows: rows.length,
          removes,
        });
        return { schemaVersion: table.latest.version };
      }
      default:
        throw new ProtocolError('PROTOCOL_ERROR', `the fake node does not serve ${request.op}`);
    }
  }

  #checked(tableId: number, schemaVersion: number): FakeTable {
    const table = this.#tableById(tableId);
    if (schemaVersion !== table.latest.version) throw mismatch(table.latest.version, schemaVersion);
    return table;
  }

  /** A full row with defaults applied, its canonical key, after checking the client's partition. */
  #rowOf(
    table: FakeTable,
    version: number,
    partition: number,
    noValueSet: Uint8Array,
    tuple: Uint8Array,
  ): { key: string; row: Uint8Array } {
    const codec = table.codec(version);
    const schema = codec.schema;
    const values: InternalValue[] = codec.decodeRowValues(tuple);
    schema.columns.forEach((column, i) => {
      if (!bitmaskGet(noValueSet, i)) return;
      values[i] =
        column.default === undefined || column.default === null
          ? null
          : normalizeValue(column, column.default);
    });
    const actual = partitionFor(rowColocationHash(schema, values), schema.partitions);
    if (actual !== partition) {
      throw new ProtocolError(
        'INTERNAL',
        `the client sent a row of partition ${actual} as partition ${partition}`,
      );
    }
    const key = hex(codec.encodeKeyValues(schema.keyColumns.map((i) => values[i] as InternalValue)));
    return { key, row: codec.encodeRowValues(values) };
  }

  /** A key's canonical form, after checking the client's partition. */
  #keyOf(
    table: FakeTable,
    version: number,
    partition: number,
    tuple: Uint8Array,
  ): { key: string; row?: never } {
    const codec = table.codec(version);
    const values = codec.decodeKeyValues(tuple);
    const actual = partitionFor(keyColocationHash(codec.schema, values), codec.schema.partitions);
    if (actual !== partition) {
      throw new ProtocolError(
        'INTERNAL',
        `the client sent a key of partition ${actual} as partition ${partition}`,
      );
    }
    return { key: hex(codec.encodeKeyValues(values)) };
  }

  #put(
    table: FakeTable,
    version: number,
    partition: number,
    noValueSet: Uint8Array,
    tuple: Uint8Array,
  ): void {
    const { key, row } = this.#rowOf(table, version, partition, noValueSet, tuple);
    table.rows.set(key, { version, tuple: row });
  }

  #get(table: FakeTable, version: number, partition: number, tuple: Uint8Array) {
    const stored = table.rows.get(this.#keyOf(table, version, partition, tuple).key);
    return stored === undefined ? null : { schemaVersion: stored.version, row: stored.tuple };
  }

  #remove(table: FakeTable, version: number, partition: number, tuple: Uint8Array): boolean {
    return table.rows.delete(this.#keyOf(table, version, partition, tuple).key);
  }
}
