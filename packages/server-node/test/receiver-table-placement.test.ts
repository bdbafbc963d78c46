/**
 * The risk: a receiver's table view places a row by the colocation hash its codec computes while encoding
 * (an INT64 key given as a number hashed without its bigint), so a key that lands elsewhere than the
 * reference partition (`keyColocationHash` of the decoded key, as clients compute it) would be stored where
 * no reader looks. Rows are written with and without a transaction, keys as numbers and as bigints.
 */
import { describe, expect, it } from 'vitest';
import { TestCluster } from './support/test-cluster.js';

/** INT64 keys at the width boundaries, as numbers, with a bigint twin for each. */
const NUMBER_IDS = [
  0,
  -1,
  127,
  -129,
  32768,
  2 ** 31 - 1,
  -(2 ** 31) - 1,
  2 ** 32,
  -(2 ** 32) + 1,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
];
const BIGINT_IDS = [2n ** 53n, -(2n ** 63n), 2n ** 63n - 1n];

async function setup() {
  const cluster = new TestCluster(['node-1', 'node-2', 'node-3'], {}, 7);
  const events = cluster.table({
    name: 'Events',
    columns: [
      { name: 'Region', type: 'STRING' },
      { name: 'EventId', type: 'INT64' },
      { name: 'Note', type: 'STRING', nullable: true },
    ],
    primaryKey: ['Region', 'EventId'],
    colocateBy: ['EventId', 'Region'],
    partitions: 7,
  });
  const owners = cluster.controlPlane.placement.assignment(events.tableId)?.owners ?? [];
  const node1 = cluster.node('node-1');
  /** The stored row of `key`, read from the partition the reference hash names, on its owner. */
  const read = (key: { Region: string; EventId: number | bigint }) => {
    const partition = events.partitionOf(key);
    const owner = cluster.node(owners[partition] as string);
    const stored = owner
      .localPartition(events.tableId, partition)
      ?.readAt(events.key(key), owner.clock.now());
    return stored === undefined || stored === null ? null : events.decode(stored.subarray(1));
  };
  const run = async (receiver: string) => {
    const client = await cluster.client('node-1');
    return client.send('STREAMER_WITH_RECEIVER_BATCH_SEND', {
      tableId: events.tableId,
      partitionId: 0,
      targetNode: owners[0] as string,
      assignmentVersion: 0,
      receiver,
      receiveResults: true,
      arg: null,
      payloads: [1],
    });
  };
  return { node1, read, run };
}

describe('receiver table views', () => {
  it('store INT64-colocated rows in the reference partition, with and without a transaction', async () => {
    const { node1, read, run } = await setup();
    node1.deployReceiver('Write', async (_page, ctx) => {
      const view = (await ctx.ignite.tables.table('Events'))?.recordView();
      await view?.upsertAll(NUMBER_IDS.map((EventId) => ({ Region: 'eu', EventId, Note: 'plain' })));
      await view?.upsertAll(BIGINT_IDS.map((EventId) => ({ Region: 'eu', EventId, Note: 'big' })));
      await ctx.ignite.transactions.runInTransaction(async (tx) => {
        for (const EventId of NUMBER_IDS) await view?.upsert({ Region: 'us', EventId, Note: 'tx' }, tx);
      });
      // Read back through the view by the bigint twin of each number key: the same partition.
      const found = await view?.getAll(NUMBER_IDS.map((id) => ({ Region: 'eu', EventId: BigInt(id) })));
      return [found?.filter((row) => row !== null).length ?? -1];
    });
    expect(await run('Write')).toMatchObject({ kind: 'ok', result: { results: [NUMBER_IDS.length] } });
    for (const id of NUMBER_IDS) {
      expect(read({ Region: 'eu', EventId: id })).toEqual({
        Region: 'eu',
        EventId: BigInt(id),
        Note: 'plain',
      });
      expect(read({ Region: 'us', EventId: id })).toEqual({ Region: 'us', EventId: BigInt(id), Note: 'tx' });
    }
    for (const id of BIGINT_IDS) {
      expect(read({ Region: 'eu', EventId: id })).toEqual({ Region: 'eu', EventId: id, Note: 'big' });
    }
  });
});
