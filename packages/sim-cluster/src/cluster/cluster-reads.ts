/**
 * What a `SimCluster` reads about its tables straight from the control plane and the nodes, with no network
 * and no faults: a table's schema and name, the replicas and the serving primary of a partition, the
 * committed rows (table-reader.ts does the decoding), and every stored version for the stored-rows checker.
 * It changes nothing: topology, streams and recording are sim-cluster.ts's.
 */
import type { Clock, TableSchema } from '@datastreamer/protocol';
import type { ClusterNode, LocalControlPlane } from '@datastreamer/server-node';
import type { StoredVersion } from '../checkers/stored-rows.js';
import { SimClusterError } from '../errors/sim-cluster-error.js';
import { committedRows, type PlainRow, type RowDecoders, storedVersions } from './table-reader.js';

/** What the reads look at: the cluster's control plane, its member nodes by name, decoders and clock. */
export interface ClusterReadsParts {
  readonly controlPlane: LocalControlPlane;
  readonly nodes: ReadonlyMap<string, ClusterNode>;
  readonly decoders: RowDecoders;
  readonly clock: Clock;
}

export class ClusterReads {
  readonly #parts: ClusterReadsParts;

  constructor(parts: ClusterReadsParts) {
    this.#parts = parts;
  }

  /** The latest schema of `table`. @throws SimClusterError `TABLE_NOT_FOUND` when there is none. */
  schemaOf(table: string): TableSchema {
    const schema = this.#parts.controlPlane.catalog.latest(table);
    if (schema === undefined) throw new SimClusterError('TABLE_NOT_FOUND', `table "${table}" does not exist`);
    return schema;
  }

  /** A table's name by id, or the id as text when the catalog has no such table. */
  tableName(tableId: number): string {
    return this.#parts.controlPlane.catalog.latest(tableId)?.tableName ?? String(tableId);
  }

  /** The only table of the catalog, or `undefined` when it has none or several. */
  onlyTable(): string | undefined {
    const tables = this.#parts.controlPlane.catalog.tables();
    return tables.length === 1 ? tables[0]?.tableName : undefined;
  }

  /** `SimCluster.replicasOf`, synchronously. */
  replicasOf(table: string, partition: number): string[] {
    const schema = this.schemaOf(table);
    const replicas = this.#parts.controlPlane.placement.replicasOf(schema.tableId, partition);
    if (replicas === undefined) throw badPartition(table, schema.partitions, partition);
    return [...replicas];
  }

  /** `SimCluster.primaryOf`. */
  async primaryOf(table: string, partition: number, timeoutMs: number): Promise<string> {
    const schema = this.schemaOf(table);
    const { placement } = this.#parts.controlPlane;
    const clock = this.#parts.clock;
    const replicas = placement.replicasOf(schema.tableId, partition);
    if (replicas === undefined) throw badPartition(table, schema.partitions, partition);
    if (!placement.isReplicated(schema.tableId)) return placement.owner(schema.tableId, partition) as string;
    const deadline = clock.now() + timeoutMs;
    for (;;) {
      const serving = this.#servingReplica(schema.tableId, partition);
      if (serving !== undefined) return serving;
      if (clock.now() >= deadline) {
        throw new SimClusterError(
          'NO_QUORUM',
          `no replica of partition ${partition} of table "${table}" served as primary within ${timeoutMs} ms`,
        );
      }
      await clock.sleep(5);
    }
  }

  /** `SimCluster.readTable`. */
  async readTable(table: string, timeoutMs: number): Promise<PlainRow[]> {
    const schema = this.schemaOf(table);
    if (this.#parts.controlPlane.placement.isReplicated(schema.tableId)) {
      for (let p = 0; p < schema.partitions; p++) {
        // Without a primary in time (a majority lost for good), the freshest replica is read.
        await this.primaryOf(table, p, timeoutMs).catch(() => undefined);
      }
    }
    return this.rows(table, false);
  }

  /** The committed rows of `table`; with `skipUndecodable`, rows that do not decode are left out. */
  rows(table: string, skipUndecodable: boolean): PlainRow[] {
    const nodes = this.#parts.nodes;
    return committedRows(
      this.schemaOf(table),
      this.#parts.controlPlane.placement,
      (name) => nodes.get(name),
      {
        decoders: this.#parts.decoders,
        skipUndecodable,
      },
    );
  }

  /** Every committed version every member node keeps, each replica's included, still bytes. */
  storedVersions(): Generator<StoredVersion, void, undefined> {
    return storedVersions(this.#parts.nodes.values());
  }

  /** The running replica serving a replicated partition now, if one does. */
  #servingReplica(tableId: number, partition: number): string | undefined {
    for (const name of this.#parts.controlPlane.placement.replicasOf(tableId, partition) ?? []) {
      const node = this.#parts.nodes.get(name);
      if (node?.replicaGroup(tableId, partition)?.isServing()) return name;
    }
    return undefined;
  }
}

function badPartition(table: string, partitions: number, partition: number): SimClusterError {
  return new SimClusterError(
    'INVALID_ARGUMENT',
    `table "${table}" has partitions 0..${partitions - 1}, got ${partition}`,
  );
}
