/**
 * A node's control plane when the cluster has a metastorage: its catalog is the node's own copy, learned from
 * the metastorage (metastorage-catalog.ts), and catalog changes commit there, as producer registrations do
 * (metastorage-producers.ts; `producers`, the shared registry, is then unused). The placement and the leases
 * are still the cluster's shared ones (they move into the metastorage next); a table the
 * metastorage created is placed in the shared placement by the first node that learns of it, from its
 * committed definition, and its schema versions are mirrored into the shared catalog (which the simulation's
 * checkers read), both idempotently.
 */
import type { ColumnDef, Logger, TableDefinition, TableSchema } from '@datastreamer/protocol';
import type { Catalog } from '../catalog/catalog.js';
import { type ControlPlane, checkReplicaCount } from '../placement/control-plane.js';
import type { Placement } from '../placement/placement.js';
import type { PlacementDriver } from '../placement/placement-driver.js';
import type { ProducerRegistry } from '../placement/producer-registry.js';
import { MetastorageCatalog } from './metastorage-catalog.js';
import { registerProducer } from './metastorage-producers.js';
import type { NodeMetastorage } from './node-metastorage.js';

export class MetastorageControlPlane implements ControlPlane {
  readonly #shared: ControlPlane;
  readonly #catalog: MetastorageCatalog;
  readonly #metastorage: NodeMetastorage;

  constructor(shared: ControlPlane, metastorage: NodeMetastorage, log: Logger) {
    this.#shared = shared;
    this.#metastorage = metastorage;
    this.#catalog = new MetastorageCatalog({
      metastorage,
      defaultPartitions: shared.catalog.defaultPartitions,
      log,
      onSchema: ({ schema, replicas }) => {
        try {
          shared.catalog.install(schema);
          if (schema.version === 1 && shared.placement.assignment(schema.tableId) === undefined) {
            shared.placement.addTable(schema.tableId, schema.partitions, replicas);
          }
        } catch (error) {
          log.error({ tableId: schema.tableId, err: error }, 'a committed table could not be placed');
        }
      },
    });
  }

  /** This node's copy of the catalog. */
  get catalog(): Catalog {
    return this.#catalog.catalog;
  }
  get placement(): Placement {
    return this.#shared.placement;
  }
  get producers(): ProducerRegistry {
    return this.#shared.producers;
  }
  get leases(): PlacementDriver {
    return this.#shared.leases;
  }
  get defaultReplicas(): number {
    return this.#shared.defaultReplicas;
  }

  createTable(definition: TableDefinition): Promise<TableSchema> {
    const replicas = checkReplicaCount(definition, this.placement.members.length, this.defaultReplicas);
    return this.#catalog.createTable(definition, replicas);
  }

  addColumn(tableName: string, column: ColumnDef): Promise<TableSchema> {
    return this.#catalog.addColumn(tableName, column);
  }

  registerProducer(producerId: string, runId: string): Promise<number> {
    return registerProducer(this.#metastorage, producerId, runId);
  }
}
