import { InvalidValueError, ProtocolError } from '@datastreamer/protocol';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { DataStreamerError } from '../src/errors/data-streamer-error.js';
import { streamData } from '../src/streamer/stream-data.js';
import { FakeSink, Gate, items, simClock, stopClocks, type TestItem } from './streamer-fake-sink.js';

afterEach(stopClocks);

async function failureOf(promise: Promise<unknown>): Promise<DataStreamerError<TestItem>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataStreamerError);
  return error as DataStreamerError<TestItem>;
}

/** A source over `list` that records the items it yielded (what the streamer took). */
function tracked(list: readonly TestItem[]): {
  readonly source: Iterable<TestItem>;
  readonly taken: TestItem[];
} {
  const taken: TestItem[] = [];
  const source = (function* () {
    for (const item of list) {
      taken.push(item);
      yield item;
    }
  })();
  return { source, taken };
}

function ids(list: readonly TestItem[]): number[] {
  return list.map((item) => item.id);
}

/** applied ∪ failed = taken, disjoint, failed in source order. */
function expectExactAccounting(
  taken: readonly TestItem[],
  applied: readonly TestItem[],
  failed: readonly TestItem[],
) {
  const failedIds = ids(failed);
  expect(failedIds).toEqual(failedIds.slice().sort((a, b) => a - b));
  expect(new Set(failedIds).size).toBe(failedIds.length);
  const appliedIds = new Set(ids(applied));
  expect(appliedIds.size).toBe(applied.length);
  expect(failedIds.filter((id) => appliedIds.has(id))).toEqual([]);
  expect([...appliedIds, ...failedIds].sort((a, b) => a - b)).toEqual(ids(taken));
}

