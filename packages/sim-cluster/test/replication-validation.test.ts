// Validation on write and the stored-rows checker with replicated partitions: a row that does not fit its
// column is refused by the primary before it is proposed, so no replica stores it; and the checker reads every
// replica's store, not only the primary's (a row planted past the checks into a follower is found there).

import { type Response, RowCodec, type TableSchema } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../src/cluster/sim-cluster.js';
import { RawConnection } from './support/raw-connection.js';

const PLAYS = {
  name: 'Plays',
  columns: [
    { name: 'Id', type: 'INT64' as const },
    { name: 'Done', type: 'BOOLEAN' as const },
  ],
  primaryKey: ['Id'],
  partitions: 1,
};

async function replicated() {
  const cluster = await SimCluster.start({ nodes: 3, seed: 29, replicas: 3 });
  const client = await cluster.connect();
  await client.catalog.createTable(PLAYS);
  const schema = cluster.controlPlane.catalog.latest('Plays') as TableSchema;
  const primary = await cluster.primaryOf('Plays', 0);
  return { cluster, schema, codec: new RowCodec(schema), primary };
}

/** Sends one batch of `rows` tuples to the primary of partition 0, as a raw client. */
async function sendTuples(
  cluster: SimCluster,
  schema: TableSchema,
  primary: string,
  tuples: readonly Uint8Array[],
  batchSeq: number,
): Promise<Response> {
  const raw = await RawConnection.open(cluster, `raw-${batchSeq}`, primary);
  await raw.handshake('client', 'raw');
  return raw.send('STREAMER_BATCH_SEND', {
    tableId: schema.tableId,
    partitionId: 0,
    deleted: null,
    schemaVersion: schema.version,
    rows: tuples.map((tuple) => ({ noValueSet: new Uint8Array(0), tuple })),
    targetNode: primary,
    assignmentVersion: cluster.controlPlane.placement.version,
    producer: { producerId: 'p', epoch: 1, batchSeq },
  });
}

describe('Validation on write with replicated partitions', () => {
  it('refuses a batch with an invalid row on a replicated table, and no replica stores any of it', async () => {
    const { cluster, schema, codec, primary } = await replicated();
    await using _ = cluster;
    const good = codec.encodeRow({ Id: 1n, Done: true }).tuple;
    const bad = codec.encodeRow({ Id: 2n, Done: true }).tuple;
    bad[bad.length - 1] = 2; // Done is the last element: 01 becomes 02.
    const refused = await sendTuples(cluster, schema, primary, [good, bad], 1);
    expect(refused).toMatchObject({ kind: 'error', error: { code: 'INVALID_ROW' } });
    expect(refused.kind === 'error' && refused.error.message).toMatch(/BOOLEAN/);
    // The same producer's batch 1 applies once sent valid: the refusal recorded nothing in the fence either.
    expect(await sendTuples(cluster, schema, primary, [good], 1)).toMatchObject({ kind: 'ok' });
    await cluster.clock.sleep(300);
    const replicas = await cluster.replicasOf('Plays', 0);
    for (const name of replicas) {
      const node = cluster.node(name);
      const stored = [...(node.localPartition(schema.tableId, 0)?.scan(node.clock.now()) ?? [])];
      expect(stored, name).toHaveLength(1);
    }
    const result = cluster.checkStoredRows();
    expect(result).toMatchObject({ valid: true, versions: replicas.length });
  });

  it("checks every replica's store: a row planted in a follower past the checks is found there", async () => {
    const { cluster, schema, codec, primary } = await replicated();
    await using _ = cluster;
    expect(
      await sendTuples(cluster, schema, primary, [codec.encodeRow({ Id: 1n, Done: true }).tuple], 1),
    ).toMatchObject({ kind: 'ok' });
    await cluster.clock.sleep(300);
    expect(cluster.checkStoredRows()).toMatchObject({ valid: true, versions: 3 });
    const follower = (await cluster.replicasOf('Plays', 0)).find((name) => name !== primary) as string;
    const node = cluster.node(follower);
    const store = node.localPartition(schema.tableId, 0);
    if (store === undefined) throw new Error(`${follower} holds no replica`);
    const tuple = codec.encodeRow({ Id: 9n, Done: false }).tuple;
    tuple[tuple.length - 1] = 7;
    const ptx = store.begin('planted', node.clock.now());
    store.write(ptx, codec.encodeKey({ Id: 9n }), Uint8Array.of(1, ...tuple));
    store.prepare(ptx);
    store.commit(ptx, node.clock.now());
    const result = cluster.checkStoredRows();
    expect(result.valid).toBe(false);
    expect(result.undecodable).toEqual([
      expect.objectContaining({ node: follower, table: 'Plays', partition: 0, schemaVersion: 1 }),
    ]);
    expect(result.undecodable[0]?.reason).toMatch(/BOOLEAN\) holds 7, expected 0 or 1/);
  });
});
