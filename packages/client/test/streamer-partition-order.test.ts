import { createRng, ProtocolError } from '@datastreamer/protocol';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { streamData } from '../src/streamer/stream-data.js';
import { FakeSink, items, simClock, stopClocks, type TestItem } from './streamer-fake-sink.js';

afterEach(stopClocks);

function idsByPartition(list: readonly TestItem[], partitions: number): number[][] {
  const out: number[][] = Array.from({ length: partitions }, () => []);
  for (const item of list) {
    out[item.key % partitions]?.push(item.id);
  }
  return out;
}

describe('DataStreamer per-partition order', () => {
  it('with one operation per partition, sends its batches strictly one after another', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock, partitions: 1, latencyMs: 100 });
    const summary = await streamData(sink, items(12), {
      clock,
      pageSize: 3,
      perPartitionParallelOperations: 1,
    });
    expect(summary.batches).toBe(4);
    expect(sink.overlaps).toBe(0);
    expect(sink.calls.map((call) => call.at)).toEqual([0, 100, 200, 300]);
    expect(sink.applied.map((item) => item.id)).toEqual(items(12).map((item) => item.id));
  });

  it('keeps up to perPartitionParallelOperations batches of a partition under way, numbered in order', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock, partitions: 1, latencyMs: 100 });
    const summary = await streamData(sink, items(18), {
      clock,
      pageSize: 3,
      perPartitionParallelOperations: 4,
    });
    expect(summary.batches).toBe(6);
    expect(sink.maxInFlight).toBe(4);
    // Four leave at once; each of the last two takes the slot the first to finish freed.
    expect(sink.calls.map((call) => [call.batchSeq, call.at])).toEqual([
      [1, 0],
      [2, 0],
      [3, 0],
      [4, 0],
      [5, 100],
      [6, 100],
    ]);
    expect(sink.applied.map((item) => item.id)).toEqual(items(18).map((item) => item.id));
  });

  it('keeps a retried batch ahead of the batches under way behind it (they wait for their turn)', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({
      clock,
      partitions: 1,
      respond: async (call) => {
        if (call.items[0]?.id === 0 && call.attempt < 4) {
          throw new ProtocolError('PARTITION_MOVED', 'moved');
        }
        return undefined;
      },
    });
    const summary = await streamData(sink, items(9), {
      clock,
      pageSize: 3,
      perPartitionParallelOperations: 3,
    });
    expect(sink.applied.map((item) => item.id)).toEqual(items(9).map((item) => item.id));
    expect(sink.appliedBatches.map((call) => call.batchSeq)).toEqual([1, 2, 3]);
    // Batch 1 took four attempts; batches 2 and 3 were refused as out of order until it applied.
    expect(sink.calls.filter((call) => call.batchSeq === 1).map((call) => call.attempt)).toEqual([
      1, 2, 3, 4,
    ]);
    expect(sink.calls.filter((call) => call.batchSeq > 1).length).toBeGreaterThan(2);
    expect(summary.retries).toBe(sink.calls.length - 3);
  });

  it('with one operation per partition, keeps a retried batch ahead without sending the next', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({
      clock,
      partitions: 1,
      respond: async (call) => {
        if (call.items[0]?.id === 0 && call.attempt < 4) {
          throw new ProtocolError('PARTITION_MOVED', 'moved');
        }
        return undefined;
      },
    });
    await streamData(sink, items(9), { clock, pageSize: 3, perPartitionParallelOperations: 1 });
    expect(sink.overlaps).toBe(0);
    expect(sink.calls.map((call) => [call.items[0]?.id, call.attempt])).toEqual([
      [0, 1],
      [0, 2],
      [0, 3],
      [0, 4],
      [3, 1],
      [6, 1],
    ]);
  });

  it('applies every partition in source order under random retryable failures', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          partitions: fc.integer({ min: 1, max: 5 }),
          pageSize: fc.integer({ min: 1, max: 6 }),
          parallel: fc.integer({ min: 1, max: 4 }),
          keys: fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 150 }),
          seed: fc.nat(),
        }),
        async ({ partitions, pageSize, parallel, keys, seed }) => {
          const clock = simClock();
          const faults = createRng(seed);
          const sink = new FakeSink<TestItem>({
            clock,
            partitions,
            latencyMs: 5,
            respond: async () => {
              if (faults.chance(0.3)) {
                throw new ProtocolError('CONNECTION_LOST', 'dropped');
              }
              return undefined;
            },
          });
          const list = keys.map((key, id) => ({ id, key }));
          const summary = await streamData(sink, list, {
            clock,
            rng: createRng(seed + 1),
            pageSize,
            perPartitionParallelOperations: parallel,
            retryLimit: -1,
            retryBackoff: { initialMs: 1, maxMs: 20 },
          });
          if (parallel === 1) expect(sink.overlaps).toBe(0);
          expect(sink.maxInFlight).toBeLessThanOrEqual(parallel);
          expect(idsByPartition(sink.applied, partitions)).toEqual(idsByPartition(list, partitions));
          expect(summary.retries).toBe(sink.calls.length - sink.appliedBatches.length);
          clock.stop();
        },
      ),
      { numRuns: 60 },
    );
  });
});