describe('DataStreamer failure accounting', () => {
  it('fails on a row prepare refuses, with its error and the row among the failed items', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock, partitions: 2 });
    const { source, taken } = tracked(
      items(10).map((item) => (item.id === 6 ? { ...item, bad: true } : item)),
    );
    const error = await failureOf(streamData(sink, source, { clock, pageSize: 2 }));
    expect(error.code).toBe('INVALID_ROW');
    expect(error.cause).toBeInstanceOf(InvalidValueError);
    expect(error.message).toMatch(/an item was refused: column 'Bad'/);
    expect(ids(error.failedItems)).toContain(6);
    expect(sink.prepared).toBe(7); // nothing after the bad row went through prepare
    expectExactAccounting(taken, sink.applied, error.failedItems);
  });

  it('fails with the error of a throwing source and reports what it had produced', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock, partitions: 3, latencyMs: 50 });
    const boom = new Error('source broke');
    const produced: TestItem[] = [];
    async function* source(): AsyncGenerator<TestItem> {
      for (let id = 0; id < 20; id++) {
        if (id === 13) {
          throw boom;
        }
        await clock.sleep(10);
        const item = { id, key: id };
        produced.push(item);
        yield item;
      }
    }
    const error = await failureOf(streamData(sink, source(), { clock, pageSize: 2 }));
    expect(error.cause).toBe(boom);
    expect(error.code).toBe('SOURCE_FAILED');
    expect(error.message).toMatch(/the source failed: source broke/);
    expectExactAccounting(produced, sink.applied, error.failedItems);
  });

  it('reports the items a synchronous iterator yielded in the read it threw in', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock, partitions: 2 });
    function* source(): Generator<TestItem> {
      for (let id = 0; id < 5; id++) {
        yield { id, key: id };
      }
      throw new Error('iterator broke');
    }
    const error = await failureOf(streamData(sink, source(), { clock, pageSize: 100 }));
    expect(error.message).toMatch(/the source failed: iterator broke/);
    expect(ids(error.failedItems)).toEqual([0, 1, 2, 3, 4]);
    expect(sink.calls).toHaveLength(0);
  });

  it('waits for a read in progress before settling, and reports the item it delivers', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({
      clock,
      partitions: 1,
      respond: async () => {
        throw new ProtocolError('TABLE_NOT_FOUND', 'gone');
      },
    });
    const produced: number[] = [];
    async function* slow(): AsyncGenerator<TestItem> {
      for (let id = 0; id < 5; id++) {
        await clock.sleep(100);
        produced.push(id);
        yield { id, key: 0 };
      }
    }
    // Batch [0, 1] leaves at 200 and fails at 210, while the source is busy producing item 2 until 300
    // (a second page of room lets the loop read on).
    const error = await failureOf(
      streamData(sink, slow(), { clock, pageSize: 2, perPartitionParallelOperations: 2 }),
    );
    expect(clock.now()).toBe(300);
    expect(produced).toEqual([0, 1, 2]);
    expect(ids(error.failedItems)).toEqual([0, 1, 2]);
  });

  it('fails when onBatch throws; the reported batch counts as applied, the rest as failed', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock, partitions: 2 });
    let calls = 0;
    const { source, taken } = tracked(items(40));
    const error = await failureOf(
      streamData(sink, source, {
        clock,
        pageSize: 4,
        onBatch: () => {
          calls++;
          if (calls === 2) {
            throw new Error('progress bar crashed');
          }
        },
      }),
    );
    expect(error.message).toMatch(/onBatch threw: progress bar crashed/);
    expect(sink.appliedBatches.length).toBeGreaterThanOrEqual(2);
    expectExactAccounting(taken, sink.applied, error.failedItems);
  });

  it('holds a slot of the partition until an asynchronous onBatch of its batch settles', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock, partitions: 1, latencyMs: 0 });
    const summary = await streamData(sink, items(6), {
      clock,
      pageSize: 2,
      perPartitionParallelOperations: 3,
      onBatch: () => clock.sleep(1000),
    });
    // Three slots: the three batches leave at once, and the stream ends when their onBatch calls do.
    expect(sink.calls.map((call) => call.at)).toEqual([0, 0, 0]);
    expect(summary.durationMs).toBe(1000);
  });

  it('awaits an asynchronous onBatch before the partition sends again', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock, partitions: 1, latencyMs: 0 });
    const seen: [number, number][] = [];
    await streamData(sink, items(6), {
      clock,
      pageSize: 2,
      perPartitionParallelOperations: 1,
      onBatch: async (info) => {
        seen.push([info.items, info.attempt]);
        await clock.sleep(1000);
      },
    });
    expect(seen).toEqual([
      [2, 1],
      [2, 1],
      [2, 1],
    ]);
    expect(sink.calls.map((call) => call.at)).toEqual([0, 1000, 2000]);
  });

  it('on abort abandons the batches in flight, seals their partitions and reports exactly what did not apply', async () => {
    const clock = simClock();
    const gate = new Gate();
    const sink = new FakeSink<TestItem>({
      clock,
      partitions: 2,
      respond: () => gate.wait().then(() => undefined),
    });
    const controller = new AbortController();
    const list = items(100);
    const done = streamData(sink, list, { clock, pageSize: 5, signal: controller.signal });
    await clock.sleep(100);
    expect(sink.calls).toHaveLength(2);
    const abortedAt = clock.now();
    controller.abort(new Error('user pressed ctrl-c'));
    const error = await failureOf(done);
    expect(clock.now() - abortedAt).toBeLessThan(10);
    expect(error.code).toBe('CANCELLED');
    expect(error.cause).toEqual(new Error('user pressed ctrl-c'));
    expect(sink.calls.every((call) => call.signal.aborted)).toBe(true);
    // Both partitions had a batch of unknown outcome: both were sealed, and neither had applied it.
    expect([...sink.sealed].sort()).toEqual([0, 1]);
    // Bound 2 * 5: ten items taken, none applied, none in doubt.
    expect(ids(error.failedItems)).toEqual(ids(list.slice(0, 10)));
    expect(error.inDoubtItems).toEqual([]);
    expect(error).toMatchObject({ epoch: 1 });
    expect(typeof error.producerId).toBe('string');
  });

  it('rejects without opening the sink when the signal is already aborted', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock });
    const error = await failureOf(streamData(sink, items(3), { clock, signal: AbortSignal.abort() }));
    expect(error.code).toBe('CANCELLED');
    expect(error.failedItems).toEqual([]);
    expect(sink.opened).toBe(0);
  });

  it('keeps the first error when a second batch fails while the first settles', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({
      clock,
      partitions: 2,
      respond: async (call) => {
        await clock.sleep(call.partition === 0 ? 0 : 100);
        throw new ProtocolError(call.partition === 0 ? 'TABLE_NOT_FOUND' : 'INTERNAL', `p${call.partition}`);
      },
    });
    const list = items(4);
    const error = await failureOf(streamData(sink, list, { clock, pageSize: 2 }));
    expect(error.code).toBe('TABLE_NOT_FOUND');
    expect(sink.calls).toHaveLength(2);
    expectExactAccounting(list, [], error.failedItems);
  });

  it('accounts for every taken item exactly, whatever fails where', async () => {
    const Fault = fc.constantFrom('send', 'prepare', 'source', 'onBatch', 'none');
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          count: fc.integer({ min: 0, max: 80 }),
          partitions: fc.integer({ min: 1, max: 4 }),
          pageSize: fc.integer({ min: 1, max: 5 }),
          parallel: fc.integer({ min: 1, max: 3 }),
          fault: Fault,
          at: fc.nat({ max: 60 }),
          latencyMs: fc.integer({ min: 0, max: 30 }),
        }),
        async ({ count, partitions, pageSize, parallel, fault, at, latencyMs }) => {
          const clock = simClock();
          let sends = 0;
          const sink = new FakeSink<TestItem>({
            clock,
            partitions,
            latencyMs,
            respond: async () => {
              if (fault === 'send' && sends++ === at % 8) {
                throw new ProtocolError('INTERNAL', 'server bug');
              }
              return undefined;
            },
          });
          const produced: TestItem[] = [];
          async function* source(): AsyncGenerator<TestItem> {
            for (let id = 0; id < count; id++) {
              if (fault === 'source' && id === at) {
                throw new Error('source broke');
              }
              if (id % 7 === 0) {
                await clock.sleep(3);
              }
              const item = { id, key: id * 7, bad: fault === 'prepare' && id === at };
              produced.push(item);
              yield item;
            }
          }
          let batches = 0;
          const outcome = await streamData(sink, source(), {
            clock,
            pageSize,
            perPartitionParallelOperations: parallel,
            autoFlushInterval: 20,
            onBatch: () => {
              if (fault === 'onBatch' && batches++ === at % 5) {
                throw new Error('progress crashed');
              }
            },
          }).then(
            (summary) => ({ summary, error: undefined }),
            (error: unknown) => ({ summary: undefined, error: error as DataStreamerError<TestItem> }),
          );
          if (outcome.error === undefined) {
            expectExactAccounting(produced, sink.applied, []);
            expect(outcome.summary?.items).toBe(produced.length);
          } else {
            expect(outcome.error).toBeInstanceOf(DataStreamerError);
            expectExactAccounting(produced, sink.applied, outcome.error.failedItems);
          }
          clock.stop();
        },
      ),
      { numRuns: 150 },
    );
  });
});
