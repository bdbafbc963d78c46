/**
 * The client README's resume example ("Resuming a failed stream"), run as written (imports aside), so it
 * cannot rot: a stream fails while a node is paused, and is resumed as the same producer with its failed items
 * and the rest of its source; whatever the paused node held of the failed run, the table ends with the last
 * write of every key.
 */
import { DataStreamerError } from '@datastreamer/client';
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../src/cluster/sim-cluster.js';

describe('client README resume example', () => {
  it('resumes a failed stream as the same producer and ends with the last write of every key', async () => {
    let failed: DataStreamerError<unknown> | undefined;
    const cluster = await SimCluster.start({ nodes: 3, seed: 1 });
    const client = await cluster.connect({ requestTimeoutMs: 200 });
    await client.catalog.createTable({
      name: 'Plays',
      columns: [
        { name: 'Id', type: 'INT64' },
        { name: 'Seq', type: 'INT32' },
      ],
      primaryKey: ['Id'],
    });
    const view = (await client.tables.table('Plays'))?.recordView<{ Id: bigint; Seq: number }>();
    if (view === undefined) throw new Error('no table Plays');
    const events = Array.from({ length: 1000 }, (_, i) => ({ Id: BigInt(i % 100), Seq: i }));

    const producerId = 'album-import';
    const source = events[Symbol.iterator]();
    cluster.pauseNode('node-2', 5_000);
    try {
      await view.streamData(source, { producerId, retryLimit: 1 });
    } catch (error) {
      if (!(error instanceof DataStreamerError)) throw error;
      failed = error;
      await view.streamData([...error.failedItems, ...source], { producerId });
    }
    // The example's claim: every Id with its last Seq.
    await cluster.clock.sleep(6_000);
    const rows = await cluster.readTable('Plays');
    expect(failed?.code).toBe('REQUEST_TIMEOUT');
    expect(failed?.epoch).toBe(1);
    expect(rows).toHaveLength(100);
    for (const row of rows) expect(row['Seq']).toBe(900 + Number(row['Id']));
    await cluster.stop();
  });
});
