import { DataStreamerItem } from '@datastreamer/client';
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../src/cluster/sim-cluster.js';

const trackEvents = {
  name: 'TrackEvents',
  columns: [
    { name: 'EventId', type: 'INT64' as const },
    { name: 'UserId', type: 'INT32' as const },
    { name: 'EventType', type: 'STRING' as const },
    { name: 'Duration', type: 'INT64' as const, nullable: true, default: 0 },
  ],
  primaryKey: ['EventId'],
};

function* events(count: number) {
  for (let i = 0; i < count; i++)
    yield { EventId: BigInt(i), UserId: i % 97, EventType: 'TRACK_STARTED', Duration: BigInt(i * 10) };
}

describe('SimCluster streaming', () => {
  it('streams rows into a 3-node cluster and reads them back', async () => {
    await using cluster = await SimCluster.start({ nodes: 3, partitions: 8, seed: 1 });
    const client = await cluster.connect();
    await client.catalog.createTable(trackEvents);
    const table = await client.tables.table('TrackEvents');
    if (table === null) throw new Error('no table');
    const summary = await table.recordView().streamData(events(2500), { pageSize: 100 });
    expect(summary.items).toBe(2500);
    const rows = await cluster.readTable('TrackEvents');
    expect(rows).toHaveLength(2500);
    const byId = new Map(rows.map((r) => [r['EventId'], r]));
    expect(byId.get(1234n)).toEqual({
      EventId: 1234n,
      UserId: 1234 % 97,
      EventType: 'TRACK_STARTED',
      Duration: 12340n,
    });
    const applies = cluster.history.events.filter((e) => e.type === 'apply');
    expect(applies).toHaveLength(2500);
    expect(new Set(applies.map((e) => (e.type === 'apply' ? e.node : ''))).size).toBe(3);
  });

  it('streams through a client connected to one node of three (the node forwards)', async () => {
    await using cluster = await SimCluster.start({ nodes: 3, partitions: 8, seed: 2 });
    const admin = await cluster.connect();
    await admin.catalog.createTable(trackEvents);
    const client = await cluster.connect({ nodes: ['node-1'] });
    const view = (await client.tables.table('TrackEvents'))?.recordView();
    const summary = await view?.streamData(events(500), { pageSize: 50 });
    expect(summary?.rerouted).toBeGreaterThan(0);
    expect(await cluster.readTable('TrackEvents')).toHaveLength(500);
  });

  it('applies PUT then REMOVE in order across batches', async () => {
    await using cluster = await SimCluster.start({ nodes: 2, partitions: 4, seed: 3 });
    const client = await cluster.connect();
    await client.catalog.createTable(trackEvents);
    const view = (await client.tables.table('TrackEvents'))?.recordView();
    const items = [];
    for (let round = 0; round < 100; round++) {
      items.push(DataStreamerItem.of({ EventId: 7n, UserId: round, EventType: 'A' }));
      items.push(DataStreamerItem.removed({ EventId: 7n }));
      items.push(DataStreamerItem.of({ EventId: 7n, UserId: round, EventType: 'B' }));
    }
    await view?.streamData(items, { pageSize: 3 });
    expect(await cluster.readTable('TrackEvents')).toEqual([
      { EventId: 7n, UserId: 99, EventType: 'B', Duration: 0n },
    ]);
  });

  it('finishes a single-item stream by auto-flush on virtual time, in little real time', async () => {
    await using cluster = await SimCluster.start({ nodes: 1, seed: 4 });
    const client = await cluster.connect();
    await client.catalog.createTable(trackEvents);
    const view = (await client.tables.table('TrackEvents'))?.recordView();
    async function* slow() {
      yield { EventId: 1n, UserId: 1, EventType: 'X' };
      await cluster.clock.sleep(60_000);
    }
    const start = cluster.clock.now();
    const done = view?.streamData(slow(), { autoFlushInterval: 5000 });
    await cluster.clock.sleep(5100);
    expect(await cluster.readTable('TrackEvents')).toHaveLength(1);
    expect(cluster.clock.now() - start).toBeGreaterThanOrEqual(5000);
    await done;
  });

  it('connects and streams while every message is duplicated, the handshake included', async () => {
    await using cluster = await SimCluster.start({ nodes: 2, partitions: 4, seed: 5 });
    cluster.network.setFaults({ duplicate: 1 });
    const client = await cluster.connect();
    await client.catalog.createTable(trackEvents);
    const view = (await client.tables.table('TrackEvents'))?.recordView();
    await view?.streamData(events(300), { pageSize: 50 });
    expect(await cluster.readTable('TrackEvents')).toHaveLength(300);
    expect(cluster.network.stats.unitsDuplicated).toBeGreaterThan(0);
  });
});
