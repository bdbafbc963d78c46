/**
 * A node's control plane when the cluster has a metastorage: its catalog is the node's own copy, learned from
 * the metastorage (metastorage-catalog.ts), and catalog changes commit there, as producer registrations do
 * (metastorage-producers.ts; `producers`, the shared registry, is then unused). Its `assignments` are the
 * node's own copy of the assignments the metastorage holds (metastorage-assignments.ts): what the node routes
 * by. The placement (the controller-side record the assignments are published from, while this node's
 * metastorage replica leads) and the leases are the cluster's shared ones; a table the metastorage created is
 * placed in the shared placement by the first node that learns of it, from its committed definition, and its
 * schema versions are mirrored into the shared catalog (which the simulation's checkers read), both
 * idempotently.
 */
import type { Clock, ColumnDef, Logger, TableDefinition, TableSchema } from '@datastreamer/protocol';
import type { Catalog } from '../catalog/catalog.js';
import { type ControlPlane, checkReplicaCount } from '../placement/control-plane.js';
import { type Assignments, initialRecord, type Placement } from '../placement/placement.js';
import type { PlacementDriver } from '../placement/placement-driver.js';
import type { ProducerRegistry } from '../placement/producer-registry.js';
import { AssignmentCopy, AssignmentPublisher, tableRecordPut } from './metastorage-assignments.js';
import { MetastorageCatalog } from './metastorage-catalog.js';
import { registerProducer } from './metastorage-producers.js';
import type { NodeMetastorage } from './node-metastorage.js';

export class MetastorageControlPlane implements ControlPlane {
  readonly #shared: ControlPlane;
  readonly #catalog: MetastorageCatalog;
  readonly #metastorage: NodeMetastorage;
  readonly #assignments: AssignmentCopy;
  readonly #publisher: AssignmentPublisher;
  readonly #stops: (() => void)[];

  constructor(shared: ControlPlane, metastorage: NodeMetastorage, clock: Clock, log: Logger) {
    this.#shared = shared;
    this.#metastorage = metastorage;
    this.#assignments = new AssignmentCopy(metastorage, log);
    this.#publisher = new AssignmentPublisher({ placement: shared.placement, metastorage, clock, log });
    const poke = () => this.#publisher.poke();
    this.#stops = [shared.placement.subscribe(poke), metastorage.onLeader(poke)];
    this.#catalog = new MetastorageCatalog({
      metastorage,
      defaultPartitions: shared.catalog.defaultPartitions,
      log,
      placeTable: (schema, replicas) => [
        tableRecordPut(schema.tableId, initialRecord(shared.placement.members, schema.partitions, replicas)),
      ],
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
  /** This node's copy of the assignments. */
  get assignments(): Assignments {
    return this.#assignments;
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

  /** The node is gone for good: it stops publishing. */
  close(): void {
    for (const stop of this.#stops.splice(0)) stop();
  }
}
