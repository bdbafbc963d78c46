/**
 * The stored-rows checker: every version a store keeps decodes with the schema version it names and fits
 * its columns, every stored key decodes as the table's key, and belongs to the partition whose store holds
 * it (its colocation hash, computed here from the decoded values). A row that fails here is one no reader
 * (`readTable`, a client's `get`) could ever return: the node should have refused it when it was written.
 *
 * It judges the stores' committed versions as given (`cluster.check` passes those of every node, crashed
 * ones included, tombstones left out), each by the protocol's tuple reader and then `storedValueProblem`
 * (the value checks run backwards), not by the node's own checks on bytes, so a node that skips a check is
 * caught. It does not look at the history.
 */
import {
  type ColumnDef,
  type InternalValue,
  partitionFor,
  RowCodec,
  type TableSchema,
} from '@datastreamer/protocol';
import { keyColocationHash, storedValueProblem } from '@datastreamer/protocol/internal';
import { storedRowTuple, storedRowVersion } from '@datastreamer/server-node/internal';
import { buildReport, type CheckerResult } from './checker-result.js';

/** One committed version in one store. */
export interface StoredVersion {
  readonly node: string;
  readonly tableId: number;
  readonly partition: number;
  readonly key: Uint8Array;
  /** Its commit timestamp. */
  readonly ts: bigint;
  /** The stored row: the schema-version prefix, then the tuple (tombstones are not given). */
  readonly row: Uint8Array;
}

/** What the checker needs to know of the catalog. */
export interface StoredSchemas {
  /** Schema `version` of table `tableId`, `undefined` when there is no such version. */
  schema(tableId: number, version: number): TableSchema | undefined;
  /** The latest schema of table `tableId`. */
  latest(tableId: number): TableSchema | undefined;
}

/** A stored version that no reader could return. */
export interface UndecodableRow {
  readonly node: string;
  readonly table: string;
  readonly partition: number;
  /** The key's bytes, in hex. */
  readonly key: string;
  readonly ts: bigint;
  /** The schema version the row names. */
  readonly schemaVersion: number;
  readonly reason: string;
}

/** What `storedRows` found. */
export interface StoredRowsResult extends CheckerResult<'storedRows'> {
  readonly undecodable: readonly UndecodableRow[];
  /** Versions judged. */
  readonly versions: number;
}

/** Judges every version of `versions` against `schemas` (see the module header). */
export function judgeStoredRows(versions: Iterable<StoredVersion>, schemas: StoredSchemas): StoredRowsResult {
  const codecs = new Map<string, RowCodec | null>();
  const codecOf = (tableId: number, version: number): RowCodec | null => {
    const id = `${tableId}/${version}`;
    let codec = codecs.get(id);
    if (codec === undefined) {
      const schema = schemas.schema(tableId, version);
      codec = schema === undefined ? null : new RowCodec(schema);
      codecs.set(id, codec);
    }
    return codec;
  };
  const undecodable: UndecodableRow[] = [];
  let count = 0;
  for (const version of versions) {
    count++;
    const schemaVersion = storedRowVersion(version.row);
    const reason = problemOf(version, schemaVersion, codecOf, schemas);
    if (reason === undefined) continue;
    undecodable.push({
      node: version.node,
      table: schemas.latest(version.tableId)?.tableName ?? String(version.tableId),
      partition: version.partition,
      key: Buffer.from(version.key).toString('hex'),
      ts: version.ts,
      schemaVersion,
      reason,
    });
  }
  const valid = undecodable.length === 0;
  const findings = undecodable.map((row) => [
    `${row.node} ${row.table} partition ${row.partition} key ${row.key} @${row.ts} (schema version ${row.schemaVersion}): ${row.reason}`,
  ]);
  return {
    checker: 'storedRows',
    valid,
    report: buildReport('storedRows', valid, `${count} stored versions, ${undecodable.length} undecodable`, [
      { title: 'stored rows no reader could return', findings },
    ]),
    undecodable,
    versions: count,
  };
}

function problemOf(
  version: StoredVersion,
  schemaVersion: number,
  codecOf: (tableId: number, version: number) => RowCodec | null,
  schemas: StoredSchemas,
): string | undefined {
  const codec = codecOf(version.tableId, schemaVersion);
  if (codec === null) return `names schema version ${schemaVersion}, which the table does not have`;
  const latest = schemas.latest(version.tableId);
  const keyCodec = latest === undefined ? null : codecOf(version.tableId, latest.version);
  try {
    const row = valuesProblem(codec.schema.columns, codec.decodeRowValues(storedRowTuple(version.row)));
    if (row !== undefined) return `the row ${row}`;
    if (keyCodec === null) return 'the table has no latest schema';
    const keyColumns = keyCodec.schema.keyColumns.map((i) => keyCodec.schema.columns[i] as ColumnDef);
    const keyValues = keyCodec.decodeKeyValues(version.key);
    const key = valuesProblem(keyColumns, keyValues);
    if (key !== undefined) return `the key ${key}`;
    const schema = keyCodec.schema;
    const owner = partitionFor(keyColocationHash(schema, keyValues), schema.partitions);
    return owner === version.partition
      ? undefined
      : `the key belongs to partition ${owner}: no read of it looks in partition ${version.partition}`;
  } catch (error) {
    return `does not decode: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function valuesProblem(columns: readonly ColumnDef[], values: readonly InternalValue[]): string | undefined {
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i] as ColumnDef;
    const problem = storedValueProblem(column, values[i] ?? null);
    if (problem !== undefined) return `column "${column.name}" (${column.type}) ${problem}`;
  }
  return undefined;
}
