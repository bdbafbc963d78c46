/**
 * A few `ClusterNode`s on one control plane, a loopback network and a manual clock, plus helpers to build the
 * tuples a client would send (through the protocol's `RowCodec` and colocation hash). Each test builds its
 * own; nothing is shared between tests.
 */

import type { TableDefinition } from '@datastreamer/protocol';
import { partitionFor, RowCodec, type TableSchema } from '@datastreamer/protocol';
import { keyColocationHash, type StreamerRow } from '@datastreamer/protocol/internal';
import { ClusterNode, type ClusterNodeOptions } from '../../src/node/cluster-node.js';
import { LocalControlPlane } from '../../src/placement/control-plane.js';
import { LoopbackNetwork } from './loopback-network.js';
import { ManualClock } from './manual-clock.js';
import { type HandshakeOptions, RawClient } from './raw-client.js';

export type NodeOverrides = Omit<ClusterNodeOptions, 'name' | 'controlPlane' | 'clock' | 'transport'>;

/** The cluster secret every test node shares (node peers prove it; raw test peers of type node too). */
export const TEST_CLUSTER_SECRET = 'test-cluster-secret';

export class TestCluster {
  readonly network = new LoopbackNetwork();
  readonly clock = new ManualClock();
  readonly controlPlane: LocalControlPlane;
  readonly nodes = new Map<string, ClusterNode>();

  /** @param leaseMs the leases' length (longer than the nodes' `maxClockOffsetMs`); default the control plane's. */
  constructor(
    names: readonly string[] = ['node-1'],
    overrides: NodeOverrides = {},
    defaultPartitions = 4,
    leaseMs?: number,
  ) {
    this.controlPlane = new LocalControlPlane({
      defaultPartitions,
      ...(leaseMs === undefined ? {} : { leaseMs }),
    });
    for (const name of names) this.addNode(name, overrides);
  }

  addNode(name: string, overrides: NodeOverrides = {}): ClusterNode {
    const node = new ClusterNode({
      name,
      controlPlane: this.controlPlane,
      clock: this.clock,
      transport: this.network.transport(name),
      authentication: { clusterSecret: TEST_CLUSTER_SECRET },
      ...overrides,
    });
    this.network.listen(name, (connection) => node.accept(connection));
    this.nodes.set(name, node);
    return node;
  }

  node(name: string): ClusterNode {
    const node = this.nodes.get(name);
    if (node === undefined) throw new Error(`no node ${name}`);
    return node;
  }

  /** A handshaken client of `node`; a peer of type node proves the cluster's secret unless told another. */
  client(node: string, options: HandshakeOptions = {}): Promise<RawClient> {
    return RawClient.connect(this.network, node, { clusterSecret: TEST_CLUSTER_SECRET, ...options });
  }

  /** Creates a table through the control plane and returns a row helper for it. */
  table(definition: TableDefinition): TableRows {
    return new TableRows(this.controlPlane.createTable(definition));
  }

  /** The small table many node tests use: `Plays` (Id INT32 key, Track STRING) in one partition. */
  plays(): TableRows {
    return this.table({
      name: 'Plays',
      columns: [
        { name: 'Id', type: 'INT32' },
        { name: 'Track', type: 'STRING' },
      ],
      primaryKey: ['Id'],
      partitions: 1,
    });
  }

  /** Where a batch for `partition` goes when `node` owns it, at the placement's current version. */
  target(
    partition = 0,
    node = 'node-1',
  ): { partition: number; targetNode: string; assignmentVersion: number } {
    return { partition, targetNode: node, assignmentVersion: this.controlPlane.placement.version };
  }

  /** The latest row helper of a table (after columns were added). */
  rowsOf(tableId: number): TableRows {
    const schema = this.controlPlane.catalog.latest(tableId);
    if (schema === undefined) throw new Error(`no table ${tableId}`);
    return new TableRows(schema);
  }
}

/** Encodes rows and keys of one schema version as a client would. */
export class TableRows {
  readonly schema: TableSchema;
  readonly codec: RowCodec;

  constructor(schema: TableSchema) {
    this.schema = schema;
    this.codec = new RowCodec(schema);
  }

  get tableId(): number {
    return this.schema.tableId;
  }

  get version(): number {
    return this.schema.version;
  }

  /** A PUT item of a streamer batch. */
  put(row: object): StreamerRow {
    const encoded = this.codec.encodeRow(row);
    return { noValueSet: encoded.noValueSet, tuple: encoded.tuple };
  }

  /** A REMOVE item: the key columns only. */
  remove(key: object): StreamerRow {
    return { noValueSet: new Uint8Array(0), tuple: this.codec.encodeKey(key) };
  }

  key(key: object): Uint8Array {
    return this.codec.encodeKey(key);
  }

  /** The partition of a row or key, as client and server compute it. */
  partitionOf(key: object): number {
    const values = this.codec.decodeKeyValues(this.codec.encodeKey(key));
    return partitionFor(keyColocationHash(this.schema, values), this.schema.partitions);
  }

  /** The `deleted` bit set of a batch whose items at `removes` are REMOVEs (null when none is). */
  static deleted(removes: readonly number[]): Uint8Array | null {
    if (removes.length === 0) return null;
    const mask = new Uint8Array((Math.max(...removes) >> 3) + 1);
    for (const i of removes) mask[i >> 3] = (mask[i >> 3] as number) | (1 << (i & 7));
    return mask;
  }

  /** Decodes a row tuple written with `schema` (this helper's schema when omitted). */
  decode(row: Uint8Array, schema: TableSchema = this.schema): Record<string, unknown> {
    return new RowCodec(schema).decodeRow(row);
  }

  /** One column of a decoded row or key (named, so tests need no index-signature access). */
  static field(values: Record<string, unknown>, column: string): unknown {
    return values[column];
  }
}
