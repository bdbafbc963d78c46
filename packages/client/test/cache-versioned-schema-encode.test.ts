import type { TableSchema } from '@datastreamer/protocol';
import { VersionedSchema } from '@datastreamer/protocol/internal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../sim-cluster/src/clock/sim-clock.js';
import type { PreparedItem } from '../src/streamer/streamer-sink.js';
import { type TableStreamerEntry, TableStreamerSink } from '../src/table/table-streamer-sink.js';
import { EVENTS } from './support/client-fixture.js';
import { FakeCluster } from './support/fake-cluster.js';
import { openSink, preparedSlot } from './support/sink-calls.js';
import { openTableContext } from './support/table-context-fixture.js';

/** `TrackEvents`-like, colocated by a key column that is not the first column. */
const SCHEMA: TableSchema = {
  tableId: 3,
  tableName: 'TrackEvents',
  version: 1,
  columns: [
    { name: 'UserId', type: 'INT32' },
    { name: 'EventId', type: 'INT64' },
    { name: 'EventType', type: 'STRING', default: 'TRACK_STARTED' },
    { name: 'EventTime', type: 'TIMESTAMP', precision: 3 },
    { name: 'Duration', type: 'INT64', nullable: true },
  ],
  keyColumns: [1, 0],
  colocationColumns: [1],
  partitions: 25,
};

const rowArb = fc.record(
  {
    UserId: fc.integer(),
    EventId: fc.oneof(fc.maxSafeInteger(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
    EventType: fc.string({ maxLength: 20 }),
    EventTime: fc.integer({ min: -8.64e15, max: 8.64e15 }).map((ms) => new Date(ms)),
    Duration: fc.option(fc.maxSafeInteger(), { nil: null }),
  },
  { requiredKeys: ['UserId', 'EventId', 'EventTime'] },
);

/** Stages `row` in `schema` and writes the tuple out at a non-zero offset, as the streamer sink does. */
function staged(schema: VersionedSchema, row: object, target: { noValueSet: Uint8Array }): Uint8Array {
  const length = schema.stageRow(row, target);
  const chunk = new Uint8Array(length + 7);
  expect(schema.writeStagedTuple(chunk, 7)).toBe(length);
  return chunk.subarray(7);
}

describe('VersionedSchema.stageRow', () => {
  it('stages what encodeRow returns, with the same partition', () => {
    const stager = new VersionedSchema(SCHEMA);
    const encode = new VersionedSchema(SCHEMA);
    const target = { noValueSet: new Uint8Array(0) };
    fc.assert(
      fc.property(rowArb, (row) => {
        const tuple = staged(stager, row, target);
        const expected = encode.encodeRow(row);
        expect(tuple).toEqual(expected.tuple);
        expect(target.noValueSet).toEqual(expected.noValueSet);
        expect(stager.partition()).toBe(encode.partition());
        expect(stager.partition()).toBe(encode.keyPartition(row));
      }),
      { numRuns: 300 },
    );
  });

  it('leaves the target as it was when the row does not encode', () => {
    const schema = new VersionedSchema(SCHEMA);
    const target = { noValueSet: new Uint8Array([2]) };
    const before = { ...target };
    expect(() => schema.stageRow({ UserId: 1, EventId: 1.5, EventTime: new Date(0) }, target)).toThrow(
      /EventId/,
    );
    expect(() => schema.stageRow({ UserId: 1, EventId: 1, EventTime: new Date(0), X: 1 }, target)).toThrow(
      /X/,
    );
    expect(target).toEqual(before);
  });
});

describe('TableStreamerSink entries', () => {
  it('carry the tuple and noValueSet of their row, encoded in place', async () => {
    const clock = new SimClock();
    const cluster = new FakeCluster({ clock, partitions: 4 });
    const events = cluster.createTable(EVENTS);
    const context = await openTableContext(cluster, clock);
    try {
      const sink = new TableStreamerSink(context, events.tableId, 'Events', 'record');
      await openSink(sink);
      const schema = await context.schemas.latest(events.tableId);
      const out: PreparedItem<TableStreamerEntry> = preparedSlot();
      for (const row of [
        { EventId: 1, Name: 'a' },
        { EventId: 2n, Name: 'b', Duration: 3 },
        { EventId: 3, Name: 'c', Duration: null },
      ]) {
        sink.prepare(row, out);
        const expected = schema.encodeRow(row);
        expect(out.entry?.tuple).toEqual(expected.tuple);
        expect(out.entry?.noValueSet).toEqual(expected.noValueSet);
        expect(out.partition).toBe(schema.partition());
      }
      sink.prepare({ EventId: 4, Name: 'd' }, out);
      expect([...(out.entry?.noValueSet ?? [])]).toEqual([0b100]);
    } finally {
      context.pool.close();
      clock.stop();
    }
  });
});
