import { Readable } from 'node:stream';
import {
  DataStreamerError,
  DataStreamerItem,
  type StreamerBatchInfo,
  StreamerPublisher,
} from '@datastreamer/client';
import fc from 'fast-check';
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { streamItemKey } from '../src/cluster/stream-item-key.js';
import { canonicalKey } from '../src/history/canonical-key.js';
import type { SubmitEvent } from '../src/history/history-event.js';
import {
  type EventRow,
  eventsView,
  expectValid,
  seqOf,
  startScenario,
  type WorkItem,
  workload,
} from './scenario-support.js';

function submitsOf(events: readonly SubmitEvent[]) {
  return events.map(({ index, op, key, seq, table, client, stream }) => ({
    index,
    op,
    key,
    seq,
    table,
    client,
    stream,
  }));
}

describe('Recorded stream', () => {
  it('records a submit per item, an ack per batch covering each item once, and the outcome', async () => {
    const { cluster, client, view } = await startScenario({ seed: 101 });
    await using _ = cluster;
    const items = workload({ seed: 101, items: 150, keys: 30 });
    const infos: StreamerBatchInfo[] = [];
    const summary = await cluster.stream(
      view,
      items,
      { client, seq: seqOf },
      { pageSize: 7, onBatch: (info) => void infos.push(info) },
    );

    const submits = cluster.history.ofType('submit');
    expect(submits.map((s) => s.index)).toEqual(items.map((_, i) => i));
    expect(submits[3]).toMatchObject({
      client: 'client-1',
      stream: 1,
      table: 'Events',
      op: items[3]?.operationType,
      key: canonicalKey({ Id: items[3]?.payload.Id }),
      seq: items[3]?.payload.Seq,
    });
    expect(submits.every((s) => s.producer === undefined)).toBe(true);
    // Each applied key's string is one some submit carries: submits and applies speak of keys alike.
    const submitted = new Set(submits.map((s) => s.key));
    const applies = cluster.history.ofType('apply');
    expect(applies.length).toBeGreaterThan(0);
    expect(applies.every((a) => submitted.has(a.key))).toBe(true);
    const acks = cluster.history.ofType('ack');
    expect(acks).toHaveLength(summary.batches);
    expect(acks.flatMap((a) => a.indexes).sort((x, y) => x - y)).toEqual(items.map((_, i) => i));
    // The caller's onBatch was still called, with the same batches.
    expect(infos.map((i) => i.indexes)).toEqual(acks.map((a) => a.indexes));
    expect(cluster.history.ofType('settled')).toMatchObject([
      { client: 'client-1', stream: 1, outcome: 'resolved' },
    ]);
    expect(cluster.history.ofType('fail')).toEqual([]);
    expectValid(cluster);
  });

  it('numbers the streams of each client 1, 2, ... and names the producer when given', async () => {
    const { cluster, client, view } = await startScenario({ seed: 102 });
    await using _ = cluster;
    const other = await cluster.connect();
    const otherView = await eventsView(other);
    await cluster.stream(view, workload({ seed: 1, items: 10, keys: 5 }), { client, seq: seqOf });
    await cluster.stream(otherView, workload({ seed: 2, items: 10, keys: 5, idOffset: 100 }), {
      client: other,
      seq: seqOf,
      producer: 'sensor-a',
    });
    await cluster.stream(view, workload({ seed: 3, items: 10, keys: 5, idOffset: 200 }), {
      client,
      seq: seqOf,
    });
    const streams = cluster.history.ofType('settled').map((e) => `${e.client}#${e.stream}`);
    expect(streams).toEqual(['client-1#1', 'client-2#1', 'client-1#2']);
    const producers = new Set(cluster.history.ofType('submit').map((e) => e.producer));
    expect(producers).toEqual(new Set([undefined, 'sensor-a']));
    expectValid(cluster);
  });

  it('records the same submits whatever the kind of source', async () => {
    const items = workload({ seed: 103, items: 60, keys: 20 });
    const sources: Record<
      string,
      () => Iterable<WorkItem> | AsyncIterable<WorkItem> | ReturnType<typeof from<WorkItem[]>> | Readable
    > = {
      array: () => items,
      generator: () =>
        (function* () {
          yield* items;
        })(),
      asyncGenerator: () =>
        (async function* () {
          yield* items;
        })(),
      observable: () => from(items),
      readable: () => Readable.from(items),
    };
    const recorded = new Map<string, unknown>();
    for (const [kind, make] of Object.entries(sources)) {
      const { cluster, client, view } = await startScenario({ seed: 103 });
      await using _ = cluster;
      await cluster.stream(view, make(), { client, seq: seqOf }, { pageSize: 9 });
      recorded.set(kind, submitsOf(cluster.history.ofType('submit')));
      expectValid(cluster);
    }
    expect(recorded.get('array')).toHaveLength(60);
    for (const kind of Object.keys(sources)) expect(recorded.get(kind), kind).toEqual(recorded.get('array'));
  });

  it('records the failed items by source index, including an object the source yielded twice', async () => {
    const { cluster, client, view } = await startScenario({ seed: 104 });
    await using _ = cluster;
    const items: WorkItem[] = workload({ seed: 104, items: 200, keys: 40 });
    // The same object again, just before a row the streamer refuses: this occurrence fails with the rest,
    // while the first one was applied.
    items[189] = items[2] as WorkItem;
    items[190] = DataStreamerItem.of({ Id: 7n, Seq: 99, Payload: 42 } as unknown as EventRow);
    const error = await cluster
      .stream(view, items, { client, seq: seqOf }, { pageSize: 10 })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DataStreamerError);
    const failedItems = (error as DataStreamerError<WorkItem>).failedItems;
    const [fail] = cluster.history.ofType('fail');
    expect(fail?.code).toBe((error as DataStreamerError).code);
    const indexes = fail?.indexes ?? [];
    expect(indexes.map((i) => items[i])).toEqual(failedItems);
    expect(indexes).toContain(189);
    expect(indexes).toContain(190);
    expect(indexes).not.toContain(2);
    // Acknowledged and failed items are disjoint and together are every item taken.
    const acked = cluster.history.ofType('ack').flatMap((a) => a.indexes);
    expect(acked).toContain(2);
    const taken = cluster.history.ofType('submit').map((s) => s.index);
    expect([...acked, ...indexes].sort((a, b) => a - b)).toEqual(taken);
    expect(cluster.history.ofType('settled')).toMatchObject([{ outcome: 'rejected', code: fail?.code }]);
    const verdict = cluster.check<EventRow>({ key: (row) => row.Id, seq: (row) => row.Seq });
    expect(verdict.unaccounted).toEqual([]);
    expect(verdict.lost).toEqual([]);
  });

  it('records a key-value stream with the keys the applies carry', async () => {
    const { cluster, client } = await startScenario({ seed: 105 });
    await using _ = cluster;
    const table = await client.tables.table('Events');
    const kv = table?.keyValueView<{ Id: bigint }, { Seq: number; Payload: string }>();
    if (kv === undefined) throw new Error('no table');
    const entries = [
      [{ Id: 1n }, { Seq: 1, Payload: 'a' }] as const,
      [{ Id: 2n }, { Seq: 1, Payload: 'b' }] as const,
      DataStreamerItem.removed([{ Id: 1n }, { Seq: 2, Payload: '' }] as const),
    ];
    await cluster.stream(kv, entries, {
      client,
      seq: (entry) => (entry instanceof DataStreamerItem ? entry.payload[1]?.Seq : entry[1].Seq) ?? 0,
    });
    const submits = cluster.history.ofType('submit');
    expect(submits.map((s) => [s.key, s.op])).toEqual([
      ['{"Id":1}', 'PUT'],
      ['{"Id":2}', 'PUT'],
      ['{"Id":1}', 'REMOVE'],
    ]);
    expect(new Set(cluster.history.ofType('apply').map((a) => a.key))).toEqual(
      new Set(['{"Id":1}', '{"Id":2}']),
    );
    expectValid(cluster);
  });

  it('refuses a StreamerPublisher source and a client it did not connect, recording nothing', async () => {
    const { cluster, client, view } = await startScenario({ seed: 106 });
    await using _ = cluster;
    await expect(
      cluster.stream(view, new StreamerPublisher<WorkItem>(), { client, seq: seqOf }),
    ).rejects.toMatchObject({ name: 'SimClusterError', code: 'INVALID_ARGUMENT' });
    const stranger = await startScenario({ seed: 107 });
    await using __ = stranger.cluster;
    await expect(cluster.stream(view, [], { client: stranger.client, seq: seqOf })).rejects.toMatchObject({
      name: 'SimClusterError',
      code: 'INVALID_ARGUMENT',
    });
    expect(cluster.history.filter((e) => e.type === 'submit' || e.type === 'settled')).toEqual([]);
  });
});

describe('streamItemKey', () => {
  it('gives the canonical key of the key columns object, for rows, entries and items alike', () => {
    const value = fc.oneof(fc.bigInt(), fc.integer(), fc.string(), fc.boolean());
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
        fc.array(value, { minLength: 3, maxLength: 3 }),
        fc.dictionary(fc.string({ maxLength: 4 }), value),
        (keyColumns, values, extra) => {
          const key: Record<string, unknown> = {};
          keyColumns.forEach((name, i) => {
            key[name] = values[i];
          });
          const row = { ...extra, ...key };
          const expected = canonicalKey(key);
          expect(streamItemKey(keyColumns, 'record')(row)).toBe(expected);
          expect(streamItemKey([...keyColumns].reverse(), 'record')(DataStreamerItem.removed(row))).toBe(
            expected,
          );
          expect(streamItemKey(keyColumns, 'keyValue')([key, extra])).toBe(expected);
          expect(streamItemKey(keyColumns, 'keyValue')(DataStreamerItem.of([key, extra]))).toBe(expected);
        },
      ),
    );
  });
});
