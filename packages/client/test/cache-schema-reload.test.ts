import { ProtocolError, UnknownColumnError } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../sim-cluster/src/clock/sim-clock.js';
import type { PreparedItem } from '../src/streamer/streamer-sink.js';
import { type TableStreamerEntry, TableStreamerSink } from '../src/table/table-streamer-sink.js';
import { EVENTS, startFixture } from './support/client-fixture.js';
import { FakeCluster } from './support/fake-cluster.js';
import { openSink, preparedSlot, sendOnce } from './support/sink-calls.js';
import { openTableContext } from './support/table-context-fixture.js';

const EXTRA = { name: 'Extra', type: 'STRING', nullable: true, default: 'none' } as const;

async function sinkSetup() {
  const clock = new SimClock();
  const cluster = new FakeCluster({ clock, partitions: 1 });
  const events = cluster.createTable(EVENTS);
  const context = await openTableContext(cluster, clock);
  const sink = new TableStreamerSink(context, events.tableId, 'Events', 'record');
  await openSink(sink);
  const dispose = () => {
    context.pool.close();
    clock.stop();
  };
  return { clock, cluster, context, sink, dispose };
}

function prepare(sink: TableStreamerSink<object>, items: readonly object[]): TableStreamerEntry[] {
  const out: PreparedItem<TableStreamerEntry> = preparedSlot();
  return items.map((item) => {
    sink.prepare(item, out);
    return out.entry as TableStreamerEntry;
  });
}

describe('Schema cache and reloads in the streamer sink', () => {
  it('re-encodes the same items for the version the node expects and resends, in one send', async () => {
    const { cluster, sink, dispose } = await sinkSetup();
    const entries = prepare(sink, [
      { EventId: 1n, Name: 'a' },
      { EventId: 2n, Name: 'b', Duration: 3 },
    ]);
    cluster.addColumn('Events', EXTRA);
    await sendOnce(sink, 0, entries);
    const sent = cluster.requestsOf('STREAMER_BATCH_SEND');
    expect(sent.map((request) => request.schemaVersion)).toEqual([1, 2]);
    expect(cluster.requestsOf('SCHEMAS_GET').at(-1)?.versions).toEqual([2]);
    expect(cluster.rows('Events').sort((a, b) => Number(a.EventId) - Number(b.EventId))).toEqual([
      { EventId: 1n, Name: 'a', Duration: 7, Extra: 'none' },
      { EventId: 2n, Name: 'b', Duration: 3, Extra: 'none' },
    ]);
    // Later items are encoded for the new version straight away.
    await sendOnce(sink, 0, prepare(sink, [{ EventId: 3n, Name: 'c' }]));
    expect(cluster.requestsOf('STREAMER_BATCH_SEND').map((request) => request.schemaVersion)).toEqual([
      1, 2, 2,
    ]);
    dispose();
  });

  it('reloads the latest schema once for a column the cached schema does not know', async () => {
    const { cluster, sink, dispose } = await sinkSetup();
    cluster.addColumn('Events', EXTRA);
    const loads = cluster.requestsOf('SCHEMAS_GET').length;
    const entries = prepare(sink, [
      { EventId: 1n, Name: 'a' },
      { EventId: 2n, Name: 'b', Extra: 'set' },
      { EventId: 3n, Name: 'c', Extra: 'too' },
    ]);
    await sendOnce(sink, 0, entries);
    expect(cluster.requestsOf('SCHEMAS_GET').length).toBe(loads + 1);
    expect(cluster.requestsOf('STREAMER_BATCH_SEND').map((request) => request.schemaVersion)).toEqual([2]);
    expect(
      cluster
        .rows('Events')
        .map((row) => row.Extra)
        .sort(),
    ).toEqual(['none', 'set', 'too']);
    dispose();
  });

  it('reloads again at send time when the reload an item waits for failed', async () => {
    const { clock, cluster, sink, dispose } = await sinkSetup();
    cluster.addColumn('Events', EXTRA);
    let refused = 0;
    for (const node of cluster.nodes.values()) {
      node.intercept = (request, next) =>
        request.op === 'SCHEMAS_GET' && refused++ === 0
          ? { kind: 'error', error: new ProtocolError('OVERLOADED', 'busy') }
          : next();
    }
    const entries = prepare(sink, [{ EventId: 1n, Name: 'a', Extra: 'set' }]);
    await clock.sleep(1);
    await sendOnce(sink, 0, entries);
    expect(refused).toBe(2);
    expect(cluster.rows('Events')).toEqual([{ EventId: 1n, Name: 'a', Duration: 7, Extra: 'set' }]);
    dispose();
  });

  it('fails the batch with an error naming a column unknown even after the reload', async () => {
    const { cluster, sink, dispose } = await sinkSetup();
    const loads = cluster.requestsOf('SCHEMAS_GET').length;
    const entries = prepare(sink, [{ EventId: 1n, Name: 'a', Colour: 'red' }]);
    const failure = await sendOnce(sink, 0, entries).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UnknownColumnError);
    expect(failure).toMatchObject({ column: 'Colour', retryable: false });
    expect(cluster.requestsOf('SCHEMAS_GET').length).toBe(loads + 1);
    expect(cluster.requestsOf('STREAMER_BATCH_SEND')).toHaveLength(0);
    dispose();
  });
});

