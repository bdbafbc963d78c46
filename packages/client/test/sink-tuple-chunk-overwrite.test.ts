import { encodeRequestFrame, type TableDefinition } from '@datastreamer/protocol';
import { type StreamerRow, VersionedSchema } from '@datastreamer/protocol/internal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../sim-cluster/src/clock/sim-clock.js';
import { DataStreamerItem } from '../src/streamer/data-streamer-item.js';
import type { PreparedItem } from '../src/streamer/streamer-sink.js';
import { type TableStreamerEntry, TableStreamerSink } from '../src/table/table-streamer-sink.js';
import {
  DEFAULT_INITIAL_TUPLE_CHUNK_SIZE,
  DEFAULT_TUPLE_CHUNK_SIZE,
  TupleChunks,
  tupleView,
} from '../src/table/tuple-chunks.js';
import { FakeCluster } from './support/fake-cluster.js';
import { openSink, preparedSlot, sendOnce } from './support/sink-calls.js';
import { openTableContext } from './support/table-context-fixture.js';

/** `TrackEvents`-like: six columns, colocated by the user. */
const TRACK_EVENTS: TableDefinition = {
  name: 'TrackEvents',
  columns: [
    { name: 'EventId', type: 'INT64' },
    { name: 'UserId', type: 'INT32' },
    { name: 'TrackId', type: 'STRING' },
    { name: 'EventType', type: 'STRING', default: 'PLAY' },
    { name: 'EventTime', type: 'TIMESTAMP', precision: 3 },
    { name: 'Duration', type: 'INT32', nullable: true },
  ],
  primaryKey: ['EventId', 'UserId'],
  colocateBy: ['UserId'],
};

