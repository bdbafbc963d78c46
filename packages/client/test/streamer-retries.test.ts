import { createRng, type ErrorCode, ProtocolError } from '@datastreamer/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { DataStreamerError } from '../src/errors/data-streamer-error.js';
import { backoffDelay } from '../src/runtime/backoff.js';
import { isRetryableError } from '../src/streamer/retry-policy.js';
import { streamData } from '../src/streamer/stream-data.js';
import { StreamerDefaults } from '../src/streamer/streamer-options.js';
import { FakeSink, items, type SendCall, simClock, stopClocks, type TestItem } from './streamer-fake-sink.js';

afterEach(stopClocks);

/** Fails the first `times` attempts of every batch with `code`. */
function failing(times: number, code: ErrorCode = 'CONNECTION_LOST') {
  return async (call: SendCall<TestItem>) => {
    if (call.attempt <= times) {
      throw new ProtocolError(code, `attempt ${call.attempt} failed`);
    }
    return undefined;
  };
}

const exact = { initialMs: 50, multiplier: 2, maxMs: 2000, jitter: 0 };

describe('DataStreamer retries', () => {
  it('retries a retryable error with exponential backoff on the clock', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock, partitions: 1, latencyMs: 0, respond: failing(4) });
    const summary = await streamData(sink, items(1), { clock, retryBackoff: exact });
    expect(sink.calls.map((call) => call.attempt)).toEqual([1, 2, 3, 4, 5]);
    const gaps = sink.calls.slice(1).map((call, i) => call.at - (sink.calls[i]?.at ?? 0));
    expect(gaps).toEqual([50, 100, 200, 400]);
    expect(summary.retries).toBe(4);
    expect(summary.items).toBe(1);
  });

  it('caps the wait at maxMs', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock, partitions: 1, latencyMs: 0, respond: failing(5) });
    await streamData(sink, items(1), { clock, retryBackoff: { ...exact, maxMs: 120 } });
    const gaps = sink.calls.slice(1).map((call, i) => call.at - (sink.calls[i]?.at ?? 0));
    expect(gaps).toEqual([50, 100, 120, 120, 120]);
  });

  it('draws jittered waits within [base * (1 - jitter), base], so they never shrink with multiplier 2', () => {
    const rng = createRng(7);
    const twin = createRng(7);
    const backoff = { initialMs: 100, multiplier: 2, maxMs: 10_000, jitter: 0.5 };
    let previous = 0;
    for (let retry = 1; retry <= 6; retry++) {
      const base = 100 * 2 ** (retry - 1);
      const delay = backoffDelay(retry, backoff, rng);
      expect(delay).toBe(base * (1 - 0.5 * twin.next()));
      expect(delay).toBeGreaterThanOrEqual(base / 2);
      expect(delay).toBeLessThanOrEqual(base);
      expect(delay).toBeGreaterThanOrEqual(previous);
      previous = delay;
    }
  });

  it('documents its defaults', () => {
    expect(StreamerDefaults.retryLimit).toBe(16);
    expect(StreamerDefaults.retryBackoff).toEqual({ initialMs: 50, multiplier: 2, maxMs: 2000, jitter: 0.5 });
  });

  it('does not retry a non-retryable error', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock, partitions: 1, respond: failing(1, 'INVALID_ROW') });
    const error = await streamData(sink, items(1), { clock }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataStreamerError);
    expect((error as DataStreamerError).code).toBe('INVALID_ROW');
    expect(sink.calls).toHaveLength(1);
  });

  it('treats every retryable code as retryable and an error without a code as not', () => {
    for (const code of [
      'NOT_PRIMARY',
      'PARTITION_MOVED',
      'NODE_UNAVAILABLE',
      'OVERLOADED',
      'REQUEST_TIMEOUT',
    ] as const) {
      expect(isRetryableError(new ProtocolError(code, code))).toBe(true);
    }
    expect(isRetryableError({ code: 'CONNECTION_LOST' })).toBe(true);
    expect(isRetryableError({ code: 'CONNECTION_LOST', retryable: false })).toBe(false);
    expect(isRetryableError(new Error('plain'))).toBe(false);
    expect(isRetryableError('CONNECTION_LOST')).toBe(false);
  });

  it('with retryLimit 0 makes one attempt only', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock, partitions: 1, respond: failing(1) });
    const error = await streamData(sink, items(1), { clock, retryLimit: 0 }).catch((e: unknown) => e);
    expect((error as DataStreamerError).code).toBe('CONNECTION_LOST');
    expect((error as DataStreamerError).retryable).toBe(true);
    expect((error as DataStreamerError).message).toMatch(/after 1 attempt/);
    expect(sink.calls).toHaveLength(1);
  });

  it('with retryLimit N makes N + 1 attempts, then fails', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock, partitions: 1, respond: failing(100) });
    const error = await streamData(sink, items(1), { clock, retryLimit: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataStreamerError);
    expect(sink.calls.map((call) => call.attempt)).toEqual([1, 2, 3, 4]);
  });

  it('with a negative retryLimit retries until the batch succeeds', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({ clock, partitions: 1, latencyMs: 0, respond: failing(40) });
    const summary = await streamData(sink, items(1), {
      clock,
      retryLimit: -1,
      retryBackoff: { ...exact, maxMs: 10 },
    });
    expect(summary.retries).toBe(40);
    expect(sink.calls).toHaveLength(41);
  });

  it('reports exactly the unsent items, in source order, when retries are exhausted', async () => {
    const clock = simClock();
    // The second page (items 2-3) always fails; pages 3 and 4 wait behind it; 0-1 was applied.
    const sink = new FakeSink<TestItem>({
      clock,
      partitions: 1,
      respond: async (call) => {
        if (call.items[0]?.id === 2) {
          throw new ProtocolError('NODE_UNAVAILABLE', 'node-2 is down');
        }
        return undefined;
      },
    });
    const error = await streamData(sink, items(7), {
      clock,
      pageSize: 2,
      perPartitionParallelOperations: 4,
      retryLimit: 2,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataStreamerError);
    const failed = (error as DataStreamerError<TestItem>).failedItems.map((item) => item.id);
    expect(sink.applied.map((item) => item.id)).toEqual([0, 1]);
    expect(failed).toEqual([2, 3, 4, 5, 6]);
    expect((error as DataStreamerError).code).toBe('NODE_UNAVAILABLE');
    expect((error as DataStreamerError).message).toMatch(
      /partition 0 failed after 3 attempt\(s\): node-2 is down/,
    );
  });

  it('counts reroutes reported by the sink', async () => {
    const clock = simClock();
    const sink = new FakeSink<TestItem>({
      clock,
      partitions: 2,
      respond: async (call) => ({ rerouted: call.partition === 1 }),
    });
    const summary = await streamData(sink, items(8), { clock, pageSize: 2 });
    expect(summary.batches).toBe(4);
    expect(summary.rerouted).toBe(2);
    expect(summary.bytes).toBe(80);
  });
});
