/**
 * The live view's batches in flight per node come from the clients' own counts of the requests each of their
 * connections waits on: streamer batches with and without a receiver, summed over clients, other ops left out.
 * A real run shows some in flight while it streams and none once it ended.
 */
import type { Client } from '@datastreamer/client';
import { SimCluster } from '@datastreamer/sim-cluster';
import { describe, expect, it } from 'vitest';
import { takeSnapshot } from '../src/run/progress-snapshot.js';
import { RunMeter } from '../src/run/run-meter.js';

describe('RunMeter batches in flight', () => {
  it('sums the streamer batch requests of every tracked client by node', () => {
    const meter = new RunMeter(() => 0);
    meter.begin('chaos', 10);
    const one = {
      endpoints: [
        { node: 'node-1', requestsInFlight: { STREAMER_BATCH_SEND: 3, TUPLE_GET: 7 } },
        { node: undefined, requestsInFlight: {} },
      ],
    };
    const two = {
      endpoints: [
        { node: 'node-1', requestsInFlight: { STREAMER_WITH_RECEIVER_BATCH_SEND: 2 } },
        { node: 'node-2', requestsInFlight: {} },
      ],
    };
    meter.trackClients([one, two]);
    expect(takeSnapshot(meter).batchesInFlight).toEqual([
      ['node-1', 5],
      ['node-2', 0],
    ]);
    // A new scenario tracks its own clients.
    meter.begin('other', 10);
    expect(takeSnapshot(meter).batchesInFlight).toEqual([]);
  });

  it('sees batches in flight while a real stream runs, and none after', async () => {
    await using cluster = await SimCluster.start({ nodes: 2, partitions: 4, seed: 5 });
    const client: Client = await cluster.connect();
    await client.catalog.createTable({
      name: 'Plays',
      columns: [{ name: 'Id', type: 'INT64' }],
      primaryKey: ['Id'],
    });
    const view = (await client.tables.table('Plays'))?.recordView();
    if (view === undefined) throw new Error('no table');
    const meter = new RunMeter(() => 0);
    meter.begin('plays', 4000);
    meter.trackClients([client]);
    let most = 0;
    const rows = Array.from({ length: 4000 }, (_, i) => ({ Id: BigInt(i) }));
    await view.streamData(rows, {
      pageSize: 100,
      onBatch: () => {
        const total = [...meter.batchesInFlightByNode().values()].reduce((a, b) => a + b, 0);
        most = Math.max(most, total);
      },
    });
    expect(most).toBeGreaterThan(0);
    expect([...meter.batchesInFlightByNode().values()].every((n) => n === 0)).toBe(true);
  });
});
