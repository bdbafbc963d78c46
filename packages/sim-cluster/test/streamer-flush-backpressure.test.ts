// When the streamer sends and how far it reads ahead, against a simulated cluster on virtual time: a lone
// item is flushed by age while the source stays open (and not at all with auto-flush off); a partition with
// a batch in flight is never flushed again until that batch finished; a stalled cluster stops the source at
// the documented bound, and everything goes through once the cluster answers again.

import { StreamerPublisher } from '@datastreamer/client';
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../src/cluster/sim-cluster.js';
import {
  byId,
  CountingSource,
  connectTapped,
  createTable,
  Gate,
  type ItemRow,
  itemRow,
  itemsTable,
} from './streamer-fixtures.js';

/** Yields `rows`, then stays open until `gate` opens. */
async function* rowsThenWait(rows: readonly ItemRow[], gate: Gate): AsyncGenerator<ItemRow> {
  yield* rows;
  await gate.opened;
}

/** Whether `promise` has settled, observed without waiting for it. */
function settledFlag(promise: Promise<unknown>): { readonly settled: boolean } {
  const flag = { settled: false };
  promise.then(
    () => {
      flag.settled = true;
    },
    () => {
      flag.settled = true;
    },
  );
  return flag;
}

describe('DataStreamer flushing and backpressure', () => {
  it('makes a single item visible after autoFlushInterval while the source is still open', async () => {
    await using cluster = await SimCluster.start({ nodes: 2, partitions: 4, seed: 31 });
    const client = await cluster.connect();
    const view = (await createTable(client, itemsTable())).recordView<ItemRow>();
    const gate = new Gate();
    const start = cluster.clock.now();

    const done = view.streamData(rowsThenWait([itemRow(1)], gate), { autoFlushInterval: 2000 });
    const flag = settledFlag(done);
    await cluster.clock.sleep(1900);
    expect(await cluster.readTable('Items')).toEqual([]);
    await cluster.clock.sleep(200);

    expect(await cluster.readTable('Items')).toEqual([itemRow(1)]);
    expect(flag.settled).toBe(false);
    gate.open();
    expect((await done).items).toBe(1);
    expect(cluster.clock.now() - start).toBeGreaterThanOrEqual(2000);
  });

  it('keeps a single item unsent until the source completes when auto-flush is off', async () => {
    await using cluster = await SimCluster.start({ nodes: 2, partitions: 4, seed: 32 });
    const client = await cluster.connect();
    const view = (await createTable(client, itemsTable())).recordView<ItemRow>();
    const gate = new Gate();

    const done = view.streamData(rowsThenWait([itemRow(1)], gate), { autoFlushInterval: 0 });
    await cluster.clock.sleep(60_000);
    expect(await cluster.readTable('Items')).toEqual([]);
    gate.open();

    expect((await done).batches).toBe(1);
    expect(await cluster.readTable('Items')).toEqual([itemRow(1)]);
  });

  it('auto-flushes an overdue buffer into a free slot, and not while every slot of its partition is taken', async () => {
    await using cluster = await SimCluster.start({ nodes: 1, partitions: 1, seed: 33 });
    const { client, tap } = await connectTapped(cluster);
    await using _client = client;
    const view = (await createTable(client, itemsTable())).recordView<ItemRow>();
    await view.streamData([]); // Loads the schema and the assignment, so the pause holds only batches.
    const publisher = new StreamerPublisher<ItemRow>();
    const batchSizes: number[] = [];
    // Two slots and two batches of room, so items are taken while batches are held.
    const done = view.streamData(publisher, {
      pageSize: 3,
      perPartitionParallelOperations: 2,
      autoFlushInterval: 100,
      onBatch: (info) => {
        batchSizes.push(info.items);
      },
    });

    // Once the stream opened (it took the first item), the node holds what it gets for a second. The first
    // (full) batch takes one slot; a fourth item, overdue 100 ms later, leaves in the second slot; a fifth,
    // overdue while both slots are taken, waits in the open buffer until the first batch is answered.
    await publisher.submit(itemRow(0));
    cluster.pauseNode('node-1', 1000);
    const pausedAt = cluster.clock.now();
    for (let i = 1; i < 4; i++) await publisher.submit(itemRow(i));
    await cluster.clock.sleep(500);
    expect(tap.count('STREAMER_BATCH_SEND')).toBe(2);
    await publisher.submit(itemRow(4));
    await cluster.clock.sleep(1000);
    publisher.close();
    const summary = await done;

    const batches = tap.requests.filter((request) => request.op === 'STREAMER_BATCH_SEND');
    expect(batches).toHaveLength(3);
    expect(batches[1]?.atMs).toBeLessThan(pausedAt + 500);
    expect(batches[2]?.atMs).toBeGreaterThanOrEqual(pausedAt + 1000);
    expect(batchSizes).toEqual([3, 1, 1]);
    expect(summary).toMatchObject({ items: 5, batches: 3 });
    expect(byId(await cluster.readTable('Items')).size).toBe(5);
  });

  it('does not pull the source beyond the bound while the cluster is stalled, then sends everything', async () => {
    await using cluster = await SimCluster.start({ nodes: 2, partitions: 4, seed: 34 });
    const client = await cluster.connect();
    const view = (await createTable(client, itemsTable('Items', 4))).recordView<ItemRow>();
    const source = new CountingSource(Array.from({ length: 1000 }, (_, i) => itemRow(i)));
    // The stream opens (registers its producer) before it pulls: the first pull stalls the whole cluster, so
    // every batch meets a paused node.
    const stalling = (function* () {
      for (const node of cluster.nodes) cluster.pauseNode(node, 20_000);
      yield* source;
    })();
    const [pageSize, perPartitionParallelOperations, partitions] = [10, 2, 4];
    const bound = partitions * pageSize * perPartitionParallelOperations;

    const done = view.streamData(stalling, {
      pageSize,
      perPartitionParallelOperations,
      autoFlushInterval: 500,
    });
    const flag = settledFlag(done);
    await cluster.clock.sleep(10_000);

    expect(source.pulled).toBeLessThanOrEqual(bound);
    expect(source.pulled).toBeGreaterThanOrEqual(pageSize * perPartitionParallelOperations);
    expect(flag.settled).toBe(false);
    expect(await cluster.readTable('Items')).toEqual([]);

    const summary = await done;
    expect(summary.items).toBe(1000);
    expect(summary.peakBufferedItems).toBeLessThanOrEqual(bound);
    expect(summary.bufferBound).toBe(bound);
    expect(byId(await cluster.readTable('Items')).size).toBe(1000);
  });
});
