// The streamer across schema changes and cluster topology, against a simulated cluster: a column added
// mid-stream (by another client) loses nothing and gives earlier rows its default; a client with a stale
// schema reloads it once; each batch lands on its partition's primary and follows a partition that moved;
// a client that reaches one node of three, and several clients at once, store every row.

import {
  type Client,
  DataStreamerItem,
  type RecordStreamItem,
  StreamerPublisher,
} from '@datastreamer/client';
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../src/cluster/sim-cluster.js';
import {
  byId,
  connectTapped,
  createTable,
  Gate,
  type ItemRow,
  itemRow,
  itemsTable,
  tableOf,
} from './streamer-fixtures.js';

interface TaggedRow extends ItemRow {
  readonly Tag?: string;
}

const TAG_COLUMN = { name: 'Tag', type: 'STRING', nullable: true, default: 'untagged' } as const;

function owner(cluster: SimCluster, tableId: number, partition: number): string | undefined {
  return cluster.controlPlane.placement.owner(tableId, partition);
}

describe('DataStreamer schema and topology', () => {
  it('loses nothing when a column is added while streaming: later rows carry it, earlier ones get its default', async () => {
    await using cluster = await SimCluster.start({ nodes: 3, partitions: 6, seed: 51 });
    const admin = await cluster.connect();
    await createTable(admin, itemsTable());
    const client = await cluster.connect();
    const view = (await tableOf(client, 'Items')).recordView<TaggedRow>();
    const added = new Gate();
    const gate = new Gate();
    async function* rows(): AsyncGenerator<TaggedRow> {
      for (let i = 0; i < 300; i++) yield itemRow(i);
      gate.open();
      await added.opened;
      for (let i = 300; i < 600; i++) yield { ...itemRow(i), Tag: `tag-${i}` };
    }

    // Pages of 40 over 6 partitions: when the column is added, some old-version rows are still buffered.
    const done = view.streamData(rows(), { pageSize: 40 });
    await gate.opened;
    await admin.catalog.addColumn('Items', TAG_COLUMN);
    added.open();
    const summary = await done;

    expect(summary.items).toBe(600);
    const stored = byId(await cluster.readTable('Items'));
    expect(stored.size).toBe(600);
    for (let i = 0; i < 600; i++) {
      expect(stored.get(BigInt(i))).toEqual({ ...itemRow(i), Tag: i < 300 ? 'untagged' : `tag-${i}` });
    }
  });

  it('streams a row using a new column through a client with a stale schema after one reload', async () => {
    await using cluster = await SimCluster.start({ nodes: 2, partitions: 4, seed: 52 });
    const admin = await cluster.connect();
    await createTable(admin, itemsTable());
    const { client, tap } = await connectTapped(cluster);
    await using _client = client;
    const table = await tableOf(client, 'Items');
    expect((await table.schema()).columns.map((c) => c.name)).toEqual(['Id', 'Name', 'Score']);
    await admin.catalog.addColumn('Items', TAG_COLUMN);
    const schemaLoadsBefore = tap.count('SCHEMAS_GET');

    const rows: TaggedRow[] = [itemRow(1), { ...itemRow(2), Tag: 'fresh' }, itemRow(3)];
    const summary = await table.recordView<TaggedRow>().streamData(rows, { pageSize: 2 });

    expect(summary.items).toBe(3);
    expect(tap.count('SCHEMAS_GET') - schemaLoadsBefore).toBe(1);
    expect(byId(await cluster.readTable('Items'))).toEqual(
      new Map([
        [1n, { ...itemRow(1), Tag: 'untagged' }],
        [2n, { ...itemRow(2), Tag: 'fresh' }],
        [3n, { ...itemRow(3), Tag: 'untagged' }],
      ]),
    );
  });

  it('sends each batch to the primary of its partition and follows a partition that moved', async () => {
    await using cluster = await SimCluster.start({ nodes: 3, partitions: 6, seed: 53 });
    const client = await cluster.connect();
    const table = await createTable(client, itemsTable());
    const view = table.recordView<ItemRow>();
    const acks: { partition: number; node: string; rerouted: boolean }[] = [];
    const publisher = new StreamerPublisher<ItemRow>();
    const done = view.streamData(publisher, {
      pageSize: 5,
      autoFlushInterval: 50,
      onBatch: ({ partition, node, rerouted }) => {
        acks.push({ partition, node, rerouted });
      },
    });

    for (let i = 0; i < 200; i++) await publisher.submit(itemRow(i));
    await cluster.clock.sleep(200);
    const before = acks.length;
    expect(before).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.node).toBe(owner(cluster, table.id, ack.partition));
      expect(ack.rerouted).toBe(false);
    }

    const moved = 3;
    const from = owner(cluster, table.id, moved);
    const to = cluster.nodes.find((node) => node !== from) as string;
    await cluster.movePartition('Items', moved, to);
    const movedAt = cluster.history.events.length;
    // Every node learns the move from its copy of the assignments in the metastorage, a watch later.
    const version = cluster.controlPlane.placement.version;
    while (cluster.nodes.some((node) => cluster.node(node).assignments.version < version)) {
      await cluster.clock.sleep(5);
    }
    for (let i = 200; i < 400; i++) await publisher.submit(itemRow(i, 1));
    publisher.close();
    await done;

    // The nodes applied every batch on the partition's owner of the moment.
    const applies = cluster.history.events.filter((event) => event.type === 'apply');
    expect(applies).toHaveLength(400);
    for (const apply of applies) {
      if (apply.type !== 'apply') continue;
      const expected =
        apply.partition === moved
          ? apply.n < movedAt
            ? from
            : to
          : owner(cluster, table.id, apply.partition);
      expect(apply.node).toBe(expected);
    }
    // The client learnt of the move: after at most one rerouted batch, the partition's batches go to `to`.
    const after = acks.slice(before).filter((ack) => ack.partition === moved);
    expect(after.length).toBeGreaterThanOrEqual(3);
    expect(after.slice(1).every((ack) => ack.node === to && !ack.rerouted)).toBe(true);
    // Batches in flight when the change was learnt carry the flag too, but never two of one partition.
    for (let p = 0; p < 6; p++) {
      const flagged = acks.slice(before).filter((ack) => ack.partition === p && ack.rerouted);
      expect(flagged.length).toBeLessThanOrEqual(1);
    }
    expect(byId(await cluster.readTable('Items')).get(399n)).toEqual(itemRow(399, 1));
  });

  it('streams correctly through a client connected to one node of three', async () => {
    await using cluster = await SimCluster.start({ nodes: 3, partitions: 9, seed: 54 });
    const admin = await cluster.connect();
    await createTable(admin, itemsTable());
    const client = await cluster.connect({ nodes: ['node-2'] });
    const view = (await tableOf(client, 'Items')).recordView<ItemRow>();
    const rows = Array.from({ length: 900 }, (_, i) => itemRow(i));

    const summary = await view.streamData(rows, { pageSize: 25 });

    expect(summary.items).toBe(900);
    expect(summary.rerouted).toBeGreaterThan(0);
    const applyNodes = new Set(cluster.history.events.flatMap((e) => (e.type === 'apply' ? [e.node] : [])));
    expect([...applyNodes].sort()).toEqual(['node-1', 'node-2', 'node-3']);
    const stored = byId(await cluster.readTable('Items'));
    expect(stored.size).toBe(900);
    for (const row of rows) expect(stored.get(row.Id)).toEqual(row);
  });

  it('ends with every row correct when several clients stream into one table at once', async () => {
    await using cluster = await SimCluster.start({ nodes: 3, partitions: 8, seed: 55 });
    const admin = await cluster.connect();
    await createTable(admin, itemsTable());
    const clients: Client[] = [];
    for (let c = 0; c < 4; c++) clients.push(await cluster.connect());
    const expected = new Map<bigint, ItemRow>();
    const streams = clients.map(async (client, c) => {
      // Each client owns the keys c, c + 4, c + 8, ...: it writes them twice and removes every fifth.
      const items: RecordStreamItem<ItemRow>[] = [];
      for (let k = 0; k < 500; k++) items.push(itemRow(k * 4 + c, 0));
      for (let k = 0; k < 500; k++) {
        const id = k * 4 + c;
        if (k % 5 === 0) {
          items.push(DataStreamerItem.removed({ Id: BigInt(id) }));
        } else {
          items.push(itemRow(id, c + 1));
          expected.set(BigInt(id), itemRow(id, c + 1));
        }
      }
      const view = (await tableOf(client, 'Items')).recordView<ItemRow>();
      return view.streamData(items, { pageSize: 7 + c * 10 });
    });

    const summaries = await Promise.all(streams);

    expect(summaries.map((s) => s.items)).toEqual([1000, 1000, 1000, 1000]);
    expect(byId(await cluster.readTable('Items'))).toEqual(expected);
  });
});
