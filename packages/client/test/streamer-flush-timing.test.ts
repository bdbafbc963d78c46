import { afterEach, describe, expect, it } from 'vitest';
import { streamData } from '../src/streamer/stream-data.js';
import { StreamerPublisher } from '../src/streamer/streamer-publisher.js';
import { FakeSink, probe, simClock, stopClocks, type TestItem } from './streamer-fake-sink.js';

afterEach(stopClocks);

describe('DataStreamer auto-flush', () => {
  it('sends a single item once it is autoFlushInterval old, while the source is still open', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock, partitions: 4 });
    const publisher = new StreamerPublisher<TestItem>();
    const done = streamData(sink, publisher, { clock, autoFlushInterval: 5000 });
    await publisher.submit({ id: 0, key: 1 });
    await clock.sleep(4999);
    expect(sink.calls).toHaveLength(0);
    await clock.sleep(1000);
    expect(sink.calls.map((call) => [call.at, call.partition, call.items.length])).toEqual([[5000, 1, 1]]);
    publisher.close();
    await expect(done).resolves.toMatchObject({ items: 1, batches: 1 });
  });

  it('with auto-flush off, holds a partial buffer until the source completes', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock });
    const publisher = new StreamerPublisher<TestItem>();
    const done = probe(streamData(sink, publisher, { clock, autoFlushInterval: 0 }));
    await publisher.submit({ id: 0, key: 0 });
    await clock.sleep(600_000);
    expect(sink.calls).toHaveLength(0);
    expect(done.settled).toBe(false);
    publisher.close();
    await expect(done.result).resolves.toMatchObject({ items: 1 });
    expect(sink.calls.map((call) => call.at)).toEqual([600_000]);
  });

  it('flushes by the age of the oldest item, so a steady trickle cannot starve the buffer', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock, partitions: 1 });
    async function* trickle(): AsyncGenerator<TestItem> {
      for (let id = 0; id < 6; id++) {
        if (id > 0) {
          await clock.sleep(2000);
        }
        yield { id, key: 0 };
      }
    }
    await streamData(sink, trickle(), { clock, autoFlushInterval: 5000 });
    // Items at 0, 2000, 4000 leave at 5000; 6000, 8000, 10000 would leave at 11000 but the source ends
    // at 10000 and flushes them then. An idle timer (reset by each item) would never have fired.
    expect(sink.calls.map((call) => [call.at, call.items.map((item) => item.id)])).toEqual([
      [5000, [0, 1, 2]],
      [10_000, [3, 4, 5]],
    ]);
  });

  it('does not auto-flush a partition whose every slot is taken, and flushes it when one frees', async () => {
    const clock = simClock();
    // Two partitions of room (bound 12), every item in partition 0: items are taken while both slots are busy.
    const sink = new FakeSink<TestItem>({ clock, partitions: 2, latencyMs: 8000, partitionOf: () => 0 });
    const publisher = new StreamerPublisher<TestItem>();
    const done = streamData(sink, publisher, {
      clock,
      pageSize: 3,
      perPartitionParallelOperations: 2,
      autoFlushInterval: 5000,
    });
    for (const id of [0, 1, 2]) {
      await publisher.submit({ id, key: 0 }); // full: leaves at 0 and is in flight until 8000
    }
    await clock.sleep(500);
    for (const id of [3, 4, 5]) {
      await publisher.submit({ id, key: 0 }); // full: leaves at 500, in flight until 8500
    }
    await clock.sleep(500);
    await publisher.submit({ id: 6, key: 0 }); // 5000 ms old at 6000, while both slots are taken
    expect(clock.now()).toBe(1000);
    await clock.sleep(6000);
    expect(sink.calls).toHaveLength(2);
    // The buffer is still open at 7000: a later item joins the same batch.
    await publisher.submit({ id: 7, key: 0 });
    await clock.sleep(1000);
    expect(sink.calls.map((call) => [call.at, call.items.map((item) => item.id)])).toEqual([
      [0, [0, 1, 2]],
      [500, [3, 4, 5]],
      [8000, [6, 7]],
    ]);
    publisher.close();
    await done;
    expect(sink.maxInFlight).toBe(2);
  });

  it('with one operation per partition, flushes an overdue buffer when the batch in flight ends', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock, partitions: 2, latencyMs: 8000, partitionOf: () => 0 });
    const publisher = new StreamerPublisher<TestItem>();
    const done = streamData(sink, publisher, { clock, pageSize: 3, autoFlushInterval: 5000 });
    for (const id of [0, 1, 2]) await publisher.submit({ id, key: 0 });
    await clock.sleep(1000);
    await publisher.submit({ id: 3, key: 0 });
    await clock.sleep(7000);
    publisher.close();
    await done;
    expect(sink.calls.map((call) => [call.at, call.items.map((item) => item.id)])).toEqual([
      [0, [0, 1, 2]],
      [8000, [3]],
    ]);
    expect(sink.overlaps).toBe(0);
  });

  it('flushes each partition by its own oldest item', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock, partitions: 2 });
    const publisher = new StreamerPublisher<TestItem>();
    const done = streamData(sink, publisher, { clock, autoFlushInterval: 1000 });
    await publisher.submit({ id: 0, key: 0 });
    await clock.sleep(300);
    await publisher.submit({ id: 1, key: 1 });
    await clock.sleep(2000);
    publisher.close();
    await done;
    expect(sink.calls.map((call) => [call.at, call.partition])).toEqual([
      [1000, 0],
      [1300, 1],
    ]);
  });
});
