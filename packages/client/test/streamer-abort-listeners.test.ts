/**
 * Abort handling costs one listener per stream, not one per request: the caller's signal is watched once,
 * and every batch attempt carries the stream's one cancel signal (a connection watches it once, however many
 * requests carry it: pending-requests.test.ts), so nothing piles listeners on a signal as batches go by.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { streamData } from '../src/streamer/stream-data.js';
import { FakeSink, items, simClock, stopClocks } from './streamer-fake-sink.js';

afterEach(stopClocks);

describe('DataStreamer abort listeners', () => {
  it('adds one listener to the caller signal for a stream of 2,048 batches over 1,024 partitions', async () => {
    const clock = simClock();
    const sink = new FakeSink({ clock, partitions: 1024 });
    const controller = new AbortController();
    const signal = controller.signal;
    let added = 0;
    const add = signal.addEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<AbortSignal['addEventListener']>) => {
      added++;
      add(...args);
    }) as AbortSignal['addEventListener'];
    const summary = await streamData(sink, items(2048), { clock, signal, pageSize: 1 });
    expect(summary.batches).toBe(2048);
    expect(added).toBe(1);
    // Every attempt carried the stream's own cancel signal: one for the whole stream, not the caller's.
    expect(new Set(sink.calls.map((call) => call.signal)).size).toBe(1);
    expect(sink.calls.every((call) => call.signal !== signal)).toBe(true);
  });
});
