/**
 * The control plane: the state every node of a cluster must agree on, the catalog, the placement and the
 * producers' epochs. In one process it is one shared object; the interface is what a networked
 * implementation (a replicated metastorage) would have to provide.
 */
import type { TableDefinition, TableSchema } from '@datastreamer/protocol';
import { Catalog, type CatalogOptions } from '../catalog/catalog.js';
import { ServerError } from '../errors/server-error.js';
import { Placement } from './placement.js';
import { ProducerRegistry } from './producer-registry.js';

export interface ControlPlane {
  readonly catalog: Catalog;
  readonly placement: Placement;
  /** Every producer's newest epoch (see producer-registry.ts). */
  readonly producers: ProducerRegistry;
  /**
   * Creates a table and places its partitions, both or neither.
   * @throws ServerError as `Catalog.createTable`, or `NODE_UNAVAILABLE` when no node can own partitions.
   */
  createTable(definition: TableDefinition): TableSchema;
}

/** The in-process control plane, shared by every node of a simulated cluster. */
export class LocalControlPlane implements ControlPlane {
  readonly catalog: Catalog;
  readonly placement = new Placement();
  readonly producers = new ProducerRegistry();

  constructor(options: CatalogOptions = {}) {
    this.catalog = new Catalog(options);
  }

  createTable(definition: TableDefinition): TableSchema {
    if (this.placement.members.length === 0) {
      throw new ServerError('NODE_UNAVAILABLE', 'no node is available to own the partitions of a new table');
    }
    const schema = this.catalog.createTable(definition);
    this.placement.addTable(schema.tableId, schema.partitions);
    return schema;
  }
}
