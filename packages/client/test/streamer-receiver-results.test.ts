import { lastValueFrom, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { DataStreamerError } from '../src/errors/data-streamer-error.js';
import { InvalidOptionError } from '../src/errors/invalid-option-error.js';
import { streamResults } from '../src/streamer/stream-data.js';
import { FakeSink, items, simClock, stopClocks, type TestItem } from './streamer-fake-sink.js';

afterEach(stopClocks);

describe('streamResults (receiver mode)', () => {
  it('emits each batch results together, in batch order per partition, and completes when all are processed', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem, string>({
      clock,
      partitions: 3,
      // Zero, one or two results per item: the receiver decides how many.
      respond: async (call) => ({
        results: call.items.flatMap((item) =>
          Array.from({ length: item.id % 3 }, (_, n) => `${item.id}.${n}`),
        ),
      }),
    });
    const results = await lastValueFrom(
      streamResults(sink, items(30), { clock, pageSize: 4 }).pipe(toArray()),
    );
    const expected = sink.appliedBatches.flatMap((call) =>
      call.items.flatMap((item) => Array.from({ length: item.id % 3 }, (_, n) => `${item.id}.${n}`)),
    );
    expect(results).toEqual(expected);
    for (let partition = 0; partition < 3; partition++) {
      const ids = results.map((r) => Number(r.split('.')[0])).filter((id) => id % 3 === partition);
      expect(ids).toEqual(ids.slice().sort((a, b) => a - b));
    }
    expect(new Set(results).size).toBe(30);
  });

  it('does not start before a subscription', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem, number>({ clock });
    const results$ = streamResults(sink, items(3), { clock });
    await clock.sleep(10_000);
    expect(sink.opened).toBe(0);
    await lastValueFrom(results$.pipe(toArray()));
    expect(sink.opened).toBe(1);
  });

  it('stops sending when the subscriber unsubscribes', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem, number>({
      clock,
      partitions: 1,
      latencyMs: 100,
      respond: async (call) => ({ results: call.items.map((item) => item.id) }),
    });
    function* endless(): Generator<TestItem> {
      for (let id = 0; ; id++) {
        yield { id, key: 0 };
      }
    }
    const seen: number[] = [];
    let errored = false;
    const subscription = streamResults(sink, endless(), { clock, pageSize: 5 }).subscribe({
      next: (id) => seen.push(id),
      error: () => {
        errored = true;
      },
    });
    await clock.sleep(250); // two batches acknowledged, the third in flight
    subscription.unsubscribe();
    const calls = sink.calls.length;
    expect(sink.calls.at(-1)?.signal.aborted).toBe(true);
    await clock.sleep(10_000);
    expect(sink.calls).toHaveLength(calls);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(errored).toBe(false);
  });

  it('errors with the DataStreamerError when a batch fails, after the results of applied batches', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem, number>({
      clock,
      partitions: 1,
      respond: async (call) => {
        if (call.items[0]?.id === 4) {
          throw Object.assign(new Error('Streamer receiver failed: bad track'), { code: 'RECEIVER_FAILED' });
        }
        return { results: call.items.map((item) => item.id) };
      },
    });
    const seen: number[] = [];
    const error = await new Promise<unknown>((resolve) => {
      streamResults(sink, items(10), { clock, pageSize: 2, perPartitionParallelOperations: 5 }).subscribe({
        next: (id) => seen.push(id),
        error: resolve,
        complete: () => resolve(undefined),
      });
    });
    expect(error).toBeInstanceOf(DataStreamerError);
    expect((error as DataStreamerError).code).toBe('RECEIVER_FAILED');
    expect((error as DataStreamerError).message).toMatch(/Streamer receiver failed: bad track/);
    expect(seen).toEqual([0, 1, 2, 3]);
    expect((error as DataStreamerError<TestItem>).failedItems.map((item) => item.id)).toEqual([
      4, 5, 6, 7, 8, 9,
    ]);
  });

  it('errors on subscription with a bad option', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem, number>({ clock });
    await expect(lastValueFrom(streamResults(sink, items(1), { clock, pageSize: 0 }))).rejects.toBeInstanceOf(
      InvalidOptionError,
    );
  });
});
