/**
 * The client README's "Receivers" example, run as written (imports aside), so it cannot rot: a receiver
 * updating two tables that are not colocated in one transaction (two-phase commit when they are on different
 * nodes), streamed into with `view.streamData(source, { receiver, keyFn, payloadFn, arg })`.
 */
import type { DataStreamerReceiver } from '@datastreamer/server-node';
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../src/cluster/sim-cluster.js';

interface Play {
  readonly trackId: number;
  readonly user: string;
}

// Runs on the node that owns each batch's partition, payloads in order; at least once per batch (add
// `receiverTransaction: 'batch'` to the stream's options for exactly-once effects).
const countPlays: DataStreamerReceiver<Play, { weight: number }, string> = async (page, ctx, arg) => {
  const plays = (await ctx.ignite.tables.table('Plays'))?.recordView<{ TrackId: number; Count: bigint }>();
  const totals = (await ctx.ignite.tables.table('Totals'))?.recordView<{ Id: number; Plays: bigint }>();
  if (plays === undefined || totals === undefined) throw new Error('tables missing');
  const weight = BigInt(arg.weight);
  // One transaction over both tables: Totals is not colocated with Plays, so its row may live on another
  // node; the transaction then commits by two-phase commit, all or nothing.
  await ctx.ignite.transactions.runInTransaction(async (tx) => {
    for (const play of page) {
      const row = await plays.get({ TrackId: play.trackId }, tx);
      await plays.upsert({ TrackId: play.trackId, Count: (row?.Count ?? 0n) + weight }, tx);
      const total = await totals.get({ Id: 0 }, tx);
      await totals.upsert({ Id: 0, Plays: (total?.Plays ?? 0n) + weight }, tx);
    }
  });
  return page.map((play) => `${play.user}@${ctx.nodeName}`);
};

describe('client README receiver example', () => {
  it('streams into a receiver whose transaction spans two tables on different nodes', async () => {
    const cluster = await SimCluster.start({
      nodes: 3,
      seed: 7,
      receivers: { CountPlays: countPlays },
    });
    try {
      const client = await cluster.connect();
      await client.catalog.createTable({
        name: 'Plays',
        columns: [
          { name: 'TrackId', type: 'INT32' },
          { name: 'Count', type: 'INT64' },
        ],
        primaryKey: ['TrackId'],
      });
      await client.catalog.createTable({
        name: 'Totals',
        columns: [
          { name: 'Id', type: 'INT32' },
          { name: 'Plays', type: 'INT64' },
        ],
        primaryKey: ['Id'],
      });
      const view = (await client.tables.table('Plays'))?.recordView();
      if (view === undefined) throw new Error('no table Plays');
      const source: Play[] = Array.from({ length: 30 }, (_, i) => ({ trackId: i % 5, user: `u${i}` }));
      const results = await lastValueFrom(
        view
          .streamData<Play, string>(source, {
            receiver: 'CountPlays',
            keyFn: (play) => ({ TrackId: play.trackId }),
            payloadFn: (play) => play,
            arg: { weight: 1 },
          })
          .pipe(toArray()),
      );
      expect(results).toHaveLength(30);
      expect(await cluster.readTable('Totals')).toEqual([{ Id: 0, Plays: 30n }]);
      const counts = await cluster.readTable('Plays');
      expect(counts.map((row) => row['Count'])).toEqual([6n, 6n, 6n, 6n, 6n]);
    } finally {
      await cluster.stop();
    }
  });
});
