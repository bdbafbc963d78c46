import { streamerRowArray } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../sim-cluster/src/clock/sim-clock.js';
import { DataStreamerItem } from '../src/streamer/data-streamer-item.js';
import type { PreparedItem } from '../src/streamer/streamer-sink.js';
import { type TableStreamerEntry, TableStreamerSink } from '../src/table/table-streamer-sink.js';
import { EVENTS, PLAYS } from './support/client-fixture.js';
import { FakeCluster } from './support/fake-cluster.js';
import { openSink, preparedSlot, sendOnce } from './support/sink-calls.js';
import { openTableContext } from './support/table-context-fixture.js';

async function setup(partitions = 8) {
  const clock = new SimClock();
  const cluster = new FakeCluster({ clock, partitions });
  const events = cluster.createTable(EVENTS);
  const plays = cluster.createTable(PLAYS);
  const context = await openTableContext(cluster, clock);
  const dispose = () => {
    context.pool.close();
    clock.stop();
  };
  return { clock, cluster, context, events, plays, dispose };
}

function prepareAll<T>(sink: TableStreamerSink<T>, items: readonly T[]) {
  const out: PreparedItem<TableStreamerEntry> = preparedSlot();
  const byPartition = new Map<number, TableStreamerEntry[]>();
  for (const item of items) {
    sink.prepare(item, out);
    const list = byPartition.get(out.partition) ?? [];
    list.push(out.entry as TableStreamerEntry);
    byPartition.set(out.partition, list);
  }
  return byPartition;
}

describe('TableStreamerSink routing', () => {
  it("opens with the table's partition count", async () => {
    const { context, events, dispose } = await setup(8);
    const sink = new TableStreamerSink(context, events.tableId, 'Events', 'record');
    expect(await openSink(sink)).toMatchObject({ partitions: 8, epoch: 1 });
    dispose();
  });

  it('puts each item in the partition of its colocation key', async () => {
    const { cluster, context, plays, dispose } = await setup(8);
    const sink = new TableStreamerSink(context, plays.tableId, 'Plays', 'record');
    await openSink(sink);
    const out: PreparedItem<TableStreamerEntry> = preparedSlot();
    for (let user = 0; user < 40; user++) {
      const row = { TrackId: `t${user % 3}`, UserId: user, Score: user / 2 };
      sink.prepare(row, out);
      expect(out.partition).toBe(cluster.partitionOf('Plays', { TrackId: row.TrackId, UserId: row.UserId }));
      sink.prepare(DataStreamerItem.removed({ UserId: user, TrackId: 'zz' }), out);
      expect(out.partition).toBe(cluster.partitionOf('Plays', { TrackId: 'zz', UserId: user }));
      expect(out.entry?.remove).toBe(true);
    }
    dispose();
  });

  it("sends each batch to its partition's primary, naming it as the target", async () => {
    const { cluster, context, events, dispose } = await setup(8);
    const sink = new TableStreamerSink(context, events.tableId, 'Events', 'record');
    await openSink(sink);
    const rows = Array.from({ length: 64 }, (_, i) => ({ EventId: BigInt(i), Name: `e${i}` }));
    for (const [partition, entries] of prepareAll(sink, rows)) {
      const ack = await sendOnce(sink, partition, entries);
      const owner = cluster.ownerOf('Events', partition);
      expect(ack).toMatchObject({ node: owner, rerouted: false });
      expect(ack.bytes).toBeGreaterThan(entries.length * 5);
    }
    expect(cluster.batches.length).toBe(8);
    for (const batch of cluster.batches) {
      expect(batch.node).toBe(cluster.ownerOf('Events', batch.partitionId));
      expect(batch.targetNode).toBe(batch.node);
    }
    expect(cluster.rows('Events')).toHaveLength(64);
    dispose();
  });

  it("falls back to another connection when the primary's is down", async () => {
    const { clock, cluster, context, events, dispose } = await setup(8);
    const sink = new TableStreamerSink(context, events.tableId, 'Events', 'record');
    await openSink(sink);
    cluster.transport.setReachable('node-2', false);
    cluster.transport.cut('node-2');
    await clock.sleep(1);
    const rows = Array.from({ length: 64 }, (_, i) => ({ EventId: BigInt(i), Name: `e${i}` }));
    for (const [partition, entries] of prepareAll(sink, rows)) {
      const ack = await sendOnce(sink, partition, entries);
      const owner = cluster.ownerOf('Events', partition);
      expect(ack.node).toBe(owner);
      expect(ack.rerouted).toBe(owner !== 'node-1');
    }
    expect(cluster.batches.every((batch) => batch.node === 'node-1')).toBe(true);
    expect(cluster.batches.filter((batch) => batch.targetNode === 'node-2').length).toBeGreaterThan(0);
    expect(cluster.rows('Events')).toHaveLength(64);
    dispose();
  });

  it('fails with a retryable error when no connection is open', async () => {
    const { clock, cluster, context, events, dispose } = await setup(4);
    const sink = new TableStreamerSink(context, events.tableId, 'Events', 'record');
    await openSink(sink);
    const batches = prepareAll(sink, [{ EventId: 1n, Name: 'x' }]);
    for (const node of ['node-1', 'node-2']) {
      cluster.transport.setReachable(node, false);
      cluster.transport.cut(node);
    }
    await clock.sleep(1);
    const [partition, entries] = [...batches][0] ?? [0, []];
    expect(await sendOnce(sink, partition, entries).catch((e: unknown) => e)).toMatchObject({
      code: 'NODE_UNAVAILABLE',
      retryable: true,
    });
    dispose();
  });

  it('marks REMOVE rows in the batch and sends their key only', async () => {
    const { cluster, context, events, dispose } = await setup(1);
    const sink = new TableStreamerSink(context, events.tableId, 'Events', 'record');
    await openSink(sink);
    const items = [
      DataStreamerItem.of({ EventId: 1n, Name: 'a' }),
      { EventId: 2n, Name: 'b' },
      DataStreamerItem.removed({ EventId: 1n }),
      DataStreamerItem.of({ EventId: 3n, Name: 'c' }),
      DataStreamerItem.removed({ EventId: 9n, Name: 'ignored' }),
    ];
    const entries = prepareAll(sink, items).get(0) ?? [];
    await sendOnce(sink, 0, entries);
    const [request] = cluster.requestsOf('STREAMER_BATCH_SEND');
    expect([...(request?.deleted ?? [])]).toEqual([0b10100]);
    expect(streamerRowArray(request?.rows ?? [])[2]?.noValueSet.length).toBe(0);
    expect(cluster.batches[0]).toMatchObject({ rows: 5, removes: 2 });
    expect(
      cluster
        .rows('Events')
        .map((r) => r.EventId)
        .sort(),
    ).toEqual([2n, 3n]);
    dispose();
  });

  it('reads key-value pairs in key-value mode', async () => {
    const { cluster, context, events, dispose } = await setup(1);
    const sink = new TableStreamerSink(context, events.tableId, 'Events', 'keyValue');
    await openSink(sink);
    const entries =
      prepareAll(sink, [
        [{ EventId: 1n }, { Name: 'a' }],
        [{ EventId: 2n }, { Name: 'b', Duration: 1 }],
        DataStreamerItem.removed([{ EventId: 1n }]),
      ]).get(0) ?? [];
    await sendOnce(sink, 0, entries);
    expect(cluster.rows('Events')).toEqual([{ EventId: 2n, Name: 'b', Duration: 1 }]);
    expect(() => sink.prepare({ EventId: 1n } as never, preparedSlot())).toThrow(/\[key, value\]/);
    dispose();
  });
});
