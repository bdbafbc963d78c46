import { describe, expect, it } from 'vitest';
import { SimCluster } from '../src/cluster/sim-cluster.js';

const trackEvents = {
  name: 'TrackEvents',
  columns: [
    { name: 'EventId', type: 'INT64' as const },
    { name: 'UserId', type: 'INT32' as const },
    { name: 'EventType', type: 'STRING' as const },
  ],
  primaryKey: ['EventId'],
};

function* events(count: number) {
  for (let i = 0; i < count; i++) yield { EventId: BigInt(i), UserId: i % 97, EventType: 'TRACK_STARTED' };
}

describe('SimCluster with replicated partitions', () => {
  it('streams rows into 3 replicas of every partition and reads them back', async () => {
    await using cluster = await SimCluster.start({ nodes: 3, partitions: 8, seed: 1, replicas: 3 });
    const client = await cluster.connect();
    await client.catalog.createTable(trackEvents);
    const table = await client.tables.table('TrackEvents');
    if (table === null) throw new Error('no table');
    const summary = await table.recordView().streamData(events(2500), { pageSize: 100 });
    expect(summary.items).toBe(2500);
    const rows = await cluster.readTable('TrackEvents');
    expect(rows).toHaveLength(2500);
    const applies = cluster.history.events.filter((e) => e.type === 'apply');
    expect(applies).toHaveLength(2500);
    expect(await cluster.replicasOf('TrackEvents', 0)).toEqual(['node-1', 'node-2', 'node-3']);
    expect(await cluster.primaryOf('TrackEvents', 1)).toBe('node-2');
  });
});
