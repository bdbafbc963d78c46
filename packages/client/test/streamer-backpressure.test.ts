import fc from 'fast-check';
import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { DataStreamerError } from '../src/errors/data-streamer-error.js';
import { DataStreamer } from '../src/streamer/data-streamer.js';
import { streamData } from '../src/streamer/stream-data.js';
import { StreamerPublisher } from '../src/streamer/streamer-publisher.js';
import {
  CountingSource,
  FakeSink,
  Gate,
  items,
  probe,
  simClock,
  stopClocks,
  type TestItem,
} from './streamer-fake-sink.js';

afterEach(stopClocks);

describe('DataStreamer backpressure', () => {
  it('does not pull past the bound while the sink stalls, and sends everything once it answers', async () => {
    const clock = simClock();
    const gate = new Gate();
    const sink = new FakeSink<TestItem>({
      clock,
      partitions: 4,
      respond: () => gate.wait().then(() => undefined),
    });
    const source = new CountingSource(items(1000));
    const streamer = new DataStreamer(sink, source, {
      clock,
      pageSize: 10,
      perPartitionParallelOperations: 2,
    });
    const done = probe(streamer.run());
    await clock.sleep(60_000);
    // bound = partitions * pageSize * perPartitionParallelOperations
    expect(streamer.gauge.bufferBound).toBe(80);
    expect(source.pulled).toBe(80);
    expect(streamer.gauge.bufferedItems).toBe(80);
    expect(done.settled).toBe(false);
    gate.open();
    const summary = await done.result;
    expect(summary.items).toBe(1000);
    expect(sink.applied).toHaveLength(1000);
    expect(summary.peakBufferedItems).toBe(80);
    expect(summary.bufferBound).toBe(80);
  });

  it('does not run an async source ahead of the bound either', async () => {
    const clock = simClock();
    const gate = new Gate();
    const sink = new FakeSink<TestItem>({
      clock,
      partitions: 2,
      respond: () => gate.wait().then(() => undefined),
    });
    let pulled = 0;
    async function* source(): AsyncGenerator<TestItem> {
      for (let id = 0; id < 500; id++) {
        pulled++;
        yield { id, key: id };
      }
    }
    const done = probe(streamData(sink, source(), { clock, pageSize: 5 }));
    await clock.sleep(60_000);
    expect(pulled).toBe(10);
    expect(done.settled).toBe(false);
    gate.open();
    await expect(done.result).resolves.toMatchObject({ items: 500 });
  });

  it('never holds more than the bound, whatever the options and key skew', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          partitions: fc.integer({ min: 1, max: 6 }),
          pageSize: fc.integer({ min: 1, max: 7 }),
          parallel: fc.integer({ min: 1, max: 3 }),
          keys: fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }),
          latencyMs: fc.integer({ min: 0, max: 50 }),
        }),
        async ({ partitions, pageSize, parallel, keys, latencyMs }) => {
          const clock = simClock();
          const sink = new FakeSink<TestItem>({ clock, partitions, latencyMs });
          const list = keys.map((key, id) => ({ id, key }));
          const summary = await streamData(sink, list, {
            clock,
            pageSize,
            perPartitionParallelOperations: parallel,
            autoFlushInterval: 100,
          });
          expect(summary.bufferBound).toBe(partitions * pageSize * parallel);
          expect(summary.peakBufferedItems).toBeLessThanOrEqual(summary.bufferBound);
          expect(summary.items).toBe(list.length);
          clock.stop();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('fails an Observable that runs more than maxBufferedItems ahead, naming the option', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock, partitions: 1, latencyMs: 1000 });
    const subject = new Subject<TestItem>();
    const done = streamData(sink, subject, { clock, pageSize: 2, maxBufferedItems: 3 });
    await clock.sleep(0); // the streamer subscribes on its first read
    for (let id = 0; id < 10; id++) {
      subject.next({ id, key: 0 });
      await clock.sleep(0);
    }
    const error = await done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataStreamerError);
    expect((error as DataStreamerError).code).toBe('BUFFER_OVERFLOW');
    expect((error as DataStreamerError).message).toMatch(/maxBufferedItems \(3\)/);
    expect(subject.observed).toBe(false);
    // 0-1 filled the only page the bound allows, in flight until 1000, so it settles and is applied; 2-4
    // waited in the queue and 5 overflowed it; 6-9 came after the streamer unsubscribed.
    expect(sink.applied.map((item) => item.id)).toEqual([0, 1]);
    expect((error as DataStreamerError<TestItem>).failedItems.map((item) => item.id)).toEqual([2, 3, 4, 5]);
  });

  it('reports every item a synchronous Observable emitted up to its overflow as failed', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock, partitions: 1 });
    const subject = new Subject<TestItem>();
    const done = streamData(sink, subject, { clock, pageSize: 2, maxBufferedItems: 3 });
    await clock.sleep(0);
    for (let id = 0; id < 10; id++) {
      subject.next({ id, key: 0 });
    }
    const error = (await done.catch((e: unknown) => e)) as DataStreamerError<TestItem>;
    expect(error.code).toBe('BUFFER_OVERFLOW');
    // Item 0 went straight to the waiting streamer, 1-3 filled the queue, 4 overflowed it: all accepted,
    // none applied, so all failed.
    expect(sink.calls).toHaveLength(0);
    expect(error.failedItems.map((item) => item.id)).toEqual([0, 1, 2, 3, 4]);
  });

  it('lets a StreamerPublisher submit resolve only when the streamer has room', async () => {
    const clock = simClock();
    const gate = new Gate();
    const sink = new FakeSink<TestItem>({
      clock,
      partitions: 1,
      respond: () => gate.wait().then(() => undefined),
    });
    const publisher = new StreamerPublisher<TestItem>();
    const done = streamData(sink, publisher, { clock, pageSize: 2 });
    await publisher.submit({ id: 0, key: 0 });
    await publisher.submit({ id: 1, key: 0 });
    const third = probe(publisher.submit({ id: 2, key: 0 }));
    await clock.sleep(60_000);
    expect(third.settled).toBe(false);
    gate.open();
    await third.result;
    publisher.close();
    await expect(done).resolves.toMatchObject({ items: 3 });
  });
});
