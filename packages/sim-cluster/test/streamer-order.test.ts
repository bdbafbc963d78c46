// Per-key order of one stream against a simulated cluster: operations on one key end in the state of the
// last one, whether they share a batch (the node keeps the last operation per key) or are spread over many
// (batches of a partition are applied one after another).

import { DataStreamerItem, type RecordStreamItem } from '@datastreamer/client';
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../src/cluster/sim-cluster.js';
import { createTable, type ItemRow, itemRow, itemsTable } from './streamer-fixtures.js';

function startCluster(seed: number): Promise<SimCluster> {
  return SimCluster.start({ nodes: 3, partitions: 4, seed });
}

async function streamInto(cluster: SimCluster, items: RecordStreamItem<ItemRow>[], pageSize: number) {
  const client = await cluster.connect();
  const view = (await createTable(client, itemsTable())).recordView<ItemRow>();
  return view.streamData(items, { pageSize });
}

describe('DataStreamer order', () => {
  it.each([1, 2, 1000])('leaves a key absent after PUT then REMOVE (page size %i)', async (pageSize) => {
    await using cluster = await startCluster(21);

    await streamInto(
      cluster,
      [itemRow(5), DataStreamerItem.of(itemRow(6)), DataStreamerItem.removed({ Id: 5n })],
      pageSize,
    );

    expect(await cluster.readTable('Items')).toEqual([itemRow(6)]);
  });

  it.each([1, 2, 3, 1000])(
    'keeps the last value after PUT, REMOVE, PUT, PUT (page size %i)',
    async (pageSize) => {
      await using cluster = await startCluster(22);

      await streamInto(
        cluster,
        [
          DataStreamerItem.of(itemRow(5, 1)),
          DataStreamerItem.removed({ Id: 5n }),
          DataStreamerItem.of(itemRow(5, 2)),
          DataStreamerItem.of(itemRow(5, 3)),
        ],
        pageSize,
      );

      expect(await cluster.readTable('Items')).toEqual([itemRow(5, 3)]);
    },
  );

  it.each([1, 2, 3, 4, 7, 64, 1000])(
    'ends a hundred PUT/REMOVE/PUT rounds on one key with the last PUT (page size %i)',
    async (pageSize) => {
      const items: RecordStreamItem<ItemRow>[] = [];
      for (let round = 0; round < 100; round++) {
        items.push(DataStreamerItem.of(itemRow(9, round * 2)));
        items.push(DataStreamerItem.removed({ Id: 9n }));
        items.push(DataStreamerItem.of(itemRow(9, round * 2 + 1)));
      }
      await using run = await startCluster(23);

      const summary = await streamInto(run, items, pageSize);

      expect(summary.batches).toBe(Math.ceil(300 / pageSize));
      expect(await run.readTable('Items')).toEqual([itemRow(9, 199)]);
      // Every batch committed in order: the key's applied values, in commit order, never go back.
      const applied = run.history.events.flatMap((event) =>
        event.type === 'apply' && event.row !== null ? [(event.row as unknown as ItemRow).Score] : [],
      );
      expect(applied).toEqual([...applied].sort((a, b) => a - b));
      expect(applied.at(-1)).toBe(itemRow(9, 199).Score);
    },
  );
});
