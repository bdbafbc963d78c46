import type { TableDefinition } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../sim-cluster/src/clock/sim-clock.js';
import type { PreparedItem } from '../src/streamer/streamer-sink.js';
import { type TableStreamerEntry, TableStreamerSink } from '../src/table/table-streamer-sink.js';
import { DEFAULT_TUPLE_CHUNK_SIZE } from '../src/table/tuple-chunks.js';
import { FakeCluster } from './support/fake-cluster.js';
import { openSink, preparedSlot } from './support/sink-calls.js';
import { openTableContext } from './support/table-context-fixture.js';

/** The most a partition that sees at most one row of a stream may reserve: well under 1 KiB. */
const IDLE_PARTITION_BOUND = 512;
const PARTITIONS = 4096;

const EVENTS: TableDefinition = {
  name: 'Events',
  columns: [
    { name: 'EventId', type: 'INT64' },
    { name: 'UserId', type: 'INT32' },
    { name: 'Kind', type: 'STRING' },
  ],
  primaryKey: ['EventId'],
};

function event(i: number) {
  return { EventId: i, UserId: i % 1000, Kind: `kind-${i % 7}` };
}

async function withSinks(run: (newSink: () => Promise<TableStreamerSink<unknown>>) => Promise<void>) {
  const clock = new SimClock();
  const cluster = new FakeCluster({ clock, partitions: PARTITIONS });
  const table = cluster.createTable(EVENTS);
  const context = await openTableContext(cluster, clock);
  try {
    await run(async () => {
      const sink = new TableStreamerSink<unknown>(context, table.tableId, 'Events', 'record');
      await openSink(sink);
      return sink;
    });
  } finally {
    context.pool.close();
    clock.stop();
  }
}

/** The partition of each of events `0..count-1`, prepared by a throwaway sink. */
function partitionsOf(sink: TableStreamerSink<unknown>, count: number): number[] {
  const out: PreparedItem<TableStreamerEntry> = preparedSlot();
  return Array.from({ length: count }, (_, i) => {
    sink.prepare(event(i), out);
    return out.partition;
  });
}

describe('TableStreamerSink reserved bytes', () => {
  it('reserves at most the idle bound per partition for a stream with one row in each of 4,096 partitions', async () => {
    await withSinks(async (newSink) => {
      const partitions = partitionsOf(await newSink(), 60_000);
      const firstOf = new Map<number, number>();
      partitions.forEach((partition, i) => {
        if (!firstOf.has(partition)) firstOf.set(partition, i);
      });
      expect(firstOf.size).toBe(PARTITIONS);
      const sink = await newSink();
      const out: PreparedItem<TableStreamerEntry> = preparedSlot();
      for (const i of firstOf.values()) sink.prepare(event(i), out);
      expect(sink.reservedBytes).toBeGreaterThan(0);
      expect(sink.reservedBytes / PARTITIONS).toBeLessThanOrEqual(IDLE_PARTITION_BOUND);
    });
  });

  it('reserves nothing for the partitions a stream leaves idle', async () => {
    await withSinks(async (newSink) => {
      const partitions = partitionsOf(await newSink(), 20_000);
      const busy = new Set([...new Set(partitions)].slice(0, 10));
      const sink = await newSink();
      const out: PreparedItem<TableStreamerEntry> = preparedSlot();
      let rows = 0;
      partitions.forEach((partition, i) => {
        if (!busy.has(partition)) return;
        sink.prepare(event(i), out);
        rows++;
      });
      expect(rows).toBeGreaterThan(10);
      // Ten busy partitions hold a current chunk each, at most the largest; the 4,086 others none.
      expect(sink.reservedBytes).toBeLessThanOrEqual(10 * DEFAULT_TUPLE_CHUNK_SIZE);
      expect(sink.reservedBytes / PARTITIONS).toBeLessThanOrEqual(IDLE_PARTITION_BOUND);
    });
  });
});
