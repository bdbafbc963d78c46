import { ProtocolError } from '@datastreamer/protocol';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { streamData } from '../src/streamer/stream-data.js';
import type { StreamerBatchInfo } from '../src/streamer/streamer-summary.js';
import { FakeSink, items, simClock, stopClocks, type TestItem } from './streamer-fake-sink.js';

afterEach(stopClocks);

/** The ids of each partition's applied batches, batch by batch, in the order that partition sent them. */
function appliedIdsByPartition(sink: FakeSink<TestItem>): Map<number, number[][]> {
  const out = new Map<number, number[][]>();
  for (const call of sink.appliedBatches) {
    const list = out.get(call.partition) ?? [];
    list.push(call.items.map((item) => item.id));
    out.set(call.partition, list);
  }
  return out;
}

function reportedByPartition(infos: readonly StreamerBatchInfo[]): Map<number, number[][]> {
  const out = new Map<number, number[][]>();
  for (const info of infos) {
    const list = out.get(info.partition) ?? [];
    list.push([...info.indexes]);
    out.set(info.partition, list);
  }
  return out;
}

describe('StreamerBatchInfo.indexes', () => {
  it('names the source positions of exactly the items each acknowledged batch applied', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 0, maxLength: 120 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        async (keys, partitions, pageSize, parallel) => {
          const clock = simClock();
          const sink = new FakeSink<TestItem>({ clock, partitions });
          const list = keys.map((key, id) => ({ id, key }));
          const infos: StreamerBatchInfo[] = [];
          await streamData(sink, list, {
            clock,
            pageSize,
            perPartitionParallelOperations: parallel,
            onBatch: (info) => {
              infos.push(info);
            },
          });
          // Read after the stream ended, when every page was recycled: the arrays must be the caller's own.
          expect(reportedByPartition(infos)).toEqual(appliedIdsByPartition(sink));
          for (const info of infos) expect(info.indexes).toHaveLength(info.items);
          const all = infos.flatMap((info) => info.indexes).sort((a, b) => a - b);
          expect(all).toEqual(list.map((item) => item.id));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('reports a retried batch with the positions of its items, not of the pages behind it', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({
      clock,
      partitions: 1,
      respond: async (call) => {
        if (call.items[0]?.id === 3 && call.attempt < 3) throw new ProtocolError('NOT_PRIMARY', 'moved away');
        return undefined;
      },
    });
    const seen: [number, readonly number[]][] = [];
    await streamData(sink, items(8), {
      clock,
      pageSize: 3,
      perPartitionParallelOperations: 3,
      onBatch: (info) => {
        seen.push([info.attempt, info.indexes]);
      },
    });
    // The third batch left with the second, was refused as out of turn, and applied on its second attempt.
    expect(seen).toEqual([
      [1, [0, 1, 2]],
      [3, [3, 4, 5]],
      [2, [6, 7]],
    ]);
  });
});
