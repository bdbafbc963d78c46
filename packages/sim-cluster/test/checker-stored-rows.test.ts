// The stored-rows checker: every version a store keeps must decode, fit its columns and sit in its key's
// partition. It passes a clean run, and fails one where a row was planted straight into a store (past the
// node's checks), naming the node, partition, key and column, in `cluster.check` as in
// `cluster.checkStoredRows`.

import { partitionFor, RowCodec } from '@datastreamer/protocol';
import { keyColocationHash } from '@datastreamer/protocol/internal';
import { describe, expect, it } from 'vitest';
import { judgeStoredRows } from '../src/checkers/stored-rows.js';
import { SimCluster } from '../src/cluster/sim-cluster.js';

const plays = {
  name: 'Plays',
  columns: [
    { name: 'Id', type: 'INT64' as const },
    { name: 'Done', type: 'BOOLEAN' as const },
    { name: 'Price', type: 'DECIMAL' as const, precision: 5, scale: 2, nullable: true },
  ],
  primaryKey: ['Id'],
};

async function streamed() {
  const cluster = await SimCluster.start({ nodes: 2, partitions: 4, seed: 19 });
  const client = await cluster.connect();
  await client.catalog.createTable(plays);
  const view = (await client.tables.table('Plays'))?.recordView();
  if (view === undefined) throw new Error('no table');
  const rows = Array.from({ length: 40 }, (_, i) => ({ Id: BigInt(i), Done: i % 2 === 0, Price: '1.50' }));
  await cluster.stream(view, rows, { client, seq: () => 1 });
  return cluster;
}

const checkFunctions = { key: (row: object) => ({ Id: (row as { Id: bigint }).Id }), seq: () => 1 };

/** Commits `tuple` (a tuple of schema version 1) under `key` straight into partition 0's store. */
function plant(cluster: SimCluster, key: Uint8Array, tuple: Uint8Array): string {
  const schema = cluster.controlPlane.catalog.latest('Plays');
  if (schema === undefined) throw new Error('no table');
  const owner = cluster.controlPlane.placement.owner(schema.tableId, 0) as string;
  const node = cluster.node(owner);
  const store = node.localPartition(schema.tableId, 0);
  if (store === undefined) throw new Error('no store');
  const ts = node.clock.now();
  const ptx = store.begin('planted', ts);
  store.write(ptx, key, Uint8Array.of(1, ...tuple));
  store.prepare(ptx);
  store.commit(ptx, node.clock.now());
  return owner;
}

describe('storedRows checker', () => {
  it('passes a run whose every stored row decodes', async () => {
    await using cluster = await streamed();
    const verdict = cluster.check(checkFunctions);
    expect(verdict.storedRows.valid).toBe(true);
    expect(verdict.storedRows.versions).toBe(40);
    expect(verdict.valid).toBe(true);
    expect(verdict.report).toContain('storedRows: passed (40 stored versions, 0 undecodable)');
  });

  it('fails a run with a planted row whose BOOLEAN holds 2, naming where it is', async () => {
    await using cluster = await streamed();
    const codec = new RowCodec(cluster.controlPlane.catalog.latest('Plays') as never);
    const key = codec.encodeKey({ Id: 1000n });
    const tuple = codec.encodeRow({ Id: 1000n, Done: true, Price: null }).tuple;
    tuple[tuple.length - 1] = 2; // Done is the last non-NULL element: 01 becomes 02.
    const owner = plant(cluster, key, tuple);
    const result = cluster.checkStoredRows();
    expect(result.valid).toBe(false);
    expect(result.undecodable).toHaveLength(1);
    expect(result.undecodable[0]).toMatchObject({
      node: owner,
      table: 'Plays',
      partition: 0,
      schemaVersion: 1,
    });
    expect(result.undecodable[0]?.reason).toMatch(/BOOLEAN\) holds 2, expected 0 or 1/);
    const verdict = cluster.check(checkFunctions);
    expect(verdict.valid).toBe(false);
    expect(verdict.undecodableRows).toHaveLength(1);
    expect(verdict.report).toContain('storedRows: FAILED (41 stored versions, 1 undecodable)');
  });

  it('fails a row that decodes but breaks its column: a DECIMAL(5,2) of 7 digits', async () => {
    await using cluster = await streamed();
    const codec = new RowCodec(cluster.controlPlane.catalog.latest('Plays') as never);
    const key = codec.encodeKey({ Id: 2000n });
    // Id 2000 (2 bytes), Done true, Price: scale 2, unscaled 1234567.
    const tuple = Uint8Array.of(0, 2, 3, 8, 0xd0, 0x07, 1, 2, 0, 0x12, 0xd6, 0x87);
    expect(codec.decodeRowValues(tuple)[2]).toEqual({ unscaled: 1234567n, scale: 2 });
    plant(cluster, key, tuple);
    const [bad] = cluster.checkStoredRows().undecodable;
    expect(bad?.reason).toMatch(/column "Price" \(DECIMAL\)/);
  });

  it('fails a valid row stored in a partition its key does not belong to', async () => {
    await using cluster = await streamed();
    const schema = cluster.controlPlane.catalog.latest('Plays');
    if (schema === undefined) throw new Error('no table');
    const codec = new RowCodec(schema);
    // A key of another partition than 0, planted into partition 0's store (past the node's checks).
    const id = [3000n, 3001n, 3002n, 3003n, 3004n, 3005n].find(
      (candidate) => partitionFor(keyColocationHash(schema, [candidate]), schema.partitions) !== 0,
    );
    if (id === undefined) throw new Error('no key of another partition among the samples');
    const owner = partitionFor(keyColocationHash(schema, [id]), schema.partitions);
    plant(cluster, codec.encodeKey({ Id: id }), codec.encodeRow({ Id: id, Done: true, Price: null }).tuple);
    const result = cluster.checkStoredRows();
    expect(result.valid).toBe(false);
    expect(result.undecodable).toHaveLength(1);
    expect(result.undecodable[0]?.partition).toBe(0);
    expect(result.undecodable[0]?.reason).toBe(
      `the key belongs to partition ${owner}: no read of it looks in partition 0`,
    );
  });

  it('judges nothing and passes when no stores are given', () => {
    const result = judgeStoredRows([], { schema: () => undefined, latest: () => undefined });
    expect(result).toMatchObject({ valid: true, versions: 0, undecodable: [] });
  });
});
