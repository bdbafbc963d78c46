import { InvalidValueError } from '@datastreamer/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientError } from '../src/errors/client-error.js';
import { DataStreamerError } from '../src/errors/data-streamer-error.js';
import { streamData } from '../src/streamer/stream-data.js';
import type { StreamerTopology } from '../src/streamer/streamer-sink.js';
import { FakeSink, items, simClock, stopClocks, type TestItem } from './streamer-fake-sink.js';

afterEach(stopClocks);

/** A fake sink whose first `failures` opens throw `error`. */
class FlakyOpenSink extends FakeSink<TestItem> {
  readonly #failures: number;
  readonly #error: () => Error;

  constructor(clock: ReturnType<typeof simClock>, failures: number, error: () => Error) {
    super({ clock, partitions: 2 });
    this.#failures = failures;
    this.#error = error;
  }

  override async open(): Promise<StreamerTopology> {
    const topology = await super.open();
    if (this.opened <= this.#failures) throw this.#error();
    return topology;
  }
}

describe('DataStreamer opening', () => {
  it('retries a retryable failure to open the stream, with backoff, and then streams everything', async () => {
    const clock = simClock();
    const sink = new FlakyOpenSink(clock, 3, () => new ClientError('REQUEST_TIMEOUT', 'no answer'));
    const summary = await streamData(sink, items(10), {
      clock,
      pageSize: 5,
      retryBackoff: { initialMs: 100, multiplier: 2, maxMs: 1000, jitter: 0 },
    });
    expect(sink.opened).toBe(4);
    expect(summary.items).toBe(10);
    // Opening retries are not batch retries; the backoff waits 100 + 200 + 400 ms before the first send.
    expect(summary.retries).toBe(0);
    expect(sink.calls[0]?.at).toBe(700);
  });

  it('fails at once on an error that is not retryable', async () => {
    const clock = simClock();
    const sink = new FlakyOpenSink(clock, 1, () => new InvalidValueError('Id', 'bad'));
    const error = await streamData(sink, items(3), { clock }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataStreamerError);
    expect(sink.opened).toBe(1);
  });

  it('gives up once the retry limit is reached, reporting nothing taken', async () => {
    const clock = simClock();
    const sink = new FlakyOpenSink(clock, 100, () => new ClientError('CONNECTION_LOST', 'gone'));
    const error = await streamData(sink, items(3), { clock, retryLimit: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataStreamerError);
    expect((error as DataStreamerError).code).toBe('CONNECTION_LOST');
    expect((error as DataStreamerError).failedItems).toEqual([]);
    expect(sink.opened).toBe(3);
  });

  it('stops retrying when the stream is cancelled during the backoff', async () => {
    const clock = simClock();
    const sink = new FlakyOpenSink(clock, 100, () => new ClientError('CONNECTION_LOST', 'gone'));
    const controller = new AbortController();
    const done = streamData(sink, items(3), { clock, retryLimit: -1, signal: controller.signal });
    await clock.sleep(5000);
    const opened = sink.opened;
    controller.abort();
    const error = await done.catch((e: unknown) => e);
    expect((error as DataStreamerError).code).toBe('CANCELLED');
    await clock.sleep(10_000);
    expect(sink.opened).toBe(opened);
  });
});
