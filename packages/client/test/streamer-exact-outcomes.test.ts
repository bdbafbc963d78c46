import { ProtocolError } from '@datastreamer/protocol';
import { Observable } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientError } from '../src/errors/client-error.js';
import { DataStreamerError } from '../src/errors/data-streamer-error.js';
import { InvalidOptionError } from '../src/errors/invalid-option-error.js';
import { streamData, streamResults } from '../src/streamer/stream-data.js';
import type { StreamerSink } from '../src/streamer/streamer-sink.js';
import { FakeSink, items, simClock, stopClocks, type TestItem } from './streamer-fake-sink.js';

afterEach(stopClocks);

async function failureOf(promise: Promise<unknown>): Promise<DataStreamerError<TestItem>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataStreamerError);
  return error as DataStreamerError<TestItem>;
}

function ids(list: readonly TestItem[]): number[] {
  return list.map((item) => item.id);
}

const timeout = () => new ClientError('REQUEST_TIMEOUT', 'no answer within the request timeout');

describe('DataStreamer exact outcomes', () => {
  it('does not report a batch whose answer was lost but whose seal says it applied', async () => {
    const clock = simClock();
    // Two partitions of room (bound 6) with every item in partition 0: batch 3 is sealed and waits its turn.
    const sink = new FakeSink<TestItem>({
      clock,
      partitions: 2,
      partitionOf: () => 0,
      respond: async (call) => {
        if (call.batchSeq !== 2) return undefined;
        sink.markApplied(call); // applied on the node; every answer is lost
        throw timeout();
      },
    });
    const options = { clock, pageSize: 3, perPartitionParallelOperations: 1, retryLimit: 2 };
    const error = await failureOf(streamData(sink, items(9), options));
    expect(error.code).toBe('REQUEST_TIMEOUT');
    expect(sink.sealed).toEqual([0]);
    // Batch 1 (0-2) acknowledged, batch 2 (3-5) applied per the seal, batch 3 (6-8) never sent.
    expect(ids(error.failedItems)).toEqual([6, 7, 8]);
    expect(error.inDoubtItems).toEqual([]);
  });

  it('reports a sent batch the seal says did not apply as failed, and not in doubt', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({
      clock,
      partitions: 1,
      respond: async (call) => {
        if (call.batchSeq === 2) throw timeout();
        return undefined;
      },
    });
    const options = { clock, pageSize: 3, perPartitionParallelOperations: 2, retryLimit: 1 };
    const error = await failureOf(streamData(sink, items(9), options));
    expect(ids(error.failedItems)).toEqual([3, 4, 5, 6, 7, 8]);
    expect(error.inDoubtItems).toEqual([]);
    expect(error.message).toContain('6 item(s) not applied');
  });

  it('reports the batch of a partition it could not seal in doubt too', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({
      clock,
      partitions: 2,
      respond: async (call) => {
        if (call.partition === 1) throw timeout();
        return undefined;
      },
      seal: () => {
        throw new ClientError('NODE_UNAVAILABLE', 'no connection is open');
      },
    });
    const error = await failureOf(streamData(sink, items(8), { clock, pageSize: 4, retryLimit: 0 }));
    expect(ids(error.failedItems)).toEqual([1, 3, 5, 7]);
    expect(ids(error.inDoubtItems)).toEqual([1, 3, 5, 7]);
    expect(error.message).toContain('(4 of them in doubt)');
  });

  it('reports nothing of a batch below an acknowledged one of its partition, though its seal failed', async () => {
    const clock = simClock();
    // Batch 1 applied but its answer was lost; batch 2, sent alongside, was acknowledged: the node applies a
    // partition's batches in order, so batch 1 applied, whatever the (failing) seal says.
    const sink = new FakeSink<TestItem>({
      clock,
      partitions: 1,
      respond: async (call) => {
        if (call.batchSeq !== 1) return undefined;
        sink.markApplied(call);
        throw timeout();
      },
      seal: () => {
        throw new ClientError('NODE_UNAVAILABLE', 'no connection is open');
      },
    });
    const options = { clock, pageSize: 3, perPartitionParallelOperations: 2, retryLimit: 0 };
    const error = await failureOf(streamData(sink, items(6), options));
    expect(error.code).toBe('REQUEST_TIMEOUT');
    expect(ids(sink.applied)).toEqual([3, 4, 5]);
    expect(error.failedItems).toEqual([]);
    expect(error.inDoubtItems).toEqual([]);
  });

  it('seals the partition of a batch whose timed-out attempt was still on its way out', async () => {
    const clock = simClock();
    // The attempt times out after 20 ms while the sink still resolves its route; its request leaves at
    // 50 ms, after the stream failed. A node applies it unless the partition's epoch was sealed first.
    let sealed = false;
    const applied: TestItem[] = [];
    const sink: StreamerSink<TestItem, TestItem> = {
      open: async () => ({ partitions: 1, epoch: 1, requestTimeoutMs: 1000, attemptTimeoutMs: 20 }),
      prepare: (item, out) => {
        out.partition = 0;
        out.entry = item;
        out.bytes = 10;
      },
      send: async (attempt) => {
        await clock.sleep(50);
        attempt.sent();
        if (!sealed) applied.push(...attempt.entries);
        return new Promise<never>(() => {});
      },
      seal: async () => {
        sealed = true;
        return applied.length > 0 ? 1 : 0;
      },
    };
    const error = await failureOf(streamData(sink, items(3), { clock, pageSize: 3, retryLimit: 0 }));
    expect(error.code).toBe('REQUEST_TIMEOUT');
    expect(sealed).toBe(true);
    await clock.sleep(100);
    // Reported failed, and indeed never applied: the seal came first.
    expect(ids(error.failedItems)).toEqual([0, 1, 2]);
    expect(error.inDoubtItems).toEqual([]);
    expect(applied).toEqual([]);
  });

  it('neither seals nor doubts a batch whose attempts never left', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({
      clock,
      partitions: 1,
      sent: () => false,
      respond: async () => {
        throw new ClientError('NODE_UNAVAILABLE', 'no connection is open');
      },
      seal: () => {
        throw new Error('the seal must not be asked');
      },
    });
    const error = await failureOf(streamData(sink, items(3), { clock, retryLimit: 1 }));
    expect(sink.sealed).toEqual([]);
    expect(ids(error.failedItems)).toEqual([0, 1, 2]);
    expect(error.inDoubtItems).toEqual([]);
  });

  it('names the producer and the epoch in the summary and in the error', async () => {
    const clock = simClock();
    const ok = new FakeSink<TestItem>({ clock });
    const summary = await streamData(ok, items(5), { clock, producerId: 'importer' });
    expect(summary).toMatchObject({ producerId: 'importer', epoch: 1, items: 5 });
    const failing = new FakeSink<TestItem>({
      clock,
      respond: async () => {
        throw new ProtocolError('TABLE_NOT_FOUND', 'gone');
      },
    });
    const error = await failureOf(streamData(failing, items(2), { clock, producerId: 'importer' }));
    expect(error).toMatchObject({ producerId: 'importer', epoch: 1 });
  });

  it('draws a fresh producer id per run when none is given', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock });
    const first = await streamData(sink, items(1), { clock });
    const second = await streamData(sink, items(1), { clock });
    expect(first.producerId).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.producerId).not.toBe(first.producerId);
  });

  it('refuses a producer id that is empty or too long, naming the option', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock });
    for (const producerId of ['', 'x'.repeat(257)]) {
      const error = await streamData(sink, items(1), { clock, producerId }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).option).toBe('producerId');
    }
    expect(sink.opened).toBe(0);
  });
});

