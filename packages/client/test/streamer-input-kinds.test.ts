import { Readable } from 'node:stream';
import { from, Observable } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { DataStreamerError } from '../src/errors/data-streamer-error.js';
import { InvalidOptionError } from '../src/errors/invalid-option-error.js';
import {
  DataStreamerItem,
  streamerItemOperation,
  streamerItemPayload,
} from '../src/streamer/data-streamer-item.js';
import type { StreamerSource } from '../src/streamer/sources/open-source-reader.js';
import { streamData } from '../src/streamer/stream-data.js';
import { StreamerPublisher } from '../src/streamer/streamer-publisher.js';
import { FakeSink, items, simClock, stopClocks, type TestItem } from './streamer-fake-sink.js';

afterEach(stopClocks);

function byPartition(list: readonly TestItem[], partitions: number): number[][] {
  const out: number[][] = Array.from({ length: partitions }, () => []);
  for (const item of list) {
    out[item.key % partitions]?.push(item.id);
  }
  return out;
}

async function* asyncGenerator(list: readonly TestItem[]): AsyncGenerator<TestItem> {
  for (const item of list) {
    await Promise.resolve();
    yield item;
  }
}

function webStream(list: readonly TestItem[]): ReadableStream<TestItem> {
  let index = 0;
  return new ReadableStream<TestItem>({
    pull(controller) {
      const item = list[index++];
      if (item === undefined) {
        controller.close();
      } else {
        controller.enqueue(item);
      }
    },
  });
}

const kinds: Record<string, (list: readonly TestItem[]) => StreamerSource<TestItem>> = {
  array: (list) => list,
  'sync generator': (list) =>
    (function* () {
      yield* list;
    })(),
  'async generator': asyncGenerator,
  'Node Readable (object mode)': (list) => Readable.from(list),
  'web ReadableStream': webStream,
  'RxJS Observable (synchronous)': (list) => from(list),
  'RxJS Observable (asynchronous)': (list) =>
    new Observable<TestItem>((subscriber) => {
      let index = 0;
      const tick = (): void => {
        if (subscriber.closed) {
          return;
        }
        const item = list[index++];
        if (item === undefined) {
          subscriber.complete();
          return;
        }
        subscriber.next(item);
        queueMicrotask(tick);
      };
      queueMicrotask(tick);
    }),
};

describe('streamData input kinds', () => {
  for (const [kind, make] of Object.entries(kinds)) {
    for (const pageSize of [1, 2, 3, 1000]) {
      it(`streams every item of a ${kind} with pageSize ${pageSize}, in source order per partition`, async () => {
        const clock = simClock();
        const sink = new FakeSink<TestItem>({ clock, partitions: 3 });
        const list = items(25);
        const summary = await streamData(sink, make(list), { pageSize, clock });
        expect(summary.items).toBe(25);
        expect(byPartition(sink.applied, 3)).toEqual(byPartition(list, 3));
        expect(sink.calls.every((call) => call.items.length <= pageSize)).toBe(true);
        expect(summary.batches).toBe(sink.appliedBatches.length);
        expect(summary.partitions).toBe(3);
        expect(summary.partitionsUsed).toBe(3);
      });
    }
  }

  it('streams a StreamerPublisher fed item by item', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock, partitions: 3 });
    const publisher = new StreamerPublisher<TestItem>();
    const done = streamData(sink, publisher, { pageSize: 2, clock });
    const list = items(11);
    for (const item of list) {
      await publisher.submit(item);
    }
    publisher.close();
    const summary = await done;
    expect(summary.items).toBe(11);
    expect(byPartition(sink.applied, 3)).toEqual(byPartition(list, 3));
  });

  it('resolves at once with zero items for an empty source, sending nothing', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock });
    const summary = await streamData(sink, [], { clock });
    expect(summary).toMatchObject({ items: 0, batches: 0, retries: 0, bytes: 0, durationMs: 0 });
    expect(sink.calls).toHaveLength(0);
    expect(clock.now()).toBe(0);
  });

  it('passes DataStreamerItem values through to the sink untouched', async () => {
    const clock = simClock();
    const sink = new FakeSink<DataStreamerItem<TestItem>>({
      clock,
      partitions: 2,
      partitionOf: (item) => item.payload.key % 2,
    });
    const list = [DataStreamerItem.of({ id: 0, key: 0 }), DataStreamerItem.removed({ id: 1, key: 1 })];
    await streamData(sink, list, { clock });
    expect(sink.applied).toEqual(list);
    expect(sink.appliedBatches.map((call) => call.partition).sort()).toEqual([0, 1]);
  });

  it('refuses a source of an unsupported kind, naming the source, before opening the sink', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock });
    for (const bad of ['abc', 42, null, { length: 2 }]) {
      const error = await streamData(sink, bad as unknown as TestItem[], { clock }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).option).toBe('source');
    }
    expect(sink.opened).toBe(0);
  });

  it('refuses a Node Readable that is not in object mode', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock });
    const bytes = new Readable({ read() {} });
    await expect(streamData(sink, bytes, { clock })).rejects.toThrow(/object mode/);
    expect(sink.opened).toBe(0);
  });

  it('fails with the error of a Node Readable that errors, reporting what it had delivered', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock, partitions: 1 });
    const boom = new Error('disk gone');
    const stream = new Readable({
      objectMode: true,
      read() {
        this.push({ id: 0, key: 0 });
        this.push({ id: 1, key: 0 });
        this.destroy(boom);
      },
    });
    const error = await streamData(sink, stream, { clock, pageSize: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataStreamerError);
    expect((error as DataStreamerError).cause).toBe(boom);
    expect(sink.calls).toHaveLength(0);
    // Whatever was taken is reported; what the stream dropped on destroy was never taken.
    const failed = (error as DataStreamerError<TestItem>).failedItems.map((item) => item.id);
    expect(failed).toEqual(failed.slice().sort((a, b) => a - b));
  });

  it('cancels the web ReadableStream it reads when the stream fails', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock, partitions: 1 });
    let cancelled: unknown;
    const stream = new ReadableStream<TestItem>({
      pull(controller) {
        controller.enqueue({ id: 0, key: 0, bad: true });
      },
      cancel(reason) {
        cancelled = reason;
      },
    });
    await expect(streamData(sink, stream, { clock })).rejects.toBeInstanceOf(DataStreamerError);
    expect(cancelled).toBeDefined();
  });
});

describe('DataStreamerItem', () => {
  it('reads the operation and payload of items and bare rows alike', () => {
    const row = { id: 1 };
    expect(streamerItemOperation(DataStreamerItem.of(row))).toBe('PUT');
    expect(streamerItemOperation(DataStreamerItem.removed(row))).toBe('REMOVE');
    expect(streamerItemOperation(row)).toBe('PUT');
    expect(streamerItemPayload(DataStreamerItem.removed(row))).toBe(row);
    expect(streamerItemPayload(row)).toBe(row);
  });
});
