/**
 * The control plane: the state every node of a cluster must agree on, the catalog, the placement, the
 * producers' epochs and the leases of replicated partitions (the placement driver). `LocalControlPlane` is
 * one object shared by the nodes of a process; with a metastorage, each node has its own
 * (metastorage/metastorage-control-plane.ts) whose catalog and assignments it learns over the network.
 */
import {
  type Clock,
  type ColumnDef,
  RealClock,
  type TableDefinition,
  type TableSchema,
} from '@datastreamer/protocol';
import { Catalog, type CatalogOptions } from '../catalog/catalog.js';
import { ServerError } from '../errors/server-error.js';
import { type Assignments, MAX_REPLICAS, Placement } from './placement.js';
import { PlacementDriver } from './placement-driver.js';
import { ProducerRegistry } from './producer-registry.js';

export interface ControlPlane {
  readonly catalog: Catalog;
  /**
   * The cluster's controller-side record of owners, replica sets and move targets: what moves, joins, leaves,
   * repairs, leases and committed configurations change.
   */
  readonly placement: Placement;
  /**
   * What this node routes by: `placement` itself in the shared control plane; with a metastorage, the node's
   * own copy of the assignments published there (metastorage-assignments.ts), which may be behind.
   */
  readonly assignments: Assignments;
  /**
   * Every producer's newest epoch (see producer-registry.ts), when they are registered here; with a
   * metastorage they are registered there instead (`registerProducer`).
   */
  readonly producers: ProducerRegistry;
  /** Leases of replicated partitions (see placement-driver.ts). */
  readonly leases: PlacementDriver;
  /** Replica count of a table whose definition does not say. */
  readonly defaultReplicas: number;
  /**
   * Creates a table and places its partitions, both or neither (at once in the shared control plane; once
   * committed in a metastorage).
   * @throws ServerError as `Catalog.createTable`; `INVALID_SCHEMA` for a replica count out of range;
   *   `NODE_UNAVAILABLE` when no node can own partitions.
   */
  createTable(definition: TableDefinition): TableSchema | Promise<TableSchema>;
  /**
   * Adds a column to a table (see `Catalog.addColumn`).
   * @throws ServerError as `Catalog.addColumn`.
   */
  addColumn(tableName: string, column: ColumnDef): TableSchema | Promise<TableSchema>;
  /**
   * Registers run `runId` of producer `producerId` and gives its epoch (see producer-registry.ts): in
   * `producers` here, through the metastorage when the cluster has one.
   * @throws ServerError `INVALID_ARGUMENT` for a bad producer id.
   */
  registerProducer(producerId: string, runId: string): number | Promise<number>;
}

/**
 * The replica count of a new table: its definition's, or the default; within 1..the member count (at most
 * {@link MAX_REPLICAS}).
 * @throws ServerError `NODE_UNAVAILABLE` without members; `INVALID_SCHEMA` for a count out of range.
 */
export function checkReplicaCount(
  definition: TableDefinition,
  members: number,
  defaultReplicas: number,
): number {
  if (members === 0) {
    throw new ServerError('NODE_UNAVAILABLE', 'no node is available to own the partitions of a new table');
  }
  const replicas = definition.replicas ?? defaultReplicas;
  const most = Math.min(members, MAX_REPLICAS);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > most) {
    throw new ServerError(
      'INVALID_SCHEMA',
      `table "${definition.name}": replicas must be an integer in 1..${most} (the cluster has ${members} ` +
        `nodes), got ${String(replicas)}`,
    );
  }
  return replicas;
}

export interface LocalControlPlaneOptions extends CatalogOptions {
  /** Replica count of a table whose definition does not say (1..7). Default 1: no replication. */
  readonly defaultReplicas?: number;
  /** The clock leases are measured on. Default: the platform clock. */
  readonly clock?: Clock;
  /** Lease length of replicated partitions, in ms. Default 2000. */
  readonly leaseMs?: number;
}

/** The in-process control plane, shared by every node of a simulated cluster. */
export class LocalControlPlane implements ControlPlane {
  readonly catalog: Catalog;
  readonly placement = new Placement();
  readonly producers = new ProducerRegistry();
  readonly leases: PlacementDriver;
  readonly defaultReplicas: number;

  get assignments(): Assignments {
    return this.placement;
  }

  /** @throws ServerError `INVALID_ARGUMENT` for a bad default partition or replica count or lease length. */
  constructor(options: LocalControlPlaneOptions = {}) {
    this.catalog = new Catalog(options);
    const replicas = options.defaultReplicas ?? 1;
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > MAX_REPLICAS) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `defaultReplicas: expected an integer in 1..${MAX_REPLICAS}, got ${String(replicas)}`,
      );
    }
    this.defaultReplicas = replicas;
    this.leases = new PlacementDriver({
      placement: this.placement,
      clock: options.clock ?? new RealClock(),
      ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
    });
  }

  createTable(definition: TableDefinition): TableSchema {
    const replicas = checkReplicaCount(definition, this.placement.members.length, this.defaultReplicas);
    const schema = this.catalog.createTable(definition);
    this.placement.addTable(schema.tableId, schema.partitions, replicas);
    return schema;
  }

  addColumn(tableName: string, column: ColumnDef): TableSchema {
    return this.catalog.addColumn(tableName, column);
  }

  registerProducer(producerId: string, runId: string): number {
    return this.producers.register(producerId, runId);
  }
}
