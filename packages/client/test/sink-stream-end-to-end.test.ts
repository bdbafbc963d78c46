import { InvalidValueError } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { DataStreamerError } from '../src/errors/data-streamer-error.js';
import { InvalidOptionError } from '../src/errors/invalid-option-error.js';
import { DataStreamerItem } from '../src/streamer/data-streamer-item.js';
import { EVENTS, type Fixture, PLAYS, startFixture } from './support/client-fixture.js';
import type { TestRow } from './support/fake-cluster.js';

type Event = { EventId: bigint; Name: string; Duration?: number | null };

async function recordView(fixture: Fixture) {
  const table = await fixture.client.tables.table('Events');
  if (table === null) throw new Error('no table');
  return table.recordView<Event>();
}

function byId(rows: readonly TestRow[]): TestRow[] {
  return [...rows].sort((a, b) => Number((a.EventId as bigint) - (b.EventId as bigint)));
}

describe('RecordView.streamData over the table sink', () => {
  it('streams a few hundred rows, then PUTs and REMOVEs over them, ending in the expected table', async () => {
    await using fixture = await startFixture({ tables: [EVENTS], partitions: 6 });
    const view = await recordView(fixture);
    const rows: Event[] = Array.from({ length: 300 }, (_, i) => ({ EventId: BigInt(i), Name: `e${i}` }));
    const summary = await view.streamData(rows, { pageSize: 37 });
    expect(summary).toMatchObject({ items: 300, partitions: 6, retries: 0 });
    expect(summary.batches).toBeGreaterThanOrEqual(Math.ceil(300 / 37));
    expect(fixture.cluster.rows('Events')).toHaveLength(300);

    const expected = new Map<bigint, Event>(rows.map((row) => [row.EventId, { ...row, Duration: 7 }]));
    const items: (Event | DataStreamerItem<Event> | DataStreamerItem<Partial<Event>>)[] = [];
    for (let i = 0; i < 400; i++) {
      const id = BigInt(i % 350);
      if (i % 3 === 0) {
        items.push(DataStreamerItem.removed({ EventId: id }));
        expected.delete(id);
      } else {
        const row = { EventId: id, Name: `v${i}`, Duration: i };
        items.push(i % 2 === 0 ? row : DataStreamerItem.of(row));
        expected.set(id, row);
      }
    }
    const second = await view.streamData(items, { pageSize: 13 });
    expect(second.items).toBe(400);
    expect(byId(fixture.cluster.rows('Events'))).toEqual(byId([...expected.values()]));
    // Every batch went to its partition's primary.
    for (const batch of fixture.cluster.batches) {
      expect(batch.node).toBe(fixture.cluster.ownerOf('Events', batch.partitionId));
    }
  });

  it('streams key-value pairs, REMOVEs needing only the key', async () => {
    await using fixture = await startFixture({ tables: [PLAYS], partitions: 5 });
    const table = await fixture.client.tables.table('Plays');
    const kv = table?.keyValueView<{ TrackId: string; UserId: number }, { Score: number }>();
    if (kv === undefined) throw new Error('no table');
    const pairs = Array.from(
      { length: 250 },
      (_, i) => [{ TrackId: `t${i % 7}`, UserId: i }, { Score: i / 4 }] as const,
    );
    async function* source() {
      yield* pairs;
      for (let i = 0; i < 250; i += 5)
        yield DataStreamerItem.removed([{ TrackId: `t${i % 7}`, UserId: i }] as const);
    }
    const summary = await kv.streamData(source(), { pageSize: 16 });
    expect(summary.items).toBe(300);
    const stored = fixture.cluster.rows('Plays');
    expect(stored).toHaveLength(200);
    expect(stored).toContainEqual({ TrackId: 't1', UserId: 1, Score: 0.25, Note: null });
    expect(stored.some((row) => row.UserId === 5)).toBe(false);
  });

  it('re-encodes for a schema version added after the client cached the schema', async () => {
    await using fixture = await startFixture({ tables: [EVENTS], partitions: 3 });
    const view = await recordView(fixture);
    await view.get({ EventId: 0n });
    fixture.cluster.addColumn('Events', { name: 'Extra', type: 'STRING', nullable: true });
    const rows = Array.from({ length: 120 }, (_, i) => ({ EventId: BigInt(i), Name: 'x' }));
    const summary = await view.streamData(rows, { pageSize: 20 });
    expect(summary.items).toBe(120);
    expect(fixture.cluster.rows('Events').every((row) => row.Extra === null)).toBe(true);
    expect(new Set(fixture.cluster.batches.map((b) => b.schemaVersion))).toEqual(new Set([2]));
  });

  it('fails with the bad row among the failed items and an error naming its column', async () => {
    await using fixture = await startFixture({ tables: [EVENTS], partitions: 2 });
    const view = await recordView(fixture);
    const bad = { EventId: 50n, Name: 7 } as unknown as Event;
    const rows = Array.from({ length: 100 }, (_, i) => (i === 50 ? bad : { EventId: BigInt(i), Name: 'ok' }));
    const failure = await view.streamData(rows, { pageSize: 10 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DataStreamerError);
    const error = failure as DataStreamerError<Event>;
    expect(error.cause).toBeInstanceOf(InvalidValueError);
    expect(error.cause).toMatchObject({ column: 'Name' });
    expect(error.failedItems).toContain(bad);
    // Every item taken from the source is stored or reported failed, never both; the ones never taken are a
    // suffix of the source, after the bad row.
    const stored = new Set(fixture.cluster.rows('Events').map((row) => row.EventId));
    const failed = new Set(error.failedItems);
    expect(rows.filter((row) => stored.has(row.EventId) && failed.has(row))).toEqual([]);
    const untouched = rows.flatMap((row, i) => (stored.has(row.EventId) || failed.has(row) ? [] : [i]));
    expect(untouched.every((index, k) => index > 50 && index === rows.length - untouched.length + k)).toBe(
      true,
    );
  });

  it('rejects a bad option before anything is sent', async () => {
    await using fixture = await startFixture({ tables: [EVENTS] });
    const view = await recordView(fixture);
    const before = fixture.cluster.rowRequests().length;
    await expect(view.streamData([{ EventId: 1n, Name: 'x' }], { pageSize: 0 })).rejects.toBeInstanceOf(
      InvalidOptionError,
    );
    expect(fixture.cluster.rowRequests().length).toBe(before);
  });
});
