import { clockScheduler, DataStreamerError, streamInto } from '@datastreamer/client';
import { firstValueFrom, from, interval, map, take } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../src/cluster/sim-cluster.js';

const table = {
  name: 'Plays',
  columns: [
    { name: 'Id', type: 'INT32' as const },
    { name: 'Track', type: 'STRING' as const },
  ],
  primaryKey: ['Id'],
};

describe('streamInto', () => {
  it('streams an Observable into a view and emits the summary once every item is applied', async () => {
    await using cluster = await SimCluster.start({ nodes: 2, partitions: 4, seed: 11 });
    const client = await cluster.connect();
    await client.catalog.createTable(table);
    const view = (await client.tables.table('Plays'))?.recordView();
    if (view === undefined) throw new Error('no table');
    const rows = Array.from({ length: 250 }, (_, i) => ({ Id: i, Track: `t${i % 7}` }));
    const summary = await firstValueFrom(from(rows).pipe(streamInto(view, { pageSize: 40 })));
    expect(summary.items).toBe(250);
    expect(await cluster.readTable('Plays')).toHaveLength(250);
  });

  it('cancels the stream when the subscriber unsubscribes before it settles', async () => {
    await using cluster = await SimCluster.start({ nodes: 1, partitions: 2, seed: 12 });
    const client = await cluster.connect();
    await client.catalog.createTable(table);
    const view = (await client.tables.table('Plays'))?.recordView();
    if (view === undefined) throw new Error('no table');
    const errors: unknown[] = [];
    const subscription = interval(10, clockScheduler(cluster.clock))
      .pipe(
        take(1000),
        map((i) => ({ Id: i, Track: 'x' })),
        streamInto(view, { pageSize: 10, autoFlushInterval: 5 }),
      )
      .subscribe({ error: (e) => errors.push(e) });
    await cluster.clock.sleep(200);
    subscription.unsubscribe();
    const storedAtCancel = (await cluster.readTable('Plays')).length;
    await cluster.clock.sleep(2000);
    expect((await cluster.readTable('Plays')).length).toBeLessThanOrEqual(storedAtCancel + 10);
    expect(storedAtCancel).toBeGreaterThan(0);
    expect(storedAtCancel).toBeLessThan(1000);
    expect(errors).toEqual([]);
  });

  it('errors with the DataStreamerError when the stream fails', async () => {
    await using cluster = await SimCluster.start({ nodes: 1, partitions: 2, seed: 13 });
    const client = await cluster.connect();
    await client.catalog.createTable(table);
    const view = (await client.tables.table('Plays'))?.recordView();
    if (view === undefined) throw new Error('no table');
    const bad = from([
      { Id: 1, Track: 'ok' },
      { Id: 'two', Track: 'bad' },
    ] as Array<{ Id: number; Track: string }>);
    const error = await firstValueFrom(bad.pipe(streamInto(view))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataStreamerError);
    expect((error as DataStreamerError).message).toMatch(/Id/);
  });
});
