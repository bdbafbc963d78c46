/**
 * Reads a table's committed rows straight out of the partition stores, with no network and no faults: what
 * `cluster.readTable` and the final-state checker see. Rows written under an older schema version are
 * upgraded to the latest one (a column added later gets its default, or null); a replicated partition is read
 * from its primary, or its freshest running replica. `storedVersions` hands every committed version of every
 * store (each replica's), still bytes, to the stored-rows checker.
 */
import {
  type ColumnDef,
  denormalizeValue,
  normalizeValue,
  RowCodec,
  type TableSchema,
} from '@datastreamer/protocol';
import type { ClusterNode } from '@datastreamer/server-node';
import {
  type Catalog,
  type MvccPartitionStore,
  type Placement,
  storedRowTuple,
  storedRowVersion,
} from '@datastreamer/server-node/internal';
import type { StoredVersion } from '../checkers/stored-rows.js';

export type PlainRow = Record<string, unknown>;

/** Decoders of every (table, schema version) seen, made once each. */
export class RowDecoders {
  readonly #catalog: Catalog;
  readonly #codecs = new Map<string, RowCodec>();

  constructor(catalog: Catalog) {
    this.#catalog = catalog;
  }

  codec(tableId: number, version: number): RowCodec | undefined {
    const id = `${tableId}/${version}`;
    let codec = this.#codecs.get(id);
    if (codec === undefined) {
      const schema = this.#catalog.schema(tableId, version);
      if (schema === undefined) return undefined;
      codec = new RowCodec(schema);
      this.#codecs.set(id, codec);
    }
    return codec;
  }

  /** A stored row (version prefix + tuple) as a plain object in the latest schema. */
  storedRow(tableId: number, stored: Uint8Array): PlainRow {
    return this.row(tableId, storedRowVersion(stored), storedRowTuple(stored));
  }

  /** A row tuple written under `version`, as a plain object in the latest schema. */
  row(tableId: number, version: number, tuple: Uint8Array): PlainRow {
    const codec = this.codec(tableId, version);
    const latest = this.#catalog.latest(tableId);
    if (codec === undefined || latest === undefined) {
      throw new Error(`no schema version ${version} for table ${tableId}`);
    }
    const row = codec.decodeRow(tuple);
    if (latest.version !== version) fillAddedColumns(row, latest, codec.schema);
    return row;
  }

  /** A key-only tuple as a plain object of the key columns. */
  key(tableId: number, tuple: Uint8Array): PlainRow {
    const latest = this.#catalog.latest(tableId);
    const codec = latest === undefined ? undefined : this.codec(tableId, latest.version);
    if (codec === undefined) throw new Error(`no table ${tableId}`);
    return codec.decodeKey(tuple);
  }
}

function fillAddedColumns(row: PlainRow, latest: TableSchema, written: TableSchema): void {
  for (let i = written.columns.length; i < latest.columns.length; i++) {
    const column = latest.columns[i] as ColumnDef;
    row[column.name] =
      column.default === undefined || column.default === null
        ? null
        : denormalizeValue(column, normalizeValue(column, column.default));
  }
}

/**
 * Every committed version (tombstones left out) of every partition each of `nodes` holds, crashed or not:
 * every running replica of a replicated partition too (a replica is a store as much as a primary is; a
 * crashed node's replicas are rebuilt from its disk at its restart, and checked then).
 */
export function* storedVersions(nodes: Iterable<ClusterNode>): Generator<StoredVersion, void, undefined> {
  for (const node of nodes) {
    for (const [tableId, partition] of node.heldPartitions()) {
      const store = node.localPartition(tableId, partition);
      if (store === undefined) continue;
      for (const { key, versions } of store.exportCommitted().keys) {
        for (const { ts, row } of versions) {
          if (row !== null) yield { node: node.name, tableId, partition, key, ts, row };
        }
      }
    }
  }
}

/** Where a partition's committed rows are read: a node and its store of the partition. */
export interface PartitionHolder {
  readonly node: ClusterNode;
  readonly store: MvccPartitionStore;
}

/**
 * Where a partition's committed rows are read: its owner's store, or for a replicated partition its serving
 * primary's, or when none serves (an election under way) the running replica that applied the most of its
 * log (no replica applied an entry that was not committed).
 */
export function partitionHolder(
  placement: Placement,
  nodeNamed: (name: string) => ClusterNode | undefined,
  tableId: number,
  partition: number,
): PartitionHolder | undefined {
  if (!placement.isReplicated(tableId)) {
    const owner = placement.owner(tableId, partition);
    const node = owner === undefined ? undefined : nodeNamed(owner);
    const store = node?.localPartition(tableId, partition);
    return node === undefined || store === undefined ? undefined : { node, store };
  }
  let best: PartitionHolder | undefined;
  let bestApplied = -1;
  for (const name of placement.replicasOf(tableId, partition) ?? []) {
    const node = nodeNamed(name);
    const group = node?.replicaGroup(tableId, partition);
    if (node === undefined || group === undefined) continue;
    // The primary holds every committed write.
    if (group.isServing()) return { node, store: group.store };
    if (group.raft.lastApplied <= bestApplied) continue;
    best = { node, store: group.store };
    bestApplied = group.raft.lastApplied;
  }
  return best;
}

/**
 * The committed rows of the table of `schema` as its holders (`partitionHolder`) keep them now, in partition
 * order, as plain objects of the latest schema; with `skipUndecodable`, rows that do not decode are left out
 * (else their error is thrown).
 */
export function committedRows(
  schema: TableSchema,
  placement: Placement,
  nodeNamed: (name: string) => ClusterNode | undefined,
  how: { readonly decoders: RowDecoders; readonly skipUndecodable: boolean },
): PlainRow[] {
  const rows: PlainRow[] = [];
  for (let p = 0; p < schema.partitions; p++) {
    const holder = partitionHolder(placement, nodeNamed, schema.tableId, p);
    if (holder === undefined) continue;
    for (const { row } of holder.store.scan(holder.node.clock.now())) {
      try {
        rows.push(how.decoders.storedRow(schema.tableId, row));
      } catch (error) {
        if (!how.skipUndecodable) throw error;
      }
    }
  }
  return rows;
}