describe('Schema cache and reloads in the views', () => {
  it('resends a single-row request encoded for the version the node expects', async () => {
    await using fixture = await startFixture({ tables: [EVENTS] });
    const { client, cluster } = fixture;
    const view = (await client.tables.table('Events'))?.recordView();
    if (view === undefined) throw new Error('no table');
    await view.upsert({ EventId: 1n, Name: 'old' });
    cluster.addColumn('Events', EXTRA);
    await view.upsert({ EventId: 2n, Name: 'new' });
    expect(cluster.requestsOf('TUPLE_UPSERT').map((request) => request.schemaVersion)).toEqual([1, 1, 2]);
    // Rows come back decoded with the version they were written with.
    expect(await view.get({ EventId: 1n })).toEqual({ EventId: 1n, Name: 'old', Duration: 7 });
    expect(await view.get({ EventId: 2n })).toEqual({ EventId: 2n, Name: 'new', Duration: 7, Extra: 'none' });
  });

  it('reloads the latest schema once when a row has a column the cache does not know', async () => {
    await using fixture = await startFixture({ tables: [EVENTS] });
    const { client, cluster } = fixture;
    const view = (await client.tables.table('Events'))?.recordView();
    if (view === undefined) throw new Error('no table');
    await view.get({ EventId: 0n });
    cluster.addColumn('Events', EXTRA);
    const loads = cluster.requestsOf('SCHEMAS_GET').length;
    await view.upsert({ EventId: 1n, Name: 'x', Extra: 'given' });
    expect(cluster.requestsOf('SCHEMAS_GET').length).toBe(loads + 1);
    expect(cluster.requestsOf('TUPLE_UPSERT').map((request) => request.schemaVersion)).toEqual([2]);
    expect(await view.get({ EventId: 1n })).toMatchObject({ Extra: 'given' });
  });

  it('loads each schema version once, however many rows need it', async () => {
    await using fixture = await startFixture({ tables: [EVENTS] });
    const { client, cluster } = fixture;
    const view = (await client.tables.table('Events'))?.recordView();
    if (view === undefined) throw new Error('no table');
    await view.upsertAll([1n, 2n, 3n].map((EventId) => ({ EventId, Name: 'v1' })));
    cluster.addColumn('Events', EXTRA);
    const before = cluster.requestsOf('SCHEMAS_GET').length;
    await Promise.all([1n, 2n, 3n].map((EventId) => view.get({ EventId })));
    await view.getAll([{ EventId: 1n }, { EventId: 2n }]);
    expect(cluster.requestsOf('SCHEMAS_GET').length - before).toBe(1);
  });
});
