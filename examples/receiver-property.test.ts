// Run: pnpm --filter @datastreamer/examples exec vitest run receiver-property
//
// A property test of your own receiver. The receiver keeps each user's latest play. It runs on the nodes, at
// least once per batch: a repeated attempt of a batch that ran is answered from its first run, but a crash
// between the receiver's writes and the batch's fence record makes a retry run it again. Keeping a maximum is
// safe to repeat (a counter is not: give such a receiver `receiverTransaction: 'batch'`, which commits its
// writes with the fence record). fast-check generates fault plans, streamer options and plays; whatever it
// picks, once the faults heal and the stream completes, the table must hold each user's latest play.
// Shrinking finds the smallest plan that breaks it. Faults land in the first 10 virtual ms, while the plays
// are in flight.
import type { DataStreamerReceiver } from '@datastreamer/server-node';
import { healCluster, runSchedule, SimCluster } from '@datastreamer/sim-cluster';
import { faultPlanArb, streamerOptionsArb } from '@datastreamer/sim-cluster/testing';
import fc from 'fast-check';
import { lastValueFrom } from 'rxjs';
import { expect, test } from 'vitest';

interface Play {
  readonly user: number;
  readonly at: number;
  readonly track: number;
}
interface LastPlay {
  UserId: number;
  At: bigint;
  TrackId: number;
}

/** The receiver under test: per user, the play with the latest time wins, whatever order batches run in. */
const latestPlay: DataStreamerReceiver<Play, null, never> = async (page, ctx) => {
  const table = await ctx.ignite.tables.table('LastPlays');
  if (table === null) throw new Error('table LastPlays is missing');
  const view = table.recordView<LastPlay>();
  await ctx.ignite.transactions.runInTransaction(async (tx) => {
    for (const play of page) {
      const current = await view.get({ UserId: play.user }, tx);
      if (current === null || current.At < BigInt(play.at)) {
        await view.upsert({ UserId: play.user, At: BigInt(play.at), TrackId: play.track }, tx);
      }
    }
  });
};

const NODES = ['node-1', 'node-2', 'node-3'];
const playsArb = fc.array(
  fc.record({ user: fc.integer({ min: 0, max: 9 }), at: fc.nat(100_000), track: fc.nat(50) }),
  { minLength: 1, maxLength: 80 },
);

test('the table holds each user latest play, whatever the faults', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.noShrink(fc.nat()), // the simulation's seed: kept while fast-check shrinks the rest
      faultPlanArb({ nodes: NODES, clients: ['client-1'], maxHoldMs: 300 }, { maxSteps: 5, maxAtMs: 10 }),
      streamerOptionsArb({ mayGiveUp: false }),
      playsArb,
      async (seed, plan, options, plays) => {
        await using cluster = await SimCluster.start({
          nodes: 3,
          partitions: 4,
          seed,
          receivers: { latestPlay },
        });
        const client = await cluster.connect({ requestTimeoutMs: 500 });
        const table = await client.catalog.createTable({
          name: 'LastPlays',
          columns: [
            { name: 'UserId', type: 'INT32' },
            { name: 'At', type: 'INT64' },
            { name: 'TrackId', type: 'INT32' },
          ],
          primaryKey: ['UserId'],
        });
        const done = lastValueFrom(
          table
            .recordView<LastPlay>()
            .streamData<Play, never>(
              plays,
              { receiver: 'latestPlay', keyFn: (p) => ({ UserId: p.user }), payloadFn: (p) => p },
              options,
            ),
          { defaultValue: undefined },
        );
        await runSchedule(cluster, plan);
        await healCluster(cluster);
        await done;

        const latest = new Map<number, number>();
        for (const p of plays) latest.set(p.user, Math.max(latest.get(p.user) ?? -1, p.at));
        const stored = new Map((await cluster.readTable('LastPlays')).map((r) => [r['UserId'], r['At']]));
        expect(stored).toEqual(new Map([...latest].map(([user, at]) => [user, BigInt(at)])));
      },
    ),
    { numRuns: 40 },
  );
});
