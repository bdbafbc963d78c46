import { DataStreamerError } from '@datastreamer/client';
import { lastValueFrom, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { SimCluster } from '../src/cluster/sim-cluster.js';

const plays = {
  name: 'Plays',
  columns: [
    { name: 'TrackId', type: 'INT32' as const },
    { name: 'Count', type: 'INT64' as const },
  ],
  primaryKey: ['TrackId'],
  partitions: 6,
};
const lastPlayer = {
  name: 'LastPlayer',
  columns: [
    { name: 'TrackId', type: 'INT32' as const },
    { name: 'User', type: 'STRING' as const },
  ],
  primaryKey: ['TrackId'],
  partitions: 6,
};

interface PlayEvent {
  readonly trackId: number;
  readonly user: string;
}

const events = (count: number): PlayEvent[] =>
  Array.from({ length: count }, (_, i) => ({ trackId: i % 10, user: `u${i}` }));

const running: SimCluster[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.stop()));
});

async function setup(seed: number) {
  const cluster = await SimCluster.start({ nodes: 3, partitions: 6, seed });
  running.push(cluster);
  const client = await cluster.connect();
  await client.catalog.createTable(plays);
  await client.catalog.createTable(lastPlayer);
  // Partition p of both tables on one node, as a colocation-aware placement would put them.
  const placement = cluster.controlPlane.placement;
  const playsId = cluster.controlPlane.catalog.latest('Plays')?.tableId as number;
  const lastId = cluster.controlPlane.catalog.latest('LastPlayer')?.tableId as number;
  for (let p = 0; p < 6; p++) {
    const owner = placement.owner(playsId, p) as string;
    if (placement.owner(lastId, p) !== owner) await cluster.movePartition('LastPlayer', p, owner);
  }
  const table = await client.tables.table('Plays');
  if (table === null) throw new Error('no table');
  return { cluster, client, view: table.recordView(), kv: table.keyValueView(), playsId };
}

const byTrack = { keyFn: (e: PlayEvent) => ({ TrackId: e.trackId }) };