const trackEventArb = fc.record(
  {
    EventId: fc.oneof(fc.maxSafeInteger(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
    UserId: fc.integer(),
    TrackId: fc.string({ maxLength: 40 }),
    EventType: fc.constantFrom('PLAY', 'SKIP', 'LIKE'),
    EventTime: fc.integer({ min: -8.64e15, max: 8.64e15 }).map((ms) => new Date(ms)),
    Duration: fc.option(fc.integer({ min: 0, max: 600_000 }), { nil: null }),
  },
  { requiredKeys: ['EventId', 'UserId', 'TrackId', 'EventTime'] },
);

function trackEvent(i: number) {
  return {
    EventId: i,
    UserId: (i * 7919) % 1000,
    TrackId: `track-${i % 97}`,
    EventTime: new Date(1_700_000_000_000 + i),
    Duration: i % 3 === 0 ? null : i,
  };
}

async function setup(partitions: number) {
  const clock = new SimClock();
  const cluster = new FakeCluster({ clock, partitions });
  const table = cluster.createTable(TRACK_EVENTS);
  const context = await openTableContext(cluster, clock);
  const sink = new TableStreamerSink(context, table.tableId, 'TrackEvents', 'record');
  await openSink(sink);
  const dispose = () => {
    context.pool.close();
    clock.stop();
  };
  return { cluster, context, table, sink, dispose };
}

/** Prepares every item and groups the entries by partition, keeping each entry's source in order. */
function prepareAll(sink: TableStreamerSink<unknown>, items: readonly unknown[]) {
  const out: PreparedItem<TableStreamerEntry> = preparedSlot();
  const byPartition = new Map<number, TableStreamerEntry[]>();
  const all: TableStreamerEntry[] = [];
  for (const item of items) {
    sink.prepare(item, out);
    const entry = out.entry as TableStreamerEntry;
    const list = byPartition.get(out.partition) ?? [];
    list.push(entry);
    byPartition.set(out.partition, list);
    all.push(entry);
  }
  return { byPartition, all };
}

/** The tuple a fresh codec of `schema` gives the entry's source: what the per-row-array form held. */
function expectedTuple(schema: VersionedSchema, entry: TableStreamerEntry): Uint8Array {
  return entry.remove ? schema.encodeKey(entry.source) : schema.encodeRow(entry.source).tuple;
}

describe('TupleChunks', () => {
  it('never hands out a byte twice, across interleaved partitions and chunk boundaries', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(5), fc.integer({ min: 0, max: 70 })), { maxLength: 300 }),
        (requests) => {
          const chunks = new TupleChunks(64);
          const views: Uint8Array[] = [];
          requests.forEach(([partition, length], n) => {
            const array = chunks.reserve(partition, length);
            const offset = chunks.offset;
            expect(offset + length).toBeLessThanOrEqual(array.length);
            const view = tupleView(array, offset, length);
            view.fill(n & 0xff);
            views.push(view);
          });
          views.forEach((view, n) => {
            expect(view.every((byte) => byte === (n & 0xff))).toBe(true);
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps a partition to its own chunks and gives a tuple longer than a chunk its own array', () => {
    const chunks = new TupleChunks(100);
    const a1 = chunks.reserve(0, 40);
    const b1 = chunks.reserve(1, 40);
    expect(b1).not.toBe(a1);
    expect(chunks.reserve(0, 40)).toBe(a1);
    expect(chunks.offset).toBe(40);
    const a2 = chunks.reserve(0, 40);
    expect(a2).not.toBe(a1);
    expect(chunks.offset).toBe(0);
    const big = chunks.reserve(0, 101);
    expect(big.length).toBe(101);
    expect(chunks.offset).toBe(0);
    expect(tupleView(big, 0, 101)).toBe(big);
    // The long tuple did not take the partition's current chunk away.
    expect(chunks.reserve(0, 10)).toBe(a2);
    expect(chunks.offset).toBe(40);
    expect(() => new TupleChunks(0)).toThrow(RangeError);
    expect(() => new TupleChunks(100, 0)).toThrow(RangeError);
  });

  it('starts a partition with a small chunk and doubles each next one up to the largest', () => {
    const chunks = new TupleChunks(1024, 64);
    const sizes: number[] = [];
    let current: Uint8Array | undefined;
    for (let i = 0; i < 200; i++) {
      const array = chunks.reserve(0, 10);
      if (array !== current) sizes.push(array.length);
      current = array;
      expect(chunks.reservedBytes).toBe(array.length);
    }
    expect(sizes).toEqual([64, 128, 256, 512, 1024, 1024]);
    // A tuple longer than the next size but within the largest gets a chunk it fits in.
    const fresh = new TupleChunks(1024, 64);
    expect(fresh.reserve(3, 300).length).toBe(512);
    expect(fresh.reservedBytes).toBe(512);
  });

  it('reserves the initial chunk for a partition with one tuple and nothing for an untouched one', () => {
    const chunks = new TupleChunks();
    for (let partition = 0; partition < 4096; partition += 2) chunks.reserve(partition, 45);
    expect(chunks.reservedBytes).toBe(2048 * DEFAULT_INITIAL_TUPLE_CHUNK_SIZE);
    // A tuple longer than the largest chunk is the entry's own: nothing is reserved for it.
    chunks.reserve(1, DEFAULT_TUPLE_CHUNK_SIZE + 1);
    expect(chunks.reservedBytes).toBe(2048 * DEFAULT_INITIAL_TUPLE_CHUNK_SIZE);
  });
});

describe('TableStreamerSink tuple chunks', () => {
  it('keeps the bytes of every entry of many interleaved partitions while more rows are encoded', async () => {
    const { context, table, sink, dispose } = await setup(16);
    const items: unknown[] = [];
    for (let i = 0; i < 3000; i++) {
      items.push(i % 10 === 9 ? DataStreamerItem.removed({ EventId: i, UserId: i % 1000 }) : trackEvent(i));
    }
    const { byPartition, all } = prepareAll(sink, items);
    expect(byPartition.size).toBe(16);
    const schema = new VersionedSchema((await context.schemas.latest(table.tableId)).schema);
    for (const entry of all) expect(entry.tuple).toEqual(expectedTuple(schema, entry));
    // The tuples share chunks, one partition's rows per chunk.
    const buffers = new Map<ArrayBufferLike, number>();
    for (const [partition, entries] of byPartition) {
      for (const entry of entries) {
        expect(entry.tuple.buffer.byteLength).toBeLessThanOrEqual(DEFAULT_TUPLE_CHUNK_SIZE);
        expect(buffers.get(entry.tuple.buffer) ?? partition).toBe(partition);
        buffers.set(entry.tuple.buffer, partition);
      }
    }
    // About 190 rows per partition: chunks of 256 bytes to 8 KiB, seven at most per partition.
    expect(buffers.size).toBeLessThanOrEqual(16 * 7);
    dispose();
  });

  it('gives a tuple longer than a chunk an array of its own, between rows in chunks', async () => {
    const { context, table, sink, dispose } = await setup(2);
    const long = { ...trackEvent(1), TrackId: 'x'.repeat(DEFAULT_TUPLE_CHUNK_SIZE + 10) };
    const { all } = prepareAll(sink, [trackEvent(0), long, trackEvent(2)]);
    const schema = new VersionedSchema((await context.schemas.latest(table.tableId)).schema);
    for (const entry of all) expect(entry.tuple).toEqual(expectedTuple(schema, entry));
    const [, longEntry] = all as [TableStreamerEntry, TableStreamerEntry];
    expect(longEntry.tuple.byteLength).toBeGreaterThan(DEFAULT_TUPLE_CHUNK_SIZE);
    expect(longEntry.tuple.buffer.byteLength).toBe(longEntry.tuple.byteLength);
    dispose();
  });

  it('re-encodes a batch for a newer schema version without touching the entries of other batches', async () => {
    const { cluster, context, table, sink, dispose } = await setup(4);
    const items = Array.from({ length: 800 }, (_, i) => trackEvent(i));
    const { byPartition } = prepareAll(sink, items);
    const v1 = new VersionedSchema((await context.schemas.latest(table.tableId)).schema);
    const [first, ...others] = [...byPartition.entries()].sort(([a], [b]) => a - b);
    const [partition, entries] = first as [number, TableStreamerEntry[]];
    const before = others.map(([, list]) => list.map((entry) => entry.tuple.slice()));

    cluster.addColumn('TrackEvents', { name: 'Extra', type: 'STRING', nullable: true, default: 'none' });
    await sendOnce(sink, partition, entries);
    expect(cluster.requestsOf('STREAMER_BATCH_SEND').map((r) => r.schemaVersion)).toEqual([1, 2]);

    const v2 = new VersionedSchema((await context.schemas.version(table.tableId, 2)).schema);
    for (const entry of entries) {
      expect(entry.schemaVersion).toBe(2);
      expect(entry.tuple).toEqual(expectedTuple(v2, entry));
    }
    others.forEach(([, list], i) => {
      list.forEach((entry, j) => {
        expect(entry.schemaVersion).toBe(1);
        expect(entry.tuple).toEqual(before[i]?.[j]);
        expect(entry.tuple).toEqual(expectedTuple(v1, entry));
      });
    });
    expect(cluster.rows('TrackEvents')).toHaveLength(entries.length);
    dispose();
  });

  it('puts the same bytes on the wire as tuples in arrays of their own', async () => {
    const { context, table, sink, dispose } = await setup(16);
    const schema = new VersionedSchema((await context.schemas.latest(table.tableId)).schema);
    fc.assert(
      fc.property(fc.array(trackEventArb, { minLength: 1, maxLength: 60 }), (rows) => {
        const { byPartition } = prepareAll(sink, rows);
        for (const [partition, entries] of byPartition) {
          const plain: StreamerRow[] = entries.map((entry) => schema.encodeRow(entry.source));
          const frame = (batch: readonly StreamerRow[]) =>
            encodeRequestFrame({
              op: 'STREAMER_BATCH_SEND',
              requestId: 1,
              tableId: table.tableId,
              partitionId: partition,
              deleted: null,
              schemaVersion: 1,
              rows: batch,
              targetNode: 'node-1',
              assignmentVersion: 1,
              producer: null,
            });
          expect(frame(entries)).toEqual(frame(plain));
        }
      }),
      { numRuns: 150 },
    );
    dispose();
  });
});