describe('DataStreamer cancellation', () => {
  it('reports the item an async source delivers while the stream is being cancelled', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock, partitions: 1 });
    const controller = new AbortController();
    let release: (() => void) | undefined;
    async function* slow(): AsyncGenerator<TestItem> {
      yield { id: 0, key: 0 };
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      yield { id: 1, key: 0 };
    }
    const done = streamData(sink, slow(), { clock, signal: controller.signal, autoFlushInterval: 0 });
    await clock.sleep(50);
    expect(release).toBeDefined();
    controller.abort();
    await clock.sleep(5);
    release?.();
    const error = await failureOf(done);
    expect(error.code).toBe('CANCELLED');
    expect(ids(error.failedItems)).toEqual([0, 1]);
  });

  it('stops waiting for a source read that never returns after one request timeout', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock, partitions: 1 });
    const controller = new AbortController();
    async function* stuck(): AsyncGenerator<TestItem> {
      yield { id: 0, key: 0 };
      await new Promise<void>(() => undefined);
    }
    const done = streamData(sink, stuck(), { clock, signal: controller.signal, autoFlushInterval: 0 });
    await clock.sleep(50);
    const abortedAt = clock.now();
    controller.abort();
    const error = await failureOf(done);
    // The fake sink says its request timeout is 1000 ms.
    expect(clock.now() - abortedAt).toBe(1000);
    expect(ids(error.failedItems)).toEqual([0]);
  });
});

