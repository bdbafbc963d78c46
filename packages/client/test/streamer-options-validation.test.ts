import { realClock, silentLogger } from '@datastreamer/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../src/errors/invalid-option-error.js';
import { streamData } from '../src/streamer/stream-data.js';
import { resolveStreamerOptions, StreamerDefaults } from '../src/streamer/streamer-options.js';
import {
  CountingSource,
  FakeSink,
  items,
  simClock,
  stopClocks,
  type TestItem,
} from './streamer-fake-sink.js';

afterEach(stopClocks);

const bad: [string, Record<string, unknown>][] = [
  ['pageSize', { pageSize: 0 }],
  ['pageSize', { pageSize: -5 }],
  ['pageSize', { pageSize: 1.5 }],
  ['pageSize', { pageSize: '1000' }],
  ['pageSize', { pageSize: Number.NaN }],
  ['pageSize', { pageSize: Number.POSITIVE_INFINITY }],
  ['perPartitionParallelOperations', { perPartitionParallelOperations: 0 }],
  ['perPartitionParallelOperations', { perPartitionParallelOperations: 2.5 }],
  ['autoFlushInterval', { autoFlushInterval: Number.POSITIVE_INFINITY }],
  ['autoFlushInterval', { autoFlushInterval: '5s' }],
  ['retryLimit', { retryLimit: 1.5 }],
  ['retryLimit', { retryLimit: null }],
  ['retryBackoff', { retryBackoff: 100 }],
  ['retryBackoff.initialMs', { retryBackoff: { initialMs: -1 } }],
  ['retryBackoff.multiplier', { retryBackoff: { multiplier: 0.5 } }],
  ['retryBackoff.maxMs', { retryBackoff: { maxMs: Number.NaN } }],
  ['retryBackoff.jitter', { retryBackoff: { jitter: 1.5 } }],
  ['retryBackoff.jiter', { retryBackoff: { jiter: 0.1 } }],
  ['maxBufferedItems', { maxBufferedItems: 0 }],
  ['signal', { signal: new AbortController() }],
  ['onBatch', { onBatch: 'log' }],
  ['clock', { clock: { now: () => 0 } }],
  ['rng', { rng: Math }],
  ['logger', { logger: console.log }],
  ['pagesize', { pagesize: 10 }],
];

describe('DataStreamer options', () => {
  for (const [option, options] of bad) {
    it(`rejects ${JSON.stringify(options, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))} naming ${option}, before pulling or opening`, async () => {
      const clock = simClock();
      const sink = new FakeSink<TestItem>({ clock });
      const source = new CountingSource(items(5));
      const error = await streamData(sink, source, { clock, ...options }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).option).toBe(option);
      expect((error as InvalidOptionError).code).toBe('INVALID_ARGUMENT');
      expect((error as InvalidOptionError).message).toContain(`'${option}'`);
      expect(source.pulled).toBe(0);
      expect(sink.opened).toBe(0);
    });
  }

  it('says what was expected and what it got', () => {
    expect(() => resolveStreamerOptions({ pageSize: 0 })).toThrow(
      "invalid data streamer option 'pageSize': must be an integer > 0, got 0",
    );
    expect(() => resolveStreamerOptions({ pagesize: 1 })).toThrow("unknown data streamer option 'pagesize'");
    expect(() => resolveStreamerOptions(null)).toThrow(/'options'/);
  });

  it('applies the documented defaults', () => {
    const resolved = resolveStreamerOptions({});
    expect(resolved).toMatchObject({
      pageSize: 1000,
      perPartitionParallelOperations: 1,
      autoFlushInterval: 5000,
      retryLimit: 16,
      retryBackoff: StreamerDefaults.retryBackoff,
      maxBufferedItems: StreamerDefaults.maxBufferedItems,
      signal: undefined,
      onBatch: undefined,
      clock: realClock,
      logger: silentLogger,
    });
    expect(resolved.rng.next()).toBeGreaterThanOrEqual(0);
  });

  it('accepts the edge values the rules allow', () => {
    const resolved = resolveStreamerOptions({
      pageSize: 1,
      autoFlushInterval: -1,
      retryLimit: -1,
      retryBackoff: { initialMs: 0, multiplier: 1, maxMs: 0, jitter: 1 },
      maxBufferedItems: 1,
      signal: undefined,
    });
    expect(resolved).toMatchObject({ pageSize: 1, autoFlushInterval: -1, retryLimit: -1 });
    expect(resolved.retryBackoff).toEqual({ initialMs: 0, multiplier: 1, maxMs: 0, jitter: 1 });
  });
});
