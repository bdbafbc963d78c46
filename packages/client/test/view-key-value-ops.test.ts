import { describe, expect, it } from 'vitest';
import { EVENTS, PLAYS, startFixture } from './support/client-fixture.js';

describe('KeyValueView', () => {
  it('stores values under keys and reads them back without the key columns', async () => {
    await using fixture = await startFixture({ tables: [EVENTS] });
    const kv = (await fixture.client.tables.table('Events'))?.keyValueView();
    if (kv === undefined) throw new Error('no table');
    await kv.upsert({ EventId: 1n }, { Name: 'play' });
    expect(await kv.get({ EventId: 1n })).toEqual({ Name: 'play', Duration: 7 });
    await kv.upsert({ EventId: 1n }, { Name: 'stop', Duration: 3 });
    expect(await kv.get({ EventId: 1n })).toEqual({ Name: 'stop', Duration: 3 });
    expect(await kv.get({ EventId: 2n })).toBeNull();
    expect(await kv.delete({ EventId: 1n })).toBe(true);
    expect(await kv.delete({ EventId: 1n })).toBe(false);
  });

  it('handles many pairs, from an array or a Map', async () => {
    await using fixture = await startFixture({ tables: [EVENTS] });
    const { client, cluster } = fixture;
    const kv = (await client.tables.table('Events'))?.keyValueView();
    if (kv === undefined) throw new Error('no table');
    await kv.upsertAll([
      [{ EventId: 1n }, { Name: 'a' }],
      [{ EventId: 2n }, { Name: 'b' }],
    ]);
    await kv.upsertAll(new Map([[{ EventId: 3n }, { Name: 'c', Duration: 1 }]]));
    expect(await kv.getAll([{ EventId: 3n }, { EventId: 4n }, { EventId: 1n }])).toEqual([
      { Name: 'c', Duration: 1 },
      null,
      { Name: 'a', Duration: 7 },
    ]);
    expect(await kv.deleteAll([{ EventId: 1n }, { EventId: 4n }])).toEqual([true, false]);
    expect(cluster.rows('Events')).toHaveLength(2);
  });

  it('keeps composite keys and values apart', async () => {
    await using fixture = await startFixture({ tables: [PLAYS] });
    const kv = (await fixture.client.tables.table('Plays'))?.keyValueView<
      { TrackId: string; UserId: number },
      { Score: number; Note?: string | null }
    >();
    if (kv === undefined) throw new Error('no table');
    await kv.upsert({ UserId: 4, TrackId: 't' }, { Score: 9.25, Note: 'n' });
    await kv.upsert({ UserId: 5, TrackId: 't' }, { Score: 1 });
    expect(await kv.get({ TrackId: 't', UserId: 4 })).toEqual({ Score: 9.25, Note: 'n' });
    expect(await kv.get({ TrackId: 't', UserId: 5 })).toEqual({ Score: 1, Note: null });
    expect(fixture.cluster.rows('Plays')).toContainEqual({ TrackId: 't', UserId: 4, Score: 9.25, Note: 'n' });
  });
});