describe('DataStreamer sources', () => {
  it('unsubscribes a synchronous Observable that overflows its buffer', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock, partitions: 1 });
    let emitted = 0;
    const endless = new Observable<TestItem>((subscriber) => {
      while (!subscriber.closed && emitted < 1_000_000) {
        subscriber.next({ id: emitted, key: 0 });
        emitted++;
      }
    });
    const error = await failureOf(streamData(sink, endless, { clock, maxBufferedItems: 50 }));
    expect(error.code).toBe('BUFFER_OVERFLOW');
    expect(emitted).toBe(51);
  });
});

describe('streamResults consumer errors', () => {
  it('fails the stream when a subscriber throws, and reports it to the subscriber', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem, number>({
      clock,
      partitions: 1,
      respond: async (call) => ({ results: call.items.map((item) => item.id) }),
    });
    const seen: number[] = [];
    const error = await new Promise<unknown>((resolve) => {
      streamResults(sink, items(20), { clock, pageSize: 5 }).subscribe({
        next: (id) => {
          seen.push(id);
          if (id === 7) throw new Error('the consumer broke');
        },
        error: resolve,
        complete: () => resolve(undefined),
      });
    });
    expect(error).toBeInstanceOf(DataStreamerError);
    const failure = error as DataStreamerError<TestItem>;
    expect(failure.code).toBe('CALLBACK_FAILED');
    expect(failure.message).toContain('a subscriber of the results threw: the consumer broke');
    // The results after the throw are not delivered, and nothing more is sent: the two batches applied.
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(ids(sink.applied)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(failure.failedItems).toEqual([]);
  });
});

describe('DataStreamer pageBytes', () => {
  it('sends a batch before it would grow past pageBytes', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({
      clock,
      partitions: 1,
      bytesOf: (item) => (item.id % 2 === 0 ? 300 : 100),
    });
    await streamData(sink, items(10), { clock, pageSize: 100, pageBytes: 700 });
    const batches = sink.appliedBatches.map((call) => ids(call.items));
    // 300 + 100 + 300 = 700 fills a batch; one more item of 300 would not fit after 100 + 300 + 100.
    expect(batches).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
  });

  it('fails with ROW_TOO_LARGE naming the item larger than pageBytes, after applying what came before', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({
      clock,
      partitions: 1,
      bytesOf: (item) => (item.id === 5 ? 5000 : 10),
    });
    const error = await failureOf(streamData(sink, items(8), { clock, pageSize: 2, pageBytes: 1000 }));
    expect(error.code).toBe('ROW_TOO_LARGE');
    expect(error.message).toContain('item 5 of the source');
    expect(error.message).toContain('takes 5000 bytes in a batch, more than pageBytes (1000)');
    expect(ids(error.failedItems)).toEqual([4, 5]);
    expect(ids(sink.applied)).toEqual([0, 1, 2, 3]);
  });

  it('refuses a pageBytes the frame limit cannot carry, naming the option', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock });
    for (const pageBytes of [0, 1.5, 16 * 1024 * 1024]) {
      const error = await streamData(sink, items(1), { clock, pageBytes }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).option).toBe('pageBytes');
    }
  });
});