describe('streaming into receivers', () => {
  it('runs each batch once on the key primary, with payloads in order, the argument and the table API', async () => {
    const { cluster, view, playsId } = await setup(11);
    const calls: { node: string; partition: number; page: readonly PlayEvent[]; arg: unknown }[] = [];
    cluster.deployReceiver<PlayEvent, { weight: number }, never>('CountPlays', async (page, ctx, arg) => {
      calls.push({ node: ctx.nodeName, partition: ctx.partition, page, arg });
      const table = (await ctx.ignite.tables.table('Plays'))?.recordView<{
        TrackId: number;
        Count: bigint;
      }>();
      for (const event of page) {
        const row = await table?.get({ TrackId: event.trackId });
        await table?.upsert({ TrackId: event.trackId, Count: (row?.Count ?? 0n) + BigInt(arg.weight) });
      }
    });
    const source = events(100);
    const results = await lastValueFrom(
      view
        .streamData(source, { receiver: 'CountPlays', ...byTrack, arg: { weight: 2 } }, { pageSize: 7 })
        .pipe(toArray()),
    );
    expect(results).toEqual([]);
    // Writes are visible as soon as the stream completes.
    const rows = await cluster.readTable('Plays');
    expect(rows).toHaveLength(10);
    for (const row of rows) expect(row['Count']).toBe(20n);
    expect(calls.every((c) => c.arg !== null && (c.arg as { weight: number }).weight === 2)).toBe(true);
    const seen = calls.flatMap((c) => c.page);
    expect(seen).toHaveLength(100);
    for (const call of calls) {
      expect(call.node).toBe(cluster.controlPlane.placement.owner(playsId, call.partition));
      const users = call.page.map((e) => Number(e.user.slice(1)));
      expect(users).toEqual([...users].sort((a, b) => a - b));
    }
  });

  it('carries exactly the results the receiver returns: none, one or many per batch', async () => {
    const { cluster, view } = await setup(12);
    cluster.deployReceiver<PlayEvent, null, string>('Echo', (page) =>
      page.flatMap((e) => Array.from({ length: e.trackId % 3 }, (_, n) => `${e.user}.${n}`)),
    );
    const source = events(60);
    const results = await lastValueFrom(
      view
        .streamData<PlayEvent, string>(source, { receiver: 'Echo', ...byTrack }, { pageSize: 4 })
        .pipe(toArray()),
    );
    const expected = source.flatMap((e) => Array.from({ length: e.trackId % 3 }, (_, n) => `${e.user}.${n}`));
    expect([...results].sort()).toEqual([...expected].sort());
  });

  it('drops results nobody reads without an error', async () => {
    const { cluster, view } = await setup(13);
    cluster.deployReceiver('Echo', (page) => page);
    const done = new Promise<void>((resolve, reject) => {
      view
        .streamData(events(20), { receiver: 'Echo', ...byTrack })
        .subscribe({ complete: resolve, error: reject });
    });
    await expect(done).resolves.toBeUndefined();
  });

  it('fails the stream with the receiver message and the batch items as failed items', async () => {
    const { cluster, view } = await setup(14);
    cluster.deployReceiver<PlayEvent, null, never>('Picky', (page) => {
      if (page.some((e) => e.trackId === 3)) throw new Error('track 3 is banned');
    });
    const source = events(10);
    const error = await lastValueFrom(
      view.streamData(source, { receiver: 'Picky', ...byTrack }, { pageSize: 100 }),
      { defaultValue: undefined },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataStreamerError);
    const failure = error as DataStreamerError<PlayEvent>;
    expect(failure.code).toBe('RECEIVER_FAILED');
    expect(failure.message).toContain('Streamer receiver failed: track 3 is banned');
    expect(failure.failedItems).toContain(source[3]);
  });

  it('fails with a clear error naming an unknown receiver', async () => {
    const { view } = await setup(15);
    const error = await lastValueFrom(view.streamData(events(3), { receiver: 'Nope', ...byTrack }), {
      defaultValue: undefined,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataStreamerError);
    expect((error as Error).message).toContain("Cannot load receiver by name 'Nope'");
    expect((error as DataStreamerError).failedItems).toHaveLength(3);
  });

  it('round-trips every supported value type as argument, payload and result', async () => {
    const { cluster, view } = await setup(16);
    cluster.deployReceiver('Mirror', (page, _ctx, arg) => [...page, arg]);
    const values = [
      true,
      false,
      0,
      -1,
      2 ** 31,
      1.5,
      -0,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      2n ** 62n,
      -(2n ** 63n),
      '',
      'héllo ✓ 𝄞',
      Uint8Array.of(0, 1, 255),
      new Date(1_700_000_000_123),
      [1, 'two', [3n]],
      { a: 1, nested: { b: [null, 'x'] }, __proto__x: 'y' },
    ];
    for (const value of values) {
      const arg = { wrapped: value, none: null };
      const results = await lastValueFrom(
        view
          .streamData<typeof value, unknown>([value], {
            receiver: 'Mirror',
            keyFn: () => ({ TrackId: 1 }),
            arg,
          })
          .pipe(toArray()),
      );
      expect(results).toEqual([value, arg]);
    }
  });

  it('refuses an unencodable payload or argument, and a throwing keyFn, before sending', async () => {
    const { cluster, view } = await setup(17);
    let calls = 0;
    cluster.deployReceiver('Count', () => {
      calls++;
    });
    const bad = { trackId: 1, tags: new Map() };
    const e1 = await lastValueFrom(
      view.streamData([bad], { receiver: 'Count', keyFn: () => ({ TrackId: 1 }) }),
      { defaultValue: undefined },
    ).catch((e: unknown) => e);
    expect((e1 as Error).message).toContain('payload.tags: Map is not encodable');
    expect((e1 as DataStreamerError).failedItems).toEqual([bad]);
    const e2 = await lastValueFrom(
      view.streamData([1], { receiver: 'Count', keyFn: () => ({ TrackId: 1 }), arg: { f: () => 1 } }),
      { defaultValue: undefined },
    ).catch((e: unknown) => e);
    expect((e2 as Error).message).toContain('arg.f: a function is not encodable');
    const oops = new Error('no key for you');
    const e3 = await lastValueFrom(
      view.streamData([1, 2], {
        receiver: 'Count',
        keyFn: (n: number) => {
          if (n === 2) throw oops;
          return { TrackId: n };
        },
      }),
      { defaultValue: undefined },
    ).catch((e: unknown) => e);
    expect((e3 as DataStreamerError).cause).toBe(oops);
    expect((e3 as DataStreamerError).failedItems).toContain(2);
    expect(calls).toBe(0);
  });

  it('stops sending when the subscriber unsubscribes mid-stream', async () => {
    const { cluster, view } = await setup(18);
    let batches = 0;
    cluster.deployReceiver('Slow', async (page) => {
      batches++;
      await cluster.clock.sleep(100);
      return page;
    });
    function* endless(): Generator<PlayEvent> {
      for (let i = 0; ; i++) yield { trackId: i % 10, user: `u${i}` };
    }
    const seen: unknown[] = [];
    const subscription = view
      .streamData(endless(), { receiver: 'Slow', ...byTrack }, { pageSize: 5 })
      .subscribe({ next: (r) => seen.push(r) });
    while (seen.length < 20) await cluster.clock.sleep(10);
    subscription.unsubscribe();
    const atStop = batches;
    await cluster.clock.sleep(5_000);
    expect(batches).toBe(atStop);
    expect(atStop).toBeLessThan(100);
  });

  it('keeps a transaction over two colocated tables all or nothing when the node crashes inside it', async () => {
    for (const crashBetweenWrites of [true, false]) {
      const { cluster, view } = await setup(crashBetweenWrites ? 19 : 20);
      let crashed = false;
      cluster.deployReceiver<PlayEvent, null, never>('Both', async (page, ctx) => {
        const counts = (await ctx.ignite.tables.table('Plays'))?.recordView();
        const last = (await ctx.ignite.tables.table('LastPlayer'))?.keyValueView();
        await ctx.ignite.transactions.runInTransaction(async (tx) => {
          for (const e of page) {
            await counts?.upsert({ TrackId: e.trackId, Count: 1n }, tx);
            if (crashBetweenWrites && !crashed) {
              crashed = true;
              cluster.crashNode(ctx.nodeName);
            }
            await last?.upsert({ TrackId: e.trackId }, { User: e.user }, tx);
          }
        });
        if (!crashBetweenWrites && !crashed) {
          crashed = true;
          cluster.crashNode(ctx.nodeName);
        }
      });
      const outcome = await lastValueFrom(
        view.streamData([{ trackId: 4, user: 'ann' }], { receiver: 'Both', ...byTrack }, { retryLimit: 0 }),
        { defaultValue: undefined },
      ).catch((e: unknown) => e);
      expect(outcome).toBeInstanceOf(DataStreamerError);
      for (const name of cluster.nodes) if (!cluster.node(name).isRunning) await cluster.restartNode(name);
      const counts = await cluster.readTable('Plays');
      const users = await cluster.readTable('LastPlayer');
      if (crashBetweenWrites) {
        expect(counts).toEqual([]);
        expect(users).toEqual([]);
      } else {
        expect(counts).toEqual([{ TrackId: 4, Count: 1n }]);
        expect(users).toEqual([{ TrackId: 4, User: 'ann' }]);
      }
    }
  });

  it('refuses a payload of another kind than the stream’s first, naming both, with the item failed', async () => {
    const { cluster, view } = await setup(17);
    cluster.deployReceiver('Echo', async (page) => page.map(() => 1));
    const mixed: unknown[] = [{ trackId: 1 }, { trackId: 2 }, 'three', { trackId: 4 }];
    const error = await lastValueFrom(
      view
        .streamData<unknown, number>(mixed, { receiver: 'Echo', keyFn: () => ({ TrackId: 1 }) })
        .pipe(toArray()),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DataStreamerError);
    const failure = error as DataStreamerError<unknown>;
    expect(failure.code).toBe('INVALID_ARGUMENT');
    expect(failure.message).toContain("payload: a string, but the stream's first payload was a map");
    // Nothing was sent yet: the buffered items before it and the refused one are all failed, in source order.
    expect(failure.failedItems.slice(0, 3)).toEqual(mixed.slice(0, 3));
  });

  it("refuses receiverTransaction 'batch' on a plain stream before anything is sent", async () => {
    const { view } = await setup(18);
    const error = await view.streamData([{ TrackId: 1, Count: 1n }], { receiverTransaction: 'batch' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', option: 'receiverTransaction' });
  });
});
