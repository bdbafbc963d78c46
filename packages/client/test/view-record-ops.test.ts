import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENTS, PLAYS, startFixture } from './support/client-fixture.js';

describe('RecordView', () => {
  it('creates a table through the catalog and finds it by name', async () => {
    await using fixture = await startFixture();
    const { client } = fixture;
    const created = await client.catalog.createTable(EVENTS);
    expect(created.name).toBe('Events');
    const found = await client.tables.table('Events');
    expect(found?.id).toBe(created.id);
    expect(await client.tables.table('Nope')).toBeNull();
    expect((await client.tables.tables()).map((t) => t.name)).toEqual(['Events']);
    expect((await created.schema()).columns.map((c) => c.name)).toEqual(['EventId', 'Name', 'Duration']);
  });

  it('upserts, reads, overwrites and deletes single rows', async () => {
    await using fixture = await startFixture({ tables: [EVENTS] });
    const view = (await fixture.client.tables.table('Events'))?.recordView();
    if (view === undefined) throw new Error('no table');
    await view.upsert({ EventId: 1n, Name: 'play' });
    expect(await view.get({ EventId: 1n })).toEqual({ EventId: 1n, Name: 'play', Duration: 7 });
    await view.upsert({ EventId: 1, Name: 'skip', Duration: null });
    expect(await view.get({ EventId: 1n })).toEqual({ EventId: 1n, Name: 'skip', Duration: null });
    expect(await view.get({ EventId: 2n })).toBeNull();
    expect(await view.delete({ EventId: 1n })).toBe(true);
    expect(await view.delete({ EventId: 1n })).toBe(false);
    expect(await view.get({ EventId: 1n })).toBeNull();
  });

  it('upserts, reads and deletes many rows in one request each', async () => {
    await using fixture = await startFixture({ tables: [EVENTS] });
    const { client, cluster } = fixture;
    const view = (await client.tables.table('Events'))?.recordView();
    if (view === undefined) throw new Error('no table');
    const rows = [1n, 2n, 3n, 4n, 5n].map((id) => ({ EventId: id, Name: `e${id}`, Duration: Number(id) }));
    await view.upsertAll(rows);
    expect(cluster.requestsOf('TUPLE_UPSERT_ALL')).toHaveLength(1);
    expect(await view.getAll([{ EventId: 5n }, { EventId: 9n }, { EventId: 1n }])).toEqual([
      rows[4],
      null,
      rows[0],
    ]);
    expect(await view.deleteAll([{ EventId: 2n }, { EventId: 9n }, { EventId: 3n }])).toEqual([
      true,
      false,
      true,
    ]);
    expect(
      cluster
        .rows('Events')
        .map((r) => r.EventId)
        .sort(),
    ).toEqual([1n, 4n, 5n]);
    expect(await view.getAll([])).toEqual([]);
    await view.upsertAll([]);
    expect(await view.deleteAll([])).toEqual([]);
    expect(cluster.requestsOf('TUPLE_UPSERT_ALL')).toHaveLength(1);
  });

  it('keeps the columns of a composite key apart whatever their position in the schema', async () => {
    await using fixture = await startFixture({ tables: [PLAYS] });
    const view = (await fixture.client.tables.table('Plays'))?.recordView();
    if (view === undefined) throw new Error('no table');
    await view.upsertAll([
      { TrackId: 'a', UserId: 1, Score: 0.5 },
      { TrackId: 'a', UserId: 2, Score: 1.5, Note: 'x' },
      { TrackId: 'b', UserId: 1, Score: 2.5 },
    ]);
    expect(await view.get({ UserId: 2, TrackId: 'a' })).toEqual({
      TrackId: 'a',
      UserId: 2,
      Score: 1.5,
      Note: 'x',
    });
    expect(await view.get({ UserId: 1, TrackId: 'b' })).toEqual({
      TrackId: 'b',
      UserId: 1,
      Score: 2.5,
      Note: null,
    });
    expect(await view.get({ UserId: 2, TrackId: 'b' })).toBeNull();
  });

  it("sends each single-row request to the primary of its key's partition", async () => {
    await using fixture = await startFixture({ tables: [EVENTS], partitions: 8 });
    const { client, cluster } = fixture;
    const view = (await client.tables.table('Events'))?.recordView();
    if (view === undefined) throw new Error('no table');
    for (let id = 0n; id < 20n; id++) await view.upsert({ EventId: id, Name: 'x' });
    const upserts = cluster.received.filter((r) => r.request.op === 'TUPLE_UPSERT');
    expect(upserts).toHaveLength(20);
    for (const { node, request } of upserts) {
      if (request.op !== 'TUPLE_UPSERT') continue;
      expect(node).toBe(cluster.ownerOf('Events', request.partition));
    }
    expect(new Set(upserts.map((r) => r.node)).size).toBe(2);
  });

  it("falls back to another connection when the primary's is down", async () => {
    await using fixture = await startFixture({ tables: [EVENTS], partitions: 8 });
    const { client, cluster, clock } = fixture;
    const view = (await client.tables.table('Events'))?.recordView();
    if (view === undefined) throw new Error('no table');
    await view.get({ EventId: 0n });
    cluster.transport.setReachable('node-2', false);
    cluster.transport.cut('node-2');
    await clock.sleep(1);
    const before = cluster.received.length;
    for (let id = 0n; id < 10n; id++) await view.upsert({ EventId: id, Name: 'x' });
    const sent = cluster.received.slice(before);
    expect(sent.every((r) => r.node === 'node-1')).toBe(true);
    expect(cluster.rows('Events')).toHaveLength(10);
  });

  it('reads back what it wrote, for any rows', async () => {
    await using fixture = await startFixture({ tables: [EVENTS], partitions: 5 });
    const view = (await fixture.client.tables.table('Events'))?.recordView();
    if (view === undefined) throw new Error('no table');
    const row = fc.record({
      EventId: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      Name: fc.string(),
      Duration: fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: null }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(row, { selector: (r) => r.EventId, minLength: 1, maxLength: 20 }),
        async (rows) => {
          await view.upsertAll(rows);
          expect(await view.getAll(rows.map((r) => ({ EventId: r.EventId })))).toEqual(rows);
          expect(await view.deleteAll(rows)).toEqual(rows.map(() => true));
        },
      ),
      { numRuns: 30 },
    );
  });
});
