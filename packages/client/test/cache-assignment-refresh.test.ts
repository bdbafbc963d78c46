import { describe, expect, it } from 'vitest';
import { SimClock } from '../../sim-cluster/src/clock/sim-clock.js';
import type { PreparedItem } from '../src/streamer/streamer-sink.js';
import { type TableStreamerEntry, TableStreamerSink } from '../src/table/table-streamer-sink.js';
import { EVENTS, startFixture } from './support/client-fixture.js';
import { FakeCluster } from './support/fake-cluster.js';
import { openSink, preparedSlot, sendOnce } from './support/sink-calls.js';
import { openTableContext } from './support/table-context-fixture.js';

describe('Partition assignment cache', () => {
  it('refetches an assignment after a response flags a newer version, and not before', async () => {
    const clock = new SimClock();
    const cluster = new FakeCluster({ clock, partitions: 4 });
    const events = cluster.createTable(EVENTS);
    const context = await openTableContext(cluster, clock);
    const first = await context.assignments.get(events.tableId);
    await context.assignments.get(events.tableId);
    expect(cluster.requestsOf('PARTITION_ASSIGNMENT_GET')).toHaveLength(1);
    cluster.setOwner('Events', 0, 'node-2');
    // Any response on a connection whose client holds the old version carries the flag.
    await context.pool.request('HEARTBEAT', {}, 'node-1');
    expect(context.assignments.isStale(events.tableId)).toBe(true);
    const second = await context.assignments.get(events.tableId);
    expect(second.assignmentVersion).toBe(first.assignmentVersion + 1);
    expect(second.owners[0]).toBe('node-2');
    expect(cluster.requestsOf('PARTITION_ASSIGNMENT_GET')).toHaveLength(2);
    context.pool.close();
    clock.stop();
  });

  it('sends the batches after a partition moved to its new primary', async () => {
    const clock = new SimClock();
    const cluster = new FakeCluster({ clock, partitions: 1 });
    const events = cluster.createTable(EVENTS);
    const context = await openTableContext(cluster, clock);
    const sink = new TableStreamerSink<object>(context, events.tableId, 'Events', 'record');
    await openSink(sink);
    const out: PreparedItem<TableStreamerEntry> = preparedSlot();
    const batch = (id: bigint): TableStreamerEntry[] => {
      sink.prepare({ EventId: id, Name: 'x' }, out);
      return [out.entry as TableStreamerEntry];
    };
    expect(await sendOnce(sink, 0, batch(1n))).toMatchObject({ node: 'node-1', rerouted: false });
    cluster.setOwner('Events', 0, 'node-2');
    // The client still believes node-1 owns it; the node applies it and flags the change.
    expect(await sendOnce(sink, 0, batch(2n))).toMatchObject({ node: 'node-1', rerouted: true });
    expect(await sendOnce(sink, 0, batch(3n))).toMatchObject({ node: 'node-2', rerouted: false });
    expect(cluster.batches.map((b) => [b.node, b.targetNode, b.assignmentVersion])).toEqual([
      ['node-1', 'node-1', 1],
      ['node-1', 'node-1', 1],
      ['node-2', 'node-2', 2],
    ]);
    context.pool.close();
    clock.stop();
  });

  it('routes single-row requests to the new primary after a flagged response', async () => {
    await using fixture = await startFixture({ tables: [EVENTS], partitions: 1 });
    const { client, cluster } = fixture;
    const view = (await client.tables.table('Events'))?.recordView();
    if (view === undefined) throw new Error('no table');
    await view.upsert({ EventId: 1n, Name: 'a' });
    cluster.setOwner('Events', 0, 'node-2');
    await view.upsert({ EventId: 2n, Name: 'b' });
    await view.upsert({ EventId: 3n, Name: 'c' });
    expect(cluster.received.filter((r) => r.request.op === 'TUPLE_UPSERT').map((r) => r.node)).toEqual([
      'node-1',
      'node-1',
      'node-2',
    ]);
  });
});
